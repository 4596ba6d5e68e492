// Package exposure knows which products and assets an advisory hits (RMSV
// Art. 7(1), 8; CN-07-1, CN-08-2): advisories from OSV, CVE JSON 5 and
// CSAF feeds, inventories from SBOMs and go.mod files, and an in-memory
// index that matches one against the other both ways.
//
// The model is OSV's, the richest of the three advisory formats: every
// source is converted to it (the format packages under internal/format
// parse; the conversions live here), so that matching has one set of
// rules. Inventories are lists of components named by package URL.
package exposure

import "time"

// Advisory is one vulnerability record from a feed, in OSV's terms.
type Advisory struct {
	// ID is the record's own identifier (GO-2024-2687, CVE-2024-1234,
	// GHSA-…, a CSAF document's tracking ID plus CVE).
	ID string
	// Aliases are its other identifiers; records that share one are the
	// same vulnerability and are counted once.
	Aliases []string
	// Source names the format it came from: "osv", "cve5", "csaf".
	Source    string
	Summary   string
	Published time.Time
	Modified  time.Time
	// Withdrawn is set when the record was withdrawn: it matches nothing.
	Withdrawn time.Time
	Affected  []Affected
}

// Affected is one package an advisory affects, with the versions.
type Affected struct {
	// Ecosystem is OSV's ecosystem name: "Go", "npm", "PyPI", "Maven",
	// "crates.io", "Debian:12", …
	Ecosystem string
	// Package is the ecosystem's own name, as written (a Go module path
	// keeps its case: github.com/Azure/… is not github.com/azure/…).
	Package string
	// Purl is the package URL without version, when the source gave one.
	Purl string
	// Ranges are OSV ranges; Versions an explicit list of affected
	// versions. A version is affected when any range or the list says so.
	Ranges   []Range
	Versions []string
}

// Range is one OSV range: events over a version order.
type Range struct {
	// Type is "SEMVER", "ECOSYSTEM" or "GIT" (GIT ranges cannot be
	// evaluated against released versions and are reported as such).
	Type   string
	Events []Event
}

// Event is one OSV range event; exactly one field is set.
type Event struct {
	Introduced   string
	Fixed        string
	LastAffected string
	Limit        string
}

// Component is one component of an inventory.
type Component struct {
	// Purl is the package URL with version (pkg:golang/github.com/…@v1.2.3).
	Purl      string
	Ecosystem string // OSV ecosystem, derived from the purl type
	Package   string // the ecosystem's own name, as written
	Version   string // as written in the inventory
	// Supplier names who provides the component, when the inventory says.
	Supplier string
}

// Inventory is what one product version or asset is made of.
type Inventory struct {
	// Source names where it came from: a file path, "product:7", "asset:3".
	Source     string
	Name       string // the product or asset
	Version    string // the product version, if any
	Components []Component
}
