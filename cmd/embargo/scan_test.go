package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// osvRecord returns an OSV record for a Go module fixed at fixed.
func osvRecord(id, aliases, module, fixed, extra string) string {
	return fmt.Sprintf(`{"id": %q, "modified": "2024-01-01T00:00:00Z", "aliases": [%s], %s
  "affected": [{"package": {"ecosystem": "Go", "name": %q},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": %q}]}]}]}`, id, aliases, extra, module, fixed)
}

const scanGoMod = `module example.com/product

go 1.22

require (
	github.com/Azure/azure-sdk-for-go/sdk/azidentity v1.1.0
	golang.org/x/text v0.3.7
	golang.org/x/net v0.17.0
)
`

// mustScanFixtures writes an OSV directory and a go.mod; it returns their paths.
func mustScanFixtures(t *testing.T) (osvDir, gomod string) {
	t.Helper()
	dir := t.TempDir()
	osvDir = filepath.Join(dir, "osv")
	files := map[string]string{
		"GO-2024-2918.json":        osvRecord("GO-2024-2918", `"CVE-2024-35255"`, "github.com/Azure/azure-sdk-for-go/sdk/azidentity", "1.6.0", ""),
		"GO-2022-1059.json":        osvRecord("GO-2022-1059", `"CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"`, "golang.org/x/text", "0.3.8", ""),
		"GHSA-69ch-w2m2-3vjp.json": osvRecord("GHSA-69ch-w2m2-3vjp", `"CVE-2022-32149"`, "golang.org/x/text", "0.3.8", ""),
		"GO-2023-2102.json":        osvRecord("GO-2023-2102", `"CVE-2023-39325"`, "golang.org/x/net", "0.17.0", ""),
		"GO-2099-0001.json":        osvRecord("GO-2099-0001", ``, "golang.org/x/net", "0.99.0", `"withdrawn": "2024-02-01T00:00:00Z",`),
	}
	if err := os.MkdirAll(osvDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(osvDir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gomod = filepath.Join(dir, "go.mod")
	if err := os.WriteFile(gomod, []byte(scanGoMod), 0o644); err != nil {
		t.Fatal(err)
	}
	return osvDir, gomod
}

func TestScanJSON(t *testing.T) {
	osvDir, gomod := mustScanFixtures(t)
	out, err := runCLI(t, "scan", "--advisories", osvDir, "--sbom", gomod, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	want := map[string]any{"results": []any{map[string]any{
		"source":  gomod,
		"product": map[string]any{"name": "example.com/product", "version": ""},
		"matches": []any{
			map[string]any{
				"purl": "pkg:golang/github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.1.0", "ecosystem": "Go",
				"package": "github.com/Azure/azure-sdk-for-go/sdk/azidentity", "version": "v1.1.0",
				"advisory": "GO-2024-2918", "aliases": []any{"CVE-2024-35255"}, "fixed": []any{"1.6.0"},
			},
			// Two records of one flaw count once.
			map[string]any{
				"purl": "pkg:golang/golang.org/x/text@v0.3.7", "ecosystem": "Go",
				"package": "golang.org/x/text", "version": "v0.3.7",
				"advisory": "GHSA-69ch-w2m2-3vjp", "aliases": []any{"CVE-2022-32149", "GO-2022-1059"}, "fixed": []any{"0.3.8"},
			},
		},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("embargo scan --format json (-want +got):\n%s", diff)
	}
}

func TestScanTable(t *testing.T) {
	osvDir, gomod := mustScanFixtures(t)
	out, err := runCLI(t, "scan", "--advisories", osvDir, "--sbom", gomod)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SBOM PACKAGE VERSION ADVISORY ALIASES FIXED",
		gomod + " github.com/Azure/azure-sdk-for-go/sdk/azidentity v1.1.0 GO-2024-2918 CVE-2024-35255 1.6.0",
		gomod + " golang.org/x/text v0.3.7 GHSA-69ch-w2m2-3vjp CVE-2022-32149,GO-2022-1059 0.3.8",
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		got = append(got, strings.Join(strings.Fields(line), " "))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("embargo scan (-want +got):\n%s", diff)
	}
}

func TestScanErrors(t *testing.T) {
	osvDir, gomod := mustScanFixtures(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"id": "X"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notSBOM := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notSBOM, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
		usage   bool
	}{
		{"no sbom", []string{"scan", "--advisories", osvDir}, "embargo scan --advisories PATH...", true},
		{"bad format", []string{"scan", "--advisories", osvDir, "--sbom", gomod, "--format", "xml"}, "embargo scan --advisories PATH...", true},
		{"bad record", []string{"scan", "--advisories", bad, "--sbom", gomod}, "osv: " + bad + ": modified: missing", false},
		{"not an sbom", []string{"scan", "--advisories", osvDir, "--sbom", notSBOM}, notSBOM + ": not an inventory this program can read", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if errors.Is(err, errUsage) != tc.usage {
				t.Errorf("usage error = %v, want %v", errors.Is(err, errUsage), tc.usage)
			}
		})
	}
}

// A CVE JSON 5 record and a CSAF document are read as the server reads
// them, beside OSV.
func TestScanOtherFormats(t *testing.T) {
	_, gomod := mustScanFixtures(t)
	dir := t.TempDir()
	cve := filepath.Join(dir, "CVE-2022-32149.json")
	if err := os.WriteFile(cve, []byte(`{"dataType":"CVE_RECORD","dataVersion":"5.0","cveMetadata":{"cveId":"CVE-2022-32149"},
"containers":{"cna":{"title":"x/text DoS","affected":[{"collectionURL":"https://pkg.go.dev","packageName":"golang.org/x/text",
"product":"golang.org/x/text","defaultStatus":"unaffected","versions":[{"version":"0","lessThan":"0.3.8","status":"affected","versionType":"semver"}]}]}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	csafDoc := filepath.Join(dir, "acme-2026-1.json")
	if err := os.WriteFile(csafDoc, []byte(`{"document":{"category":"csaf_security_advisory","csaf_version":"2.0","title":"net",
"publisher":{"category":"vendor","name":"Acme","namespace":"https://acme.example"},"tracking":{"id":"ACME-2026-1","status":"final","version":"1"}},
"product_tree":{"full_product_names":[{"name":"x/net 0.17.0","product_id":"P1","product_identification_helper":{"purl":"pkg:golang/golang.org/x/net@v0.17.0"}}]},
"vulnerabilities":[{"cve":"CVE-2023-44487","product_status":{"known_affected":["P1"]}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "scan", "--advisories", cve, "--advisories", csafDoc, "--sbom", gomod, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"advisory":"CVE-2022-32149"`, `"advisory":"CVE-2023-44487"`, `"package":"golang.org/x/net"`} {
		if !strings.Contains(strings.ReplaceAll(out, " ", ""), want) {
			t.Errorf("scan output lacks %s:\n%s", want, out)
		}
	}
	if _, err := runCLI(t, "scan", "--advisories", writeBad(t, dir), "--sbom", gomod); err == nil {
		t.Error("a malformed CVE record was accepted")
	}
}

func writeBad(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(p, []byte(`{"dataType":"CVE_RECORD","dataVersion":"4.0","cveMetadata":{"cveId":"CVE-1"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
