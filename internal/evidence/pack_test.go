package evidence_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/evidence/evidencetest"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with testdata/name, or rewrites the file with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", path, diff)
	}
}

func mustMarshal(t testing.TB, p evidence.Pack) []byte {
	t.Helper()
	b, err := evidence.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEvidenceMarshalGolden pins the pack's JSON layout: field names,
// order, time format and the shipped legal mapping.
func TestEvidenceMarshalGolden(t *testing.T) {
	checkGolden(t, "pack.json", mustMarshal(t, evidencetest.Pack()))
}

// TestEvidenceMarshalNormalizes checks that Marshal writes UTC and empty
// lists, whatever the caller's zone and nil slices, and leaves the
// caller's pack alone.
func TestEvidenceMarshalNormalizes(t *testing.T) {
	p := evidencetest.Pack()
	cst := time.FixedZone("CST", 8*3600)
	p.Timeline[0].At = p.Timeline[0].At.In(cst)
	p.Case.Aliases = nil
	before := p.Timeline[0].At
	got := mustMarshal(t, p)
	for _, want := range []string{`"at": "2026-03-02T01:30:00Z"`, `"aliases": []`} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("Marshal output lacks %s", want)
		}
	}
	if p.Timeline[0].At != before {
		t.Error("Marshal changed the caller's pack")
	}
}

// TestEvidenceProblems changes one thing at a time in a consistent pack
// and checks the exact problems reported.
func TestEvidenceProblems(t *testing.T) {
	if got := evidencetest.Pack().Problems(); len(got) != 0 {
		t.Fatalf("the sample pack has problems: %q", got)
	}
	tests := []struct {
		name   string
		change func(*evidence.Pack)
		want   []string
	}{
		{"met without evidence", func(p *evidence.Pack) { p.Duties[2].Evidence = nil },
			[]string{"duties[2] (cn.nvdb_report): state met but no evidence"}},
		{"met without met_at", func(p *evidence.Pack) { p.Duties[0].MetAt = time.Time{} },
			[]string{"duties[0] (cn.verify): state met with met_at none: met_at is set exactly when the state is met"}},
		{"met_at on a pending duty", func(p *evidence.Pack) { p.Duties[4].MetAt = p.GeneratedAt },
			[]string{"duties[4] (cn.remediation_plan): state pending with met_at 2026-03-04T10:00:00Z: met_at is set exactly when the state is met"}},
		{"not applicable without approver", func(p *evidence.Pack) { p.Duties[3].NotApplicableApprover = "" },
			[]string{"duties[3] (cn.user_notice): not applicable without both a reason and an approver"}},
		{"reason on an open duty", func(p *evidence.Pack) { p.Duties[4].NotApplicableReason = "no" },
			[]string{"duties[4] (cn.remediation_plan): state pending but a not-applicable reason or approver is set"}},
		{"unknown state", func(p *evidence.Pack) { p.Duties[5].State = "done" },
			[]string{`duties[5] (eu.cra_early_warning): unknown state "done"`}},
		{"short evidence hash", func(p *evidence.Pack) { p.Duties[0].Evidence[0].SHA256 = "abc" },
			[]string{`duties[0] (cn.verify) evidence[0]: sha256 "abc" is not a SHA-256 (64 lowercase hex digits)`}},
		{"unknown evidence kind", func(p *evidence.Pack) { p.Duties[0].Evidence[0].Kind = "rumour" },
			[]string{`duties[0] (cn.verify) evidence[0]: unknown kind "rumour"`}},
		{"uppercase snapshot hash", func(p *evidence.Pack) {
			p.Submissions[0].SnapshotSHA256 = "A" + p.Submissions[0].SnapshotSHA256[1:]
		}, []string{`submissions[0]: snapshot_sha256 "A` + evidencetest.Pack().Submissions[0].SnapshotSHA256[1:] + `" is not a SHA-256 (64 lowercase hex digits)`}},
		{"submission without submitter", func(p *evidence.Pack) { p.Submissions[0].By = "" },
			[]string{"submissions[0]: by is empty"}},
		{"timeline out of order", func(p *evidence.Pack) { p.Timeline[1], p.Timeline[2] = p.Timeline[2], p.Timeline[1] },
			[]string{"timeline[2]: 2026-03-02T02:05:00Z is before the previous event (2026-03-02T08:40:00Z): the timeline must be sorted by time"}},
		{"sharing decision", func(p *evidence.Pack) { p.SharingDecisions[0].Country, p.SharingDecisions[0].Decision = "usa", "maybe" },
			[]string{`sharing_decisions[0]: country "usa" is not an ISO 3166 code like CN`, `sharing_decisions[0]: decision "maybe" is neither allowed nor blocked`}},
		{"case", func(p *evidence.Pack) { p.Case.Ref, p.Case.Kind, p.Case.T0 = "CASE-1", "finder", time.Time{} },
			[]string{`case: ref "CASE-1" is not a case reference like EMB-2026-0001`, `case: kind "finder" is neither provider nor operator`, "case: t0 is missing"}},
		{"audit head", func(p *evidence.Pack) { p.AuditHead.Hash = "" },
			[]string{`audit_head: seq 48213 with hash "": want seq ≥ 1 and a SHA-256 in hex, or seq 0 and no hash for an empty log`}},
		{"empty audit log", func(p *evidence.Pack) { p.AuditHead = evidence.ChainHead{} }, nil},
		{"header", func(p *evidence.Pack) { p.GeneratedAt, p.Instance = time.Time{}, "" },
			[]string{"pack: generated_at is missing", "pack: instance is empty"}},
		{"mapping date", func(p *evidence.Pack) { p.LegalMapping.ReviewedOn = "last year" },
			[]string{`legal_mapping: reviewed_on "last year" is not a date (YYYY-MM-DD)`}},
		{"mapping guessed number", func(p *evidence.Pack) { p.LegalMapping.Rows[0].Penalty.Current = 65 },
			[]string{"legal_mapping.rows[0] (CN-04-1) csl_penalty: status unconfirmed with current article 65: an unconfirmed number is 0, any other is not"}},
		{"mapping without rows", func(p *evidence.Pack) { p.LegalMapping.Rows = nil },
			[]string{"legal_mapping: no rows"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := evidencetest.Pack()
			tc.change(&p)
			if diff := cmp.Diff(tc.want, p.Problems()); diff != "" {
				t.Errorf("Problems() (-want +got):\n%s", diff)
			}
		})
	}
}
