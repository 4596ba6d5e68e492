package i18n

import (
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/language"
)

func mustLoad(t testing.TB) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCataloguesAgree checks that every language has exactly the same keys,
// no empty message, and the same formatting verbs for each key, so that
// no page shows a raw key or a "%!s(MISSING)".
func TestCataloguesAgree(t *testing.T) {
	c := mustLoad(t)
	want := c.messages[English]
	for _, tag := range Supported() {
		got := c.messages[tag]
		if diff := cmp.Diff(sortedKeys(want), sortedKeys(got)); diff != "" {
			t.Errorf("%s: keys differ from en (-en +%s):\n%s", tag, tag, diff)
		}
		for key, msg := range got {
			if strings.TrimSpace(msg) == "" {
				t.Errorf("%s: %q is empty", tag, key)
			}
			if diff := cmp.Diff(verbs(want[key]), verbs(msg)); diff != "" {
				t.Errorf("%s: %q: formatting verbs differ from en (-en +%s):\n%s", tag, key, tag, diff)
			}
		}
	}
}

// TestCataloguesHaveNoDuplicateKeys decodes each file token by token:
// json.Unmarshal would silently keep the last of two equal keys.
func TestCataloguesHaveNoDuplicateKeys(t *testing.T) {
	for _, tag := range Supported() {
		f, err := catalogFS.Open("catalog/" + tag.String() + ".json")
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range duplicateKeys(t, f) {
			t.Errorf("%s: key %q appears more than once", tag, key)
		}
		f.Close()
	}
}

func duplicateKeys(t *testing.T, r io.Reader) []string {
	t.Helper()
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var dups []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		key := tok.(string)
		if seen[key] {
			dups = append(dups, key)
		}
		seen[key] = true
		if _, err := dec.Token(); err != nil { // the value
			t.Fatal(err)
		}
	}
	return dups
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs returns the sorted fmt verbs in msg, without positional indexes.
func verbs(msg string) []string {
	var vs []string
	for _, m := range verbRE.FindAllStringSubmatch(msg, -1) {
		vs = append(vs, strings.Replace(m[0], m[1], "", 1))
	}
	slices.Sort(vs)
	return vs
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		choice, cookie, accept string
		want                   language.Tag
	}{
		{name: "nothing", want: Chinese},
		{name: "british english", accept: "en-GB,en;q=0.9", want: English},
		{name: "american english", accept: "en-US", want: English},
		{name: "simplified chinese", accept: "zh-CN,zh;q=0.9,en;q=0.8", want: Chinese},
		{name: "bare chinese", accept: "zh", want: Chinese},
		{name: "traditional chinese", accept: "zh-TW", want: Chinese},
		{name: "french falls back", accept: "fr", want: Chinese},
		{name: "french then english", accept: "fr-FR,fr;q=0.9,en;q=0.5", want: English},
		{name: "garbage header", accept: ";;;q=x", want: Chinese},
		{name: "cookie beats header", cookie: "zh-CN", accept: "en-US", want: Chinese},
		{name: "choice beats cookie", choice: "en", cookie: "zh-CN", accept: "zh-CN", want: English},
		{name: "bad cookie ignored", cookie: "<script>", accept: "en", want: English},
		{name: "unsupported cookie ignored", cookie: "fr", accept: "en", want: English},
		{name: "unsupported choice ignored", choice: "de", cookie: "en", want: English},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Match(tc.choice, tc.cookie, tc.accept)
			if got != tc.want {
				t.Errorf("Match(%q, %q, %q) = %v, want %v", tc.choice, tc.cookie, tc.accept, got, tc.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   language.Tag
		wantOK bool
	}{
		{"en", English, true},
		{"en-GB", English, true},
		{"zh-CN", Chinese, true},
		{"zh-Hans", Chinese, true},
		{"fr", language.Und, false},
		{"", language.Und, false},
		{"not a tag", language.Und, false},
	} {
		got, ok := Lookup(tc.in)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("Lookup(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestT(t *testing.T) {
	c := &Catalog{messages: map[language.Tag]map[string]string{
		English: {"greet": "Hello, %s", "only.en": "English only", "plain": "100%"},
		Chinese: {"greet": "你好，%s"},
	}}
	for _, tc := range []struct {
		name string
		lang language.Tag
		key  string
		args []any
		want string
	}{
		{"chinese", Chinese, "greet", []any{"Ada"}, "你好，Ada"},
		{"english", English, "greet", []any{"Ada"}, "Hello, Ada"},
		{"closest supported language", language.MustParse("en-AU"), "greet", []any{"Ada"}, "Hello, Ada"},
		{"unsupported language", language.French, "greet", []any{"Ada"}, "你好，Ada"},
		{"falls back to english", Chinese, "only.en", nil, "English only"},
		{"falls back to the key", Chinese, "missing.key", nil, "missing.key"},
		{"no args, no formatting", English, "plain", nil, "100%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.T(tc.lang, tc.key, tc.args...); got != tc.want {
				t.Errorf("T(%v, %q) = %q, want %q", tc.lang, tc.key, got, tc.want)
			}
		})
	}
}

func TestLocalizer(t *testing.T) {
	c := mustLoad(t)
	l := c.For(language.MustParse("zh-Hans-CN"))
	if l.Lang() != Chinese {
		t.Errorf("Lang() = %v, want %v", l.Lang(), Chinese)
	}
	if got, want := l.T("nav.report"), "报告漏洞"; got != want {
		t.Errorf("T(nav.report) = %q, want %q", got, want)
	}
	if got, want := c.For(English).T("footer.version", "1.2.3"), "Embargo 1.2.3"; got != want {
		t.Errorf("T(footer.version) = %q, want %q", got, want)
	}
}

func TestHas(t *testing.T) {
	c := mustLoad(t)
	if !c.Has("nav.report") || c.Has("no.such.key") {
		t.Errorf("Has gives the wrong answer")
	}
}
