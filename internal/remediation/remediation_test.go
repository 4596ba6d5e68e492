package remediation

import (
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/product"
	"github.com/google/go-cmp/cmp"
)

func TestAffected(t *testing.T) {
	trees := []product.Product{{Name: "Router", Models: []product.Model{
		{Name: "R1", Versions: []product.Version{{Version: "1.0", Line: "1.x"}, {Version: "1.1", Line: "1.x"}, {Version: "2.0", Line: "2.x"}}},
		{Name: "R2", Versions: []product.Version{{Version: "1.0", Line: "1.x"}}},
	}}}
	tests := []struct {
		name  string
		scope []casework.Affected
		want  []Version
	}{
		{"a line of one model", []casework.Affected{{Product: "Router", Model: "R1", Versions: "1.x"}},
			[]Version{{"Router", "R1", "1.0", "1.x"}, {"Router", "R1", "1.1", "1.x"}}},
		{"every model", []casework.Affected{{Product: "Router", Versions: "1.0"}},
			[]Version{{"Router", "R1", "1.0", "1.x"}, {"Router", "R2", "1.0", "1.x"}}},
		{"each once", []casework.Affected{{Product: "Router", Model: "R1", Versions: "2.x"}, {Product: "Router", Model: "R1", Versions: "*"}},
			[]Version{{"Router", "R1", "2.0", "2.x"}, {"Router", "R1", "1.0", "1.x"}, {"Router", "R1", "1.1", "1.x"}}},
		{"not in the catalogue", []casework.Affected{{Product: "Switch", Model: "S1", Versions: "<3.2"}},
			[]Version{{Product: "Switch", Model: "S1", Version: "<3.2"}}},
		{"a range that selects nothing", []casework.Affected{{Product: "Router", Model: "R1", Versions: ">=9"}},
			[]Version{{Product: "Router", Model: "R1", Version: ">=9"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Affected(tc.scope, trees)); diff != "" {
				t.Errorf("Affected (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckAndCovers(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		fix    Fix
		code   string
		covers bool
	}{
		{"fixed version, available now", Fix{Status: Fixed, FixedVersion: "1.2"}, "", true},
		{"patch only", Fix{Status: Fixed, Patch: "KB-1", AvailableAt: now.Add(-time.Hour)}, "", true},
		{"fixed without a fix", Fix{Status: Fixed}, "remediation.fix_required", false},
		{"mitigated without a workaround", Fix{Status: Mitigated}, "remediation.workaround_required", false},
		{"mitigated", Fix{Status: Mitigated, Workaround: "turn it off"}, "", true},
		{"in the future", Fix{Status: Fixed, FixedVersion: "1.2", AvailableAt: now.Add(time.Hour)}, "remediation.future", false},
		{"planned forgets the time", Fix{Status: Planned, FixedVersion: "1.2", AvailableAt: now}, "", false},
		{"unknown status", Fix{Status: "done"}, "remediation.status", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := check(&tc.fix, now)
			code := ""
			if err != nil {
				code = errCode(err)
			}
			if code != tc.code || (err == nil && tc.fix.Covers() != tc.covers) {
				t.Errorf("check = %v (covers %v), want code %q, covers %v", err, tc.fix.Covers(), tc.code, tc.covers)
			}
		})
	}
}

func errCode(err error) string {
	c, _ := errs.CodeOf(err)
	return c
}
