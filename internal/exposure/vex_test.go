package exposure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/format/cyclonedx"
	"github.com/embargohq/embargo/internal/format/openvex"
	"github.com/embargohq/embargo/internal/modtest"
)

func TestSuppresses(t *testing.T) {
	na := func(edit func(*VEXStatement)) VEXStatement {
		s := VEXStatement{Vulnerability: VEXVulnerability{ID: "CVE-2022-32149", Aliases: []string{"GHSA-69ch-w2m2-3vjp"}},
			Product: VEXProduct{Purl: "pkg:golang/golang.org/x/text"}, Status: VEXNotAffected,
			Justification: JustVulnerableCodeNotInExecutePath}
		if edit != nil {
			edit(&s)
		}
		return s
	}
	m := Match{Advisory: "GO-2022-1059", Aliases: []string{"CVE-2022-32149"},
		Component: Component{Purl: "pkg:golang/golang.org/x/text@v0.3.7", Ecosystem: "Go", Package: "golang.org/x/text", Version: "v0.3.7"}}
	for _, tc := range []struct {
		name string
		s    VEXStatement
		m    Match
		want bool
	}{
		{"purl without version: every version", na(nil), m, true},
		{"same version", na(func(s *VEXStatement) { s.Product.Purl += "@v0.3.7" }), m, true},
		{"other version", na(func(s *VEXStatement) { s.Product.Purl += "@v0.3.8" }), m, false},
		{"by the match's ID", na(func(s *VEXStatement) { s.Vulnerability = VEXVulnerability{ID: "GO-2022-1059"} }), m, true},
		{"by the statement's alias", na(func(s *VEXStatement) {
			s.Vulnerability = VEXVulnerability{ID: "GHSA-x", Aliases: []string{"GO-2022-1059"}}
		}), m, true},
		{"other vulnerability", na(func(s *VEXStatement) { s.Vulnerability = VEXVulnerability{ID: "CVE-2020-1"} }), m, false},
		{"affected does not suppress", na(func(s *VEXStatement) { s.Status, s.Justification = VEXAffected, "" }), m, false},
		{"fixed does not suppress", na(func(s *VEXStatement) { s.Status, s.Justification = VEXFixed, "" }), m, false},
		{"other package", na(func(s *VEXStatement) { s.Product.Purl = "pkg:golang/golang.org/x/net" }), m, false},
		{"Go paths keep their case", na(func(s *VEXStatement) { s.Product.Purl = "pkg:golang/golang.org/x/Text" }), m, false},
		{"other type", na(func(s *VEXStatement) { s.Product.Purl = "pkg:npm/text" }), m, false},
		{"subcomponent", na(func(s *VEXStatement) {
			s.Product = VEXProduct{Purl: "pkg:oci/app", Subcomponents: []string{"pkg:golang/golang.org/x/text@v0.3.7"}}
		}), m, true},
		{"product is not the subcomponent", na(func(s *VEXStatement) {
			s.Product = VEXProduct{Purl: "pkg:golang/golang.org/x/text", Subcomponents: []string{"pkg:golang/golang.org/x/net"}}
		}), m, false},
		{"name and version", na(func(s *VEXStatement) { s.Product = VEXProduct{Name: "golang.org/x/text", Version: "v0.3.7"} }), m, true},
		{"name, other version", na(func(s *VEXStatement) { s.Product = VEXProduct{Name: "golang.org/x/text", Version: "v0.4.0"} }), m, false},
		{"PyPI names normalised", na(func(s *VEXStatement) { s.Product.Purl = "pkg:pypi/Django_Rest@1.0" }),
			Match{Advisory: "CVE-2022-32149", Component: Component{Purl: "pkg:pypi/django-rest@1.0"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Suppresses(tc.m); got != tc.want {
				t.Errorf("Suppresses() = %v, want %v", got, tc.want)
			}
		})
	}
}

// vexFormat is one VEX format, through its bytes.
type vexFormat struct {
	name  string
	write func(VEXDocument, []VEXStatement) ([]byte, error)
	read  func([]byte) ([]VEXStatement, error)
}

var vexFormats = []vexFormat{
	{"csaf", func(d VEXDocument, ss []VEXStatement) ([]byte, error) {
		doc, err := ToCSAFVEX(d, ss)
		if err != nil {
			return nil, err
		}
		return csaf.Marshal(doc)
	}, func(b []byte) ([]VEXStatement, error) {
		d, err := csaf.Parse(b)
		return FromCSAFVEX(d), err
	}},
	{"openvex", func(d VEXDocument, ss []VEXStatement) ([]byte, error) {
		doc, err := ToOpenVEX(d, ss)
		if err != nil {
			return nil, err
		}
		return openvex.Marshal(doc)
	}, func(b []byte) ([]VEXStatement, error) {
		d, err := openvex.Parse(b)
		return FromOpenVEX(d), err
	}},
	{"cyclonedx", func(d VEXDocument, ss []VEXStatement) ([]byte, error) {
		bom, err := ToCycloneDXVEX(d, ss)
		if err != nil {
			return nil, err
		}
		return cyclonedx.EncodeJSON(bom)
	}, func(b []byte) ([]VEXStatement, error) {
		bom, err := cyclonedx.DecodeJSON(b)
		if err != nil {
			return nil, err
		}
		return FromCycloneDXVEX(bom)
	}},
}

var vexDoc = VEXDocument{ID: "EMB-VEX-1", Namespace: "https://psirt.example.com", Author: "Example PSIRT",
	Timestamp: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Version: 1}

// mustConvert writes ss in one format and reads them back.
func mustConvert(t testing.TB, f vexFormat, ss []VEXStatement) []VEXStatement {
	t.Helper()
	b, err := f.write(vexDoc, ss)
	if err != nil {
		t.Fatalf("write %s: %v", f.name, err)
	}
	got, err := f.read(b)
	if err != nil {
		t.Fatalf("read %s: %v\n%s", f.name, err, b)
	}
	return got
}

// everyCombination returns one valid statement for every status ×
// justification of the shared vocabulary, every CycloneDX state ×
// justification and every CSAF product status, on a variety of products.
func everyCombination() []VEXStatement {
	products := []VEXProduct{{Purl: "pkg:golang/github.com/Example/App@v1.2.3"}, {Purl: "pkg:npm/lib", Name: "lib"},
		{Name: "Example ABC", Version: "4.2"}, {Purl: "pkg:oci/app", Subcomponents: []string{"pkg:apk/alpine/libssl3@3.0.8-r3"}}}
	var out []VEXStatement
	add := func(s VEXStatement) {
		n := len(out)
		s.Vulnerability = VEXVulnerability{ID: fmt.Sprintf("CVE-2026-%05d", n), Aliases: []string{fmt.Sprintf("GHSA-%04d", n)}}
		s.Product = products[n%len(products)]
		s.Timestamp = vexDoc.Timestamp.Add(time.Duration(n%3) * time.Minute)
		s.Author = []string{vexDoc.Author, "Other CERT", ""}[n%3]
		if s.Status == VEXNotAffected && s.Justification == "" || n%2 == 0 {
			s.ImpactStatement = "The vulnerable function is never called."
		}
		if s.Status == VEXAffected {
			s.ActionStatement = "Update to 1.2.4."
		}
		out = append(out, s)
	}
	for _, st := range VEXStatuses {
		add(VEXStatement{Status: st})
		for _, j := range VEXJustifications {
			if st == VEXNotAffected {
				add(VEXStatement{Status: st, Justification: j})
			}
		}
	}
	for state := range statusOfCDX {
		for _, j := range append([]string{""}, sortedKeys(justificationOfCDX)...) {
			var s VEXStatement
			s.FromCycloneDXAnalysis(state, j, "", "")
			if len(out)%3 == 1 {
				s.Native.CycloneDXResponses = []string{"will_not_fix", "update"}
			}
			add(s)
		}
	}
	for cat, st := range statusOfCSAF {
		add(VEXStatement{Status: st, Native: VEXNative{CSAFStatus: map[bool]string{true: cat}[csafStatusOf[st] != cat],
			CSAFRemediation: map[bool]string{true: "vendor_fix"}[st == VEXAffected]}})
	}
	SortVEXStatements(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Every combination comes back unchanged from every format, and from
// every pair of formats (A → B → A), X-1.
func TestVEXRoundTrip(t *testing.T) {
	want := everyCombination()
	if len(want) < 4+5+6*10+8 {
		t.Fatalf("%d combinations", len(want))
	}
	for _, a := range vexFormats {
		t.Run(a.name, func(t *testing.T) {
			if diff := cmp.Diff(want, mustConvert(t, a, want)); diff != "" {
				t.Errorf("%s round trip (-want +got):\n%s", a.name, diff)
			}
		})
		for _, b := range vexFormats {
			if a.name == b.name {
				continue
			}
			t.Run(a.name+"→"+b.name+"→"+a.name, func(t *testing.T) {
				got := mustConvert(t, a, mustConvert(t, b, mustConvert(t, a, want)))
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
	}
}

// csafConformance returns ../shared/conformance/csaf-2.0: skipped
// locally without it, a failure in CI.
func csafConformance(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "csaf-2.0")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI needs %s: %v", dir, err)
		}
		t.Skipf("no CSAF conformance data at %s", dir)
	}
	return dir
}

// The OASIS csaf_vex examples: their statements, written as OpenVEX,
// CycloneDX and CSAF and read back, are the same statements; the CSAF we
// write validates against the CSAF 2.0 schema and reads.
func TestVEXOASISExamples(t *testing.T) {
	dir := csafConformance(t)
	files, _ := filepath.Glob(filepath.Join(dir, "examples", "csaf", "csaf_vex", "*.json"))
	if len(files) < 10 {
		t.Fatalf("%d csaf_vex examples", len(files))
	}
	schema := mustCSAFSchema(t, dir)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := csaf.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			want := FromCSAFVEX(d)
			if len(want) == 0 {
				t.Fatal("no statements")
			}
			for _, format := range vexFormats {
				if diff := cmp.Diff(want, mustConvert(t, format, want)); diff != "" {
					t.Errorf("through %s (-want +got):\n%s", format.name, diff)
				}
			}
			out, err := vexFormats[0].write(vexDoc, want)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Errorf("written CSAF does not validate: %v", err)
			}
		})
	}
}

