package i18n

import (
	"slices"
	"testing"
)

// FuzzMatch checks that any Accept-Language header or cookie value yields
// one of the supported languages, without panicking.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"", "en-GB,en;q=0.9", "zh-TW", "fr;q=x", "*", "en;q=0,zh;q=0.1"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, cookie, accept string) {
		if got := Match("", cookie, accept); !slices.Contains(Supported(), got) {
			t.Fatalf("Match(%q, %q) = %v, not a supported language", cookie, accept, got)
		}
	})
}
