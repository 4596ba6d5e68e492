package document

import (
	"fmt"
	"io"

	"github.com/signintech/gopdf"
)

// Render writes doc as an A4 PDF to w, with font embedded (only the glyphs
// used). It writes nothing and returns an error when doc has no title or
// GeneratedAt, holds invalid UTF-8 or control characters other than line
// breaks and tabs, or has characters font cannot draw (a
// *MissingGlyphsError naming them): a PDF with blanks where text should be
// is never written. Errors from w are returned as they are.
func Render(w io.Writer, doc *Document, font *Font) error {
	if err := doc.validate(); err != nil {
		return err
	}
	var missed []rune // what gopdf itself could not find while drawing
	gp, err := font.start(func(r rune) { missed = append(missed, r) })
	if err != nil {
		return fmt.Errorf("document: PDF font %s: %w", font.path, err)
	}
	if err := checkGlyphs(gp, doc, font.path); err != nil {
		return err
	}
	m := &pdfMetrics{gp: gp, cache: map[rune]float64{}}
	if err := gp.SetFontSize(1000); err != nil { // advances in thousandths of the size
		return fmt.Errorf("document: %w", err)
	}
	pages := layout(m, doc)
	if m.err != nil {
		return fmt.Errorf("document: measure text: %w", m.err)
	}
	if err := draw(gp, pages); err != nil {
		return fmt.Errorf("document: draw: %w", err)
	}
	if len(missed) > 0 {
		// checkGlyphs saw every character first, so this is a bug here.
		return fmt.Errorf("document: the PDF writer found no glyph for %s", quoteRunes(missed))
	}
	gp.SetInfo(gopdf.PdfInfo{Title: doc.Title, Creator: "Embargo", Producer: "Embargo", CreationDate: doc.GeneratedAt})
	_, err = gp.WriteTo(w)
	return err
}

// checkGlyphs returns a *MissingGlyphsError listing each character of doc
// that the font of gp cannot draw, with the first place it appears.
func checkGlyphs(gp *gopdf.GoPdf, doc *Document, path string) error {
	var missing []MissingGlyph
	seen := map[rune]bool{'\r': true, '\t': true} // drawn as line breaks and spaces
	for _, f := range doc.fields() {
		for _, r := range uncovered(gp, f.text) {
			if !seen[r] {
				seen[r] = true
				missing = append(missing, MissingGlyph{Rune: r, Where: f.where})
			}
		}
	}
	if len(missing) > 0 {
		return &MissingGlyphsError{Font: path, Missing: missing}
	}
	return nil
}

// pdfMetrics measures characters with the font gopdf will draw them in,
// at size 1000, caching each character's advance. It keeps the first error.
type pdfMetrics struct {
	gp    *gopdf.GoPdf
	cache map[rune]float64
	err   error
}

func (p *pdfMetrics) advance(r rune) float64 {
	if w, ok := p.cache[r]; ok {
		return w
	}
	w, err := p.gp.MeasureTextWidth(string(r))
	if err != nil && p.err == nil {
		p.err = err
	}
	p.cache[r] = w
	return w
}

// draw adds pages to gp and carries out their operations.
func draw(gp *gopdf.GoPdf, pages [][]op) error {
	for _, page := range pages {
		gp.AddPage()
		for _, o := range page {
			if err := drawOp(gp, o); err != nil {
				return err
			}
		}
	}
	return nil
}

func drawOp(gp *gopdf.GoPdf, o op) error {
	g := uint8(o.gray * 255)
	switch o.kind {
	case opText:
		if err := gp.SetFontSize(o.size); err != nil {
			return err
		}
		gp.SetTextColor(g, g, g)
		gp.SetXY(o.x, o.y)
		return gp.Text(o.text)
	case opLine:
		gp.SetLineWidth(o.size)
		gp.SetStrokeColor(g, g, g)
		gp.Line(o.x, o.y, o.x+o.w, o.y+o.h)
	case opFill:
		gp.SetFillColor(g, g, g)
		gp.RectFromUpperLeftWithStyle(o.x, o.y, o.w, o.h, "F")
	}
	return nil
}
