package evidence_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/evidence"
	"github.com/google/go-cmp/cmp"
)

// TestEvidenceLegalMappingReviewedThisYear is CN-12-1's check that the
// mapping to the Cybersecurity Law is reviewed every year. It starts to
// fail twelve months after the table's reviewed_on date.
func TestEvidenceLegalMappingReviewedThisYear(t *testing.T) {
	m := evidence.DefaultLegalMapping()
	if _, err := m.ReviewDate(); err != nil {
		t.Fatalf("internal/evidence/legal_mapping.json: %v", err)
	}
	if m.ReviewDue(time.Now()) {
		t.Errorf("internal/evidence/legal_mapping.json was last reviewed on %s, more than 12 months ago (RMSV CN-12-1). "+
			"Have counsel check every article number against the current official text of the Cybersecurity Law "+
			"(and any new amendment), turn \"unconfirmed\" numbers into confirmed ones where the text now allows, "+
			"correct the rows, set reviewed_on to the review date, and update the table in docs/evidence.md.", m.ReviewedOn)
	}
}

// TestEvidenceLegalMappingRows checks the shipped table's shape: known
// requirement IDs, one row each, and honest statuses (Pack.Problems
// checks the status rules themselves).
func TestEvidenceLegalMappingRows(t *testing.T) {
	m := evidence.DefaultLegalMapping()
	p := evidence.New(time.Now())
	p.LegalMapping = m
	for _, prob := range p.Problems() {
		if regexp.MustCompile(`^legal_mapping`).MatchString(prob) {
			t.Error(prob)
		}
	}
	id := regexp.MustCompile(`^CN-(0[4-9]|1[01])-([0-9]+|P)$`)
	for _, r := range m.Rows {
		if !id.MatchString(r.Requirement) {
			t.Errorf("row %s: not a requirement ID of REQUIREMENTS.md that the RMSV governs", r.Requirement)
		}
	}
	// The article numbers the amending decision states: Art. 59 became
	// Art. 61, and Art. 61 cites Arts. 23 and 27 for the old 21 and 25.
	row, ok := m.Row("CN-08-1")
	want := evidence.MappingRow{Requirement: "CN-08-1", RMSVArticle: "8",
		Duty:       &evidence.CSLArticle{Before: 25, Current: 27, Status: evidence.Confirmed},
		Penalty:    &evidence.CSLArticle{Before: 59, Current: 61, Status: evidence.Confirmed},
		PenaltyVia: "13"}
	if diff := cmp.Diff(want, row); !ok || diff != "" {
		t.Errorf("Row(CN-08-1) (-want +got):\n%s", diff)
	}
}

// TestEvidenceReviewDue checks the twelve-month rule at its edges.
func TestEvidenceReviewDue(t *testing.T) {
	m := evidence.LegalMapping{ReviewedOn: "2026-01-31"}
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"same day", time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC), false},
		{"a year later, midnight", time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), false},
		{"a year and a second", time.Date(2027, 1, 31, 0, 0, 1, 0, time.UTC), true},
	}
	for _, tc := range tests {
		if got := m.ReviewDue(tc.at); got != tc.want {
			t.Errorf("%s: ReviewDue(%v) = %v, want %v", tc.name, tc.at, got, tc.want)
		}
	}
	if !(evidence.LegalMapping{ReviewedOn: "soon"}).ReviewDue(time.Now()) {
		t.Error("a table without a valid date is not due for review")
	}
}
