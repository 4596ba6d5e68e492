package advisory

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

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
