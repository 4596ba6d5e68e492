package product

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sample returns a catalogue in canonical order, as ParseCSV and ParseJSON
// return it.
func sample() Catalogue {
	openssl := Party{Name: "OpenSSL Project", Country: "GB", Email: "openssl-security@openssl.org"}
	busybox := Party{Name: "BusyBox, \"upstream\"", Country: "US"}
	return Catalogue{Products: []Product{
		{Name: "Camera Z", Models: []Model{{Name: "Z1"}}},
		{Name: "Empty"},
		{Name: "路由器 X", Description: "家用路由器, Wi-Fi 6\nsecond line", Models: []Model{
			{Name: "AX3000", Versions: []Version{
				{Version: "2.0.5", Line: "2.x", Components: []Component{
					{Name: "busybox", Version: "1.36.1", PURL: "pkg:generic/busybox@1.36.1", ThirdParty: true, Supplier: &busybox},
					{Name: "openssl", Version: "3.0.13", PURL: "pkg:generic/openssl@3.0.13", ThirdParty: true, Supplier: &openssl},
				}},
				{Version: "2.1.4", Line: "2.x", Components: []Component{
					{Name: "openssl", Version: "3.0.14", ThirdParty: true, Supplier: &openssl},
					{Name: "webui", Version: "2.1.4"},
				}, Customers: []Party{{Name: "Globex", Country: "DE"}, {Name: "某电信公司", Country: "CN", Email: "sec@telecom.example.cn"}}},
				{Version: "V100R001C00"},
			}},
		}},
	}}
}

// TestGolden checks both writers against testdata and that both parsers
// read back what the writers wrote.
func TestGolden(t *testing.T) {
	for _, f := range []struct {
		file  string
		write func(*bytes.Buffer, Catalogue) error
		parse func(*bytes.Reader) (Catalogue, error)
	}{
		{"catalogue.csv", func(b *bytes.Buffer, c Catalogue) error { return WriteCSV(b, c) }, func(r *bytes.Reader) (Catalogue, error) { return ParseCSV(r) }},
		{"catalogue.json", func(b *bytes.Buffer, c Catalogue) error { return WriteJSON(b, c) }, func(r *bytes.Reader) (Catalogue, error) { return ParseJSON(r) }},
	} {
		t.Run(f.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.write(&b, sample()); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", f.file)
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", f.file, diff)
			}
			got, err := f.parse(bytes.NewReader(want))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sample(), got); diff != "" {
				t.Errorf("parsed back (-want +got):\n%s", diff)
			}
		})
	}
}

// problemsOf returns the problems an import error lists.
func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	var ie *ImportError
	if !errs.Is(err, errs.Invalid) || !errors.As(err, &ie) {
		t.Fatalf("err = %v, want Invalid with an *ImportError", err)
	}
	return ie.Problems
}

const header = "product,model,version,line,component,component_version,third_party,supplier,supplier_country,customer,customer_country\n"

