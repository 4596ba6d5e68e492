package exposure

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/package-url/packageurl-go"

	"github.com/embargohq/embargo/internal/modtest"
)

// Modules whose files the tests read.
const (
	sbomCDXMod      = "github.com/CycloneDX/cyclonedx-go@v0.12.0"
	sbomSPDXMod     = "github.com/spdx/tools-golang@v0.5.7"
	sbomAzidentity  = "github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.8.0"
	sbomAzcorePurl  = "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.14.0"
	sbomMSALPurl    = "pkg:golang/github.com/AzureAD/microsoft-authentication-library-for-go@v1.2.2"
	sbomAzidentPath = "github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	// sbomGomodMod is CycloneDX's Go module SBOM generator; its examples
	// are real CycloneDX 1.5 SBOMs of minikube v1.23.1.
	sbomGomodMod = "github.com/CycloneDX/cyclonedx-gomod@v1.10.0"
)

// TestPackageurlLowersGolang shows why sbomParsePurl exists: the purl
// library lower-cases Go module paths, which are case-sensitive. If this
// starts failing, the library has been fixed and the work-around can go.
func TestPackageurlLowersGolang(t *testing.T) {
	p, err := packageurl.FromString(sbomAzcorePurl)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ToString(); got != strings.ToLower(sbomAzcorePurl) {
		t.Errorf("packageurl-go round trip = %q; it no longer lower-cases golang purls", got)
	}
	built := packageurl.NewPackageURL("golang", "github.com/Azure/azure-sdk-for-go/sdk", "azcore", "v1.14.0", nil, "")
	if got := built.ToString(); got != sbomAzcorePurl {
		t.Errorf("NewPackageURL(...).ToString() = %q, want %q (building must keep the case)", got, sbomAzcorePurl)
	}
}

