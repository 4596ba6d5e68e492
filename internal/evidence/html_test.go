package evidence_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/evidence/evidencetest"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
	"golang.org/x/text/language"
)

func mustRender(t *testing.T, p evidence.Pack, lang language.Tag) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := evidence.RenderHTML(&b, p, lang); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestEvidenceHTMLGolden pins the page in both languages.
func TestEvidenceHTMLGolden(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			checkGolden(t, "pack."+lang+".html", mustRender(t, evidencetest.Pack(), language.MustParse(lang)))
		})
	}
}

// nodes returns the elements of doc with the tag name and, when class is
// not empty, that class: a small stand-in for a CSS selector "tag.class".
func nodes(doc *html.Node, tag, class string) []*html.Node {
	var out []*html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == tag && (class == "" || hasClass(n, class)) {
			out = append(out, n)
		}
	}
	return out
}

func hasClass(n *html.Node, class string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" && strings.Contains(" "+a.Val+" ", " "+class+" ") {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// TestEvidenceHTMLContent checks the page's structure: one row per duty
// with its code, state and requirement, every table filled, both
// languages, times in Beijing time and UTC, and nothing external.
func TestEvidenceHTMLContent(t *testing.T) {
	p := evidencetest.Pack()
	for _, tc := range []struct {
		lang      string
		first     string // the <h1>'s text starts with it
		nvdbState string
	}{
		{"zh-CN", "漏洞处置证据包", "已履行 met"},
		{"en-GB", "Vulnerability handling evidence pack", "met 已履行"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			doc, err := html.Parse(bytes.NewReader(mustRender(t, p, language.MustParse(tc.lang))))
			if err != nil {
				t.Fatal(err)
			}
			if h1 := text(nodes(doc, "h1", "")[0]); !strings.HasPrefix(h1, tc.first) {
				t.Errorf("h1 = %q, want it to start with %q", h1, tc.first)
			}
			var codes []string
			for _, row := range nodes(doc, "tr", "duty") {
				codes = append(codes, text(nodes(row, "code", "")[0]))
			}
			want := []string{"cn.verify", "cn.upstream_notice", "cn.nvdb_report", "cn.user_notice", "cn.remediation_plan", "eu.cra_early_warning", "eu.cra_notification", "eu.user_notice"}
			if diff := cmp.Diff(want, codes); diff != "" {
				t.Errorf("duty rows (-want +got):\n%s", diff)
			}
			// EU-14-6: an open duty shows the half of its evidence it has,
			// in the evidence row after its own.
			if un := text(nodes(doc, "tr", "duty")[7].Parent); !strings.Contains(un, "EU-14-6") ||
				!strings.Contains(un[strings.Index(un, "EU-14-6"):], "campaign:4") {
				t.Errorf("eu.user_notice without its requirement or the campaign after it: %q", un)
			}
			nvdb := text(nodes(doc, "tr", "duty")[2])
			for _, s := range []string{"CN-07-5", tc.nvdbState, "2026-03-04 09:30:00", "2026-03-04 01:30:00 UTC"} {
				if !strings.Contains(nvdb, s) {
					t.Errorf("the NVDB duty's row %q lacks %q", nvdb, s)
				}
			}
			counts := map[string]int{}
			for _, class := range []string{"submission", "sharing-decision", "event", "mapping-row"} {
				counts[class] = len(nodes(doc, "tr", class))
			}
			wantCounts := map[string]int{"submission": 1, "sharing-decision": 2, "event": 6, "mapping-row": len(p.LegalMapping.Rows)}
			if diff := cmp.Diff(wantCounts, counts); diff != "" {
				t.Errorf("table rows (-want +got):\n%s", diff)
			}
			for _, tag := range []string{"script", "link", "img", "iframe"} {
				if n := len(nodes(doc, tag, "")); n > 0 {
					t.Errorf("the page has %d <%s> elements; it must be self-contained", n, tag)
				}
			}
		})
	}
}

// TestEvidenceHTMLEscapes checks that the pack's text cannot inject
// markup, and that no label is missing (shown as ⟦key⟧).
func TestEvidenceHTMLEscapes(t *testing.T) {
	p := evidencetest.Pack()
	p.Case.Title = `<script>alert("x")</script>`
	p.Timeline[0].Detail = `<img src=x onerror=alert(1)>`
	out := string(mustRender(t, p, language.English))
	for _, bad := range []string{"<script>", "<img", "⟦"} {
		if strings.Contains(out, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;") {
		t.Error("the title was not escaped")
	}
}
