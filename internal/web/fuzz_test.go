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

// FuzzParseAffected checks that the advisory form's affected list either
// parses into entries with a product and versions, each written back the
// same, or is refused; it never panics.
func FuzzParseAffected(f *testing.F) {
	for _, s := range []string{"AX3000 | | <1.0.4 | 1.0.4\n", "R1|M|1.x\n\nR2 | M2 | 2.0", "|||", "a|b|c|d|e", "产品 | 型号 | 全部"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseAffected(s)
		if err != nil {
			return
		}
		for _, a := range got {
			if a.Product == "" || a.Versions == "" {
				t.Fatalf("parseAffected(%q) gave %+v", s, a)
			}
		}
		again, err := parseAffected(affectedLines(got))
		if err != nil || len(again) != len(got) {
			t.Fatalf("parseAffected(affectedLines(%+v)) = %+v, %v", got, again, err)
		}
	})
}
