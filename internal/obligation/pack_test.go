package obligation

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func cst(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, CST)
}

// due returns the duty code's due time and outer bound among ds.
func findDue(ds []Due, code string) (Due, bool) {
	for _, d := range ds {
		if d.Rule.Code == code {
			return d, true
		}
	}
	return Due{}, false
}

// RMSV CN-07-5: the NVDB report is due at exactly T0 + 48 h; the outer
// bound is the end of day D+2 in China Standard Time. Time-travel cases:
// late at night, just after midnight (when the UTC date is the day
// before), month end, year end, a leap day, and a national holiday (no
// working-day arithmetic).
func TestNVDBDeadline(t *testing.T) {
	tests := []struct {
		name             string
		t0               time.Time
		wantDue, wantOut time.Time
	}{
		{"late at night CST", cst(2026, 3, 10, 23, 50, 0), cst(2026, 3, 12, 23, 50, 0), cst(2026, 3, 13, 0, 0, 0)},
		{"just after midnight CST, previous UTC day", cst(2026, 3, 10, 0, 10, 0), cst(2026, 3, 12, 0, 10, 0), cst(2026, 3, 13, 0, 0, 0)},
		{"month end", cst(2026, 4, 30, 20, 0, 0), cst(2026, 5, 2, 20, 0, 0), cst(2026, 5, 3, 0, 0, 0)},
		{"year end", cst(2026, 12, 31, 23, 59, 59), cst(2027, 1, 2, 23, 59, 59), cst(2027, 1, 3, 0, 0, 0)},
		{"across a leap day", cst(2028, 2, 28, 9, 0, 0), cst(2028, 3, 1, 9, 0, 0), cst(2028, 3, 2, 0, 0, 0)},
		{"on a leap day", cst(2028, 2, 29, 16, 30, 0), cst(2028, 3, 2, 16, 30, 0), cst(2028, 3, 3, 0, 0, 0)},
		{"National Day holiday, no working days", cst(2026, 10, 1, 8, 0, 0), cst(2026, 10, 3, 8, 0, 0), cst(2026, 10, 4, 0, 0, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := Compute(Packs(), Settings{}, Facts{Kind: "provider", T0: tc.t0.UTC()})
			d, ok := findDue(ds, "cn.nvdb_report")
			if !ok {
				t.Fatal("no NVDB duty on a provider case")
			}
			if !d.DueAt.Equal(tc.t0.Add(48*time.Hour)) || !d.DueAt.Equal(tc.wantDue) {
				t.Errorf("due %v, want %v (T0 + 48 h)", d.DueAt.In(CST), tc.wantDue)
			}
			if !d.OuterBound.Equal(tc.wantOut) {
				t.Errorf("outer bound %v, want %v", d.OuterBound.In(CST), tc.wantOut)
			}
			if d.DueAt.Location() != time.UTC || d.OuterBound.Location() != time.UTC {
				t.Error("times must be UTC instants")
			}
		})
	}
}

