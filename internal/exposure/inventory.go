package exposure

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// An inventory reader turns one kind of file (a CycloneDX or SPDX SBOM, a
// go.mod) into an Inventory. Readers register themselves, usually from the
// init function of their format package, much as database/sql drivers and
// image decoders do; ReadInventory then picks one by the file's content.
// This registry is the package's only mutable global, and it only grows.
var readers struct {
	sync.RWMutex
	list []inventoryReader
}

type inventoryReader struct {
	name  string
	sniff func([]byte) bool
	read  func(path string, b []byte) (Inventory, error)
}

// RegisterInventoryReader makes a reader of one format available to
// ReadInventory. name names the format in messages ("cyclonedx", "spdx",
// "gomod"); sniff reports, from a file's content alone, whether the file
// is in that format (it must be cheap and must not accept another
// registered format); read parses the file at path, whose content is b.
// Readers are tried in registration order. It panics when name is already
// registered or a function is nil, as these are programming errors.
func RegisterInventoryReader(name string, sniff func([]byte) bool, read func(path string, b []byte) (Inventory, error)) {
	if name == "" || sniff == nil || read == nil {
		panic("exposure: RegisterInventoryReader: empty name or nil function")
	}
	readers.Lock()
	defer readers.Unlock()
	for _, r := range readers.list {
		if r.name == name {
			panic("exposure: RegisterInventoryReader: " + name + " registered twice")
		}
	}
	readers.list = append(readers.list, inventoryReader{name, sniff, read})
}

// InventoryFormats returns the names of the registered readers, in the
// order they are tried.
func InventoryFormats() []string {
	readers.RLock()
	defer readers.RUnlock()
	names := make([]string, len(readers.list))
	for i, r := range readers.list {
		names[i] = r.name
	}
	return names
}

// ErrUnknownFormat is returned, wrapped, by ReadInventory for a file no
// registered reader recognises.
var ErrUnknownFormat = errors.New("not an inventory this program can read")

// ReadInventory reads the inventory in the file at path with the first
// registered reader that recognises its content. The inventory's Source is
// path unless the reader set it. It returns an error when the file cannot
// be read, when no reader recognises it (naming the formats tried), or
// the reader's error, prefixed with the format's name. A file no reader
// recognises gives an error wrapping ErrUnknownFormat.
func ReadInventory(path string) (Inventory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Inventory{}, err
	}
	readers.RLock()
	list := readers.list
	readers.RUnlock()
	for _, r := range list {
		if !r.sniff(b) {
			continue
		}
		inv, err := r.read(path, b)
		if err != nil {
			return Inventory{}, fmt.Errorf("%s: %s: %w", path, r.name, err)
		}
		if inv.Source == "" {
			inv.Source = path
		}
		return inv, nil
	}
	return Inventory{}, fmt.Errorf("%s: %w (formats: %s)", path, ErrUnknownFormat, strings.Join(InventoryFormats(), ", "))
}
