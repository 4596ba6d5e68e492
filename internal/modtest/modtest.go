// Package modtest gives tests the files of real Go modules from the module
// cache (downloading them through the module proxy if need be): the OSV
// records of golang.org/x/vulndb, osv-scalibr's version-comparison vectors,
// the go.mod files of real projects.
//
// Where a module cannot be had (no network, no cache), the test is skipped
// with a message saying so, except in CI (CI=true), which must have it and
// fails instead.
package modtest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// VulnDB is the version of golang.org/x/vulndb whose records the tests
// read: 4,789 OSV records in data/osv.
const VulnDB = "golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018"

// Scalibr is the osv-scalibr version go.mod requires; its semantic/testdata
// holds the per-ecosystem version-comparison vectors.
const Scalibr = "github.com/google/osv-scalibr@v0.5.3"

// Module is what `go mod download -json` says of one module version.
type Module struct {
	Path, Version string
	// Dir is the extracted module; GoMod its go.mod file.
	Dir, GoMod string
	Error      string
}

// Download returns the module at path@version ("golang.org/x/net@v0.1.0"),
// downloading it if need be. Without dir, only the go.mod is fetched. It
// skips the test when the module cannot be had, or fails it in CI.
func Download(tb testing.TB, pathAtVersion string, dir bool) Module {
	tb.Helper()
	m, err := download(pathAtVersion, dir)
	if err != nil {
		Unavailable(tb, pathAtVersion+": "+err.Error())
	}
	return m
}

// Unavailable skips the test for want of data, or fails it in CI.
func Unavailable(tb testing.TB, what string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("test data missing in CI: %s", what)
	}
	tb.Skipf("test data absent (%s); CI runs this test", what)
}

func download(pathAtVersion string, dir bool) (Module, error) {
	// `go list -m` fetches the go.mod alone; `go mod download` the zip.
	cmd := exec.Command("go", "list", "-m", "-json", pathAtVersion)
	if dir {
		cmd = exec.Command("go", "mod", "download", "-json", pathAtVersion)
	}
	var m Module
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	runErr := cmd.Run()
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		return m, &downloadError{stderr.String() + runErr.Error()}
	}
	if m.Error != "" {
		return m, &downloadError{m.Error}
	}
	if runErr != nil {
		return m, &downloadError{stderr.String()}
	}
	return m, nil
}

type downloadError struct{ msg string }

func (e *downloadError) Error() string { return e.msg }

// ReadFile returns the file at rel inside the module at path@version.
func ReadFile(tb testing.TB, pathAtVersion, rel string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, pathAtVersion, rel))
	if err != nil {
		Unavailable(tb, pathAtVersion+": "+err.Error())
	}
	return b
}

// Path returns the path of rel inside the module at path@version.
func Path(tb testing.TB, pathAtVersion, rel string) string {
	tb.Helper()
	return filepath.Join(Download(tb, pathAtVersion, true).Dir, filepath.FromSlash(rel))
}
