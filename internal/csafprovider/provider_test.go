package csafprovider

import (
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/advisory"
)

// CSAF-3: the document sits in the folder of its TLP label and the year
// (UTC) of its first release, not of its last update.
func TestCSAFPath(t *testing.T) {
	rev := func(n int, at time.Time, tlp string) advisory.Revision {
		return advisory.Revision{Number: n, PublishedAt: at, Content: advisory.Content{TLP: tlp}}
	}
	newYear := time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC) // 2027-01-01 04:00 in Beijing
	tests := []struct {
		name string
		a    advisory.Public
		want string
	}{
		{"white", advisory.Public{Ref: "EMB-2026-0001-SA", Revisions: []advisory.Revision{rev(1, newYear, ""), rev(2, newYear.AddDate(1, 0, 0), "")}},
			"/.well-known/csaf/white/2026/emb-2026-0001-sa.json"},
		{"amber", advisory.Public{Ref: "EMB-2027-0002-SA", Revisions: []advisory.Revision{rev(1, newYear.AddDate(0, 1, 0), advisory.TLPAmber)}},
			"/.well-known/csaf/amber/2027/emb-2027-0002-sa.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Root + Path(tc.a); got != tc.want {
				t.Errorf("Root + Path = %q, want %q", got, tc.want)
			}
		})
	}
}
