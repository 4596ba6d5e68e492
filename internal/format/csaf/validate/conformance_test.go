package validate

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/modtest"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// conformance returns ../shared/conformance/csaf-2.0 (relative to the
// repository root): skipped locally without it, a failure in CI.
func conformance(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "..", "..", "shared", "conformance", "csaf-2.0")
	if _, err := os.Stat(filepath.Join(dir, "test", "validator-data", "testcases.json")); err != nil {
		modtest.Unavailable(t, "the CSAF 2.0 conformance data at "+dir)
	}
	return dir
}

// mustSchema compiles the CSAF 2.0 schema of the conformance data.
func mustSchema(t testing.TB, dir string) *jsonschema.Schema {
	t.Helper()
	s, err := LoadSchema(filepath.Join(dir, "json_schema"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testCases is the part of testcases.json the test reads.
type testCases struct {
	Tests []struct {
		ID       string `json:"id"`
		Group    string `json:"group"`
		Failures []struct {
			Name  string `json:"name"`
			Valid bool   `json:"valid"`
		} `json:"failures"`
		Valid []struct {
			Name  string `json:"name"`
			Valid bool   `json:"valid"`
		} `json:"valid"`
	} `json:"tests"`
}

// mustValidateFile validates one file of the conformance data.
func mustValidateFile(t *testing.T, schema *jsonschema.Schema, file string) []Violation {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := Validate(b, schema)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// Every mandatory test case of the OASIS validator data: each invalid
// document fails the test it illustrates; each valid one passes the
// whole validator, schema included. Every §6.1 test has its cases.
func TestOASISTestCases(t *testing.T) {
	dir := conformance(t)
	schema := mustSchema(t, dir)
	data := filepath.Join(dir, "test", "validator-data")
	b, err := os.ReadFile(filepath.Join(data, "testcases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tc testCases
	if err := json.Unmarshal(b, &tc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, test := range tc.Tests {
		if test.Group != "mandatory" {
			continue
		}
		ids = append(ids, test.ID)
		for _, f := range test.Failures {
			t.Run(test.ID+"/"+filepath.Base(f.Name), func(t *testing.T) {
				vs := mustValidateFile(t, schema, filepath.Join(data, f.Name))
				if f.Valid || !slices.Contains(Failed(vs), test.ID) {
					t.Errorf("want a failure of %s, got %v", test.ID, vs)
				}
			})
		}
		for _, f := range test.Valid {
			t.Run(test.ID+"/"+filepath.Base(f.Name), func(t *testing.T) {
				if vs := mustValidateFile(t, schema, filepath.Join(data, f.Name)); !f.Valid || len(vs) > 0 {
					t.Errorf("want valid, got %v", vs)
				}
			})
		}
	}
	var ours []string
	for _, m := range Mandatory() {
		ours = append(ours, m.ID)
	}
	if !slices.Equal(ids, ours) {
		t.Errorf("the test cases cover %v; the validator implements %v", ids, ours)
	}
}

// Every CSAF example of the OASIS repository is valid.
func TestOASISExamples(t *testing.T) {
	dir := conformance(t)
	schema := mustSchema(t, dir)
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, "examples", "csaf"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		n++
		t.Run(strings.TrimPrefix(path, filepath.Join(dir, "examples", "csaf")+string(filepath.Separator)), func(t *testing.T) {
			if vs := mustValidateFile(t, schema, path); len(vs) > 0 {
				t.Errorf("want valid, got %v", vs)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 15 {
		t.Errorf("found %d examples", n)
	}
}
