package evidence_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/evidence"
	"github.com/google/go-cmp/cmp"
)

const (
	docsPath   = "../../docs/evidence.md"
	tableStart = "<!-- legal mapping table: generated from internal/evidence/legal_mapping.json by go test -update -->\n"
	tableEnd   = "<!-- end of legal mapping table -->\n"
)

// TestEvidenceDocsMappingTable keeps the table in docs/evidence.md equal
// to the shipped legal_mapping.json; -update rewrites it.
func TestEvidenceDocsMappingTable(t *testing.T) {
	b, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	before, rest, ok1 := strings.Cut(doc, tableStart)
	got, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/evidence.md lacks the markers %q and %q", tableStart, tableEnd)
	}
	want := markdownTable(evidence.DefaultLegalMapping())
	if *update {
		if err := os.WriteFile(docsPath, []byte(before+tableStart+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/evidence.md's table is stale; run go test ./internal/evidence -update (-want +got):\n%s", diff)
	}
}

// markdownTable renders the mapping as the table in the documentation.
func markdownTable(m evidence.LegalMapping) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Reviewed on **%s**.\n\n", m.ReviewedOn)
	b.WriteString("| requirement | RMSV | CSL duty: 2016 → current | CSL penalty: 2016 → current | penalty via RMSV |\n")
	b.WriteString("| --- | --- | --- | --- | --- |\n")
	for _, r := range m.Rows {
		via := "—"
		if r.PenaltyVia != "" {
			via = "Art. " + r.PenaltyVia
		}
		fmt.Fprintf(&b, "| %s | Art. %s | %s | %s | %s |\n", r.Requirement, r.RMSVArticle, mdArticle(r.Duty), mdArticle(r.Penalty), via)
	}
	return b.String()
}

func mdArticle(a *evidence.CSLArticle) string {
	switch {
	case a == nil:
		return "—"
	case a.Status == evidence.Unconfirmed:
		return fmt.Sprintf("Art. %d → **not confirmed**", a.Before)
	}
	return fmt.Sprintf("Art. %d → Art. %d (%s)", a.Before, a.Current, a.Status)
}
