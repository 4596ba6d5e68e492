// Package formattest gives the tests of the format parsers real documents
// that no one here wrote: example SBOMs in the test data of the modules we
// build on, and go.mod and go.sum files of real projects, all from the Go
// module cache (filled from the module proxy when a file is missing).
//
// Where the data cannot be had, a test skips with a clear message; in CI
// (CI=true) it fails instead, since CI must have it.
package formattest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// SkipOrFail skips the test with msg, or fails it in CI.
func SkipOrFail(t testing.TB, msg string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s; CI (CI=true) must have it", msg)
	}
	t.Skipf("%s; CI runs this test", msg)
}

// Module is what `go mod download -json` says of one module version.
type Module struct {
	Path, Version string
	Dir           string // the unpacked module
	GoMod         string // the module's go.mod file in the download cache
	Error         string
}

// Download returns the module cache's copy of mod ("path@version"),
// downloading it through the module proxy if need be. It skips the test
// (fails it in CI) when the module cannot be had.
func Download(t testing.TB, mod string) Module {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		SkipOrFail(t, "no go command to fetch "+mod)
	}
	// Outside any module, so that nothing touches this repository's go.mod.
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var m Module
	jerr := json.Unmarshal(out, &m)
	if jerr == nil && err == nil && m.Error == "" {
		return m
	}
	why := m.Error
	for _, e := range []error{err, jerr} {
		if why == "" && e != nil {
			why = strings.TrimSpace(e.Error() + " " + stderr.String())
		}
	}
	SkipOrFail(t, "cannot download "+mod+" from the Go module proxy: "+why)
	return m
}

// ReadFile returns the file at rel inside mod ("path@version").
func ReadFile(t testing.TB, mod, rel string) []byte {
	t.Helper()
	m := Download(t, mod)
	b, err := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(rel)))
	if err != nil {
		SkipOrFail(t, "cannot read "+rel+" of "+mod+": "+err.Error())
	}
	return b
}

// Path returns the path of rel inside mod ("path@version").
func Path(t testing.TB, mod, rel string) string {
	t.Helper()
	return filepath.Join(Download(t, mod).Dir, filepath.FromSlash(rel))
}
