package spdx

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/modtest"
)

// toolsMod holds the SPDX project's example documents.
const toolsMod = "github.com/spdx/tools-golang@v0.5.7"

// The packages of the SPDX project's "SPDX-Tools-v2.0" example, which
// every version and encoding of it has.
var (
	glibc   = Package{ID: "Package", Name: "glibc", Version: "2.11.1", Supplier: "Jane Doe (jane.doe@example.com)"}
	commons = Package{ID: "fromDoap-1", Name: "Apache Commons Lang"}
	jena    = Package{ID: "fromDoap-0", Name: "Jena", Version: "3.12.0", Purl: "pkg:maven/org.apache.jena/apache-jena@3.12.0"}
	saxon   = Package{ID: "Saxon", Name: "Saxon", Version: "8.8"}
	centos  = Package{ID: "CentOS-7", Name: "centos", Version: "centos7.9.2009"}
)

func TestDecodeExamples(t *testing.T) {
	tests := []struct {
		file string
		want *Document
	}{
		{"examples/sample-docs/json/SPDXJSONExample-v2.2.spdx.json", &Document{
			Version: "SPDX-2.2", Format: "json", Name: "SPDX-Tools-v2.0", Described: []string{"Package"},
			Packages: []Package{glibc, commons, jena, saxon},
		}},
		{"examples/sample-docs/json/SPDXJSONExample-v2.3.spdx.json", &Document{
			Version: "SPDX-2.3", Format: "json", Name: "SPDX-Tools-v2.0", Described: []string{"Package"},
			Packages: []Package{glibc, commons, jena, saxon, centos},
		}},
		{"examples/sample-docs/tv/SPDXTagExample-v2.3.spdx", &Document{
			Version: "SPDX-2.3", Format: "tag-value", Name: "SPDX-Tools-v2.0", Described: []string{"Package"},
			Packages: []Package{centos, glibc, saxon, jena, commons},
		}},
		{"examples/sample-docs/tv/hello.spdx", &Document{
			Version: "SPDX-2.2", Format: "tag-value", Name: "hello", Described: []string{"Package-hello"},
			Packages: []Package{{ID: "Package-hello", Name: "hello"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got, err := Decode(modtest.ReadFile(t, toolsMod, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Decode mismatch (-want +got):\n%s", diff)
			}
			p, ok := got.Product()
			if !ok || p.ID != tc.want.Described[0] {
				t.Errorf("Product() = %+v, %v; want %s", p, ok, tc.want.Described[0])
			}
		})
	}
}

// TestDecodeTagValue22Example records a limit of tools-golang v0.5.7: its
// SPDX 2.2 tag-value reader refuses the project's own 2.2 example, whose
// snippet follows a package. The error must say so clearly.
func TestDecodeTagValue22Example(t *testing.T) {
	b := modtest.ReadFile(t, toolsMod, "examples/sample-docs/tv/SPDXTagExample-v2.2.spdx")
	doc, err := Decode(b)
	if err == nil || !strings.Contains(err.Error(), "SPDX tag-value: received unknown tag SnippetSPDXID") || doc != nil {
		t.Errorf("Decode = %v, %v; want the tools-golang error (if it now reads the file, test the packages)", doc, err)
	}
}

func TestDecodeDescribes(t *testing.T) {
	const head = `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"d","packages":[` +
		`{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1","supplier":"Organization: ACME",` +
		`"externalRefs":[{"referenceCategory":"PACKAGE_MANAGER","referenceType":"purl","referenceLocator":"pkg:golang/github.com/Azure/a@v1.0.0"}]},` +
		`{"SPDXID":"SPDXRef-b","name":"b","supplier":"NOASSERTION"}]`
	tests := []struct {
		name          string
		doc           string
		wantDescribed []string
		wantProduct   bool
	}{
		{"documentDescribes", head + `,"documentDescribes":["SPDXRef-b"]}`, []string{"b"}, true},
		{"DESCRIBES", head + `,"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"}]}`, []string{"a"}, true},
		{"DESCRIBED_BY", head + `,"relationships":[{"spdxElementId":"SPDXRef-b","relationshipType":"DESCRIBED_BY","relatedSpdxElement":"SPDXRef-DOCUMENT"}]}`, []string{"b"}, true},
		{"both", head + `,"documentDescribes":["SPDXRef-a","SPDXRef-b"]}`, []string{"a", "b"}, false},
		{"none", head + `}`, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantDescribed, got.Described); diff != "" {
				t.Errorf("Described (-want +got):\n%s", diff)
			}
			if _, ok := got.Product(); ok != tc.wantProduct {
				t.Errorf("Product() ok = %v, want %v", ok, tc.wantProduct)
			}
			wantPkgs := []Package{
				{ID: "a", Name: "a", Version: "1", Supplier: "ACME", Purl: "pkg:golang/github.com/Azure/a@v1.0.0"},
				{ID: "b", Name: "b"},
			}
			if diff := cmp.Diff(wantPkgs, got.Packages); diff != "" {
				t.Errorf("Packages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"empty", "", "spdxVersion: missing"},
		{"json syntax", "{\n\"spdxVersion\": \"SPDX-2.3\",\n\"packages\": [}\n", "line 3, column 14"},
		{"json type", `{"spdxVersion": 2.3}`, "field spdxVersion"},
		{"json 2.1", `{"spdxVersion":"SPDX-2.1"}`, `spdxVersion "SPDX-2.1": want SPDX-2.2 or SPDX-2.3`},
		{"json no name", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-x"}]}`, "packages[0] (SPDXRef-x): name: missing"},
		{"json bad purl", `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-x","name":"x","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"x@1"}]}]}`, `packages[0] (SPDXRef-x): externalRefs purl "x@1"`},
		{"json shape", `{"spdxVersion":"SPDX-2.3","packages":{}}`, "SPDX JSON"},
		{"tv no colon", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nthis is not a tag\n", `line 3: "this is not a tag" is not a Tag: value pair`},
		{"tv unterminated", "SPDXVersion: SPDX-2.3\nPackageComment: <text>open\nand never closed\n", "unterminated <text>"},
		{"tv 2.1", "SPDXVersion: SPDX-2.1\n", `spdxVersion "SPDX-2.1"`},
		{"tv twice", "SPDXVersion: SPDX-2.3\nSPDXVersion: SPDX-2.2\n", "line 2: second SPDXVersion"},
		{"tv bad purl", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\nPackageName: p\nSPDXID: SPDXRef-p\nExternalRef: PACKAGE-MANAGER purl pkg:\n", "packages[0] (SPDXRef-p): externalRefs purl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Decode([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Decode: err = %v, want one containing %q", err, tc.want)
			}
			if doc != nil {
				t.Errorf("Decode returned a document with its error: %+v", doc)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"d","documentDescribes":["SPDXRef-a"],"packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1","supplier":"Organization: ACME","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/a@1"}]}]}`))
	f.Add([]byte("SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\nPackageName: p\nSPDXID: SPDXRef-p\nPackageVersion: 1\nPackageSupplier: Person: Jo\nExternalRef: PACKAGE-MANAGER purl pkg:npm/p@1\nPackageComment: <text>a\nb</text>\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-p\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := Decode(b)
		if (doc == nil) == (err == nil) {
			t.Fatalf("Decode: document %v with err %v", doc, err)
		}
		if err != nil {
			return
		}
		for _, p := range doc.Packages {
			if p.Name == "" {
				t.Errorf("package without a name: %+v", p)
			}
		}
	})
}
