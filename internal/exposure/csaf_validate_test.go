package exposure

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/embargohq/embargo/internal/format/csaf/validate"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The CSAF VEX we write passes the mandatory tests of CSAF 2.0 §6.1, and
// the schema where the conformance data is present: every combination of
// status, justification and product in one document, and each statement
// in a document of its own.
func TestCSAFVEXPassesMandatoryTests(t *testing.T) {
	var schema *jsonschema.Schema
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "csaf-2.0", "json_schema")
	if _, err := os.Stat(filepath.Join(dir, validate.SchemaFile)); err == nil {
		var err error
		if schema, err = validate.LoadSchema(dir); err != nil {
			t.Fatal(err)
		}
	}
	all := everyCombination()
	docs := map[string][]VEXStatement{"all": all}
	for _, s := range all {
		docs[s.Vulnerability.ID] = []VEXStatement{s}
	}
	for name, ss := range docs {
		t.Run(name, func(t *testing.T) {
			out, err := vexFormats[0].write(vexDoc, ss)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := validate.Validate(out, schema)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				t.Error(v)
			}
		})
	}
}

// The statements of the OASIS csaf_vex examples, written again as CSAF,
// pass the §6.1 tests and the schema.
func TestCSAFVEXFromOASISExamplesPassesMandatoryTests(t *testing.T) {
	dir := csafConformance(t)
	schema, err := validate.LoadSchema(filepath.Join(dir, "json_schema"))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "examples", "csaf", "csaf_vex", "*.json"))
	if len(files) < 10 {
		t.Fatalf("%d csaf_vex examples", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			ss, err := vexFormats[0].read(b)
			if err != nil {
				t.Fatal(err)
			}
			out, err := vexFormats[0].write(vexDoc, ss)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := validate.Validate(out, schema)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				t.Error(v)
			}
		})
	}
}
