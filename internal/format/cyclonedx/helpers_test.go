package cyclonedx

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// mustRead returns the contents of a file, failing the test when it
// cannot be read.
func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exampleNames lists the valid-*.json examples of dir that have an XML
// twin, without extension.
func exampleNames(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "valid-*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in %s: %v", dir, err)
	}
	var names []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if _, err := os.Stat(filepath.Join(dir, name+".xml")); err == nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
