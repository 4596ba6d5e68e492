package document

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// tenPages returns a document of mixed Chinese and English rows that lays
// out on exactly ten pages with font.
func tenPages(b *testing.B, font *Font) *Document {
	b.Helper()
	gp, err := font.start(nil)
	if err != nil {
		b.Fatal(err)
	}
	m := &pdfMetrics{gp: gp, cache: map[rune]float64{}}
	if err := gp.SetFontSize(1000); err != nil {
		b.Fatal(err)
	}
	doc := testDocument()
	rows := doc.Sections[1].Rows
	for n := len(layout(m, doc)); n != 10; n = len(layout(m, doc)) {
		if n > 10 {
			b.Fatalf("%d pages before adding rows", n)
		}
		i := len(rows) + 1
		rows = append(rows, Row{
			Key:   fmt.Sprintf("证据 %d Evidence %d", i, i),
			Value: fmt.Sprintf("样本文件 sample file sha256:%s", strings.Repeat("9f86d081884c7d65", 4)),
		})
		doc.Sections[1].Rows = rows
	}
	return doc
}

// BenchmarkRender10Pages renders a ten-page document: font loading into
// the PDF, glyph checks, layout, drawing and writing, with the Font loaded
// once beforehand as a server would.
func BenchmarkRender10Pages(b *testing.B) {
	font := mustSystemFont(b)
	doc := tenPages(b, font)
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, doc, font); err != nil {
			b.Fatal(err)
		}
	}
}