// mustCSAFSchema compiles the CSAF 2.0 schema. The CVSS schemas it refers
// to are not in the conformance directory; as the writer emits no scores,
// they are stood in for by the empty schema.
func mustCSAFSchema(t testing.TB, dir string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	for _, v := range []string{"v2.0", "v3.0", "v3.1"} {
		if err := c.AddResource("https://www.first.org/cvss/cvss-"+v+".json", map[string]any{}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(filepath.Join(dir, "json_schema", "csaf_json_schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The schema check bites: a document without its revision history fails.
func TestCSAFSchemaRefusesIncomplete(t *testing.T) {
	schema := mustCSAFSchema(t, csafConformance(t))
	d, err := ToCSAFVEX(vexDoc, everyCombination()[:3])
	if err != nil {
		t.Fatal(err)
	}
	d.Document.Tracking.RevisionHistory = nil
	b, _ := json.Marshal(d)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err := schema.Validate(inst); err == nil {
		t.Error("a document without revision_history validates")
	}
}

// FuzzVEXReaders reads arbitrary bytes as each VEX format: no panic, and
// what is read from OpenVEX can be written again.
func FuzzVEXReaders(f *testing.F) {
	for _, format := range vexFormats {
		b, _ := format.write(vexDoc, everyCombination()[:6])
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, format := range vexFormats {
			ss, err := format.read(b)
			if err != nil || format.name != "openvex" {
				continue
			}
			if _, err := format.write(vexDoc, ss); err != nil {
				t.Fatalf("statements read from OpenVEX do not write: %v", err)
			}
		}
	})
}

// cycloneDXSchemaModule is the cyclonedx-go version go.mod requires; its
// schema folder holds the CycloneDX JSON schemas (and the SPDX licence
// and JSF schemas they refer to).
const cycloneDXSchemaModule = "github.com/CycloneDX/cyclonedx-go@v0.12.0"

// Every combination of status, justification and product, written as
// CycloneDX VEX, validates against the CycloneDX JSON schema of the spec
// version the document declares; written as CSAF, against the CSAF 2.0
// schema (CDX-1, X-1).
func TestVEXWrittenValidates(t *testing.T) {
	all := everyCombination()
	t.Run("cyclonedx", func(t *testing.T) {
		m := modtest.Download(t, cycloneDXSchemaModule, true)
		out, err := vexFormat2(t, "cyclonedx").write(vexDoc, all)
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			SpecVersion string `json:"specVersion"`
		}
		if err := json.Unmarshal(out, &head); err != nil || head.SpecVersion == "" {
			t.Fatalf("no specVersion in the document: %v", err)
		}
		c := jsonschema.NewCompiler()
		for _, name := range []string{"spdx.schema.json", "jsf-0.82.schemax.json", "bom-" + head.SpecVersion + ".schema.json"} {
			f, err := os.Open(filepath.Join(m.Dir, "schema", name))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			// The JSF schema is shipped as .schemax.json and referred to as
			// .schema.json.
			url := "http://cyclonedx.org/schema/" + strings.Replace(name, ".schemax.", ".schema.", 1)
			if err := c.AddResource(url, doc); err != nil {
				t.Fatal(err)
			}
		}
		schema, err := c.Compile("http://cyclonedx.org/schema/bom-" + head.SpecVersion + ".schema.json")
		if err != nil {
			t.Fatal(err)
		}
		mustValidate(t, schema, out)
		// The schema can fail: a status it does not know is refused.
		mustNotValidate(t, schema, bytes.Replace(out, []byte(`"state": "not_affected"`), []byte(`"state": "harmless"`), 1))
	})
	// The OpenVEX JSON schema (openvex/spec, openvex_json_schema.json,
	// $id …/openvex_json_schema_0.2.0.json) is in no Go module and cannot
	// be fetched here; these are the members its objects allow (each has
	// additionalProperties false), and openvex.Check applies its required
	// members and its status rules.
	t.Run("openvex", func(t *testing.T) {
		out, err := vexFormat2(t, "openvex").write(vexDoc, all)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatal(err)
		}
		allowed := func(what string, obj any, keys ...string) {
			t.Helper()
			m, ok := obj.(map[string]any)
			if !ok {
				t.Fatalf("%s is %T, want an object", what, obj)
			}
			for k := range m {
				if !slices.Contains(keys, k) {
					t.Errorf("%s has the member %q, which the OpenVEX schema does not allow", what, k)
				}
			}
		}
		allowed("the document", doc, "@context", "@id", "author", "role", "timestamp", "last_updated", "version", "tooling", "statements")
		extensions := 0
		for i, st := range doc["statements"].([]any) {
			where := fmt.Sprintf("statement %d", i)
			allowed(where, st, "@id", "version", "vulnerability", "timestamp", "last_updated", "products", "status", "supplier",
				"status_notes", "justification", "impact_statement", "action_statement", "action_statement_timestamp")
			m := st.(map[string]any)
			allowed(where+"'s vulnerability", m["vulnerability"], "@id", "name", "description", "aliases")
			for _, p := range m["products"].([]any) {
				allowed(where+"'s product", p, "@id", "identifiers", "hashes", "subcomponents")
			}
			if notes, _ := m["status_notes"].(string); strings.Contains(notes, openvex.ExtensionPrefix) {
				extensions++
			}
		}
		if extensions == 0 {
			t.Error("no statement carries an extension: the combinations no longer test it")
		}
	})
	t.Run("csaf", func(t *testing.T) {
		schema := mustCSAFSchema(t, csafConformance(t))
		out, err := vexFormat2(t, "csaf").write(vexDoc, all)
		if err != nil {
			t.Fatal(err)
		}
		mustValidate(t, schema, out)
	})
}

// vexFormat2 returns the format named name.
func vexFormat2(t *testing.T, name string) vexFormat {
	t.Helper()
	for _, f := range vexFormats {
		if f.name == name {
			return f
		}
	}
	t.Fatalf("no format %q", name)
	return vexFormat{}
}

func mustValidate(t *testing.T, schema *jsonschema.Schema, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("the written document does not validate: %v", err)
	}
}

func mustNotValidate(t *testing.T, schema *jsonschema.Schema, doc []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if schema.Validate(inst) == nil {
		t.Error("a document the schema should refuse validates")
	}
}
