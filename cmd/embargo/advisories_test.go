package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/modtest"
)

// TestAdvisoriesImport imports the vulndb records into a local instance
// with progress, and refuses a malformed file, storing nothing from it.
func TestAdvisoriesImport(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)
	m := modtest.Download(t, modtest.VulnDB, true)
	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(broken, []byte(`{"id":"GO-1","modified":"yesterday"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	osvDir := filepath.Join(m.Dir, "data", "osv")
	if _, err := runCLI(t, "advisories", "import", "--data", data, osvDir, broken); err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Fatalf("import with a malformed file: err = %v, want one naming it", err)
	}
	out, err := runCLI(t, "advisories", "import", "--data", data, "--progress", osvDir)
	if err != nil || !strings.Contains(out, "imported 4789 advisories") {
		t.Fatalf("import = %q, %v", out, err)
	}
}
