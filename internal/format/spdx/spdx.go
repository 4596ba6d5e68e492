// Package spdx reads SPDX 2.2 and 2.3 documents, JSON and tag-value: their
// packages with name, version, supplier and package URL, and the package
// the document describes (the product).
//
// Parsing is done by github.com/spdx/tools-golang, the SPDX project's own
// Go library, which brings every version into its 2.3 model. This package
// adds the checks it leaves out (the version, package names, purls), names
// the line or package of a problem, and returns nothing with an error.
//
// Spec: https://spdx.github.io/spdx-spec/v2.3/
package spdx

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/embargohq/embargo/internal/format/jsonpos"
	"strings"

	"github.com/package-url/packageurl-go"
	tgspdx "github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// Document is what Embargo takes from one SPDX document.
type Document struct {
	// Version is the document's spdxVersion: "SPDX-2.2" or "SPDX-2.3".
	Version string
	// Format is "json" or "tag-value".
	Format string
	// Name is the document's name.
	Name string
	// Described are the SPDX identifiers of the packages the document
	// describes (documentDescribes, DESCRIBES and DESCRIBED_BY), in order.
	Described []string
	// Packages are all packages of the document, in order.
	Packages []Package
}

// Package is one SPDX package.
type Package struct {
	// ID is the package's SPDX identifier without its "SPDXRef-" prefix.
	ID      string
	Name    string
	Version string // versionInfo
	// Supplier is the supplier's name ("Organization: " or "Person: "
	// dropped); empty when absent or NOASSERTION.
	Supplier string
	// Purl is the locator of the package's first PACKAGE-MANAGER purl
	// external reference; checked to be a valid purl.
	Purl string
}

// Product returns the one package the document describes, or false when
// it describes none or several.
func (d *Document) Product() (Package, bool) {
	if len(d.Described) != 1 {
		return Package{}, false
	}
	for _, p := range d.Packages {
		if p.ID == d.Described[0] {
			return p, true
		}
	}
	return Package{}, false
}

// Decode reads an SPDX 2.2 or 2.3 document, JSON or tag-value (told apart
// by the first non-blank byte: '{' is JSON). It returns an error naming
// the line or the package of the first problem, and no document, when the
// input is not a well-formed SPDX 2.2/2.3 document.
func Decode(b []byte) (*Document, error) {
	if jsonpos.First(b) == '{' {
		return DecodeJSON(b)
	}
	return DecodeTagValue(b)
}

// DecodeJSON reads an SPDX JSON document; see Decode.
func DecodeJSON(b []byte) (*Document, error) {
	var probe struct {
		Version string `json:"spdxVersion"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, jsonpos.Error(b, err)
	}
	if err := checkVersion(probe.Version); err != nil {
		return nil, err
	}
	doc, err := readJSON(b)
	if err != nil {
		return nil, err
	}
	return convert(doc, probe.Version, "json")
}

// checkVersion accepts the SPDX versions this package reads.
func checkVersion(v string) error {
	switch v {
	case "SPDX-2.2", "SPDX-2.3":
		return nil
	case "":
		return errors.New("spdxVersion: missing: not an SPDX document")
	}
	return fmt.Errorf("spdxVersion %q: want SPDX-2.2 or SPDX-2.3", v)
}

// convert checks a parsed document and turns it into ours.
func convert(doc *tgspdx.Document, version, format string) (*Document, error) {
	out := &Document{Version: version, Format: format, Name: doc.DocumentName}
	for i, p := range doc.Packages {
		if p == nil {
			return nil, fmt.Errorf("packages[%d]: null", i)
		}
		pkg, err := convertPackage(p)
		if err != nil {
			return nil, fmt.Errorf("packages[%d] (SPDXRef-%s): %w", i, p.PackageSPDXIdentifier, err)
		}
		out.Packages = append(out.Packages, pkg)
	}
	out.Described = described(doc, out.Packages)
	return out, nil
}

// convertPackage converts and checks one package.
func convertPackage(p *tgspdx.Package) (Package, error) {
	if p.PackageName == "" {
		return Package{}, errors.New("name: missing")
	}
	pkg := Package{ID: string(p.PackageSPDXIdentifier), Name: p.PackageName, Version: p.PackageVersion}
	if s := p.PackageSupplier; s != nil && s.Supplier != "NOASSERTION" {
		pkg.Supplier = s.Supplier
	}
	for _, r := range p.PackageExternalReferences {
		if r == nil || r.RefType != "purl" || (r.Category != "PACKAGE-MANAGER" && r.Category != "PACKAGE_MANAGER") {
			continue
		}
		if _, err := packageurl.FromString(r.Locator); err != nil {
			return Package{}, fmt.Errorf("externalRefs purl %q: %w", r.Locator, err)
		}
		if pkg.Purl == "" {
			pkg.Purl = r.Locator
		}
	}
	return pkg, nil
}

// described returns the identifiers of the packages the document
// describes, each once, in the order of its relationships.
func described(doc *tgspdx.Document, pkgs []Package) []string {
	isPkg := map[string]bool{}
	for _, p := range pkgs {
		isPkg[p.ID] = true
	}
	self := common.DocElementID{ElementRefID: doc.SPDXIdentifier}
	seen := map[string]bool{}
	var out []string
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		var id common.DocElementID
		switch {
		case r.Relationship == common.TypeRelationshipDescribe && r.RefA == self:
			id = r.RefB
		case r.Relationship == common.TypeRelationshipDescribeBy && r.RefB == self:
			id = r.RefA
		default:
			continue
		}
		name := string(id.ElementRefID)
		if id.DocumentRefID == "" && isPkg[name] && !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// trimText removes a tag-value <text>…</text> wrapper.
func trimText(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<text>")
	return strings.TrimSpace(strings.TrimSuffix(s, "</text>"))
}
