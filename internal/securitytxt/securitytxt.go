// Package securitytxt writes and checks the instance's security.txt
// (RFC 9116, RFC-9116-1): where to report vulnerabilities, in which
// languages, with which key, and until when the file is valid. It is how
// the intake channel of RMSV Art. 5 is published (CN-05-1).
package securitytxt

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// File is the content of a security.txt.
type File struct {
	Contact            []string // URIs: mailto:, https:, tel:
	Expires            time.Time
	Encryption         string // URI of the OpenPGP key
	Policy             string
	PreferredLanguages []string
	Canonical          string
	CSAF               string // the CSAF provider's provider-metadata.json (CSAF 2.0 §7.1.8)
}

// Text returns the file's text, fields in RFC 9116 order of importance.
func (f File) Text() []byte {
	var b bytes.Buffer
	b.WriteString("# Report security vulnerabilities here. 请在此报告安全漏洞。\n")
	for _, c := range f.Contact {
		fmt.Fprintf(&b, "Contact: %s\n", c)
	}
	fmt.Fprintf(&b, "Expires: %s\n", f.Expires.UTC().Format(time.RFC3339))
	if f.Encryption != "" {
		fmt.Fprintf(&b, "Encryption: %s\n", f.Encryption)
	}
	if f.Policy != "" {
		fmt.Fprintf(&b, "Policy: %s\n", f.Policy)
	}
	if len(f.PreferredLanguages) > 0 {
		fmt.Fprintf(&b, "Preferred-Languages: %s\n", strings.Join(f.PreferredLanguages, ", "))
	}
	if f.Canonical != "" {
		fmt.Fprintf(&b, "Canonical: %s\n", f.Canonical)
	}
	if f.CSAF != "" {
		fmt.Fprintf(&b, "CSAF: %s\n", f.CSAF)
	}
	return b.Bytes()
}

// WarnWithin is how long before Expires the operator is warned: the UI
// and the logs say so from then on, and Lint warns too.
const WarnWithin = 30 * 24 * time.Hour

// DefaultValidity is how far ahead a rolling Expires is set when no date
// is configured: under the year RFC 9116 recommends, renewed every day.
const DefaultValidity = 180 * 24 * time.Hour

// Expiring reports whether a file that expires at expires is lapsed or
// lapses within WarnWithin of now.
func Expiring(expires, now time.Time) bool {
	return expires.Sub(now) < WarnWithin
}

// Lint checks text against RFC 9116 at time now and returns what is wrong:
// UTF-8, at least one Contact, exactly one Expires in the future (and
// warns when it is more than a year away or lapses within 30 days), URIs
// where URIs belong, at most one Preferred-Languages, and no unknown
// syntax. A cleartext OpenPGP signature around the fields is allowed.
func Lint(text []byte, now time.Time) (problems, warnings []string) {
	if !utf8.Valid(text) {
		return []string{"the file is not valid UTF-8"}, nil
	}
	counts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	inSig := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case line == "-----BEGIN PGP SIGNED MESSAGE-----" || strings.HasPrefix(line, "Hash: "):
			continue
		case line == "-----BEGIN PGP SIGNATURE-----":
			inSig = true
			continue
		case line == "-----END PGP SIGNATURE-----":
			inSig = false
			continue
		case inSig || line == "" || strings.HasPrefix(line, "#"):
			continue
		}
		line = strings.TrimPrefix(line, "- ") // dash-escaping of a signed file
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			problems = append(problems, fmt.Sprintf("line %d is not \"Field: value\"", n))
			continue
		}
		name = strings.ToLower(name)
		counts[name]++
		switch name {
		case "contact", "encryption", "policy", "canonical", "csaf", "acknowledgments", "hiring":
			u, err := url.Parse(value)
			if err != nil || u.Scheme == "" {
				problems = append(problems, fmt.Sprintf("line %d: %s must be a URI", n, name))
			} else if u.Scheme == "http" && name != "contact" {
				problems = append(problems, fmt.Sprintf("line %d: %s must use https", n, name))
			}
		case "expires":
			t, err := time.Parse(time.RFC3339, value)
			switch {
			case err != nil:
				problems = append(problems, fmt.Sprintf("line %d: Expires is not an RFC 3339 date-time", n))
			case !t.After(now):
				problems = append(problems, "Expires is in the past: the file has lapsed")
			case t.After(now.AddDate(1, 0, 0)):
				warnings = append(warnings, "Expires is more than a year away (RFC 9116 recommends less)")
			case Expiring(t, now):
				warnings = append(warnings, "Expires lapses within 30 days: renew it")
			}
		case "preferred-languages":
		default:
			warnings = append(warnings, fmt.Sprintf("line %d: unknown field %q", n, name))
		}
	}
	if counts["contact"] == 0 {
		problems = append(problems, "no Contact field")
	}
	if counts["expires"] != 1 {
		problems = append(problems, fmt.Sprintf("%d Expires fields, want exactly one", counts["expires"]))
	}
	if counts["preferred-languages"] > 1 {
		problems = append(problems, "more than one Preferred-Languages field")
	}
	return problems, warnings
}
