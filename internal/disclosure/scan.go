package disclosure

import (
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// Finding is something in public text that may identify an operator's
// system (RMSV Art. 9(2), CN-09-2): an IP address, a host name or a URL.
// Documentation ranges and example domains are flagged too: the publisher
// decides, and marks a finding as not an operator's system with a reason.
type Finding struct {
	Kind  string // "ipv4", "ipv6", "hostname" or "url"
	Value string // as written
}

// Key is f's normalised value, which a publisher's "not an operator
// system" mark refers to.
func (f Finding) Key() string { return f.Kind + ":" + strings.ToLower(f.Value) }

// urlPattern finds URLs: a scheme, "://", and everything up to a space,
// a quote, an angle bracket or CJK punctuation.
var urlPattern = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.\-]{1,15}://[^\s<>"'\x60，。；、（）《》「」【】]+`)

// notTLD are file extensions that look like top-level domains in text
// ("README.md", "Node.js"); a name ending in one is not a host name.
var notTLD = map[string]bool{"html": true, "htm": true, "php": true, "js": true, "json": true, "xml": true, "txt": true,
	"md": true, "py": true, "go": true, "sh": true, "java": true, "jsp": true, "asp": true, "aspx": true, "cgi": true,
	"conf": true, "yaml": true, "yml": true, "exe": true, "dll": true, "so": true, "zip": true, "gz": true, "tar": true,
	"jar": true, "bin": true, "log": true, "cfg": true, "ini": true, "pdf": true, "png": true, "jpg": true, "rs": true, "ts": true}

// ScanOperatorSystems returns the IP addresses, host names and URLs in
// text, each once, in order of appearance.
func ScanOperatorSystems(text string) []Finding {
	var out []Finding
	seen := map[string]bool{}
	add := func(f Finding) {
		if !seen[f.Key()] {
			seen[f.Key()] = true
			out = append(out, f)
		}
	}
	for _, loc := range urlPattern.FindAllStringIndex(text, -1) {
		u := strings.TrimRight(text[loc[0]:loc[1]], ".,;:!?)]}")
		if p, err := url.Parse(u); err == nil && p.Host != "" {
			add(Finding{Kind: "url", Value: u})
		}
	}
	rest := urlPattern.ReplaceAllString(text, " ")
	for _, tok := range strings.FieldsFunc(rest, notHostRune) {
		if f, ok := classify(tok); ok {
			add(f)
		}
	}
	return out
}

// notHostRune splits text into candidate tokens: addresses, host names
// and ports are made of ASCII letters, digits, '.', ':', '-', '[', ']'
// and '%' (an IPv6 zone).
func notHostRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune(".:-[]%_", r)
}

// classify decides whether one token is an address or a host name.
func classify(tok string) (Finding, bool) {
	tok = strings.Trim(tok, ".:-_")
	if tok == "" {
		return Finding{}, false
	}
	bare := strings.Trim(tok, "[]")
	if a, err := netip.ParseAddr(bare); err == nil {
		return addrFinding(a, tok), true
	}
	if ap, err := netip.ParseAddrPort(tok); err == nil {
		return addrFinding(ap.Addr(), tok), true
	}
	host := tok
	if i := strings.LastIndexByte(tok, ':'); i > 0 && strings.Count(tok, ":") == 1 {
		host = tok[:i]
	}
	if isHostname(host) {
		return Finding{Kind: "hostname", Value: tok}, true
	}
	return Finding{}, false
}

func addrFinding(a netip.Addr, tok string) Finding {
	if a.Is4() || a.Is4In6() && strings.Count(tok, ":") == 0 {
		return Finding{Kind: "ipv4", Value: tok}
	}
	return Finding{Kind: "ipv6", Value: tok}
}

// isHostname reports whether s is a dotted host name: two or more labels
// of letters, digits and hyphens, ending in an alphabetic top-level
// domain of two or more letters that is not a common file extension.
func isHostname(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || strings.ContainsAny(l, "[]%:") {
			return false
		}
	}
	tld := strings.ToLower(labels[len(labels)-1])
	if len(tld) < 2 || notTLD[tld] {
		return false
	}
	for _, r := range tld {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
