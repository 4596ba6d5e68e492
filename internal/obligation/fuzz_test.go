package obligation

import (
	"testing"
	"time"
)

// FuzzParsePack feeds rule packs to the checker: it never panics, and a
// pack it accepts computes duties for any case without panicking.
func FuzzParsePack(f *testing.F) {
	for _, name := range []string{"packs/cn-rmsv.json", "packs/eu-cra.json"} {
		b, err := packFiles.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"regime":"X","version":"1","duties":[{"code":"a","requirement":"R","title_en":"a","title_zh":"a","kinds":["provider"],"anchor":"t0","offset":"1mo","met_by":["notice"]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePack(b)
		if err != nil {
			return
		}
		t0 := time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)
		for _, kind := range []string{"provider", "operator"} {
			for _, d := range Compute([]Pack{p}, Settings{Regimes: map[Regime]bool{p.Regime: true}}, Facts{Kind: kind, T0: t0,
				Grade: "high", UpstreamAt: t0, FixAvailableAt: t0, ExploitedAt: t0, IncidentAt: t0, IncidentNotifiedAt: t0, UserAction: true}) {
				if d.DueAt.Before(d.AnchorAt) {
					t.Fatalf("%s due %v before its anchor %v", d.Rule.Code, d.DueAt, d.AnchorAt)
				}
			}
		}
	})
}

// FuzzParseThresholds: escalation thresholds from settings never panic,
// come out longest first, and fire at most once each.
func FuzzParseThresholds(f *testing.F) {
	f.Add("24h,4h,overdue")
	f.Add("0, 90m ,1h30m")
	f.Fuzz(func(t *testing.T, s string) {
		ths, err := ParseThresholds(s)
		if err != nil {
			return
		}
		for i := 1; i < len(ths); i++ {
			if ths[i].Before >= ths[i-1].Before {
				t.Fatalf("thresholds not strictly longest first: %v", ths)
			}
		}
		anchor := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		_, crossed, _ := Escalate(ths, anchor, anchor.Add(48*time.Hour), anchor.Add(100*time.Hour), nil)
		if _, again, ok := Escalate(ths, anchor, anchor.Add(48*time.Hour), anchor.Add(100*time.Hour), crossed); ok || len(again) > 0 {
			t.Fatalf("fired twice: %v then %v", crossed, again)
		}
	})
}
