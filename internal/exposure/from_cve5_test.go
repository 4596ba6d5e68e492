package exposure

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/embargohq/embargo/internal/format/cve5"
	"github.com/embargohq/embargo/internal/modtest"
	"github.com/google/go-cmp/cmp"
)

// Every CVE JSON 5 record of vulndb parses and converts; a few are checked
// field by field.
func TestFromCVE5Vulndb(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(modtest.Download(t, modtest.VulnDB, true).Dir, "data", "cve", "v5", "*.json"))
	if err != nil || len(files) < 200 {
		t.Fatalf("%d CVE records found (%v)", len(files), err)
	}
	got := map[string]Advisory{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := cve5.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		a := FromCVE5(r)
		if len(a.Affected) == 0 || a.Affected[0].Ecosystem != "Go" {
			t.Errorf("%s: affected %+v", filepath.Base(f), a.Affected)
		}
		got[filepath.Base(f)] = a
	}
	tests := []struct {
		file string
		want Affected
	}{
		{"GO-2020-0001.json", Affected{Ecosystem: "Go", Package: "github.com/gin-gonic/gin",
			Ranges: []Range{{Type: "SEMVER", Events: []Event{{Introduced: "0"}, {Fixed: "1.6.0"}}}}}},
		// defaultStatus affected, unaffected below 1.7.3: affected from 1.7.3.
		{"GO-2025-3884.json", Affected{Ecosystem: "Go", Package: "github.com/gorilla/csrf",
			Ranges: []Range{{Type: "SEMVER", Events: []Event{{Introduced: "1.7.3"}}}}}},
		// defaultStatus affected and no versions: every version.
		{"GO-2022-0979.json", Affected{Ecosystem: "Go", Package: "github.com/peterzen/goresolver",
			Ranges: []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}}}}}},
	}
	for _, tc := range tests {
		a, ok := got[tc.file]
		if !ok {
			t.Errorf("%s: not in vulndb", tc.file)
			continue
		}
		if diff := cmp.Diff(tc.want, a.Affected[0]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.file, diff)
		}
	}
	if a := got["GO-2020-0001.json"]; a.ID != "CVE-2020-36567" || a.Source != "cve5" || a.Summary == "" {
		t.Errorf("GO-2020-0001: %s %s %q", a.ID, a.Source, a.Summary)
	}
}

func TestFromCVE5Ranges(t *testing.T) {
	rec := func(affected string) cve5.Record {
		b := []byte(`{"dataType":"CVE_RECORD","dataVersion":"5.1","cveMetadata":{"cveId":"CVE-2026-12345","state":"REJECTED",` +
			`"dateRejected":"2026-11-30T08:00:00Z"},"containers":{"cna":{"affected":[` + affected + `]}}}`)
		r, err := cve5.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := FromCVE5(rec(`{"vendor":"Acme","product":"网关","defaultStatus":"unaffected","versions":[
		{"version":"2.0","lessThanOrEqual":"2.3","status":"affected","versionType":"custom"},
		{"version":"3.1","status":"affected"},{"version":"3.2","status":"unknown"}]}`))
	want := Affected{Package: "网关", Ranges: []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "2.0"}, {LastAffected: "2.3"}}}},
		Versions: []string{"3.1"}}
	if diff := cmp.Diff(want, a.Affected[0]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if a.Withdrawn.IsZero() {
		t.Error("a rejected record is not withdrawn")
	}
	// A hole in the middle of a default-affected product.
	a = FromCVE5(rec(`{"collectionURL":"https://www.npmjs.com/","packageName":"left-pad","defaultStatus":"affected","versions":[
		{"version":"1.2.0","lessThan":"1.4.0","status":"unaffected","versionType":"semver"}]}`))
	want = Affected{Ecosystem: "npm", Package: "left-pad", Ranges: []Range{
		{Type: "SEMVER", Events: []Event{{Introduced: "0"}, {Fixed: "1.2.0"}}}, {Type: "SEMVER", Events: []Event{{Introduced: "1.4.0"}}}}}
	if diff := cmp.Diff(want, a.Affected[0]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