func TestPurlComponent(t *testing.T) {
	tests := []struct {
		purl string
		want Component
	}{
		{sbomAzcorePurl, Component{Purl: sbomAzcorePurl, Ecosystem: "Go", Package: "github.com/Azure/azure-sdk-for-go/sdk/azcore", Version: "v1.14.0"}},
		{"pkg:golang/github.com/BurntSushi/toml@v1.6.0", Component{Purl: "pkg:golang/github.com/BurntSushi/toml@v1.6.0", Ecosystem: "Go", Package: "github.com/BurntSushi/toml", Version: "v1.6.0"}},
		{"pkg:golang/golang.org/x/text@v0.3.7?type=module", Component{Purl: "pkg:golang/golang.org/x/text@v0.3.7?type=module", Ecosystem: "Go", Package: "golang.org/x/text", Version: "v0.3.7"}},
		{"pkg:npm/%40angular/core@16.0.0", Component{Purl: "pkg:npm/%40angular/core@16.0.0", Ecosystem: "npm", Package: "@angular/core", Version: "16.0.0"}},
		{"pkg:npm/lodash@4.17.21", Component{Purl: "pkg:npm/lodash@4.17.21", Ecosystem: "npm", Package: "lodash", Version: "4.17.21"}},
		{"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", Component{Purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", Ecosystem: "Maven", Package: "org.apache.logging.log4j:log4j-core", Version: "2.14.1"}},
		{"pkg:pypi/Django_Rest@3.0", Component{Purl: "pkg:pypi/django-rest@3.0", Ecosystem: "PyPI", Package: "django-rest", Version: "3.0"}},
		{"pkg:cargo/serde@1.0.0", Component{Purl: "pkg:cargo/serde@1.0.0", Ecosystem: "crates.io", Package: "serde", Version: "1.0.0"}},
		{"pkg:gem/rails@7.0.0", Component{Purl: "pkg:gem/rails@7.0.0", Ecosystem: "RubyGems", Package: "rails", Version: "7.0.0"}},
		{"pkg:nuget/Newtonsoft.Json@13.0.1", Component{Purl: "pkg:nuget/Newtonsoft.Json@13.0.1", Ecosystem: "NuGet", Package: "Newtonsoft.Json", Version: "13.0.1"}},
		{"pkg:composer/laravel/framework@10.0.0", Component{Purl: "pkg:composer/laravel/framework@10.0.0", Ecosystem: "Packagist", Package: "laravel/framework", Version: "10.0.0"}},
		{"pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", Component{Purl: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12", Ecosystem: "Debian:12", Package: "openssl", Version: "3.0.11-1~deb12u2"}},
		{"pkg:deb/debian/curl@7.50.3-1", Component{Purl: "pkg:deb/debian/curl@7.50.3-1", Ecosystem: "Debian", Package: "curl", Version: "7.50.3-1"}},
		{"pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04", Component{Purl: "pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04", Ecosystem: "Ubuntu:22.04", Package: "bash", Version: "5.1-6ubuntu1"}},
		{"pkg:apk/alpine/busybox@1.36.1-r5?distro=alpine-3.18.4", Component{Purl: "pkg:apk/alpine/busybox@1.36.1-r5?distro=alpine-3.18.4", Ecosystem: "Alpine:v3.18", Package: "busybox", Version: "1.36.1-r5"}},
		{"pkg:rpm/redhat/openssl@1.1.1k-7.el8", Component{Purl: "pkg:rpm/redhat/openssl@1.1.1k-7.el8", Ecosystem: "Red Hat", Package: "openssl", Version: "1.1.1k-7.el8"}},
		{"pkg:rpm/fedora/curl@8.0", Component{Purl: "pkg:rpm/fedora/curl@8.0", Package: "curl", Version: "8.0"}},
		{"pkg:generic/openssl@3.0.0", Component{Purl: "pkg:generic/openssl@3.0.0", Package: "openssl", Version: "3.0.0"}},
	}
	for _, tc := range tests {
		t.Run(tc.purl, func(t *testing.T) {
			got, err := PurlComponent(tc.purl, "")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("PurlComponent (-want +got):\n%s", diff)
			}
		})
	}
	got, err := PurlComponent("pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore?type=module", "v1.14.0")
	want := Component{Purl: "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore@v1.14.0?type=module", Ecosystem: "Go", Package: "github.com/Azure/azure-sdk-for-go/sdk/azcore", Version: "v1.14.0"}
	if err != nil || got != want {
		t.Errorf("PurlComponent without version = %+v, %v; want %+v", got, err, want)
	}
	for _, bad := range []string{"", "npm/a@1", "pkg:", "pkg:golang/", "pkg:npm/a@1?x=%zz"} {
		if c, err := PurlComponent(bad, "1"); err == nil {
			t.Errorf("PurlComponent(%q) = %+v, want an error", bad, c)
		}
	}
}

func TestGoComponent(t *testing.T) {
	got := GoComponent("github.com/Azure/azure-sdk-for-go/sdk/azcore", "v1.14.0")
	want := Component{Purl: sbomAzcorePurl, Ecosystem: "Go", Package: "github.com/Azure/azure-sdk-for-go/sdk/azcore", Version: "v1.14.0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GoComponent (-want +got):\n%s", diff)
	}
	// Round trip through the SBOM parser keeps the case too.
	back, err := PurlComponent(got.Purl, "")
	if err != nil || back != got {
		t.Errorf("PurlComponent(%q) = %+v, %v; want %+v", got.Purl, back, err, got)
	}
	if got := GoComponent("gopkg.in/yaml.v3", "v3.0.1").Purl; got != "pkg:golang/gopkg.in/yaml.v3@v3.0.1" {
		t.Errorf("yaml purl = %q", got)
	}
}

// sbomFiles returns real files of each format, by reader name.
func sbomFiles(t *testing.T) map[string][]string {
	t.Helper()
	cdx := modtest.Download(t, sbomCDXMod, true).Dir
	tools := modtest.Download(t, sbomSPDXMod, true).Dir
	az := modtest.Download(t, sbomAzidentity, true).Dir
	return map[string][]string{
		"cyclonedx-json": {filepath.Join(cdx, "testdata/valid-bom.json"), filepath.Join(cdx, "testdata/snapshots/cyclonedx-go-TestJsonBOMEncoder_EncodeVersion-func3-1.4.bom.json")},
		"cyclonedx-xml":  {filepath.Join(cdx, "testdata/valid-bom.xml"), filepath.Join(cdx, "testdata/snapshots/cyclonedx-go-TestXmlBOMEncoder_EncodeVersion-func1-1.5.bom.xml")},
		"spdx-json":      {filepath.Join(tools, "examples/sample-docs/json/SPDXJSONExample-v2.2.spdx.json"), filepath.Join(tools, "examples/sample-docs/json/SPDXJSONExample-v2.3.spdx.json")},
		"spdx-tag-value": {filepath.Join(tools, "examples/sample-docs/tv/SPDXTagExample-v2.3.spdx"), filepath.Join(tools, "examples/sample-docs/tv/hello.spdx")},
		"go.mod":         {filepath.Join(az, "go.mod")},
		"go.sum":         {filepath.Join(az, "go.sum")},
	}
}

// TestSniff gives every real file to every reader: exactly its own
// reader's Sniff accepts it, and its Read succeeds.
func TestSniff(t *testing.T) {
	for format, files := range sbomFiles(t) {
		for _, f := range files {
			b := sbomMustRead(t, f)
			var accepted []string
			for _, r := range InventoryReaders() {
				if r.Sniff(b) {
					accepted = append(accepted, r.Name)
					if _, err := r.Read(f, b); err != nil {
						t.Errorf("%s: Read: %v", r.Name, err)
					}
				}
			}
			if diff := cmp.Diff([]string{format}, accepted); diff != "" {
				t.Errorf("%s: readers whose Sniff accepts it (-want +got):\n%s", f, diff)
			}
		}
	}
	for _, junk := range []string{"", "hello\n", "{}", "<html></html>", "[1,2]", "// just a comment\n"} {
		for _, r := range InventoryReaders() {
			if r.Sniff([]byte(junk)) {
				t.Errorf("%s: Sniff(%q) = true", r.Name, junk)
			}
		}
	}
}

// sbomReader returns the reader named name.
func sbomReader(t testing.TB, name string) InventoryReader {
	t.Helper()
	for _, r := range InventoryReaders() {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no reader %q", name)
	return InventoryReader{}
}

func TestReadInventories(t *testing.T) {
	files := sbomFiles(t)
	tests := []struct {
		reader, file string
		want         Inventory
	}{
		{"cyclonedx-json", files["cyclonedx-json"][0], Inventory{Name: "Acme Application", Version: "9.1.1", Components: []Component{
			{Purl: "pkg:npm/acme/component@1.0.0", Ecosystem: "npm", Package: "acme/component", Version: "1.0.0", Supplier: "Acme Inc"},
			{Package: "org.example/mylibrary", Version: "1.0.0", Supplier: "Example, Inc."},
		}}},
		{"spdx-json", files["spdx-json"][1], Inventory{Name: "glibc", Version: "2.11.1", Components: []Component{
			{Package: "Apache Commons Lang"},
			{Purl: "pkg:maven/org.apache.jena/apache-jena@3.12.0", Ecosystem: "Maven", Package: "org.apache.jena:apache-jena", Version: "3.12.0"},
			{Package: "Saxon", Version: "8.8"},
			{Package: "centos", Version: "centos7.9.2009"},
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.reader, func(t *testing.T) {
			got, err := sbomReader(t, tc.reader).Read(tc.file, sbomMustRead(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Source = tc.file
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Read (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadGoMod(t *testing.T) {
	files := sbomFiles(t)
	mod, err := sbomReader(t, "go.mod").Read("go.mod", sbomMustRead(t, files["go.mod"][0]))
	if err != nil {
		t.Fatal(err)
	}
	if mod.Name != sbomAzidentPath || len(mod.Components) != 21 {
		t.Errorf("go.mod: name %q, %d components; want %s, 21", mod.Name, len(mod.Components), sbomAzidentPath)
	}
	sum, err := sbomReader(t, "go.sum").Read("go.sum", sbomMustRead(t, files["go.sum"][0]))
	if err != nil {
		t.Fatal(err)
	}
	for name, inv := range map[string]Inventory{"go.mod": mod, "go.sum": sum} {
		purls := map[string]bool{}
		for _, c := range inv.Components {
			purls[c.Purl] = true
			if c.Ecosystem != "Go" || !strings.HasPrefix(c.Purl, "pkg:golang/"+c.Package+"@") {
				t.Errorf("%s: component %+v", name, c)
			}
		}
		for _, want := range []string{sbomAzcorePurl, sbomMSALPurl} {
			if !purls[want] {
				t.Errorf("%s: no component %s (case lost?)", name, want)
			}
		}
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		reader, doc, want string
	}{
		{"cyclonedx-json", `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"a","purl":"pkg:npm/"}]}`, `bom.json: CycloneDX: components[0].purl: "pkg:npm/"`},
		{"cyclonedx-xml", `<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>`, "bom.json: CycloneDX: line 1"},
		{"spdx-json", `{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a"}]}`, "bom.json: SPDX: packages[0] (SPDXRef-a): name: missing"},
		{"spdx-tag-value", "SPDXVersion: SPDX-2.3\nbroken line\n", "bom.json: SPDX: line 2"},
		{"go.mod", "module m\nrequire x\n", "bom.json:2:"},
		{"go.sum", "a.example/x v1.0.0 h1:x=\nbroken\n", "bom.json:2:"},
	}
	for _, tc := range tests {
		t.Run(tc.reader, func(t *testing.T) {
			inv, err := sbomReader(t, tc.reader).Read("bom.json", []byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Read: err = %v, want one containing %q", err, tc.want)
			}
			if diff := cmp.Diff(Inventory{}, inv); diff != "" {
				t.Errorf("Read returned a half-read inventory (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadMinikubeSBOM reads a real SBOM of a Go program, whose purls name
// modules with upper-case paths.
func TestReadMinikubeSBOM(t *testing.T) {
	path := modtest.Path(t, sbomGomodMod, "examples/mod_minikube-v1.23.1.bom.json")
	inv, err := sbomReader(t, "cyclonedx-json").Read(path, sbomMustRead(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if inv.Name != "k8s.io/minikube" || inv.Version != "v1.23.1" || len(inv.Components) != 183 {
		t.Errorf("got %s %s with %d components, want k8s.io/minikube v1.23.1 with 183", inv.Name, inv.Version, len(inv.Components))
	}
	want := Component{
		Purl:      "pkg:golang/github.com/Azure/go-ansiterm@v0.0.0-20170929234023-d6e3b3328b78?goarch=arm64&goos=linux&type=module",
		Ecosystem: "Go", Package: "github.com/Azure/go-ansiterm", Version: "v0.0.0-20170929234023-d6e3b3328b78",
	}
	found := false
	for _, c := range inv.Components {
		found = found || c == want
		if c.Ecosystem != "Go" || c.Package != strings.TrimPrefix(strings.SplitN(c.Purl, "@", 2)[0], "pkg:golang/") {
			t.Errorf("component %+v: ecosystem or package does not follow its purl", c)
		}
	}
	if !found {
		t.Errorf("no component %+v", want)
	}
}

func TestFromCycloneDXPurlWithoutVersion(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[` +
		`{"type":"library","name":"azcore","version":"v1.14.0","purl":"pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore"},` +
		`{"type":"library","name":"azcore","version":"v1.14.0","purl":"pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azcore"}]}`
	got, err := sbomReader(t, "cyclonedx-json").Read("x", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Component{{Purl: sbomAzcorePurl, Ecosystem: "Go", Package: "github.com/Azure/azure-sdk-for-go/sdk/azcore", Version: "v1.14.0"}}
	if diff := cmp.Diff(want, got.Components); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzPurlComponent(f *testing.F) {
	f.Add(sbomAzcorePurl)
	f.Add("pkg:npm/%40angular/core@16.0.0")
	f.Add("pkg:deb/debian/openssl@3.0.11?distro=debian-12")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := PurlComponent(s, "v1.0.0")
		if err != nil {
			return
		}
		// A component's purl reads back as the same component.
		back, err := PurlComponent(c.Purl, "")
		if err != nil || back != c {
			t.Errorf("PurlComponent(%q) = %+v; its purl reads back as %+v, %v", s, c, back, err)
		}
	})
}

// BenchmarkReadCycloneDX reads 150 CycloneDX JSON SBOMs of about 200
// components each, the load of a product portfolio import: the real
// minikube SBOM (183 components, 206 kB) 150 times, and 150 generated
// ones of 200 components.
func BenchmarkReadCycloneDX(b *testing.B) {
	b.Run("minikube-183", func(b *testing.B) {
		path := modtest.Path(b, sbomGomodMod, "examples/mod_minikube-v1.23.1.bom.json")
		doc := sbomMustRead(b, path)
		docs := make([][]byte, 150)
		for i := range docs {
			docs[i] = doc
		}
		sbomBenchRead(b, docs, 183)
	})
	b.Run("synthetic-200", func(b *testing.B) {
		docs := make([][]byte, 150)
		for i := range docs {
			docs[i] = sbomSynthetic(i, 200)
		}
		sbomBenchRead(b, docs, 200)
	})
}

// sbomBenchRead reads every doc per iteration, each to n components.
func sbomBenchRead(b *testing.B, docs [][]byte, n int) {
	read := sbomReader(b, "cyclonedx-json").Read
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for i, d := range docs {
			inv, err := read("bom.json", d)
			if err != nil || len(inv.Components) != n {
				b.Fatalf("doc %d: %d components, %v", i, len(inv.Components), err)
			}
		}
	}
}

// sbomSynthetic writes a CycloneDX 1.6 JSON BOM of n components in the
// shape tools write: purl, supplier, hashes, licences, a nested level.
func sbomSynthetic(seed, n int) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, `{"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:%08d-0000-4000-8000-000000000000","version":1,`, seed)
	fmt.Fprintf(&sb, `"metadata":{"timestamp":"2026-01-01T00:00:00Z","tools":{"components":[{"type":"application","name":"gen","version":"1"}]},"component":{"type":"application","bom-ref":"root","name":"product-%d","version":"1.%d.0"}},"components":[`, seed, seed)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"type":"library","bom-ref":"c%d","supplier":{"name":"Vendor %d"},"group":"github.com/Org%d","name":"mod%d","version":"v1.%d.%d",`+
			`"purl":"pkg:golang/github.com/Org%d/mod%d@v1.%d.%d","hashes":[{"alg":"SHA-256","content":"%064d"}],`+
			`"licenses":[{"license":{"id":"Apache-2.0"}}],"properties":[{"name":"language","value":"go"}]}`,
			i, i%17, i%31, i, seed, i, i%31, i, seed, i, i)
	}
	sb.WriteString(`],"dependencies":[{"ref":"root","dependsOn":["c0","c1"]}]}`)
	return []byte(sb.String())
}

// sbomMustRead returns a file's contents, skipping the test (failing it in
// CI) when it cannot be read.
func sbomMustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		modtest.Unavailable(t, err.Error())
	}
	return b
}
