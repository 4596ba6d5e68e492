package evidence_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/document"
	"github.com/embargohq/embargo/internal/evidence/evidencetest"
)

// The printed pack shows every duty, its evidence and the audit head.
func TestPackPDF(t *testing.T) {
	font, err := document.FindFont()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must have a CJK font: %v", err)
		}
		t.Skipf("no CJK font here: %v", err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must have pdftotext (poppler-utils)")
		}
		t.Skip("no pdftotext here")
	}
	p := evidencetest.Pack()
	var b bytes.Buffer
	if err := document.Render(&b, p.Document(), font); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = &b
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	want := []string{p.Case.Ref, p.AuditHead.Hash[:16]}
	for _, d := range p.Duties {
		want = append(want, d.Requirement)
		for _, e := range d.Evidence {
			want = append(want, e.SHA256[:16])
		}
	}
	for _, w := range want {
		if !strings.Contains(strings.ReplaceAll(text, " ", ""), strings.ReplaceAll(w, " ", "")) {
			t.Errorf("the PDF lacks %q", w)
		}
	}
}
