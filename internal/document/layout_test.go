package document

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// rowsDoc returns a document with one section of n key/value rows whose
// values are a Chinese phrase and a 64-digit hash, two lines each at the
// table's width.
func rowsDoc(n int) *Document {
	rows := make([]Row, n)
	for i := range rows {
		rows[i] = Row{
			Key:   fmt.Sprintf("字段 %d Field %d", i+1, i+1),
			Value: fmt.Sprintf("哈希值 hash sha256:%s", strings.Repeat("0123456789abcdef", 4)),
		}
	}
	return &Document{
		Title:       "漏洞报告 Vulnerability report",
		GeneratedAt: testTime(),
		Sections:    []Section{{Heading: "详细信息 Details", Rows: rows}},
	}
}

// textOps returns the text of page's text operations, in drawing order.
func textOps(page []op) []string {
	var out []string
	for _, o := range page {
		if o.kind == opText {
			out = append(out, o.text)
		}
	}
	return out
}

// pageOf returns the number (from 1) of the first page that draws text s.
func pageOf(pages [][]op, s string) int {
	for i, p := range pages {
		for _, t := range textOps(p) {
			if t == s {
				return i + 1
			}
		}
	}
	return 0
}

func TestLayoutFooters(t *testing.T) {
	pages := layout(fakeMetrics{}, rowsDoc(50))
	var got []string
	for _, p := range pages {
		texts := textOps(p)
		got = append(got, strings.Join(texts[len(texts)-2:], " | "))
	}
	var want []string
	for n := 1; n <= len(pages); n++ {
		want = append(want, fmt.Sprintf("生成时间 Generated at 2026-11-01 16:00:00 +08:00 | 第 %d 页 / 共 %d 页 · Page %d of %d", n, len(pages), n, len(pages)))
	}
	if len(pages) < 3 {
		t.Errorf("50 two-line rows took %d pages; the test wants 3 or more", len(pages))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("footers (-want +got):\n%s", diff)
	}
}

