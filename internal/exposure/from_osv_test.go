package exposure

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/format/osv"
	"github.com/embargohq/embargo/internal/modtest"
	"github.com/google/go-cmp/cmp"
)

func TestFromOSV(t *testing.T) {
	rec := &osv.Record{
		ID: "OSV-1", Aliases: []string{"CVE-1"}, Summary: "s",
		Modified:  time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		Published: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		Withdrawn: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
		Affected: []osv.Affected{{
			Package: osv.Package{Ecosystem: "PyPI", Name: "Django", Purl: "pkg:pypi/django"},
			Ranges: []osv.Range{
				{Type: "ECOSYSTEM", Events: []osv.Event{{Introduced: "0"}, {LastAffected: "4.2"}, {Limit: "5"}}},
				{Type: "GIT", Repo: "https://github.com/django/django", Events: []osv.Event{{Introduced: "abc"}, {Fixed: "def"}}},
			},
			Versions:         []string{"4.1", "4.2"},
			DatabaseSpecific: json.RawMessage(`{"ignored":true}`),
		}},
		DatabaseSpecific: json.RawMessage(`{"ignored":true}`),
	}
	want := Advisory{
		ID: "OSV-1", Aliases: []string{"CVE-1"}, Source: "osv", Summary: "s",
		Published: rec.Published, Modified: rec.Modified, Withdrawn: rec.Withdrawn,
		Affected: []Affected{{
			Ecosystem: "PyPI", Package: "Django", Purl: "pkg:pypi/django",
			Ranges: []Range{
				{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}, {LastAffected: "4.2"}, {Limit: "5"}}},
				{Type: "GIT", Events: []Event{{Introduced: "abc"}, {Fixed: "def"}}},
			},
			Versions: []string{"4.1", "4.2"},
		}},
	}
	if diff := cmp.Diff(want, FromOSV(rec)); diff != "" {
		t.Errorf("FromOSV (-want +got):\n%s", diff)
	}
}

// mustVulnDB loads and converts every record of the pinned vulndb.
func mustVulnDB(tb testing.TB) []Advisory {
	tb.Helper()
	m := modtest.Download(tb, modtest.VulnDB, true)
	recs, err := osv.Load(filepath.Join(m.Dir, "data", "osv"), osv.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return AdvisoriesFromOSV(recs)
}

func TestFromOSVVulnDB(t *testing.T) {
	advs := mustVulnDB(t)
	var withdrawn, affected int
	for _, a := range advs {
		if !a.Withdrawn.IsZero() {
			withdrawn++
		}
		affected += len(a.Affected)
	}
	got := []int{len(advs), withdrawn, affected}
	if diff := cmp.Diff([]int{4789, 18, 6843}, got); diff != "" {
		t.Errorf("records, withdrawn, affected (-want +got):\n%s", diff)
	}
}