func TestComputeWhichDuties(t *testing.T) {
	t0 := cst(2026, 6, 1, 10, 0, 0).UTC()
	later := t0.Add(5 * time.Hour)
	tests := []struct {
		name string
		s    Settings
		f    Facts
		want []string
	}{
		{"provider, nothing known yet", Settings{}, Facts{Kind: "provider", T0: t0},
			[]string{"cn.verify @+24h", "cn.nvdb_report @+48h"}},
		{"upstream component", Settings{}, Facts{Kind: "provider", T0: t0, UpstreamAt: later},
			[]string{"cn.verify @+24h", "cn.upstream_notice @+29h", "cn.nvdb_report @+48h"}},
		{"users must act, no fix yet", Settings{}, Facts{Kind: "provider", T0: t0, UserAction: true},
			[]string{"cn.verify @+24h", "cn.nvdb_report @+48h"}},
		{"users must act, fix out", Settings{}, Facts{Kind: "provider", T0: t0, UserAction: true, FixAvailableAt: later},
			[]string{"cn.verify @+24h", "cn.nvdb_report @+48h", "cn.user_notice @+77h"}},
		{"rejected", Settings{}, Facts{Kind: "provider", T0: t0, Rejected: true, UpstreamAt: later}, nil},
		{"operator, ungraded", Settings{}, Facts{Kind: "operator", T0: t0}, []string{"cn.verify @+24h"}},
		{"operator, high", Settings{}, Facts{Kind: "operator", T0: t0, Grade: "high"},
			[]string{"cn.verify @+24h", "cn.operator_fix @+168h"}},
		{"operator, own SLA for critical", Settings{Offsets: map[string]string{"cn.operator_fix:critical": "12h", "cn.verify": "2h"}},
			Facts{Kind: "operator", T0: t0, Grade: "critical"}, []string{"cn.verify @+2h", "cn.operator_fix @+12h"}},
		{"the NVDB 48 hours are not configurable", Settings{Offsets: map[string]string{"cn.nvdb_report": "96h"}},
			Facts{Kind: "provider", T0: t0}, []string{"cn.verify @+24h", "cn.nvdb_report @+48h"}},
		{"CN-RMSV off", Settings{Regimes: map[Regime]bool{CNRMSV: false}}, Facts{Kind: "provider", T0: t0}, nil},
		{"exploited, CRA off by default", Settings{}, Facts{Kind: "provider", T0: t0, ExploitedAt: later},
			[]string{"cn.verify @+24h", "cn.nvdb_report @+48h"}},
		// EU-14-4: no fix → no final-report clock.
		{"CRA on for another product", Settings{ProductRegimes: map[string][]Regime{"网关": {EUCRA}}},
			Facts{Kind: "provider", T0: t0, ExploitedAt: later, Products: []string{"路由器"}}, []string{"cn.verify @+24h", "cn.nvdb_report @+48h"}},
		{"CRA on for this product (sold in the EU)", Settings{ProductRegimes: map[string][]Regime{"网关": {EUCRA}}},
			Facts{Kind: "provider", T0: t0, ExploitedAt: later, Products: []string{"路由器", "网关"}},
			[]string{"cn.verify @+24h", "cn.nvdb_report @+48h", "eu.early_warning @+29h", "eu.notification @+77h", "eu.user_notice @+77h"}},
		{"exploited, CRA on, no fix", Settings{Regimes: map[Regime]bool{EUCRA: true}}, Facts{Kind: "provider", T0: t0, ExploitedAt: later},
			[]string{"cn.verify @+24h", "cn.nvdb_report @+48h", "eu.early_warning @+29h", "eu.notification @+77h", "eu.user_notice @+77h"}},
		{"exploited, CRA on, fix out", Settings{Regimes: map[Regime]bool{EUCRA: true}},
			Facts{Kind: "provider", T0: t0, ExploitedAt: later, FixAvailableAt: t0.Add(100 * time.Hour)},
			[]string{"cn.verify @+24h", "cn.nvdb_report @+48h", "eu.early_warning @+29h", "eu.notification @+77h", "eu.final_report @+436h", "eu.user_notice @+77h"}},
		{"severe incident, not yet notified", Settings{Regimes: map[Regime]bool{EUCRA: true, CNRMSV: false}},
			Facts{Kind: "provider", T0: t0, IncidentAt: t0}, []string{"eu.incident_early_warning @+24h", "eu.incident_notification @+72h"}},
		// EU-14-6: the CRA's user notice falls on exploited provider cases
		// only, 72 hours after the awareness unless the organisation holds
		// itself to a shorter time ("without undue delay").
		{"exploited, CRA on, own user-notice time", Settings{Regimes: map[Regime]bool{EUCRA: true, CNRMSV: false},
			Offsets: map[string]string{"eu.user_notice": "24h", "eu.notification": "96h"}},
			Facts{Kind: "provider", T0: t0, ExploitedAt: later},
			[]string{"eu.early_warning @+29h", "eu.notification @+77h", "eu.user_notice @+29h"}},
		{"exploited operator, CRA on", Settings{Regimes: map[Regime]bool{EUCRA: true, CNRMSV: false}},
			Facts{Kind: "operator", T0: t0, ExploitedAt: later}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, d := range Compute(Packs(), tc.s, tc.f) {
				got = append(got, d.Rule.Code+" @+"+shortDuration(d.DueAt.Sub(t0)))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("duties (-want +got):\n%s", diff)
			}
		})
	}
}