// TestLayoutStaysInBody checks every operation of a document with long
// unbroken values and a row taller than a page against the page's body
// area: nothing crosses the margins or reaches the footer.
func TestLayoutStaysInBody(t *testing.T) {
	doc := rowsDoc(40)
	doc.Subtitle = strings.Repeat("副标题很长 ", 30)
	doc.Meta = []string{"URL https://example.com/" + strings.Repeat("path/", 60)}
	doc.Sections[0].Rows[10].Value = strings.Repeat("很长的中文值没有空格", 300) // several pages
	doc.Sections = append(doc.Sections, Section{Heading: "说明 Notes", Paragraphs: []string{
		strings.Repeat("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 20),
		strings.Repeat("正文 body text ", 200),
	}})
	pages := layout(fakeMetrics{}, doc)
	for i, p := range pages {
		for _, o := range p[:len(p)-3] { // the last three are the footer
			if bad := outside(o); bad != "" {
				t.Errorf("page %d: %s: %+v", i+1, bad, o)
			}
		}
	}
}

// outside says how o leaves the body area, or returns "".
func outside(o op) string {
	const eps = 1e-9
	x0, x1, y0, y1 := o.x, o.x+o.w, o.y, o.y+o.h
	if o.kind == opText {
		x1 = o.x + textWidth(fakeMetrics{}, o.text)*o.size/1000
		y0, y1 = o.y-0.88*o.size, o.y+0.12*o.size // the em box around the baseline
	}
	switch {
	case x0 < margin-eps || x1 > margin+contentW+eps:
		return "crosses a side margin"
	case y0 < margin-eps || y1 > bodyBottom+eps:
		return "leaves the body vertically"
	}
	return ""
}

func TestLayoutRowMovesWhole(t *testing.T) {
	// A row's two lines are 35 pt high; find a row that starts on the
	// next page and check that its two lines are not split.
	pages := layout(fakeMetrics{}, rowsDoc(50))
	first := textOps(pages[1])[0]
	if !strings.HasPrefix(first, "字段 ") {
		t.Fatalf("page 2 starts with %q, want a row's key", first)
	}
	key := strings.TrimPrefix(first, "字段 ")
	var n int
	fmt.Sscanf(key, "%d", &n)
	prev := fmt.Sprintf("字段 %d Field %d", n-1, n-1)
	if got := pageOf(pages, prev); got != 1 {
		t.Errorf("the row before page 2's first row is on page %d, want 1", got)
	}
}

func TestLayoutSplitsTallRow(t *testing.T) {
	doc := rowsDoc(1)
	doc.Sections[0].Rows[0].Value = strings.Repeat("长", 30*200) // 200 lines
	pages := layout(fakeMetrics{}, doc)
	var fills []int
	for _, p := range pages {
		n := 0
		for _, o := range p {
			if o.kind == opFill {
				n++
			}
		}
		fills = append(fills, n)
	}
	// 200 lines of 13.5 pt, at most 53 a page and fewer under the title.
	if diff := cmp.Diff([]int{1, 1, 1, 1}, fills); diff != "" {
		t.Errorf("boxed row parts per page (-want +got):\n%s", diff)
	}
	if got := pageOf(pages, "字段 1 Field 1"); got != 1 {
		t.Errorf("the key is on page %d, want 1", got)
	}
}

// TestLayoutSplitRows checks the page-break rules for rows: a row of up to
// shortRow lines is never split; a longer row starts where it is and
// splits, each page holding at least minSplit of its lines, unless fewer
// than minSplit lines fit, when it moves to the next page.
func TestLayoutSplitRows(t *testing.T) {
	perLine := int((contentW - keyWidth - 2*cellPad) / defaultTheme().value.size) // with fakeMetrics
	for n := 12; n < 22; n++ {
		for lines := 1; lines < 70; lines++ {
			doc := rowsDoc(n)
			doc.Sections[0].Rows = append(doc.Sections[0].Rows, Row{"长 Long", strings.Repeat("长", perLine*lines)})
			before := layout(fakeMetrics{}, rowsDoc(n))
			pages := layout(fakeMetrics{}, doc)
			var counts []int // the row's lines on each page it is on
			for _, p := range pages {
				if c := countLines(p, "长"); c > 0 {
					counts = append(counts, c)
				}
			}
			if lines <= shortRow {
				if diff := cmp.Diff([]int{lines}, counts); diff != "" {
					t.Errorf("%d rows then one of %d lines: lines per page (-want +got):\n%s", n, lines, diff)
				}
				continue
			}
			want := len(before)
			if room := bodyBottom - bottom(before) - 2*cellPad; room < minSplit*13.5 {
				want++ // not even minSplit lines fit
			}
			if got := pageOf(pages, "长 Long"); got != want {
				t.Errorf("%d rows then one of %d lines: it starts on page %d, want %d", n, lines, got, want)
			}
			if slices.Min(counts) < minSplit {
				t.Errorf("%d rows then one of %d lines: %v lines per page", n, lines, counts)
			}
		}
	}
}

// countLines counts the lines of page's value column that start with s.
func countLines(page []op, s string) int {
	n := 0
	for _, o := range page {
		if o.kind == opText && o.x == margin+keyWidth+cellPad && strings.HasPrefix(o.text, s) {
			n++
		}
	}
	return n
}

func TestLayoutKeepsHeadingWithNext(t *testing.T) {
	// Vary the rows and metadata lines before a section so that the space
	// left on the page takes many values, some of them room for the
	// heading but not for its first row: the heading must move with it.
	headingOnly := 12 + 19 + 5.0              // space before, one line, space after
	withRow := headingOnly + 13.5 + 2*cellPad // and a one-line row
	tested := 0
	for n := 10; n < 30; n++ {
		for m := range 3 {
			doc := rowsDoc(n)
			doc.Meta = make([]string, m)
			room := bodyBottom - bottom(layout(fakeMetrics{}, doc))
			doc.Sections = append(doc.Sections, Section{Heading: "附录 Appendix", Rows: []Row{{"键 Key", "值 Value"}}})
			pages := layout(fakeMetrics{}, doc)
			if h, r := pageOf(pages, "附录 Appendix"), pageOf(pages, "键 Key"); h != r {
				t.Errorf("%d rows, %d metadata lines: the heading is on page %d and its row on page %d", n, m, h, r)
			}
			if room >= headingOnly && room < withRow {
				tested++
			}
		}
	}
	if tested == 0 {
		t.Error("no case left room for the heading alone; the test tests nothing")
	}
}

// bottom returns the lowest edge of the boxes on the last page.
func bottom(pages [][]op) float64 {
	var y float64
	for _, o := range pages[len(pages)-1] {
		if o.kind == opFill {
			y = max(y, o.y+o.h)
		}
	}
	return y
}
