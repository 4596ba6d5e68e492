package exposure

// Inventories from SBOMs and Go module files: converters from the types of
// the format packages (internal/format/{cyclonedx,spdx,gomod}) to
// Inventory, and the list of readers that the inventory registry of the
// matching core takes in.

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/embargohq/embargo/internal/format/cyclonedx"
	"github.com/embargohq/embargo/internal/format/gomod"
	"github.com/embargohq/embargo/internal/format/spdx"
)

// InventoryReader reads one inventory format. ReadInventory gives a file
// to the first of InventoryReaders whose Sniff accepts it.
type InventoryReader struct {
	// Name names the format: "cyclonedx-json", "go.sum", …
	Name string
	// Sniff reports whether b looks like this format. The sniffs of
	// InventoryReaders accept disjoint sets of well-formed files.
	Sniff func(b []byte) bool
	// Read parses b, read from path (named in errors and used as the
	// inventory's Source). It returns an error naming the file and the
	// line or field of the first problem, and an empty Inventory, when b
	// is malformed.
	Read func(path string, b []byte) (Inventory, error)
}

// InventoryReaders returns the readers of CycloneDX (JSON, XML), SPDX
// (JSON, tag-value), go.mod and go.sum files.
func InventoryReaders() []InventoryReader {
	return []InventoryReader{
		{Name: "cyclonedx-json", Sniff: sniffCycloneDXJSON, Read: readCycloneDX},
		{Name: "cyclonedx-xml", Sniff: sniffCycloneDXXML, Read: readCycloneDX},
		{Name: "spdx-json", Sniff: sniffSPDXJSON, Read: readSPDX},
		{Name: "spdx-tag-value", Sniff: sniffSPDXTagValue, Read: readSPDX},
		{Name: "go.mod", Sniff: sniffGoMod, Read: readGoMod},
		{Name: "go.sum", Sniff: sniffGoSum, Read: readGoSum},
	}
}

var (
	sbomCycloneDXJSON = regexp.MustCompile(`"bomFormat"\s*:\s*"CycloneDX"`)
	sbomSPDXJSON      = regexp.MustCompile(`"spdxVersion"\s*:\s*"SPDX-`)
	sbomSPDXTagValue  = regexp.MustCompile(`(?m)^[ \t]*SPDXVersion:[ \t]*SPDX-`)
	sbomGoSumLine     = regexp.MustCompile(`^\S+ v\S+ [a-z0-9]+:\S*$`)
)

// sniffCycloneDXJSON: a JSON object with bomFormat CycloneDX (a required
// field) and no spdxVersion.
func sniffCycloneDXJSON(b []byte) bool {
	return sbomFirst(b) == '{' && sbomCycloneDXJSON.Match(b) && !sbomSPDXJSON.Match(b)
}

// sniffSPDXJSON: a JSON object with an SPDX spdxVersion and no bomFormat.
func sniffSPDXJSON(b []byte) bool {
	return sbomFirst(b) == '{' && sbomSPDXJSON.Match(b) && !sbomCycloneDXJSON.Match(b)
}

// sniffCycloneDXXML: XML in a CycloneDX namespace.
func sniffCycloneDXXML(b []byte) bool {
	return sbomFirst(b) == '<' && bytes.Contains(b, []byte("http://cyclonedx.org/schema/bom/"))
}

// sniffSPDXTagValue: not JSON or XML, with an SPDXVersion tag line.
func sniffSPDXTagValue(b []byte) bool {
	c := sbomFirst(b)
	return c != '{' && c != '<' && sbomSPDXTagValue.Match(b)
}

// sniffGoMod: the first line that is neither blank nor a comment is a
// module directive.
func sniffGoMod(b []byte) bool {
	line := sbomFirstLine(b)
	return strings.HasPrefix(line, "module ") || strings.HasPrefix(line, "module\t")
}

// sniffGoSum: the first line is "path version hash".
func sniffGoSum(b []byte) bool {
	return sbomGoSumLine.MatchString(sbomFirstLine(b))
}

func readCycloneDX(path string, b []byte) (Inventory, error) {
	bom, err := cyclonedx.Decode(b)
	if err != nil {
		return Inventory{}, fmt.Errorf("%s: CycloneDX: %w", path, err)
	}
	return FromCycloneDX(path, bom)
}

func readSPDX(path string, b []byte) (Inventory, error) {
	doc, err := spdx.Decode(b)
	if err != nil {
		return Inventory{}, fmt.Errorf("%s: SPDX: %w", path, err)
	}
	return FromSPDX(path, doc)
}

func readGoMod(path string, b []byte) (Inventory, error) {
	f, err := gomod.ParseMod(path, b)
	if err != nil {
		return Inventory{}, err
	}
	return FromGoMod(path, f), nil
}

