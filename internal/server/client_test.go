package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/request"
	"github.com/embargohq/embargo/internal/route"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7,2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"direct", "203.0.113.9:5000", nil, "203.0.113.9"},
		{"untrusted peer's header is ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"one proxy", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"forged left entry is skipped", "10.1.2.3:443", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"two proxies", "192.0.2.7:80", []string{"198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"several header lines", "10.1.2.3:443", []string{"1.1.1.1", "198.51.100.2, 10.0.0.1"}, "198.51.100.2"},
		{"all trusted", "10.1.2.3:443", []string{"10.0.0.1"}, "10.0.0.1"},
		{"garbage stops at the last trusted hop", "10.1.2.3:443", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"no header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"IPv6 proxy", "[2001:db8::1]:443", []string{"2001:db8:ffff::1, 240e::5"}, "240e::5"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:443", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := clientAddr(r, trusted); got != tc.want {
			t.Errorf("%s: clientAddr = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.1.2.3/8,192.0.2.7 ,, ::1 ")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("::1/128")}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []string{"proxy.example.cn", "10.0.0.0/33", "10.0.0"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted", bad)
		}
	}
}

// TestClientInContext checks that the middleware hands the resolved
// address to the surfaces.
func TestClientInContext(t *testing.T) {
	web := route.NewTable(func(w http.ResponseWriter, r *http.Request, err error) {
		http.Error(w, errs.Message(err), errs.HTTPStatus(err))
	})
	web.Handle("GET /who", func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.WriteString(w, request.ClientAddr(r))
		return err
	})
	h := New(Config{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Web: web,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}})
	for peer, want := range map[string]string{"192.0.2.1:1234": "198.51.100.4", "203.0.113.5:1234": "203.0.113.5"} {
		r := httptest.NewRequest("GET", "/who", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", "198.51.100.4")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Body.String() != want {
			t.Errorf("from %s: client %q, want %q", peer, rec.Body.String(), want)
		}
	}
}

func FuzzClientAddr(f *testing.F) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	f.Add("10.0.0.1:1", "198.51.100.1, 10.0.0.2")
	f.Add("10.0.0.1:1", ",,, ::ffff:1.2.3.4 ,zz")
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", xff)
		got := clientAddr(r, trusted)
		if a, err := netip.ParseAddr(got); err == nil && got != peer && isTrusted(a, trusted) {
			// A trusted address is the answer only when every hop was trusted.
			if p, err := parseHost(peer); err != nil || !isTrusted(p, trusted) {
				t.Fatalf("trusted address %q from an untrusted peer %q", got, peer)
			}
		}
	})
}
