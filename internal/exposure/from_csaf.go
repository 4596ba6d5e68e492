package exposure

import (
	"slices"
	"strconv"
	"strings"

	"github.com/embargohq/embargo/internal/format/csaf"
)

// FromCSAF converts a CSAF document: one advisory per vulnerability, named
// by its CVE (else its first other identifier), with the document's
// tracking ID and the other identifiers as aliases. The products the
// vulnerability affects become Affected entries: by their package URL
// (a purl with a version lists that version), by a vers: range from a
// product_version_range branch, or, without either, by vendor and product
// name (shown, not matched by purl). Products known not affected are left
// out (VEX).
func FromCSAF(d csaf.Document) []Advisory {
	products := d.Products()
	var out []Advisory
	for i, v := range d.Vulnerabilities {
		a := Advisory{ID: v.CVE, Source: "csaf", Summary: v.Title, Published: d.Document.Tracking.InitialReleaseDate,
			Modified: d.Document.Tracking.CurrentReleaseDate}
		for _, id := range v.IDs {
			if a.ID == "" {
				a.ID = id.Text
			} else if id.Text != a.ID {
				a.Aliases = append(a.Aliases, id.Text)
			}
		}
		if a.ID == "" {
			a.ID = d.Document.Tracking.ID + "#" + strconv.Itoa(i+1)
		} else {
			a.Aliases = append(a.Aliases, d.Document.Tracking.ID)
		}
		if a.Summary == "" {
			a.Summary = d.Document.Title
		}
		for _, id := range v.ProductStatus.Affected() {
			a.Affected = mergeAffected(a.Affected, csafAffected(products[id]))
		}
		out = append(out, a)
	}
	return out
}

// csafAffected describes one affected product.
func csafAffected(p csaf.Product) Affected {
	if eco, pkg, version, ok := splitPurl(p.PURL); ok && eco != "" {
		af := Affected{Ecosystem: eco, Package: pkg, Purl: strings.SplitN(p.PURL, "@", 2)[0]}
		switch {
		case version != "":
			af.Versions = []string{version}
		case p.Version != "":
			af.Versions = []string{p.Version}
		case p.Range != "":
			af.Ranges = versRanges(p.Range)
		default:
			af.Ranges = []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}}}}
		}
		return af
	}
	name := strings.TrimSpace(p.Vendor + " " + p.ProductName)
	if name == "" {
		name = p.Name
	}
	af := Affected{Package: name}
	switch {
	case p.Version != "":
		af.Versions = []string{p.Version}
	case p.Range != "":
		af.Ranges = versRanges(p.Range)
	}
	return af
}

// mergeAffected adds x to list, joining an entry for the same package.
func mergeAffected(list []Affected, x Affected) []Affected {
	i := slices.IndexFunc(list, func(a Affected) bool { return a.Ecosystem == x.Ecosystem && a.Package == x.Package })
	if i < 0 {
		return append(list, x)
	}
	for _, v := range x.Versions {
		if !slices.Contains(list[i].Versions, v) {
			list[i].Versions = append(list[i].Versions, v)
		}
	}
	list[i].Ranges = append(list[i].Ranges, x.Ranges...)
	return list
}

// versRanges reads a vers: range ("vers:generic/>=2.9|<=4.1",
// "vers:npm/1.2.3|>=2.0.0|<3.0.0") into OSV ranges: each lower bound opens
// a range that the next upper bound closes (fixed for <, last affected for
// <=), and a bare version is its own range. Text that is not a vers: range
// yields none (the product is shown, not matched).
func versRanges(s string) []Range {
	spec, ok := strings.CutPrefix(strings.TrimSpace(s), "vers:")
	if !ok {
		return nil
	}
	_, constraints, ok := strings.Cut(spec, "/")
	if !ok || constraints == "" {
		return nil
	}
	if constraints == "*" {
		return []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}}}}
	}
	var out []Range
	var open *Range
	for _, c := range strings.Split(constraints, "|") {
		c = strings.TrimSpace(c)
		switch {
		case strings.HasPrefix(c, ">="), strings.HasPrefix(c, ">"):
			out = append(out, Range{Type: "ECOSYSTEM", Events: []Event{{Introduced: strings.TrimLeft(c, ">=")}}})
			open = &out[len(out)-1]
		case strings.HasPrefix(c, "<="), strings.HasPrefix(c, "<"):
			if open == nil {
				out = append(out, Range{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}}})
				open = &out[len(out)-1]
			}
			if strings.HasPrefix(c, "<=") {
				open.Events = append(open.Events, Event{LastAffected: strings.TrimPrefix(c, "<=")})
			} else {
				open.Events = append(open.Events, Event{Fixed: strings.TrimPrefix(c, "<")})
			}
			open = nil
		case strings.HasPrefix(c, "!="):
		default:
			v := strings.TrimPrefix(c, "=")
			out = append(out, Range{Type: "ECOSYSTEM", Events: []Event{{Introduced: v}, {LastAffected: v}}})
		}
	}
	return out
}

// splitPurl reads a package URL into its OSV ecosystem, the ecosystem's
// package name and version (PurlComponent's reading: Go module paths keep
// their case).
func splitPurl(p string) (ecosystem, pkg, version string, ok bool) {
	c, err := PurlComponent(p, "")
	if err != nil {
		return "", "", "", false
	}
	return c.Ecosystem, c.Package, c.Version, true
}
