package csaf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformance returns ../shared/conformance/csaf-2.0 beside the checkout:
// skipped locally without it, a failure in CI (CI=true).
func conformance(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared", "conformance", "csaf-2.0")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs %s: %v", dir, err)
		}
		t.Skipf("no CSAF conformance data at %s", dir)
	}
	return dir
}

// Every OASIS example parses.
func TestParseExamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(conformance(t), "examples", "csaf", "*.json"))
	more, _ := filepath.Glob(filepath.Join(conformance(t), "examples", "csaf", "*", "*.json"))
	files = append(files, more...)
	if len(files) < 5 {
		t.Fatalf("%d examples found", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(b)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if d.Document.Tracking.ID == "" || len(d.Products()) == 0 && d.ProductTree != nil {
			t.Errorf("%s: tracking %q, %d products", filepath.Base(f), d.Document.Tracking.ID, len(d.Products()))
		}
	}
}

// The OASIS test cases of mandatory test 6.1.1 (every product ID used is
// defined): the failures are refused, the valid ones read.
func TestMissingProductDefinition(t *testing.T) {
	dir := filepath.Join(conformance(t), "test", "validator-data")
	b, err := os.ReadFile(filepath.Join(dir, "testcases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases struct {
		Tests []struct {
			ID       string
			Failures []struct{ Name string }
			Valid    []struct{ Name string }
		}
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases.Tests {
		if tc.ID != "6.1.1" {
			continue
		}
		for _, f := range tc.Failures {
			doc, _ := os.ReadFile(filepath.Join(dir, f.Name))
			if _, err := Parse(doc); err == nil || !strings.Contains(err.Error(), "does not define") {
				t.Errorf("%s: %v, want a missing product definition", f.Name, err)
			}
		}
		for _, f := range tc.Valid {
			doc, _ := os.ReadFile(filepath.Join(dir, f.Name))
			if _, err := Parse(doc); err != nil {
				t.Errorf("%s: %v", f.Name, err)
			}
		}
		return
	}
	t.Fatal("no test cases for 6.1.1")
}

func TestParseRefuses(t *testing.T) {
	good := `{"document":{"category":"csaf_base","csaf_version":"2.0","title":"t","publisher":{"category":"vendor","name":"Acme","namespace":"https://acme.example"},"tracking":{"id":"ACME-1","status":"final","version":"1"}},
"product_tree":{"full_product_names":[{"name":"P 1.0","product_id":"P1"}]},"vulnerabilities":[{"cve":"CVE-2026-0001","product_status":{"known_affected":["P1"]}}]}`
	if _, err := Parse([]byte(good)); err != nil {
		t.Fatal(err)
	}
	bad := []struct{ in, want string }{
		{strings.Replace(good, `"2.0"`, `"2.1"`, 1), "csaf_version"},
		{strings.Replace(good, `"title":"t",`, ``, 1), "title"},
		{strings.Replace(good, `"id":"ACME-1",`, ``, 1), "tracking/id"},
		{strings.Replace(good, `"namespace":"https://acme.example"`, `"namespace":""`, 1), "publisher"},
		{strings.Replace(good, `["P1"]`, `["P2"]`, 1), "does not define"},
		{good + "[]", "trailing data"},
		{`{"document":`, "unexpected EOF"},
	}
	for _, tc := range bad {
		if _, err := Parse([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%.50q…) = %v, want an error about %q", tc.in, err, tc.want)
		}
	}
}

// FuzzParse: outside documents never panic; an accepted document passes
// its checks and lists its products without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"document":{"category":"csaf_base","csaf_version":"2.0","title":"t","publisher":{"name":"A","namespace":"https://a"},"tracking":{"id":"A-1"}},"product_tree":{"branches":[{"category":"vendor","name":"A","branches":[{"category":"product_version","name":"1","product":{"name":"A 1","product_id":"P"}}]}]},"vulnerabilities":[{"product_status":{"fixed":["P"]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		if err := d.check(); err != nil {
			t.Fatal(err)
		}
		_ = SortedIDs(d.Products())
	})
}

// TestFileName: the file name rule of CSAF 2.0 §5.1 (CSAF-2).
func TestFileName(t *testing.T) {
	for _, c := range []struct{ id, want string }{
		{"2022_#01-A", "2022_01-a.json"}, // the specification's example
		{"EMB-2026-0001-SA", "emb-2026-0001-sa.json"},
		{"cisco-sa-20190513-secureboot", "cisco-sa-20190513-secureboot.json"},
		{"RHSA-2019:1862", "rhsa-2019_1862.json"},
		{"Example Company - 2019-YH3234", "example_company_-_2019-yh3234.json"},
		{"a+b//c  d", "a+b_c_d.json"},
		{"华睿-2026-1", "_-2026-1.json"},
	} {
		if got := FileName(c.id); got != c.want {
			t.Errorf("FileName(%q) = %q, want %q", c.id, got, c.want)
		}
	}
}

// FuzzFileName: whatever the tracking ID, the file name keeps to the
// characters §5.1 allows, with no run of "_", and ends in ".json".
func FuzzFileName(f *testing.F) {
	for _, s := range []string{"2022_#01-A", "EMB-2026-0001-SA", "", "__", "公告 1", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		got := FileName(id)
		name, ok := strings.CutSuffix(got, ".json")
		if !ok || strings.Contains(name, "__") || strings.ContainsFunc(name, func(c rune) bool {
			return c != '+' && c != '-' && c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9')
		}) {
			t.Errorf("FileName(%q) = %q", id, got)
		}
	})
}
