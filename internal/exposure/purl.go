package exposure

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"
)

// purlEcosystems maps a purl type to its OSV ecosystem, for the types whose
// ecosystem does not depend on the namespace.
var purlEcosystems = map[string]string{
	"golang":   "Go",
	"npm":      "npm",
	"pypi":     "PyPI",
	"maven":    "Maven",
	"cargo":    "crates.io",
	"gem":      "RubyGems",
	"nuget":    "NuGet",
	"composer": "Packagist",
	"hex":      "Hex",
	"pub":      "Pub",
	"hackage":  "Hackage",
	"cran":     "CRAN",
	"swift":    "SwiftURL",
	"conan":    "ConanCenter",
	"bitnami":  "Bitnami",
	"github":   "GitHub Actions",
}

// rpmEcosystems maps an rpm purl's namespace (its vendor) to OSV.
var rpmEcosystems = map[string]string{
	"redhat": "Red Hat", "rocky": "Rocky Linux", "rocky-linux": "Rocky Linux",
	"almalinux": "AlmaLinux", "opensuse": "openSUSE", "suse": "SUSE",
	"mageia": "Mageia", "openeuler": "openEuler",
}

// ParsePurl parses a package URL with its version into a Component: its
// OSV ecosystem, the ecosystem's own package name and the version as
// written. Names are built the ecosystem's way: a Go module path keeps its
// case (packageurl-go lower-cases it, which would turn
// github.com/Azure/azure-sdk-for-go into a different, non-existent
// module), npm's scope joins the name ("@scope/name"), Maven's group and
// artifact are "group:artifact", Packagist's and Swift's are
// "vendor/name". Debian, Ubuntu, Alpine and RPM ecosystems take their
// release from the distro qualifier ("Debian:12", "Alpine:v3.20").
// Returns an error for a malformed purl or a type with no OSV ecosystem.
func ParsePurl(s string) (Component, error) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return Component{}, fmt.Errorf("package URL %q: %w", s, err)
	}
	c := Component{Purl: s, Version: p.Version, Package: p.Name}
	if p.Namespace != "" {
		c.Package = p.Namespace + "/" + p.Name
	}
	switch p.Type {
	case "golang":
		c.Package, c.Version, err = goPurlPath(s)
		if err != nil {
			return Component{}, fmt.Errorf("package URL %q: %w", s, err)
		}
	case "maven":
		c.Package = p.Namespace + ":" + p.Name
	case "deb", "apk", "rpm":
		c.Package = p.Name // the namespace is the distribution
	}
	c.Ecosystem = purlEcosystem(p)
	if c.Ecosystem == "" {
		return Component{}, fmt.Errorf("package URL %q: type %q has no OSV ecosystem", s, p.Type)
	}
	return c, nil
}

// goPurlPath returns a golang purl's module path and version as written,
// percent-decoded but not lower-cased.
func goPurlPath(s string) (path, version string, err error) {
	rest := s[len("pkg:"):]
	rest = strings.TrimLeft(rest, "/")
	rest, _, _ = strings.Cut(rest, "#")
	rest, _, _ = strings.Cut(rest, "?")
	_, rest, _ = strings.Cut(rest, "/")
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest, version = rest[:i], rest[i+1:]
	}
	if path, err = url.PathUnescape(strings.Trim(rest, "/")); err != nil {
		return "", "", err
	}
	if version, err = url.PathUnescape(version); err != nil {
		return "", "", err
	}
	return path, version, nil
}

// purlEcosystem returns the OSV ecosystem of a parsed purl, or "".
func purlEcosystem(p packageurl.PackageURL) string {
	distro := p.Qualifiers.Map()["distro"]
	switch p.Type {
	case "deb":
		eco := map[string]string{"debian": "Debian", "ubuntu": "Ubuntu"}[p.Namespace]
		return withRelease(eco, distroRelease(distro, p.Namespace), "")
	case "apk":
		eco := map[string]string{"alpine": "Alpine", "wolfi": "Wolfi", "chainguard": "Chainguard"}[p.Namespace]
		if eco == "Alpine" {
			return withRelease(eco, alpineRelease(distro), "v")
		}
		return eco
	case "rpm":
		return rpmEcosystems[p.Namespace]
	}
	return purlEcosystems[p.Type]
}

func withRelease(eco, release, prefix string) string {
	if eco == "" || release == "" {
		return eco
	}
	return eco + ":" + prefix + release
}

// distroRelease returns "12" from "debian-12" or "12", and "" otherwise
// (a code name such as "bookworm" would need a table of releases).
func distroRelease(distro, vendor string) string {
	r := strings.TrimPrefix(distro, vendor+"-")
	if r != "" && strings.Trim(r, "0123456789.") == "" {
		return r
	}
	return ""
}

// alpineRelease returns "3.20" from "3.20.3", "v3.20" or "alpine-3.20".
func alpineRelease(distro string) string {
	r := strings.TrimPrefix(strings.TrimPrefix(distro, "alpine-"), "v")
	parts := strings.Split(r, ".")
	if len(parts) < 2 || strings.Trim(parts[0]+parts[1], "0123456789") != "" {
		return ""
	}
	return parts[0] + "." + parts[1]
}

// pep503 is the separator run PEP 503 folds into one hyphen.
var pep503 = regexp.MustCompile(`[-_.]+`)

// NormalizePackage returns the form of a package name under which two
// spellings of the same package are equal in their ecosystem: PyPI names
// per PEP 503 (lower case, runs of "-", "_", "." as one "-"); npm, NuGet,
// Packagist, crates.io, Hex and Pub names in lower case, as their
// registries compare them. Go module paths, Maven coordinates and RubyGems
// names are case-sensitive and returned as they are.
func NormalizePackage(ecosystem, name string) string {
	switch baseEcosystem(ecosystem) {
	case "PyPI":
		return pep503.ReplaceAllString(strings.ToLower(name), "-")
	case "npm", "NuGet", "Packagist", "crates.io", "Hex", "Pub", "Debian", "Ubuntu", "Alpine":
		return strings.ToLower(name)
	}
	return name
}
