package exposure

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// The largest uploads the imports take, on every surface.
const (
	// MaxAdvisoryBytes is the largest advisory upload (one record, or a
	// zip of OSV records): the whole Go vulnerability database zipped is
	// under 10 MiB.
	MaxAdvisoryBytes = 64 << 20
	// MaxAssetBytes is the largest asset CSV or SBOM.
	MaxAssetBytes = 16 << 20
	// MaxVEXBytes is the largest VEX document.
	MaxVEXBytes = 16 << 20
)

// InventoryFormats returns the names of the inventory formats, in the
// order ReadInventory tries them.
func InventoryFormats() []string {
	var names []string
	for _, r := range InventoryReaders() {
		names = append(names, r.Name)
	}
	return names
}

// ErrUnknownFormat is returned, wrapped, by ReadInventory for a file no
// registered reader recognises.
var ErrUnknownFormat = errors.New("not an inventory this program can read")

// ReadInventory reads the inventory in the file at path with the first
// of InventoryReaders that recognises its content. The inventory's Source is
// path unless the reader set it. It returns an error when the file cannot
// be read, when no reader recognises it (naming the formats tried), or
// the reader's error, prefixed with the format's name. A file no reader
// recognises gives an error wrapping ErrUnknownFormat.
func ReadInventory(path string) (Inventory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Inventory{}, err
	}
	for _, r := range InventoryReaders() {
		if !r.Sniff(b) {
			continue
		}
		inv, err := r.Read(path, b)
		if err != nil {
			return Inventory{}, fmt.Errorf("%s: %s: %w", path, r.Name, err)
		}
		if inv.Source == "" {
			inv.Source = path
		}
		return inv, nil
	}
	return Inventory{}, fmt.Errorf("%s: %w (formats: %s)", path, ErrUnknownFormat, strings.Join(InventoryFormats(), ", "))
}
