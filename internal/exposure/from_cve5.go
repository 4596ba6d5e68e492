package exposure

import (
	"strings"

	"github.com/embargohq/embargo/internal/format/cve5"
)

// collections maps a CVE record's collectionURL (the package repository)
// to OSV's ecosystem name; a product outside them has no ecosystem and is
// shown, not matched by package URL.
var collections = map[string]string{
	"https://pkg.go.dev":                   "Go",
	"https://proxy.golang.org":             "Go",
	"https://www.npmjs.com":                "npm",
	"https://registry.npmjs.org":           "npm",
	"https://pypi.org":                     "PyPI",
	"https://pypi.python.org":              "PyPI",
	"https://repo.maven.apache.org/maven2": "Maven",
	"https://repo1.maven.org/maven2":       "Maven",
	"https://crates.io":                    "crates.io",
	"https://rubygems.org":                 "RubyGems",
	"https://www.nuget.org":                "NuGet",
	"https://packagist.org":                "Packagist",
}

// FromCVE5 converts a CVE JSON 5 record. Each affected product becomes an
// Affected entry: its "affected" version entries become ranges (from
// version up to lessThan, or through lessThanOrEqual) or single versions;
// under defaultStatus "affected", the "unaffected" entries cut the range
// instead, and a product without version entries is affected in every
// version. A rejected record is withdrawn.
func FromCVE5(r cve5.Record) Advisory {
	a := Advisory{ID: r.Metadata.ID, Source: "cve5", Summary: r.Containers.CNA.Title, Published: r.Metadata.DatePublished,
		Modified: r.Metadata.DateUpdated}
	if a.Summary == "" {
		a.Summary = r.English()
	}
	if r.Rejected() {
		a.Withdrawn = r.Metadata.DateRejected
		if a.Withdrawn.IsZero() {
			a.Withdrawn = r.Metadata.DateUpdated
		}
	}
	for _, x := range r.Containers.CNA.Affected {
		af := Affected{Ecosystem: collections[strings.TrimSuffix(x.CollectionURL, "/")], Package: x.PackageName}
		if af.Package == "" {
			af.Package = x.Product
		}
		af.Ranges, af.Versions = cveVersions(x)
		a.Affected = append(a.Affected, af)
	}
	return a
}

// cveVersions turns an affected product's version entries into OSV ranges
// and an explicit version list.
func cveVersions(x cve5.Affected) ([]Range, []string) {
	var ranges []Range
	var list []string
	kind := func(v cve5.Version) string {
		if v.VersionType == "semver" {
			return "SEMVER"
		}
		return "ECOSYSTEM"
	}
	var unaffected []cve5.Version
	for _, v := range x.Versions {
		switch {
		case v.Status == "unaffected":
			unaffected = append(unaffected, v)
		case v.Status != "affected":
		case v.LessThan != "" && v.LessThan != "*":
			ranges = append(ranges, Range{Type: kind(v), Events: []Event{{Introduced: v.Version}, {Fixed: v.LessThan}}})
		case v.LessThanOrEqual != "" && v.LessThanOrEqual != "*":
			ranges = append(ranges, Range{Type: kind(v), Events: []Event{{Introduced: v.Version}, {LastAffected: v.LessThanOrEqual}}})
		case v.LessThan == "*" || v.LessThanOrEqual == "*":
			ranges = append(ranges, Range{Type: kind(v), Events: []Event{{Introduced: v.Version}}})
		default:
			list = append(list, v.Version)
		}
	}
	if x.DefaultStatus != "affected" {
		return ranges, list
	}
	if len(x.Versions) == 0 {
		return []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}}}}, nil
	}
	// Under a default of affected, each unaffected span [version, lessThan)
	// is a hole: affected up to its start, and again from its end.
	for _, v := range unaffected {
		end := v.LessThan
		if end == "" || end == "*" {
			if v.Version != "0" {
				ranges = append(ranges, Range{Type: kind(v), Events: []Event{{Introduced: "0"}, {Fixed: v.Version}}})
			}
			continue
		}
		if v.Version != "0" {
			ranges = append(ranges, Range{Type: kind(v), Events: []Event{{Introduced: "0"}, {Fixed: v.Version}}})
		}
		ranges = append(ranges, Range{Type: kind(v), Events: []Event{{Introduced: end}}})
	}
	return ranges, list
}