func TestParseCSVProblems(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Problem
	}{
		{"empty file", "", []Problem{{Line: 1, Msg: "the file has no header row naming its columns"}}},
		{"unknown column", "product,colour\n", []Problem{{Line: 1, Field: "colour", Msg: "unknown column; the columns are " + strings.Join(CSVColumns, ", ")}}},
		{"no product column", "model\nA\n", []Problem{{Line: 1, Field: "product", Msg: "the product column is missing"}}},
		{"ragged row", header + "P,M\n", []Problem{{Line: 2, Msg: "column 1: wrong number of fields"}}},
		{"structure", header +
			",M,,,,,,,,,\n" +
			"P,,1.0,,,,,,,,\n" +
			"P,M,,,libc,,,,,,\n" +
			"P,M,1.0,,,,,,,Globex,\n" +
			"P,M,1.0,,,2.0,,,,,\n",
			[]Problem{
				{Line: 2, Field: "product", Msg: "every row needs the product's name"},
				{Line: 3, Field: "model", Msg: "a version needs its model"},
				{Line: 4, Field: "version", Msg: "a component belongs to a version; give the version"},
				{Line: 5, Field: "customer_country", Msg: `product "P" › model "M" › version "1.0" › customer "Globex": give the country as a two-letter ISO 3166 code, such as CN`},
				{Line: 6, Field: "component", Msg: "give the component's name"},
			}},
		{"field values", header +
			"P,M,1.0,3.x,libc,,maybe,,,,\n" +
			"P,M,1.0,3.x,libc,1 0,yes,GNU,USA,,\n" +
			"P,M,2.0,,,,,,,Globex,Germany\n",
			[]Problem{
				{Line: 2, Field: "third_party", Msg: `write true or false, not "maybe"`},
				{Line: 3, Field: "line", Msg: `product "P" › model "M" › version "1.0": the release line "3.x" must be at most 50 characters and, written as a wildcard, select the version`},
				{Line: 3, Field: "component_version", Msg: `product "P" › model "M" › version "1.0" › component "libc": give the component's version as 1 to 100 characters without spaces`},
				{Line: 3, Field: "supplier_country", Msg: `product "P" › model "M" › version "1.0" › component "libc" › supplier "GNU": give the country as a two-letter ISO 3166 code, such as CN`},
				{Line: 4, Field: "customer_country", Msg: `product "P" › model "M" › version "2.0" › customer "Globex": give the country as a two-letter ISO 3166 code, such as CN`},
			}},
		{"merging", header +
			"P,M,1.0,1.x,libc,2.31,,,,,\n" +
			"P,M,1.0,LTS,,,,,,,\n" +
			"P,M,1.0,,libc,2.32,,,,,\n" +
			"P,M,1.0,,,,,,,Globex,DE\n" +
			"P,M,1.0,,,,,,,Globex,DE\n",
			[]Problem{
				{Line: 3, Field: "line", Msg: `"LTS" differs from "1.x" given on an earlier row`},
				{Line: 4, Field: "component", Msg: `"libc" appears twice in this version (first on line 2)`},
				{Line: 6, Field: "customer", Msg: `"Globex" appears twice in this version (first on line 5)`},
			}},
		{"one name, one party", header +
			"P,M,1.0,,libc,2.31,true,GNU,US,,\n" +
			"P,M,2.0,,libc,2.35,true,GNU,CH,,\n" +
			"P,M,2.0,,zlib,1.3,false,,,,\n",
			[]Problem{
				{Line: 3, Field: "supplier", Msg: `product "P" › model "M" › version "2.0" › component "libc" › supplier "GNU": the same name has another country or contact at product "P" › model "M" › version "1.0" › component "libc" › supplier "GNU"; one name is one party`},
			}},
		{"third party without supplier", header + "P,M,1.0,,libc,2.31,true,,,,\n",
			[]Problem{{Line: 2, Field: "supplier", Msg: `product "P" › model "M" › version "1.0" › component "libc": a third-party component needs its supplier (name and country), the upstream to notify`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tc.in))
			got := problemsOf(t, err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCSVFriendly(t *testing.T) {
	in := "\ufeffProduct , Model,Version,Supplier,Supplier_Country,component,component_version\r\n" +
		"P,M,1.0,GNU,us,libc,2.31\r\n" +
		",,,,,,\r\n"
	got, err := ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := Catalogue{Products: []Product{{Name: "P", Models: []Model{{Name: "M", Versions: []Version{{Version: "1.0",
		Components: []Component{{Name: "libc", Version: "2.31", ThirdParty: true, Supplier: &Party{Name: "GNU", Country: "US"}}}}}}}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catalogue (-want +got):\n%s", diff)
	}
}

func TestParseJSONProblems(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Problem
	}{
		{"malformed", "{\n  \"format\": \"embargo.products.v1\",\n  \"products\": [\n}", []Problem{{Line: 4, Msg: "malformed JSON: invalid character '}' looking for beginning of value"}}},
		{"wrong type", `{"format": "embargo.products.v1", "products": [{"name": 7}]}`, []Problem{{Line: 1, Field: "products.name", Msg: "want a string here, not a number"}}},
		{"unknown member", "{\"format\": \"embargo.products.v1\",\n \"colour\": 1}", []Problem{{Line: 2, Msg: `unknown field "colour"`}}},
		{"wrong format", `{"format": "other", "products": []}`, []Problem{{Field: "format", Msg: `want "embargo.products.v1", the format this version reads`}}},
		{"trailing data", `{"format": "embargo.products.v1", "products": []} {}`, []Problem{{Line: 1, Msg: "the document continues after its end"}}},
		{"truncated", `{"format": "embargo.products.v1", "products": [`, []Problem{{Line: 1, Msg: "the document ends early"}}},
		{"validation", `{"format": "embargo.products.v1", "products": [{"name": "P", "models": [{"name": "M", "versions": [
			{"version": "1.0", "customers": [{"name": "Globex", "country": "DE", "email": "not-an-address"}]},
			{"version": "1.0"}]}]}, {"name": " P "}]}`, []Problem{
			{Field: "products[0].models[0].versions[0].customers[0].email", Msg: `product "P" › model "M" › version "1.0" › customer "Globex": give a valid contact e-mail address, such as psirt@example.cn, or none`},
			{Field: "products[0].models[0].versions[1].name", Msg: `product "P" › model "M" › version "1.0": the name is used twice under the same parent`},
			{Field: "products[1].name", Msg: `product "P": the name is used twice under the same parent`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseJSON(strings.NewReader(tc.in))
			if diff := cmp.Diff(tc.want, problemsOf(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImportTooLarge(t *testing.T) {
	big := strings.NewReader(header + strings.Repeat("P,M,1.0,,,,,,,,\n", MaxImportSize/16+1))
	if _, err := ParseCSV(big); !errs.Is(err, errs.TooLarge) {
		t.Errorf("err = %v, want TooLarge", err)
	}
}
