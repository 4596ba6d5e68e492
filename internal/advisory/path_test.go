package advisory

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// CSAF-2: the file name follows from the tracking ID by CSAF 2.0 §5.1,
// with the specification's own example.
func TestCSAFFilename(t *testing.T) {
	tests := []struct{ id, want string }{
		{"2022_#01-A", "2022_01-a.json"},
		{"EMB-2026-0001-SA", "emb-2026-0001-sa.json"},
		{"ACME SA 2026/07", "acme_sa_2026_07.json"},
		{"cisco-sa-20190513-secureboot", "cisco-sa-20190513-secureboot.json"},
		{"RHSA-2019:1862+x", "rhsa-2019_1862+x.json"},
		{"公告-1", "_-1.json"},
	}
	for _, tc := range tests {
		if got := CSAFFilename(tc.id); got != tc.want {
			t.Errorf("CSAFFilename(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}

// CSAF-3: the document sits in the folder of its TLP label and the year
// (UTC) of its first release, not of its last update.
func TestCSAFPath(t *testing.T) {
	rev := func(n int, at time.Time, tlp string) Revision {
		return Revision{Number: n, PublishedAt: at, Content: Content{TLP: tlp}}
	}
	newYear := time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC) // 2027-01-01 04:00 in Beijing
	tests := []struct {
		name string
		a    Public
		want string
	}{
		{"white", Public{Ref: "EMB-2026-0001-SA", Revisions: []Revision{rev(1, newYear, ""), rev(2, newYear.AddDate(1, 0, 0), "")}},
			"/.well-known/csaf/white/2026/emb-2026-0001-sa.json"},
		{"amber", Public{Ref: "EMB-2027-0002-SA", Revisions: []Revision{rev(1, newYear.AddDate(0, 1, 0), TLPAmber)}},
			"/.well-known/csaf/amber/2027/emb-2027-0002-sa.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CSAFPath(tc.a); got != tc.want {
				t.Errorf("CSAFPath = %q, want %q", got, tc.want)
			}
		})
	}
}

// A text missing in one language is shown in the other, on the public
// page as in the preview; an update adds its time to 发布时间.
func TestPreviewFallback(t *testing.T) {
	ct := Content{Title: Text{ZH: "命令注入"}, Summary: Text{EN: "Only in English"}}
	revs := []Revision{{Number: 1, Kind: Release, PublishedAt: time.Date(2027, 1, 2, 2, 0, 0, 0, time.UTC)},
		{Number: 2, Kind: Withdrawal, Note: Text{EN: "Duplicate"}, PublishedAt: time.Date(2027, 2, 3, 4, 5, 0, 0, time.UTC)}}
	got := Preview("SA-1", ct, "en", revs)
	want := Page{Lang: "en", Title: "命令注入", Ref: "SA-1", Sections: []Section{
		{"Summary", []string{"Only in English"}},
		{"Published", []string{"2027-01-02 10:00 CST (2027-01-02 02:00 UTC)", "Withdrawal 2027-02-03 12:05 CST (2027-02-03 04:05 UTC)"}},
		{"Revision history", []string{"#1 · 2027-01-02 10:00 CST (2027-01-02 02:00 UTC) · Release",
			"#2 · 2027-02-03 12:05 CST (2027-02-03 04:05 UTC) · Withdrawal Duplicate"}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzCSAFFilename: whatever the reference, the file name keeps to the
// characters §5.1 allows, with no run of "_", and ends in ".json".
func FuzzCSAFFilename(f *testing.F) {
	for _, s := range []string{"2022_#01-A", "EMB-2026-0001-SA", "", "__", "公告 1", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got := CSAFFilename(id)
		name, ok := strings.CutSuffix(got, ".json")
		if !ok || strings.Contains(name, "__") || strings.ContainsFunc(name, func(c rune) bool {
			return c != '+' && c != '-' && c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9')
		}) {
			t.Errorf("CSAFFilename(%q) = %q", id, got)
		}
	})
}
