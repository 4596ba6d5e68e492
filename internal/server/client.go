package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr resolves the client's IP address for rate limits, sessions
// and audit events. The connection's peer is the client unless it is one
// of the trusted proxies; then X-Forwarded-For is read from the right,
// skipping trusted proxies, and the first other address is the client. An
// entry that is not an IP address ends the walk at the last trusted hop,
// so a forged header can never name an address the proxies did not add.
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer, err := parseHost(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr // not from a TCP listener (tests); keep it as is
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	client := peer
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		hops := strings.Split(values[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				return client.String()
			}
			client = a.Unmap()
			if !isTrusted(client, trusted) {
				return client.String()
			}
		}
	}
	return client.String()
}

// parseHost returns the IP address of a host:port.
func parseHost(hostport string) (netip.Addr, error) {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxies reads a comma-separated list of IP addresses and
// CIDR prefixes.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, &net.ParseError{Type: "IP address or CIDR prefix", Text: f}
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}
