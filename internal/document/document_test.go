package document

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testTime returns the GeneratedAt of the test documents, in Beijing time.
func testTime() time.Time {
	return time.Date(2026, 11, 1, 16, 0, 0, 0, time.FixedZone("CST", 8*3600))
}

// validDoc returns a small document that validate accepts.
func validDoc() *Document {
	return &Document{
		Title:       "漏洞报告 Vulnerability report",
		GeneratedAt: testTime(),
		Sections: []Section{{Heading: "详细信息 Details", Rows: []Row{
			{"编号 ID", "CVE-2026-0001"},
			{"哈希 Hash", "sha256:9f86d081884c7d659a2feaa0c55ad015"},
		}}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Document)
		want string // the error, "" for none
	}{
		{"valid", func(*Document) {}, ""},
		{"no title", func(d *Document) { d.Title = " " }, "document: the title is empty"},
		{"no time", func(d *Document) { d.GeneratedAt = time.Time{} }, "document: GeneratedAt is not set"},
		{"invalid UTF-8", func(d *Document) { d.Sections[0].Rows[1].Value = "a\xffb" }, `document: section 1 "详细信息 Details" row 2 value is not valid UTF-8`},
		{"control character", func(d *Document) { d.Meta = []string{"bell\a"} }, "document: metadata line 1 has control character U+0007"},
		{"line breaks and tabs allowed", func(d *Document) { d.Subtitle = "a\r\nb\tc" }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := validDoc()
			tc.edit(doc)
			got := ""
			if err := doc.validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("validate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMissingGlyphsError(t *testing.T) {
	e := &MissingGlyphsError{Font: "/f.ttc", Missing: []MissingGlyph{{'𠮷', "title"}, {'🙂', "section 1 \"a\" row 2 value"}}}
	want := `document: the PDF font /f.ttc has no glyph for '𠮷' (U+20BB7) in title, '🙂' (U+1F642) in section 1 "a" row 2 value; use a font that covers them (--pdf-font) or change the text`
	if diff := cmp.Diff(want, e.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
}
