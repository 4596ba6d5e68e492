package obligation

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDutyStats(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	now := t0.Add(100 * time.Hour)
	o := func(stored Stored, due, closed time.Duration) Obligation {
		x := Obligation{Regime: CNRMSV, Duty: "cn.nvdb_report", AnchorAt: t0, DueAt: t0.Add(due), Stored: stored}
		if stored != Open {
			x.ClosedAt = t0.Add(closed)
		}
		return x
	}
	all := []Obligation{
		o(StoredMet, 48*time.Hour, 10*time.Hour), // on time
		o(StoredMet, 48*time.Hour, 30*time.Hour), // on time
		o(StoredMet, 48*time.Hour, 50*time.Hour), // late
		o(Open, 48*time.Hour, 0),                 // overdue at +100h
		o(Open, 200*time.Hour, 0),                // not yet due
		o(StoredNA, 48*time.Hour, time.Hour),     // not applicable
		o(StoredWithdr, 48*time.Hour, time.Hour), // withdrawn: not counted
	}
	s := &Service{packs: Packs()}
	var got DutyStats
	for _, st := range s.dutyStats(all, now) {
		if st.Duty == "cn.nvdb_report" {
			got = st
		}
	}
	want := DutyStats{Regime: CNRMSV, Duty: "cn.nvdb_report", Requirement: "CN-07-5", TitleEN: got.TitleEN, TitleZH: got.TitleZH,
		Total: 6, MetOnTime: 2, MetLate: 1, Open: 1, Overdue: 1, NotApplicable: 1, OnTimeRate: 0.5,
		Time: Durations{Count: 3, Median: 30 * time.Hour, P90: 50 * time.Hour}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := (Dashboard{Duties: []DutyStats{got}}).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "CN-RMSV,cn.nvdb_report,CN-07-5,") || !strings.Contains(b.String(), ",6,2,1,1,1,1,0.500,30.0,50.0\n") {
		t.Errorf("CSV:\n%s", b.String())
	}
}
