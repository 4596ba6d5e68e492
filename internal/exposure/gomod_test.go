package exposure

import (
	"testing"

	"github.com/embargohq/embargo/internal/modtest"
)

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
