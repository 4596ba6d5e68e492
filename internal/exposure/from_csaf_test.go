package exposure

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/google/go-cmp/cmp"
)

func readCSAF(t *testing.T, rel string) csaf.Document {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "conformance", "csaf-2.0", "examples", "csaf", rel)
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs %s: %v", path, err)
		}
		t.Skipf("no CSAF conformance data: %v", err)
	}
	d, err := csaf.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The OASIS VEX example: the products known to be affected become
// versions and vers ranges; those known not to be affected are left out.
func TestFromCSAFVEX(t *testing.T) {
	as := FromCSAF(readCSAF(t, filepath.Join("csaf_vex", "2022-evd-uc-06-001.json")))
	if len(as) != 1 {
		t.Fatalf("%d advisories", len(as))
	}
	a := as[0]
	if a.Source != "csaf" || a.ID == "" {
		t.Errorf("advisory %s from %s", a.ID, a.Source)
	}
	want := []Affected{{Package: "Example Company ABC", Versions: []string{"2.4", "2.6"},
		Ranges: []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "2.9"}, {LastAffected: "4.1"}}}}}}
	if diff := cmp.Diff(want, a.Affected); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCSAFPurlsAndVers(t *testing.T) {
	tests := []struct {
		purl              string
		eco, pkg, version string
		ok                bool
	}{
		{"pkg:golang/github.com/Azure/go-autorest@v14.2.0", "Go", "github.com/Azure/go-autorest", "v14.2.0", true},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", true},
		{"pkg:npm/%40angular/core@16.0.0", "npm", "@angular/core", "16.0.0", true},
		{"pkg:pypi/django", "PyPI", "django", "", true},
		{"pkg:generic/thing@1", "", "thing", "1", true}, // no OSV ecosystem: shown, not matched
		{"cpe:2.3:a:acme:gw:1.0", "", "", "", false},
	}
	for _, tc := range tests {
		eco, pkg, v, ok := splitPurl(tc.purl)
		if eco != tc.eco || pkg != tc.pkg || v != tc.version || ok != tc.ok {
			t.Errorf("splitPurl(%q) = %q %q %q %v", tc.purl, eco, pkg, v, ok)
		}
	}
	vers := []struct {
		in   string
		want []Range
	}{
		{"vers:npm/>=1.0.0|<1.4.2", []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "1.0.0"}, {Fixed: "1.4.2"}}}}},
		{"vers:golang/<=v0.3.0", []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}, {LastAffected: "v0.3.0"}}}}},
		{"vers:generic/1.5|>=2.0", []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "1.5"}, {LastAffected: "1.5"}}},
			{Type: "ECOSYSTEM", Events: []Event{{Introduced: "2.0"}}}}},
		{"vers:generic/*", []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}}}}},
		{"all versions before 3", nil},
	}
	for _, tc := range vers {
		if diff := cmp.Diff(tc.want, versRanges(tc.in)); diff != "" {
			t.Errorf("versRanges(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}
