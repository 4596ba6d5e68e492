package cyclonedx

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/modtest"
)

// cdxMod holds the example BOMs of the CycloneDX project's Go binding.
const cdxMod = "github.com/CycloneDX/cyclonedx-go@v0.12.0"

// acmeProduct and acmeComponents are the product and components of the
// binding's JSON encoder snapshots, the same in every spec version;
// acmeXMLComponents those of its XML encoder snapshots.
var acmeProduct = &Component{Path: "metadata.component", Type: "application", Name: "Acme Application", Version: "9.1.1"}

var acmeComponents = []Component{
	{
		Path: "components[0]", Ref: "pkg:npm/acme/component@1.0.0", Type: "library",
		Group: "com.acme", Name: "tomcat-catalina", Version: "9.0.14",
		Purl: "pkg:npm/acme/component@1.0.0", Publisher: "Acme Inc",
	},
	{
		Path: "components[1]", Type: "library", Group: "org.example", Name: "mylibrary",
		Version: "1.0.0", Supplier: "Example, Inc.",
	},
}

var acmeXMLComponents = []Component{
	{
		Path: "components[0]", Type: "application", Group: "com.acme", Name: "tomcat-catalina", Version: "9.0.14",
		Purl: "pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar", Publisher: "Acme Inc",
	},
	{
		Path: "components[1]", Type: "library", Group: "org.example", Name: "mylibrary", Version: "1.0.0",
		Purl: "pkg:maven/com.example/myapplication@1.0.0?packaging=war", Supplier: "Example Inc.",
	},
	{
		Path: "components[2]", Type: "framework", Group: "com.example", Name: "myframework", Version: "1.0.0",
		Purl: "pkg:maven/com.example/myframework@1.0.0?packaging=war",
	},
}

