package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProductsCommands imports a catalogue from CSV, exports it as JSON
// and CSV, and refuses a broken file with the line that is wrong, storing
// nothing from it.
func TestProductsCommands(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)
	csv, err := os.ReadFile("../../internal/product/testdata/catalogue.csv")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, csv, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "products", "import", "--data", data, in)
	if err != nil || !strings.Contains(out, "products created") {
		t.Fatalf("import = %q, %v", out, err)
	}
	exported := filepath.Join(dir, "out.csv")
	if _, err := runCLI(t, "products", "export", "--data", data, "--out", exported); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(exported)
	if string(got) != string(csv) {
		t.Errorf("CSV export differs from the import:\n%s\nwant:\n%s", got, csv)
	}
	js, err := runCLI(t, "products", "export", "--data", data, "--format", "json")
	if err != nil || !strings.Contains(js, `"format": "embargo.products.v1"`) && !strings.Contains(js, `"format":"embargo.products.v1"`) {
		t.Errorf("JSON export = %.200q, %v", js, err)
	}
	broken := filepath.Join(dir, "broken.csv")
	lines := strings.SplitN(string(csv), "\n", 3)
	if err := os.WriteFile(broken, []byte(lines[0]+"\n"+lines[1]+"\n,,,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "products", "import", "--data", data, "--replace", broken); err == nil || !strings.Contains(err.Error(), "broken.csv") {
		t.Errorf("broken import: %v", err)
	}
	again, _ := runCLI(t, "products", "export", "--data", data, "--format", "csv")
	if again != string(csv) {
		t.Error("a refused import changed the catalogue")
	}
}
