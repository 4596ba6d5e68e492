package document

import (
	"fmt"
	"math"
	"time"
)

// Page geometry in PDF points (1/72 inch), origin at the top left. A4 is
// 595 × 842 pt in gopdf; the margins are 20 mm.
const (
	pageWidth  = 595.0
	pageHeight = 842.0
	margin     = 56.7
	contentW   = pageWidth - 2*margin
	bodyBottom = pageHeight - margin // body text never goes below this
	footerRule = pageHeight - 44     // 13.5 pt below the body
	footerBase = pageHeight - 32     // baseline of the footer text
	keyWidth   = 0.3 * contentW      // the key column of a section's table
	cellPad    = 4.0                 // padding inside table cells
)

// style is a font size with its line height (leading) and text gray level.
type style struct {
	size, leading, gray float64
}

// theme holds the text styles: sizes in points, gray 0 is black.
type theme struct {
	title, subtitle, meta, heading, body, key, value, footer style
}

// defaultTheme returns the styles of every document.
func defaultTheme() theme {
	return theme{
		title:    style{18, 25, 0},
		subtitle: style{12, 17, 0.2},
		meta:     style{9, 13, 0.35},
		heading:  style{13, 19, 0},
		body:     style{10, 15, 0},
		key:      style{9.5, 13.5, 0.25},
		value:    style{9.5, 13.5, 0},
		footer:   style{8, 11, 0.4},
	}
}

// opKind says what an op draws.
type opKind uint8

const (
	opText opKind = iota // text on a baseline
	opLine               // a straight line
	opFill               // a filled rectangle
)

// op is one drawing operation on a page, in points from the top left.
type op struct {
	kind opKind
	x, y float64 // text: left end of the baseline; line: start; fill: top-left corner
	w, h float64 // line: the end is (x+w, y+h); fill: the size
	size float64 // text: font size; line: stroke width
	gray float64 // 0 black … 1 white
	text string
}

// layouter flows a document onto pages.
type layouter struct {
	m     metrics
	t     theme
	pages [][]op
	y     float64 // top of the free space on the last page
}

// layout lays doc out as pages of drawing operations, footers included.
func layout(m metrics, doc *Document) [][]op {
	l := &layouter{m: m, t: defaultTheme()}
	l.newPage()
	l.titleBlock(doc)
	for _, s := range doc.Sections {
		l.section(s)
	}
	for i := range l.pages {
		l.pages[i] = append(l.pages[i], footer(m, l.t.footer, i+1, len(l.pages), doc.GeneratedAt)...)
	}
	return l.pages
}

func (l *layouter) newPage() {
	l.pages = append(l.pages, nil)
	l.y = margin
}

func (l *layouter) emit(o op) {
	p := len(l.pages) - 1
	l.pages[p] = append(l.pages[p], o)
}

// atTop reports whether nothing has been placed on the current page.
func (l *layouter) atTop() bool { return l.y == margin }

// ensure starts a new page unless h points fit below y (or the page is
// still empty, where waiting would not help).
func (l *layouter) ensure(h float64) {
	if l.y+h > bodyBottom && !l.atTop() {
		l.newPage()
	}
}

// text draws one line of text in a line box of st.leading starting at y,
// with the em box centred in it; ideographs fill about 0.88 em above the
// baseline in the fonts used here.
func (l *layouter) text(x, y float64, s string, st style) {
	if s == "" {
		return
	}
	base := y + (st.leading-st.size)/2 + 0.88*st.size
	l.emit(op{kind: opText, x: x, y: base, size: st.size, gray: st.gray, text: s})
}

// lines draws text wrapped to width, breaking pages between lines.
func (l *layouter) lines(x float64, s string, width float64, st style) {
	for _, ln := range wrap(l.m, s, st.size, width) {
		l.ensure(st.leading)
		l.text(x, l.y, ln, st)
		l.y += st.leading
	}
}

func (l *layouter) rule(y, width, gray float64) {
	l.emit(op{kind: opLine, x: margin, y: y, w: contentW, size: width, gray: gray})
}

