package document

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mustTool returns the path of a command from Debian's poppler-utils,
// skipping the test (or failing it in CI) when it is absent.
func mustTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, "no "+name+" (apt-get install poppler-utils)")
	}
	return path
}

// mustRender renders doc with font into a temporary file and returns its
// path.
func mustRender(t testing.TB, doc *Document, font *Font) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, doc, font); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return writeTemp(t, "doc.pdf", buf.Bytes())
}

// run runs a command and returns its standard output.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(mustTool(t, name), args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// pdfPages returns the page count pdfinfo reads from the PDF at path; it
// fails the test if pdfinfo finds the file broken.
func pdfPages(t testing.TB, path string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(run(t, "pdfinfo", path))
	if m == nil {
		t.Fatal("pdfinfo printed no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// pageText returns the text pdftotext extracts from page n.
func pageText(t testing.TB, path string, n int) string {
	t.Helper()
	p := strconv.Itoa(n)
	return run(t, "pdftotext", "-f", p, "-l", p, "-enc", "UTF-8", path, "-")
}

// testDocument mixes Chinese and English, carries long values without
// spaces (a hash, a URL, a CVSS vector, a Chinese run) and a row taller
// than a page, and has enough rows for several pages.
func testDocument() *Document {
	doc := &Document{
		Title:       "漏洞报告 Vulnerability report EMB-2026-0042",
		Subtitle:    "报送国家信息安全漏洞共享平台（NVDB）· Submitted to MIIT's NVDB",
		Meta:        []string{"报告编号 Reference: EMB-2026-0042", "接收方 Recipient: 工业和信息化部网络安全管理局"},
		GeneratedAt: testTime(),
	}
	doc.Sections = append(doc.Sections, Section{Heading: "概述 Summary", Paragraphs: []string{
		"本报告描述了一个远程代码执行漏洞：攻击者无需身份验证即可通过特制请求执行任意代码。" +
			"This report describes a remote code execution flaw: an unauthenticated attacker can run arbitrary code with a crafted request.",
		"参考链接 Reference: https://example.com/advisories/" + strings.Repeat("very-long-path-segment/", 8) + "index.html?lang=zh-CN&id=42",
	}})
	var rows []Row
	for i := 1; i <= 60; i++ {
		rows = append(rows, Row{
			Key:   fmt.Sprintf("证据 %d Evidence %d", i, i),
			Value: fmt.Sprintf("文件哈希 File hash sha256:%s%02d", strings.Repeat("9f86d081884c7d659a2feaa0c55ad015", 2)[:62], i),
		})
	}
	rows[3].Value = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H " + strings.Repeat("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 3)
	rows[20].Value = strings.Repeat("受影响的组件列表没有空格", 250) // taller than a page
	doc.Sections = append(doc.Sections, Section{Heading: "证据清单 Evidence", Rows: rows})
	return doc
}

// TestRenderRoundTrip renders a three-page-plus document with the system
// font and reads it back with poppler: the page count, each page's
// footer, and every text of the document, in order.
func TestRenderRoundTrip(t *testing.T) {
	font := mustSystemFont(t)
	doc := testDocument()
	path := mustRender(t, doc, font)
	n := pdfPages(t, path)
	if n < 3 {
		t.Fatalf("%d pages, want 3 or more", n)
	}
	var want, got []string
	var body strings.Builder
	for p := 1; p <= n; p++ {
		footer := fmt.Sprintf("第 %d 页 / 共 %d 页 · Page %d of %d", p, n, p, n)
		generated := "生成时间 Generated at 2026-11-01 16:00:00 +08:00"
		want = append(want, generated+" | "+footer)
		text := pageText(t, path, p)
		found := []string{}
		for _, s := range []string{generated, footer} {
			if strings.Contains(text, s) {
				found = append(found, s)
				text = strings.Replace(text, s, "", 1)
			}
		}
		got = append(got, strings.Join(found, " | "))
		body.WriteString(text)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("footers per page (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string(nil), missingInOrder(doc, body.String())); diff != "" {
		t.Errorf("texts not found in order in the extracted text (-want +got):\n%s", diff)
	}
}

// missingInOrder returns the texts of doc that text does not contain, in
// order, ignoring spaces and line breaks (which wrapping moves).
func missingInOrder(doc *Document, text string) []string {
	text = squeeze(text)
	var missing []string
	pos := 0
	for _, f := range doc.fields() {
		s := squeeze(f.text)
		i := strings.Index(text[pos:], s)
		if i < 0 {
			missing = append(missing, f.where+": "+clip(f.text))
			continue
		}
		pos += i + len(s)
	}
	return missing
}

// word is one word pdftotext -bbox finds, in points from the top left.
type word struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

// TestRenderGeometry reads back where poppler finds every word: none
// crosses the side margins, and below the body only the footer appears.
func TestRenderGeometry(t *testing.T) {
	font := mustSystemFont(t)
	path := mustRender(t, testDocument(), font)
	html := run(t, "pdftotext", "-bbox", "-enc", "UTF-8", path, "-")
	if !strings.Contains(html, `<page width="595.000000" height="842.000000">`) {
		t.Fatalf("the pages are not A4 (595 × 842 pt):\n%.300s", html)
	}
	const eps = 0.5
	words := 0
	wordRE := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	for _, m := range wordRE.FindAllStringSubmatch(html, -1) {
		w := word{text: m[5]}
		for i, p := range []*float64{&w.xMin, &w.yMin, &w.xMax, &w.yMax} {
			*p, _ = strconv.ParseFloat(m[i+1], 64)
		}
		words++
		if w.xMin < margin-eps || w.xMax > pageWidth-margin+eps {
			t.Errorf("%q crosses a side margin: x %.1f to %.1f", w.text, w.xMin, w.xMax)
		}
		if w.yMax > bodyBottom+eps && w.yMin < footerRule {
			t.Errorf("%q reaches into the footer: y %.1f to %.1f", w.text, w.yMin, w.yMax)
		}
	}
	if words < 500 {
		t.Errorf("poppler found %d words; the document has far more", words)
	}
}

func TestRenderMissingGlyphs(t *testing.T) {
	font := mustSystemFont(t)
	doc := testDocument()
	doc.Sections[1].Rows[1].Value = "名字 𠮷野家" // U+20BB7, outside the Basic Multilingual Plane
	doc.Sections[0].Paragraphs[0] += " 🙂 𠮷"  // an emoji, and 𠮷 again
	var buf bytes.Buffer
	err := Render(&buf, doc, font)
	var mg *MissingGlyphsError
	if !errors.As(err, &mg) {
		t.Fatalf("Render: got %v, want a *MissingGlyphsError", err)
	}
	want := []MissingGlyph{
		{'🙂', `section 1 "概述 Summary" paragraph 1`},
		{'𠮷', `section 1 "概述 Summary" paragraph 1`},
	}
	if diff := cmp.Diff(want, mg.Missing); diff != "" {
		t.Errorf("missing glyphs (-want +got):\n%s", diff)
	}
	if buf.Len() != 0 {
		t.Errorf("Render wrote %d bytes despite the error", buf.Len())
	}
}

// TestRenderReproducible renders the same document twice: evidence packs
// are hashed, so the same input must give the same bytes.
func TestRenderReproducible(t *testing.T) {
	font := mustSystemFont(t)
	var a, b bytes.Buffer
	if err := Render(&a, testDocument(), font); err != nil {
		t.Fatal(err)
	}
	if err := Render(&b, testDocument(), font); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renders of one document differ")
	}
}
