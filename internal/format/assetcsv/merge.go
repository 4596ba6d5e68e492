package assetcsv

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
)

// merger gathers rows into one inventory per asset.
type merger struct {
	path  string
	order []string // assets in order of first appearance
	invs  map[string]*exposure.Inventory
	hosts map[string]hostAt
	seen  map[string]map[exposure.Component]bool
}

// hostAt is an asset's host and the line that named it.
type hostAt struct {
	host string
	line int
}

func newMerger(path string) *merger {
	return &merger{
		path: path, invs: map[string]*exposure.Inventory{},
		hosts: map[string]hostAt{}, seen: map[string]map[exposure.Component]bool{},
	}
}

// add adds the component of one row, read at line.
func (m *merger) add(line int, f map[string]string) error {
	asset := f["asset"]
	if asset == "" {
		return fmt.Errorf("line %d, column asset: empty", line)
	}
	if err := m.host(line, asset, f["host"]); err != nil {
		return err
	}
	c, err := component(f)
	if err != nil {
		return fmt.Errorf("line %d, %w", line, err)
	}
	inv := m.invs[asset]
	if inv == nil {
		inv = &exposure.Inventory{Source: m.path, Name: asset}
		m.invs[asset], m.seen[asset] = inv, map[exposure.Component]bool{}
		m.order = append(m.order, asset)
	}
	if !m.seen[asset][c] {
		m.seen[asset][c] = true
		inv.Components = append(inv.Components, c)
	}
	return nil
}

// host checks that an asset is on one host only, and records it.
func (m *merger) host(line int, asset, host string) error {
	have, ok := m.hosts[asset]
	switch {
	case !ok || have.host == "":
		if host != "" || !ok {
			m.hosts[asset] = hostAt{host, line}
		}
	case host != "" && host != have.host:
		return fmt.Errorf("line %d, column host: asset %q is on host %q (line %d), not %q", line, asset, have.host, have.line, host)
	}
	return nil
}

// inventories returns the merged inventories.
func (m *merger) inventories() []exposure.Inventory {
	out := make([]exposure.Inventory, 0, len(m.order))
	for _, asset := range m.order {
		inv := *m.invs[asset]
		if h := m.hosts[asset].host; h != "" {
			inv.Source = fmt.Sprintf("%s (host %s)", m.path, h)
		}
		out = append(out, inv)
	}
	return out
}

// component builds the component of one row; errors start with the
// column at fault.
func component(f map[string]string) (exposure.Component, error) {
	purl, version := f["purl"], f["version"]
	if purl == "" {
		var err error
		if purl, err = buildPurl(f["ecosystem"], f["component"], version); err != nil {
			return exposure.Component{}, err
		}
	}
	c, err := exposure.PurlComponent(purl, version)
	switch {
	case err != nil:
		return exposure.Component{}, fmt.Errorf("column purl: %w", err)
	case c.Version == "":
		return exposure.Component{}, fmt.Errorf("column version: empty, and the purl has none")
	case version != "" && version != c.Version:
		return exposure.Component{}, fmt.Errorf("column version: %q, but the purl says %q", version, c.Version)
	}
	return c, nil
}

// purlTypes maps the OSV ecosystems a row may name to purl types.
var purlTypes = map[string]string{
	"Go": "golang", "npm": "npm", "PyPI": "pypi", "Maven": "maven",
	"crates.io": "cargo", "RubyGems": "gem", "NuGet": "nuget", "Packagist": "composer",
}

// buildPurl builds the purl of a row without one.
func buildPurl(ecosystem, name, version string) (string, error) {
	typ, ok := purlTypes[ecosystem]
	switch {
	case ecosystem == "":
		return "", fmt.Errorf("column purl: empty, and no ecosystem to build one from")
	case !ok:
		return "", fmt.Errorf("column ecosystem: %q is not one of Go, npm, PyPI, Maven, crates.io, RubyGems, NuGet, Packagist (give a purl)", ecosystem)
	case name == "":
		return "", fmt.Errorf("column component: empty")
	case version == "":
		return "", fmt.Errorf("column version: empty")
	}
	if typ == "golang" {
		return exposure.GoComponent(name, version).Purl, nil
	}
	var ns string
	switch typ {
	case "maven":
		g, a, ok := strings.Cut(name, ":")
		if !ok || g == "" || a == "" {
			return "", fmt.Errorf("column component: Maven component %q: want group:artifact", name)
		}
		ns, name = g, a
	case "npm", "composer":
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			ns, name = name[:i], name[i+1:]
		}
	}
	return packageurl.NewPackageURL(typ, ns, name, version, nil, "").ToString(), nil
}

// ReadUpload reads an asset import as the API and the web UI take it,
// source naming it in errors: an asset CSV (csv true), or one SBOM of any format exposure reads, sniffed
// by content, describing one asset (name, when not empty, overrides the
// name the SBOM gives). Errors are errs.Invalid with the code
// "asset.format".
func ReadUpload(source string, b []byte, csv bool, name string) ([]exposure.Inventory, error) {
	if csv {
		invs, err := Read(source, bytes.NewReader(b))
		if err != nil {
			return nil, errs.Coded(errs.Invalid, "asset.format", "%v", err)
		}
		return invs, nil
	}
	for _, rd := range exposure.InventoryReaders() {
		if !rd.Sniff(b) {
			continue
		}
		inv, err := rd.Read(source, b)
		if err != nil {
			return nil, errs.Coded(errs.Invalid, "asset.format", "%s: %v", rd.Name, err)
		}
		if name != "" {
			inv.Name = name
		}
		return []exposure.Inventory{inv}, nil
	}
	return nil, errs.Coded(errs.Invalid, "asset.format", "send an asset CSV as text/csv, or a CycloneDX or SPDX SBOM")
}
