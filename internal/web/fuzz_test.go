package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzLocalPath checks that whatever a client sends as the language
// switch's next parameter, the redirect stays on this site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/report?x=1", "//evil.example", "/\\evil.example", "https://evil.example/", "/%2F%2Fevil", "/\t/evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Fatalf("localPath(%q) = %q: not a local path", next, got)
		}
		if u, err := url.Parse(got); err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("localPath(%q) = %q parses as %v, %v", next, got, u, err)
		}
	})
}