// EU-14-5: the incident final report is due one calendar month after the
// incident notification was submitted, clamped to the month's end.
func TestIncidentFinalReportMonth(t *testing.T) {
	tests := []struct{ notified, want time.Time }{
		{cst(2027, 1, 31, 10, 0, 0), cst(2027, 2, 28, 10, 0, 0)},
		{cst(2028, 1, 31, 10, 0, 0), cst(2028, 2, 29, 10, 0, 0)},
		{cst(2026, 12, 15, 23, 30, 0), cst(2027, 1, 15, 23, 30, 0)},
		{cst(2026, 3, 31, 0, 30, 0), cst(2026, 4, 30, 0, 30, 0)}, // 30 March 16:30 UTC
	}
	s := Settings{Regimes: map[Regime]bool{EUCRA: true}}
	for _, tc := range tests {
		f := Facts{Kind: "provider", T0: tc.notified.Add(-96 * time.Hour), IncidentAt: tc.notified.Add(-70 * time.Hour),
			IncidentNotifiedAt: tc.notified.UTC()}
		d, ok := findDue(Compute(Packs(), s, f), "eu.incident_final_report")
		if !ok || !d.DueAt.Equal(tc.want) {
			t.Errorf("notified %v: final report due %v (found %v), want %v", tc.notified, d.DueAt.In(CST), ok, tc.want)
		}
	}
}

func TestOpenState(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	due := t0.Add(48 * time.Hour)
	tests := []struct {
		at   time.Duration
		want State
	}{
		{0, Pending}, {23 * time.Hour, Pending}, {24 * time.Hour, DueSoon}, {47*time.Hour + 59*time.Minute, DueSoon},
		{48 * time.Hour, Overdue}, {100 * time.Hour, Overdue},
	}
	for _, tc := range tests {
		if got := OpenState(t0, due, t0.Add(tc.at)); got != tc.want {
			t.Errorf("at +%v: %s, want %s", tc.at, got, tc.want)
		}
	}
	// A 24-hour duty is due soon only in its last 12 hours.
	if got := OpenState(t0, t0.Add(24*time.Hour), t0.Add(11*time.Hour)); got != Pending {
		t.Errorf("24 h duty at +11h: %s, want pending", got)
	}
}