func readGoSum(path string, b []byte) (Inventory, error) {
	mods, err := gomod.ParseSum(path, b)
	if err != nil {
		return Inventory{}, err
	}
	return FromGoSum(path, mods), nil
}

// FromCycloneDX converts a CycloneDX BOM read from source: the metadata
// component is the product, every other component (nested ones included)
// a component, each distinct one once. Returns an error naming the
// component whose purl cannot be used.
func FromCycloneDX(source string, bom *cyclonedx.BOM) (Inventory, error) {
	inv := Inventory{Source: source}
	if p := bom.Product; p != nil {
		inv.Name, inv.Version = p.Name, p.Version
	}
	for _, c := range bom.Components {
		supplier := c.Supplier
		if supplier == "" {
			supplier = c.Publisher
		}
		name := c.Name
		if c.Group != "" {
			name = c.Group + "/" + c.Name
		}
		comp, err := sbomComponent(c.Purl, name, c.Version, supplier)
		if err != nil {
			return Inventory{}, fmt.Errorf("%s: %s: %w", source, c.Path, err)
		}
		inv.Components = append(inv.Components, comp)
	}
	inv.Components = sbomDedupe(inv.Components)
	return inv, nil
}

// FromSPDX converts an SPDX document read from source: the package it
// describes is the product, when it describes exactly one; every other
// package is a component, each distinct one once. Returns an error naming
// the package whose purl cannot be used.
func FromSPDX(source string, doc *spdx.Document) (Inventory, error) {
	inv := Inventory{Source: source, Name: doc.Name}
	product, ok := doc.Product()
	if ok {
		inv.Name, inv.Version = product.Name, product.Version
	}
	for _, p := range doc.Packages {
		if ok && p.ID == product.ID {
			continue
		}
		comp, err := sbomComponent(p.Purl, p.Name, p.Version, p.Supplier)
		if err != nil {
			return Inventory{}, fmt.Errorf("%s: package SPDXRef-%s: %w", source, p.ID, err)
		}
		inv.Components = append(inv.Components, comp)
	}
	inv.Components = sbomDedupe(inv.Components)
	return inv, nil
}

// FromGoMod converts a go.mod file read from source: the module is the
// product, each requirement a Go component. A module replaced by a
// directory has no version (nothing can be said of local code).
func FromGoMod(source string, f *gomod.File) Inventory {
	inv := Inventory{Source: source, Name: f.Module}
	for _, m := range f.Requires {
		inv.Components = append(inv.Components, GoComponent(m.Path, m.Version))
	}
	return inv
}

// FromGoSum converts a go.sum file read from source. It names no product,
// and lists every checksummed version, not only those the build selects.
func FromGoSum(source string, mods []gomod.Module) Inventory {
	inv := Inventory{Source: source}
	for _, m := range mods {
		inv.Components = append(inv.Components, GoComponent(m.Path, m.Version))
	}
	return inv
}

// GoComponent returns the component of a Go module version, with purl
// pkg:golang/<path as written>@<version> (the path keeps its case).
func GoComponent(path, version string) Component {
	ns, name := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		ns, name = path[:i], path[i+1:]
	}
	p := packageurl.NewPackageURL(packageurl.TypeGolang, ns, name, version, nil, "")
	return Component{Purl: p.ToString(), Ecosystem: "Go", Package: path, Version: version}
}

// sbomComponent builds a component from an SBOM entry. Without a purl it
// has only a package name and version, and no ecosystem: it is listed but
// cannot be matched. A purl without version takes the entry's version.
func sbomComponent(purl, name, version, supplier string) (Component, error) {
	if purl == "" {
		return Component{Package: name, Version: version, Supplier: supplier}, nil
	}
	c, err := PurlComponent(purl, version)
	if err != nil {
		return Component{}, err
	}
	c.Supplier = supplier
	return c, nil
}

