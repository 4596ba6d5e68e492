package exposure

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/embargohq/embargo/internal/modtest"
	"golang.org/x/mod/modfile"
)

// The go.mod reader of these tests: a stand-in for the real one of
// internal/format/gomod, which another change registers.
func init() {
	RegisterInventoryReader("gomod (test)", sniffGoMod, readGoMod)
}

// sniffGoMod accepts a file whose first directive is "module".
func sniffGoMod(b []byte) bool {
	for line := range bytes.Lines(b) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || bytes.HasPrefix(line, []byte("//")) {
			continue
		}
		return bytes.HasPrefix(line, []byte("module "))
	}
	return false
}

// readGoMod makes an inventory of a go.mod's requirements, paths and
// versions as written.
func readGoMod(path string, b []byte) (Inventory, error) {
	f, err := modfile.ParseLax(path, b, nil)
	if err != nil {
		return Inventory{}, err
	}
	if f.Module == nil {
		return Inventory{}, fmt.Errorf("no module directive")
	}
	inv := Inventory{Source: path, Name: f.Module.Mod.Path}
	for _, r := range f.Require {
		inv.Components = append(inv.Components, Component{
			Purl:      "pkg:golang/" + r.Mod.Path + "@" + r.Mod.Version,
			Ecosystem: "Go", Package: r.Mod.Path, Version: r.Mod.Version,
		})
	}
	return inv, nil
}

// mustGoModInventory fetches a real module's go.mod from the module proxy
// and reads it.
func mustGoModInventory(tb testing.TB, pathAtVersion string) Inventory {
	tb.Helper()
	m := modtest.Download(tb, pathAtVersion, false)
	inv, err := ReadInventory(m.GoMod)
	if err != nil {
		tb.Fatal(err)
	}
	inv.Source, inv.Version = pathAtVersion, m.Version
	return inv
}