// titleBlock draws the title, subtitle and metadata lines and a rule.
func (l *layouter) titleBlock(doc *Document) {
	l.lines(margin, doc.Title, contentW, l.t.title)
	if doc.Subtitle != "" {
		l.y += 2
		l.lines(margin, doc.Subtitle, contentW, l.t.subtitle)
	}
	if len(doc.Meta) > 0 {
		l.y += 4
	}
	for _, m := range doc.Meta {
		l.lines(margin, m, contentW, l.t.meta)
	}
	l.ensure(14)
	l.y += 6
	l.rule(l.y, 1, 0.3)
	l.y += 8
}

// section draws a heading, kept on the page of the first line after it,
// then the paragraphs and the key/value table.
func (l *layouter) section(s Section) {
	heading := wrap(l.m, s.Heading, l.t.heading.size, contentW)
	next := 0.0
	switch {
	case len(s.Paragraphs) > 0:
		next = l.t.body.leading
	case len(s.Rows) > 0:
		next = l.t.value.leading + 2*cellPad
	}
	l.ensure(12 + float64(len(heading))*l.t.heading.leading + 5 + next)
	if !l.atTop() {
		l.y += 12
	}
	for _, ln := range heading {
		l.ensure(l.t.heading.leading)
		l.text(margin, l.y, ln, l.t.heading)
		l.y += l.t.heading.leading
	}
	l.y += 5
	for _, p := range s.Paragraphs {
		l.lines(margin, p, contentW, l.t.body)
		l.y += 5
	}
	for _, r := range s.Rows {
		l.row(r)
	}
}

// Rows of up to shortRow lines move to the next page whole rather than
// split; a longer row splits, with at least minSplit of its lines on
// each page it spans.
const (
	shortRow = 6
	minSplit = 2
)

// row draws one table row, breaking pages as the shortRow and minSplit
// rules say; each part of a split row is boxed on its own page.
func (l *layouter) row(r Row) {
	lead := l.t.value.leading
	keys := wrap(l.m, r.Key, l.t.key.size, keyWidth-2*cellPad)
	vals := wrap(l.m, r.Value, l.t.value.size, contentW-keyWidth-2*cellPad)
	n := max(len(keys), len(vals))
	for i := 0; i < n; {
		fit := int(math.Floor((bodyBottom - l.y - 2*cellPad) / lead))
		k := min(n-i, fit)
		if k < n-i && n-i-k < minSplit {
			k = n - i - minSplit // leave no single line for the next page
		}
		if k < n-i && (n <= shortRow || k < minSplit) && !l.atTop() {
			l.newPage()
			continue
		}
		k = max(k, 1) // a line taller than the page still has to go somewhere
		l.cells(keys, vals, i, k)
		i += k
	}
}

// cells draws lines [i, i+k) of a row's key and value columns as one boxed
// fragment at y.
func (l *layouter) cells(keys, vals []string, i, k int) {
	lead := l.t.value.leading
	h := float64(k)*lead + 2*cellPad
	top := l.y
	l.emit(op{kind: opFill, x: margin, y: top, w: keyWidth, h: h, gray: 0.94})
	for j := i; j < i+k; j++ {
		y := top + cellPad + float64(j-i)*lead
		if j < len(keys) {
			l.text(margin+cellPad, y, keys[j], l.t.key)
		}
		if j < len(vals) {
			l.text(margin+keyWidth+cellPad, y, vals[j], l.t.value)
		}
	}
	for _, x := range []float64{margin, margin + keyWidth, margin + contentW} {
		l.emit(op{kind: opLine, x: x, y: top, h: h, size: 0.5, gray: 0.6})
	}
	l.rule(top, 0.5, 0.6)
	l.rule(top+h, 0.5, 0.6)
	l.y = top + h
}

// footer returns page n's footer: a rule, the generation time on the left
// and the bilingual page number on the right.
func footer(m metrics, st style, n, total int, at time.Time) []op {
	left := "生成时间 Generated at " + at.Format("2006-01-02 15:04:05 -07:00")
	right := fmt.Sprintf("第 %d 页 / 共 %d 页 · Page %d of %d", n, total, n, total)
	rightX := margin + contentW - textWidth(m, right)*st.size/1000
	return []op{
		{kind: opLine, x: margin, y: footerRule, w: contentW, size: 0.5, gray: 0.6},
		{kind: opText, x: margin, y: footerBase, size: st.size, gray: st.gray, text: left},
		{kind: opText, x: rightX, y: footerBase, size: st.size, gray: st.gray, text: right},
	}
}
