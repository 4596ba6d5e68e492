// Package validate checks CSAF 2.0 documents (OASIS Standard, 18 November
// 2022): against the CSAF JSON schema, when one is given, and with the
// mandatory tests of the specification's §6.1 (6.1.1 to 6.1.33, with the
// profile tests 6.1.27.1 to 6.1.27.11), which are implemented here.
//
// The schema is OASIS material and is not shipped with Embargo: LoadSchema
// reads it from a directory, such as the json_schema folder of the CSAF
// 2.0 repository. Without it, Validate runs the §6.1 tests alone.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Violation is one failed check of one document.
type Violation struct {
	// Test is the specification's number of the test, "6.1.3", or
	// "schema" for the JSON schema.
	Test string `json:"test"`
	// Title is the test's title in the specification.
	Title string `json:"title"`
	// Path is the JSON pointer (RFC 6901) of the offending value.
	Path string `json:"path"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// String formats v as "6.1.3 (Circular Definition of Product ID): /path: message".
func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s: %s", v.Test, v.Title, cmpOr(v.Path, "/"), v.Message)
}

// cmpOr returns s, or def when s is empty.
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Test is one mandatory test of CSAF 2.0 §6.1.
type Test struct {
	ID    string // "6.1.3"
	Title string // "Circular Definition of Product ID"
	run   func(doc any) []Violation
}

// Run runs the test on a document decoded as generic JSON.
func (t Test) Run(doc any) []Violation {
	vs := t.run(doc)
	for i := range vs {
		vs[i].Test, vs[i].Title = t.ID, t.Title
	}
	return vs
}

// Mandatory returns the mandatory tests in the specification's order.
func Mandatory() []Test {
	return slices.Clone(mandatory)
}

// SchemaFile is the name of the CSAF 2.0 JSON schema in its directory.
const SchemaFile = "csaf_json_schema.json"

// schemaURL is the schema's $id.
const schemaURL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"

// cvssSchemas are the CVSS JSON schemas the CSAF schema refers to, by
// $id and by the file name LoadSchema looks for next to the CSAF schema.
var cvssSchemas = map[string]string{
	"https://www.first.org/cvss/cvss-v2.0.json": "cvss-v2.0.json",
	"https://www.first.org/cvss/cvss-v3.0.json": "cvss-v3.0.json",
	"https://www.first.org/cvss/cvss-v3.1.json": "cvss-v3.1.json",
}

// standIn returns the schema that stands in for a missing CVSS schema: it
// only tells the versions apart, so that the CSAF schema's choice of one
// CVSS v3 schema (oneOf 3.0, 3.1) works.
func standIn(url string) any {
	version := strings.TrimSuffix(strings.TrimPrefix(url, "https://www.first.org/cvss/cvss-v"), ".json")
	doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"type": "object", "required": ["version"],
		"properties": {"version": {"const": "` + version + `"}}}`)) // a constant, valid JSON
	return doc
}

// ErrNoSchema reports a directory without the CSAF JSON schema.
var ErrNoSchema = errors.New("no CSAF 2.0 JSON schema")

// LoadSchema compiles the CSAF 2.0 JSON schema from dir/csaf_json_schema.json.
// The FIRST CVSS schemas it refers to are read from the same directory
// (cvss-v2.0.json, cvss-v3.0.json, cvss-v3.1.json) when they are there;
// otherwise they are stood in for by schemas that check the version
// alone, and the CVSS objects are checked by test 6.1.8. String formats (date-time,
// uri, email) are asserted.
func LoadSchema(dir string) (*jsonschema.Schema, error) {
	c, err := compiler(dir)
	if err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
}

// ProviderSchemaFile is the name of the CSAF 2.0 provider metadata schema
// in the schema directory.
const ProviderSchemaFile = "provider_json_schema.json"

// LoadProviderSchema compiles the schema of provider-metadata.json (CSAF
// 2.0 §7.1.7) from dir, with the CSAF schema it refers to, as LoadSchema
// does.
func LoadProviderSchema(dir string) (*jsonschema.Schema, error) {
	c, err := compiler(dir)
	if err != nil {
		return nil, err
	}
	const url = "https://docs.oasis-open.org/csaf/csaf/v2.0/" + ProviderSchemaFile
	if err := addFile(c, dir, ProviderSchemaFile, url); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

// compiler returns a compiler holding the CSAF schema from dir and the
// CVSS schemas it refers to, or their stand-ins.
func compiler(dir string) (*jsonschema.Compiler, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for url, file := range cvssSchemas {
		doc := standIn(url)
		if b, err := os.ReadFile(filepath.Join(dir, file)); err == nil {
			if doc, err = jsonschema.UnmarshalJSON(bytes.NewReader(b)); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
		if err := c.AddResource(url, doc); err != nil {
			return nil, err
		}
	}
	return c, addFile(c, dir, SchemaFile, schemaURL)
}

// addFile adds schema dir/file to c as url; ErrNoSchema when it is
// missing.
func addFile(c *jsonschema.Compiler, dir, file, url string) error {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s is missing", ErrNoSchema, filepath.Join(dir, file))
	}
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return c.AddResource(url, doc)
}

// Validate checks one document: against schema unless it is nil, then
// with every §6.1 mandatory test. It returns the violations in the
// order of the tests; none means the document is valid. It returns an error
// only for input that is not one JSON value.
func Validate(b []byte, schema *jsonschema.Schema) ([]Violation, error) {
	if len(b) > csaf.MaxDocumentSize {
		return nil, fmt.Errorf("document larger than %d MiB", csaf.MaxDocumentSize>>20)
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("not JSON: more than one value")
	}
	var out []Violation
	if schema != nil {
		out = append(out, schemaViolations(schema, doc)...)
	}
	for _, t := range mandatory {
		out = append(out, t.Run(doc)...)
	}
	return out, nil
}

// schemaViolations validates doc against schema and reports the leaf
// errors.
func schemaViolations(schema *jsonschema.Schema, doc any) []Violation {
	// jsonschema wants its own number type for exactness; re-decoding
	// through it keeps the generic form of the tests independent.
	b, _ := json.Marshal(doc)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return []Violation{{Test: "schema", Title: "JSON schema", Message: err.Error()}}
	}
	err = schema.Validate(inst)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		if err != nil {
			return []Violation{{Test: "schema", Title: "JSON schema", Message: err.Error()}}
		}
		return nil
	}
	// The leaves of the error tree are the specific errors; the inner
	// nodes only say that a subschema failed.
	printer := message.NewPrinter(language.English)
	var out []Violation
	seen := map[Violation]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		for _, c := range e.Causes {
			walk(c)
		}
		if len(e.Causes) > 0 {
			return
		}
		p := pointer("")
		for _, k := range e.InstanceLocation {
			p = p.key(k)
		}
		v := Violation{Test: "schema", Title: "JSON schema", Path: string(p), Message: e.ErrorKind.LocalizedString(printer)}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	walk(ve)
	if len(out) == 0 {
		out = append(out, Violation{Test: "schema", Title: "JSON schema", Message: ve.Error()})
	}
	return out
}

// Failed returns the distinct test IDs among vs, in order.
func Failed(vs []Violation) []string {
	var ids []string
	for _, v := range vs {
		if !slices.Contains(ids, v.Test) {
			ids = append(ids, v.Test)
		}
	}
	return ids
}
