package api

import (
	"bytes"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/pb33f/libopenapi/datamodel"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The checks in this file cover what kin-openapi's Validate does not (as
// of v0.153.0): the official OpenAPI 3.1 JSON Schema (which, among other
// things, rejects response keys such as "30X") and the `examples` of JSON
// Schema 2020-12 schemas.

// TestOpenAPIMatchesOfficialSchema validates the document against the
// OpenAPI Initiative's JSON Schema for 3.1 documents
// (https://spec.openapis.org/oas/3.1/schema/2022-10-07), which libopenapi
// embeds. That schema checks the document's structure (unknown members,
// required fields, patterns) but not the Schema Objects in it, which
// TestOpenAPIValid and TestOpenAPISchemaExamples cover.
func TestOpenAPIMatchesOfficialSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	schemaDoc, err := jsonschema.UnmarshalJSON(strings.NewReader(datamodel.OpenAPI31SchemaData))
	if err != nil {
		t.Fatalf("parse the OpenAPI 3.1 schema: %v", err)
	}
	const url = "https://spec.openapis.org/oas/3.1/schema/2022-10-07"
	if err := c.AddResource(url, schemaDoc); err != nil {
		t.Fatalf("add the OpenAPI 3.1 schema: %v", err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile the OpenAPI 3.1 schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openAPIDocument))
	if err != nil {
		t.Fatalf("parse openapi.json: %v", err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("openapi.json does not match the OpenAPI 3.1 schema:\n%v", err)
	}
}

// TestOpenAPISchemaExamples checks every schema's `examples` against the
// schema itself, with JSON Schema 2020-12 semantics, so that the examples
// readers copy from are right.
func TestOpenAPISchemaExamples(t *testing.T) {
	doc := mustLoadOpenAPI(t)
	n := 0
	err := doc.WalkSchemas(func(ptr string, ref *openapi3.SchemaRef) error {
		for i, ex := range ref.Value.Examples {
			n++
			if err := ref.Value.VisitJSON(ex, openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("%s/examples/%d = %v: %v", ptr, i, ex, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Error("found no examples; is WalkSchemas still visiting the components?")
	}
}