// Escalations fire once each as the clock runs: 24 h before, 4 h before,
// and at the due time; a worker that was down announces only the most
// urgent of the thresholds it missed.
func TestEscalationsFireOnce(t *testing.T) {
	t0 := cst(2026, 12, 31, 23, 0, 0).UTC() // across the year end
	due := t0.Add(48 * time.Hour)
	var fired []string
	type event struct {
		at   string
		name string
	}
	var got []event
	for now := t0; now.Before(t0.Add(72 * time.Hour)); now = now.Add(10 * time.Minute) {
		a, crossed, ok := Escalate(DefaultThresholds, t0, due, now, fired)
		if ok {
			got = append(got, event{shortDuration(now.Sub(t0)), a.Name()})
			fired = append(fired, crossed...)
		}
	}
	want := []event{{"24h", "24h"}, {"44h", "4h"}, {"48h", "overdue"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(event{})); diff != "" {
		t.Errorf("escalations (-want +got):\n%s", diff)
	}

	// Down from +10h to +47h: on waking, one announcement (4h), 24h and 4h recorded.
	a, crossed, ok := Escalate(DefaultThresholds, t0, due, t0.Add(47*time.Hour), nil)
	if !ok || a.Name() != "4h" || !cmp.Equal(crossed, []string{"24h", "4h"}) {
		t.Errorf("late wake: announce %v %v, crossed %v", a.Name(), ok, crossed)
	}
	// A 24-hour duty skips the 24-hour threshold.
	_, crossed, _ = Escalate(DefaultThresholds, t0, t0.Add(24*time.Hour), t0.Add(time.Minute), nil)
	if len(crossed) != 0 {
		t.Errorf("24 h duty at +1m crossed %v", crossed)
	}
}

func TestParseThresholds(t *testing.T) {
	got, err := ParseThresholds("4h, overdue,24h,4h")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, th := range got {
		names = append(names, th.Name())
	}
	if diff := cmp.Diff([]string{"24h", "4h", "overdue"}, names); diff != "" {
		t.Error(diff)
	}
	if _, err := ParseThresholds("soon"); err == nil {
		t.Error("a bad threshold was accepted")
	}
}

func TestParsePackRefusesUnknownNames(t *testing.T) {
	bad := []string{
		`{"regime":"X","version":"1","duties":[{"code":"a","requirement":"R","title_en":"a","title_zh":"a","kinds":["provider"],"anchor":"nope","offset":"1h","met_by":["notice"]}]}`,
		`{"regime":"X","version":"1","duties":[{"code":"a","requirement":"R","title_en":"a","title_zh":"a","kinds":["provider"],"anchor":"t0","when":["sunny"],"offset":"1h","met_by":["notice"]}]}`,
		`{"regime":"X","version":"1","duties":[{"code":"a","requirement":"R","title_en":"a","title_zh":"a","kinds":["provider"],"anchor":"t0","offset":"2 days","met_by":["notice"]}]}`,
		`{"regime":"X","version":"1","duties":[{"code":"a","requirement":"R","title_en":"a","title_zh":"a","kinds":["provider"],"anchor":"t0","offset":"1h","met_by":["notice"],"extra":1}]}`,
		`{"regime":"X","version":"1","duties":[]}`,
	}
	for _, b := range bad {
		if _, err := ParsePack([]byte(b)); err == nil {
			t.Errorf("accepted %s", b)
		}
	}
	if len(Packs()) != 2 {
		t.Error("the shipped packs did not load")
	}
}

// EU-14-6: the CRA's user notice (Art. 14(8)) is a provider's duty on an
// exploited case, clocked from the awareness, met by a notice and an
// advisory together (campaign.go), never by a submitted report, so it has
// no report package; the duties that do are exactly those met by one.
func TestCRAUserNoticeRule(t *testing.T) {
	_, r, ok := Find(Packs(), EUCRA, CRAUserNoticeDuty)
	if !ok {
		t.Fatal("the EU-CRA pack has no eu.user_notice")
	}
	want := Rule{Code: "eu.user_notice", Requirement: "EU-14-6", Article: "CRA Art. 14(8)", TitleEN: r.TitleEN, TitleZH: r.TitleZH,
		Kinds: []string{"provider"}, When: []string{"exploited"}, Anchor: "exploited_aware", Offset: "72h", Configurable: true,
		MetBy: []EvidenceKind{ByNotice, ByAdvisory}}
	if diff := cmp.Diff(want, r); diff != "" || r.TitleEN == "" || r.TitleZH == "" {
		t.Errorf("eu.user_notice (-want +got):\n%s", diff)
	}
	var packaged []string
	for _, p := range Packs() {
		for _, r := range p.Duties {
			if r.Submitted() {
				packaged = append(packaged, r.Code)
			}
		}
	}
	if diff := cmp.Diff([]string{"cn.nvdb_report", "eu.early_warning", "eu.notification", "eu.final_report",
		"eu.incident_early_warning", "eu.incident_notification", "eu.incident_final_report"}, packaged); diff != "" {
		t.Errorf("duties with a report package (-want +got):\n%s", diff)
	}
}
