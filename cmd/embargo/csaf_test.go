package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/modtest"
	"github.com/google/go-cmp/cmp"
)

// csafDoc is a valid CSAF base document with a relationship; relatesTo
// names the product the relationship's product is installed on.
func csafDoc(relatesTo string) string {
	return `{
  "document": {
    "category": "csaf_base", "csaf_version": "2.0", "title": "T",
    "publisher": {"category": "vendor", "name": "Example", "namespace": "https://example.com"},
    "tracking": {"id": "EX-1", "status": "final", "version": "1",
      "initial_release_date": "2024-01-01T00:00:00Z", "current_release_date": "2024-01-01T00:00:00Z",
      "revision_history": [{"date": "2024-01-01T00:00:00Z", "number": "1", "summary": "Initial."}]}
  },
  "product_tree": {
    "full_product_names": [{"name": "A", "product_id": "CSAFPID-A"}, {"name": "B", "product_id": "CSAFPID-B"}],
    "relationships": [{"category": "installed_on", "product_reference": "CSAFPID-A", "relates_to_product_reference": "` + relatesTo + `",
      "full_product_name": {"name": "A on B", "product_id": "CSAFPID-AB"}}]
  }
}`
}

// writeCSAF writes files into a temporary directory and returns their
// paths.
func writeCSAF(t *testing.T, docs map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, doc := range docs {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		paths[name] = filepath.ToSlash(p)
	}
	return paths
}

func TestCSAFValidateText(t *testing.T) {
	p := writeCSAF(t, map[string]string{"good.json": csafDoc("CSAFPID-B"), "circle.json": csafDoc("CSAFPID-AB"), "junk.json": "{"})
	tests := []struct {
		name    string
		files   []string
		want    string
		wantErr string
	}{
		{"valid", []string{"good.json"}, p["good.json"] + ": valid\n", ""},
		{"circular", []string{"good.json", "circle.json"},
			p["good.json"] + ": valid\n" +
				p["circle.json"] + ": 6.1.3 (Circular Definition of Product ID): /product_tree/relationships/0: product ID CSAFPID-AB refers to itself through its relationships\n",
			"1 of 2 CSAF documents invalid"},
		{"not JSON", []string{"junk.json"}, p["junk.json"] + ": not JSON: unexpected EOF\n", "1 of 1 CSAF documents invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"csaf", "validate"}
			for _, f := range tc.files {
				args = append(args, p[f])
			}
			out, err := runCLI(t, args...)
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestCSAFValidateJSON(t *testing.T) {
	p := writeCSAF(t, map[string]string{"good.json": csafDoc("CSAFPID-B"), "bad.json": csafDoc("CSAFPID-X")})
	out, err := runCLI(t, "csaf", "validate", "--format", "json", p["good.json"], p["bad.json"])
	if err == nil {
		t.Error("no error for an invalid document")
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]any{
		"schema_checked": false,
		"files": []any{
			map[string]any{"file": p["good.json"], "valid": true},
			map[string]any{"file": p["bad.json"], "valid": false, "failed_tests": []any{"6.1.1"}, "violations": []any{map[string]any{
				"test": "6.1.1", "title": "Missing Definition of Product ID", "path": "/product_tree/relationships/0/relates_to_product_reference",
				"message": "product ID CSAFPID-X is not defined in the product tree",
			}}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCSAFValidateErrors(t *testing.T) {
	p := writeCSAF(t, map[string]string{"good.json": csafDoc("CSAFPID-B")})
	tests := []struct {
		name    string
		args    []string
		wantErr string
		usage   bool
	}{
		{"no subcommand", []string{"csaf"}, "embargo csaf validate", true},
		{"no file", []string{"csaf", "validate"}, "embargo csaf validate", true},
		{"bad format", []string{"csaf", "validate", "--format", "xml", p["good.json"]}, "embargo csaf validate", true},
		{"no schema there", []string{"csaf", "validate", "--schema", t.TempDir(), p["good.json"]}, "no CSAF 2.0 JSON schema", false},
		{"missing file", []string{"csaf", "validate", filepath.Join(t.TempDir(), "none.json")}, "1 of 1 CSAF documents invalid", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("embargo %s: err = %v, want %q", strings.Join(tc.args, " "), err, tc.wantErr)
			}
			if errors.Is(err, errUsage) != tc.usage {
				t.Errorf("usage error = %v, want %v", errors.Is(err, errUsage), tc.usage)
			}
		})
	}
}

// With the OASIS schema, a document the schema rejects names it; the
// document that passes the §6.1 tests passes the schema too.
func TestCSAFValidateSchema(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "csaf-2.0", "json_schema")
	if _, err := os.Stat(filepath.Join(dir, "csaf_json_schema.json")); err != nil {
		modtest.Unavailable(t, "the CSAF 2.0 schema at "+dir)
	}
	noTitle := strings.Replace(csafDoc("CSAFPID-B"), `"title": "T",`, "", 1)
	p := writeCSAF(t, map[string]string{"good.json": csafDoc("CSAFPID-B"), "notitle.json": noTitle})
	out, err := runCLI(t, "csaf", "validate", "--schema", dir, p["good.json"], p["notitle.json"])
	if err == nil {
		t.Error("no error for a document without a title")
	}
	want := p["good.json"] + ": valid\n" + p["notitle.json"] + ": schema (JSON schema): /document: missing property 'title'\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
