package document

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// fakeMetrics makes wide characters one em and everything else half an
// em, so that a 50-point line at 10 points holds 5 Chinese characters or
// 10 Latin ones.
type fakeMetrics struct{}

func (fakeMetrics) advance(r rune) float64 {
	if isWide(r) {
		return 1000
	}
	return 500
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", []string{""}},
		{"fits", "hello", []string{"hello"}},
		{"breaks at spaces", "hello world foo", []string{"hello", "world foo"}},
		{"no spaces at line ends or starts", "aaaaa bbbbb ccccc", []string{"aaaaa", "bbbbb", "ccccc"}},
		{"indent kept on the first line", "  abc", []string{"  abc"}},
		{"between Chinese characters", "一二三四五六七", []string{"一二三四五", "六七"}},
		{"Chinese next to Latin", "漏洞CVE-2024-1", []string{"漏洞", "CVE-2024-1"}},
		{"closing mark never starts a line", "一二三四五，六", []string{"一二三四", "五，六"}},
		{"opening mark never ends a line", "一二三四（五）", []string{"一二三四", "（五）"}},
		{"line breaks kept", "a\n\nb\r\nc\rd", []string{"a", "", "b", "c", "d"}},
		{"tab is a space", "a\tb", []string{"a b"}},
		{"long word between characters", "0123456789abcdefghij", []string{"0123456789", "abcdefghij"}},
		{"long word after a late separator", "aaaaaaa/bbbbbbbbbbbb", []string{"aaaaaaa/", "bbbbbbbbbb", "bb"}},
		{"long word breaks before a hyphen", "aaaaaaa-bbbbbbbbbbbb", []string{"aaaaaaa", "-bbbbbbbbb", "bbb"}},
		{"long word ignores an early separator", "aaaa/bbbbbbbbbbbb", []string{"aaaa/bbbbb", "bbbbbbb"}},
		{"long word starts on a line with room", "ab 0123456789abcdefghij", []string{"ab 0123456", "789abcdefg", "hij"}},
		{"long word moves off a full line", "abcdefgh 0123456789abcdefghij", []string{"abcdefgh", "0123456789", "abcdefghij"}},
		{"long word then more text", "0123456789abc de", []string{"0123456789", "abc de"}},
		{"glyph wider than the line", "一", []string{"一"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(fakeMetrics{}, tc.text, 10, 50)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("wrap(%q) (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestWrapTooNarrow(t *testing.T) {
	got := wrap(fakeMetrics{}, "一二", 10, 5) // half a character wide
	if diff := cmp.Diff([]string{"一", "二"}, got); diff != "" {
		t.Errorf("wrap (-want +got):\n%s", diff)
	}
}

// squeeze drops white space: wrapping turns spaces into line breaks and
// drops some, and text extraction adds line and page breaks.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// FuzzWrap wraps arbitrary text, as documents carry reporters' text. No
// text may be lost or added, and no line may be wider than the column
// unless it is a single character.
func FuzzWrap(f *testing.F) {
	for _, s := range []string{"hello world", "一二三四五，六（七）", "https://example.com/a/b?c=d&e=f", "a\r\nb\tc", "sha256:0123456789abcdef0123456789abcdef"} {
		f.Add(s, 50.0)
	}
	f.Fuzz(func(t *testing.T, text string, width float64) {
		if !utf8.ValidString(text) || !(width >= 1 && width <= 1000) {
			return // Render rejects invalid UTF-8; widths are the layout's own
		}
		lines := wrap(fakeMetrics{}, text, 10, width)
		if got, want := squeeze(strings.Join(lines, "")), squeeze(text); got != want {
			t.Fatalf("wrap(%q, %v) lost or added text: %q", text, width, lines)
		}
		for _, l := range lines {
			if w := textWidth(fakeMetrics{}, l) * 10 / 1000; w > width && utf8.RuneCountInString(strings.TrimSpace(l)) > 1 {
				t.Fatalf("wrap(%q, %v): line %q is %v wide", text, width, l, w)
			}
		}
	})
}