// sbomDedupe drops the components equal to an earlier one (a BOM may list
// a component under each assembly that contains it).
func sbomDedupe(list []Component) []Component {
	seen := make(map[Component]bool, len(list))
	out := list[:0]
	for _, c := range list {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// sbomFirst returns the first byte that is not white space (or a UTF-8
// byte order mark), or 0.
func sbomFirst(b []byte) byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// sbomFirstLine returns the first line of b that is neither blank nor a
// // comment, trimmed.
func sbomFirstLine(b []byte) string {
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		s := strings.TrimSpace(string(line))
		if s != "" && !strings.HasPrefix(s, "//") {
			return s
		}
	}
	return ""
}

// PurlComponent returns the component a purl names: its OSV ecosystem and
// the package's name in that ecosystem (Go: the module path; Maven:
// group:artifact; npm: @scope/name). A purl without version takes version,
// if that is not empty. Returns an error when purl is not a valid package
// URL. An ecosystem OSV does not know is left empty.
func PurlComponent(purl, version string) (Component, error) {
	p, err := sbomParsePurl(purl)
	if err != nil {
		return Component{}, fmt.Errorf("purl %q: %w", purl, err)
	}
	if p.Version == "" {
		p.Version = version
	}
	return Component{
		Purl:      p.ToString(),
		Ecosystem: sbomEcosystem(p),
		Package:   sbomPackage(p),
		Version:   p.Version,
	}, nil
}

// sbomParsePurl parses a purl. packageurl-go lower-cases the namespace and
// name of golang purls, but Go module paths are case-sensitive
// (github.com/Azure/… is not github.com/azure/…): for those the case is
// taken back from the purl as written.
func sbomParsePurl(s string) (packageurl.PackageURL, error) {
	p, err := packageurl.FromString(s)
	if err != nil || p.Type != packageurl.TypeGolang {
		return p, err
	}
	rest := s[len("pkg:"):]
	rest = strings.TrimLeft(rest, "/")
	rest, _, _ = strings.Cut(rest, "#")
	rest, _, _ = strings.Cut(rest, "?")
	_, rest, _ = strings.Cut(rest, "/")
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[:i]
	}
	var segs []string
	for _, seg := range strings.Split(strings.Trim(rest, "/"), "/") {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			return p, err
		}
		segs = append(segs, dec)
	}
	name := segs[len(segs)-1]
	ns := strings.Join(segs[:len(segs)-1], "/")
	if strings.EqualFold(ns, p.Namespace) && strings.EqualFold(name, p.Name) {
		p.Namespace, p.Name = ns, name
	}
	return p, nil
}

// sbomEcosystems maps purl types to OSV ecosystems
// (https://ossf.github.io/osv-schema/#affectedpackage-field); deb, apk and
// rpm are handled by sbomEcosystem.
var sbomEcosystems = map[string]string{
	"golang": "Go", "npm": "npm", "pypi": "PyPI", "maven": "Maven",
	"cargo": "crates.io", "gem": "RubyGems", "nuget": "NuGet",
	"composer": "Packagist", "hex": "Hex", "pub": "Pub", "cran": "CRAN",
	"hackage": "Hackage", "swift": "SwiftURL", "conan": "ConanCenter",
	"bitnami": "Bitnami", "github": "GitHub Actions",
}

// sbomRPMVendors maps the namespace of rpm purls to OSV ecosystems.
var sbomRPMVendors = map[string]string{
	"redhat": "Red Hat", "almalinux": "AlmaLinux", "rocky-linux": "Rocky Linux",
	"rocky": "Rocky Linux", "opensuse": "openSUSE", "suse": "SUSE", "mageia": "Mageia",
}

// sbomEcosystem returns the OSV ecosystem of p, with the distribution
// release when the distro qualifier gives it ("Debian:12", "Alpine:v3.18").
func sbomEcosystem(p packageurl.PackageURL) string {
	distro := p.Qualifiers.Map()["distro"]
	switch p.Type {
	case "deb":
		switch p.Namespace {
		case "debian":
			return sbomRelease("Debian", "debian-", distro, false)
		case "ubuntu":
			return sbomRelease("Ubuntu", "ubuntu-", distro, false)
		}
		return ""
	case "apk":
		if p.Namespace == "alpine" {
			return sbomRelease("Alpine", "alpine-", distro, true)
		}
		return ""
	case "rpm":
		return sbomRPMVendors[p.Namespace]
	}
	return sbomEcosystems[p.Type]
}

// sbomRelease appends the release of a distro qualifier such as
// "debian-12" or "alpine-3.18.4" to eco; Alpine's is "v" major.minor.
func sbomRelease(eco, prefix, distro string, alpine bool) string {
	rel, ok := strings.CutPrefix(distro, prefix)
	if !ok || rel == "" {
		return eco
	}
	if alpine {
		parts := strings.SplitN(rel, ".", 3)
		if len(parts) < 2 {
			return eco
		}
		return eco + ":v" + parts[0] + "." + parts[1]
	}
	return eco + ":" + rel
}

// sbomPackage returns the package's name in its ecosystem.
func sbomPackage(p packageurl.PackageURL) string {
	switch {
	case p.Namespace == "":
		return p.Name
	case p.Type == "maven":
		return p.Namespace + ":" + p.Name
	case p.Type == "deb" || p.Type == "apk" || p.Type == "rpm" || p.Type == "alpm":
		return p.Name // the namespace is the distribution
	}
	return p.Namespace + "/" + p.Name
}
