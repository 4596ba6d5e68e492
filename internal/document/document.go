// Package document renders simple structured documents (a title, metadata
// lines, and sections of key/value rows or paragraphs) as printable A4 PDFs
// in mixed Chinese and Latin text: the regulator reports for MIIT's NVDB
// platform and the evidence packs.
//
// PDF text needs an embedded font with glyphs for every character. The
// renderer embeds one TrueType-outline font (see LoadFont, FindFont and
// docs/pdf.md) and refuses, with an error naming the characters, to write a
// document the font cannot fully draw: it never substitutes a blank or a
// box for a missing glyph.
package document

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Document is a printable document. Text fields may mix Chinese and Latin
// and may contain line breaks ("\n"); long runs without spaces, such as
// hashes, URLs and CVSS vectors, wrap at the column width.
type Document struct {
	Title    string   // required
	Subtitle string   // optional, under the title
	Meta     []string // optional lines under the subtitle (reference, recipient, …)
	Sections []Section
	// GeneratedAt is printed in every page's footer, in its own location
	// (callers choose, say, UTC or Asia/Shanghai). Required: a printed
	// record without the time it was made is a mistake.
	GeneratedAt time.Time
}

// Section is a heading followed by paragraphs, then by key/value rows laid
// out as a two-column table. Either may be empty.
type Section struct {
	Heading    string
	Paragraphs []string
	Rows       []Row
}

// Row is one key/value row of a section's table; both columns wrap.
type Row struct {
	Key   string
	Value string
}

// field is one piece of a document's text with the place it comes from,
// for error messages.
type field struct {
	where string
	text  string
}

// fields lists every text of doc with its place, in reading order.
func (doc *Document) fields() []field {
	out := []field{{"title", doc.Title}, {"subtitle", doc.Subtitle}}
	for i, m := range doc.Meta {
		out = append(out, field{fmt.Sprintf("metadata line %d", i+1), m})
	}
	for i, s := range doc.Sections {
		at := fmt.Sprintf("section %d %q", i+1, clip(s.Heading))
		out = append(out, field{at + " heading", s.Heading})
		for j, p := range s.Paragraphs {
			out = append(out, field{fmt.Sprintf("%s paragraph %d", at, j+1), p})
		}
		for j, r := range s.Rows {
			out = append(out, field{fmt.Sprintf("%s row %d key", at, j+1), r.Key})
			out = append(out, field{fmt.Sprintf("%s row %d value", at, j+1), r.Value})
		}
	}
	return out
}

// validate checks what no font can fix: a missing title or time, invalid
// UTF-8, and control characters other than line breaks and tabs.
func (doc *Document) validate() error {
	if strings.TrimSpace(doc.Title) == "" {
		return fmt.Errorf("document: the title is empty")
	}
	if doc.GeneratedAt.IsZero() {
		return fmt.Errorf("document: GeneratedAt is not set")
	}
	for _, f := range doc.fields() {
		if !utf8.ValidString(f.text) {
			return fmt.Errorf("document: %s is not valid UTF-8", f.where)
		}
		for _, r := range f.text {
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				return fmt.Errorf("document: %s has control character %U", f.where, r)
			}
		}
	}
	return nil
}

// clip shortens s for use in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

// MissingGlyphsError reports characters of a document that the font has no
// glyph for. Render returns it rather than drawing blanks or boxes: a
// regulator's copy must say what the record says.
type MissingGlyphsError struct {
	Font    string         // the font file
	Missing []MissingGlyph // in order of first appearance
}

// MissingGlyph is one character the font cannot draw, with the first place
// it appears.
type MissingGlyph struct {
	Rune  rune
	Where string // "section 2 \"受影响产品\" row 3 value"
}

// maxListed bounds how many characters an error message names.
const maxListed = 10

// Error names the characters, where each first appears, and what to do.
func (e *MissingGlyphsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "document: the PDF font %s has no glyph for ", e.Font)
	for i, m := range e.Missing {
		if i == maxListed {
			fmt.Fprintf(&b, " and %d more", len(e.Missing)-maxListed)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q (%U) in %s", m.Rune, m.Rune, m.Where)
	}
	b.WriteString("; use a font that covers them (--pdf-font) or change the text")
	return b.String()
}