func TestDecodeRealBOMs(t *testing.T) {
	tests := []struct {
		file        string
		wantVersion string
		wantFormat  string
	}{
		{"testdata/snapshots/cyclonedx-go-TestJsonBOMEncoder_EncodeVersion-func3-1.4.bom.json", "1.4", "json"},
		{"testdata/snapshots/cyclonedx-go-TestJsonBOMEncoder_EncodeVersion-func3-1.5.bom.json", "1.5", "json"},
		{"testdata/snapshots/cyclonedx-go-TestJsonBOMEncoder_EncodeVersion-func3-1.6.bom.json", "1.6", "json"},
		{"testdata/snapshots/cyclonedx-go-TestXmlBOMEncoder_EncodeVersion-func1-1.4.bom.xml", "1.4", "xml"},
		{"testdata/snapshots/cyclonedx-go-TestXmlBOMEncoder_EncodeVersion-func1-1.5.bom.xml", "1.5", "xml"},
		{"testdata/snapshots/cyclonedx-go-TestXmlBOMEncoder_EncodeVersion-func1-1.6.bom.xml", "1.6", "xml"},
	}
	for _, tc := range tests {
		t.Run(tc.wantVersion+"-"+tc.wantFormat, func(t *testing.T) {
			bom, err := Decode(modtest.ReadFile(t, cdxMod, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			want := &BOM{SpecVersion: tc.wantVersion, Format: tc.wantFormat, Product: acmeProduct, Components: acmeComponents}
			if tc.wantFormat == "xml" {
				want.Components = acmeXMLComponents
			}
			if diff := cmp.Diff(want, bom); diff != "" {
				t.Errorf("Decode(%s) mismatch (-want +got):\n%s", tc.file, diff)
			}
		})
	}
}

func TestDecodeNested(t *testing.T) {
	for _, ext := range []string{"json", "xml"} {
		t.Run(ext, func(t *testing.T) {
			bom, err := Decode(modtest.ReadFile(t, cdxMod, "testdata/valid-assembly."+ext))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range bom.Components {
				got = append(got, c.Path+" "+c.Name+"@"+c.Version)
			}
			want := []string{
				"components[0] acme-library-a@1.0.0",
				"components[0].components[0] acme-library-b@2.0.0",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeVEX(t *testing.T) {
	want := []Statement{{
		Vulnerability: "SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111",
		Source:        "Snyk",
		Affects: []Target{{
			Ref:  "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4",
			Purl: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4",
			Name: "jackson-databind", Version: "2.9.4",
		}},
		State:          StateNotAffected,
		Justification:  JustificationCodeNotReachable,
		Responses:      []string{"will_not_fix", "update"},
		Detail:         "An optional explanation of why the application is not affected by the vulnerable component.",
		Aliases:        []string{"CVE-2018-7489"},
		Recommendation: "Upgrade com.fasterxml.jackson.core:jackson-databind to version 2.6.7.5, 2.8.11.1, 2.9.5 or higher.",
		LastUpdated:    "2022-02-01T00:00:00.000Z",
		Properties:     []Property{{"Foo", "Bar"}, {"Foo", "You"}, {"Foo", "Two"}, {"Bar", "Foo"}},
	}}
	for _, ext := range []string{"json", "xml"} {
		t.Run(ext, func(t *testing.T) {
			bom, err := Decode(modtest.ReadFile(t, cdxMod, "testdata/valid-vulnerability."+ext))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, bom.VEX); diff != "" {
				t.Errorf("VEX (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeAllExamples reads every valid example of the binding, in both
// encodings (which differ in content, so only success is checked).
func TestDecodeAllExamples(t *testing.T) {
	dir := modtest.Path(t, cdxMod, "testdata")
	for _, name := range exampleNames(t, dir) {
		t.Run(name, func(t *testing.T) {
			for _, ext := range []string{"json", "xml"} {
				bom, err := Decode(mustRead(t, dir+"/"+name+"."+ext))
				if err != nil {
					t.Fatalf("%s: %v", ext, err)
				}
				if bom.SpecVersion != "1.6" || bom.Format != ext {
					t.Errorf("%s: spec %s, format %s; want 1.6, %s", ext, bom.SpecVersion, bom.Format, ext)
				}
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "", "neither JSON nor XML"},
		{"syntax", "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\"\n  \"components\": []\n}", "line 4, column 3"},
		{"wrong type", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":7}]}`, "field components.name"},
		{"not cyclonedx", `{"spdxVersion":"SPDX-2.3"}`, `bomFormat: got ""`},
		{"old version", `{"bomFormat":"CycloneDX","specVersion":"1.3"}`, "specVersion 1.3: want 1.4"},
		{"unknown version", `{"bomFormat":"CycloneDX","specVersion":"2.0"}`, "specVersion: invalid specification version"},
		{"no name", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","components":[{"type":"library"}]}]}`, "components[0].name: missing"},
		{"nested no name", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"a","components":[{"type":"library"}]}]}`, "components[0].components[0].name: missing"},
		{"bad purl", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","purl":"npm/a@1"}]}`, `components[0].purl: "npm/a@1"`},
		{"bad state", `{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"fine"}}]}`, `vulnerabilities[0].analysis.state: unknown state "fine"`},
		{"bad justification", `{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected","justification":"trust me"}}]}`, "vulnerabilities[0].analysis.justification"},
		{"bad response", `{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"response":["pray"]}}]}`, "vulnerabilities[0].analysis.response[0]"},
		{"no id", `{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"analysis":{"state":"in_triage"}}]}`, "vulnerabilities[0].id: missing"},
		{"trailing", `{"bomFormat":"CycloneDX","specVersion":"1.6"} {}`, "invalid character"},
		{"xml namespace", `<bom xmlns="http://cyclonedx.org/schema/bom/1.3" version="1"/>`, `namespace "http://cyclonedx.org/schema/bom/1.3"`},
		{"xml root", `<sbom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`, "expected element type <bom>"},
		{"xml broken", "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n<components>\n<component>\n</bom>", "line 4"},
		{"xml bad purl", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>a</name><purl>x</purl></component></components></bom>`, "components[0].purl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bom, err := Decode([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode: err = %v, want one containing %q", err, tc.want)
			}
			if bom != nil {
				t.Errorf("Decode returned a BOM with its error: %+v", bom)
			}
		})
	}
}

func TestDecode17(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.7","components":[{"type":"library","name":"a","version":"1","purl":"pkg:npm/a@1"}]}`
	bom, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := &BOM{SpecVersion: "1.7", Format: "json", Components: []Component{{Path: "components[0]", Type: "library", Name: "a", Version: "1", Purl: "pkg:npm/a@1"}}}
	if diff := cmp.Diff(want, bom); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDecodeProductParts checks the product's own sub-components and a
// VEX statement about the product itself.
func TestDecodeProductParts(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.5",
	"metadata":{"component":{"type":"application","bom-ref":"app","name":"app","version":"2.0","purl":"pkg:golang/github.com/Acme/app@v2.0.0",
		"supplier":{"name":"Acme"},"components":[{"type":"library","name":"part","version":"1","purl":"pkg:golang/github.com/Acme/part@v1.0.0"}]}},
	"components":[{"type":"library","bom-ref":"lib","name":"lib","version":"3"}],
	"vulnerabilities":[
		{"id":"CVE-2024-1","affects":[{"ref":"app"},{"ref":"urn:cdx:0f1a/1#lib"}],"analysis":{"state":"not_affected","justification":"code_not_present"}},
		{"id":"CVE-2024-2","affects":[{"ref":"lib"}]}]}`
	got, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := &BOM{
		SpecVersion: "1.5", Format: "json",
		Product: &Component{Path: "metadata.component", Ref: "app", Type: "application", Name: "app", Version: "2.0",
			Purl: "pkg:golang/github.com/Acme/app@v2.0.0", Supplier: "Acme"},
		Components: []Component{
			{Path: "metadata.component.components[0]", Type: "library", Name: "part", Version: "1", Purl: "pkg:golang/github.com/Acme/part@v1.0.0"},
			{Path: "components[0]", Ref: "lib", Type: "library", Name: "lib", Version: "3"},
		},
		VEX: []Statement{{
			Vulnerability: "CVE-2024-1",
			Affects:       []Target{{Ref: "app", Purl: "pkg:golang/github.com/Acme/app@v2.0.0", Name: "app", Version: "2.0"}, {Ref: "urn:cdx:0f1a/1#lib"}},
			State:         StateNotAffected, Justification: JustificationCodeNotPresent,
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"application","name":"p"}},"components":[{"type":"library","name":"a","purl":"pkg:npm/a@1","components":[{"type":"library","name":"b"}]}],"vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected","justification":"code_not_present","response":["update"]},"affects":[{"ref":"a"}]}]}`))
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components><component type="library"><name>a</name><purl>pkg:golang/github.com/A/b@v1.0.0</purl></component></components></bom>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		bom, err := Decode(b)
		if (bom == nil) == (err == nil) {
			t.Fatalf("Decode: bom %v with err %v", bom, err)
		}
		if err != nil {
			return
		}
		for _, c := range bom.Components {
			if c.Name == "" || c.Path == "" {
				t.Errorf("component without name or path: %+v", c)
			}
		}
	})
}
