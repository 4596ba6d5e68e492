// Package cvss parses and scores Common Vulnerability Scoring System
// vectors of versions 2.0, 3.0, 3.1 and 4.0, as published by FIRST
// (https://www.first.org/cvss/).
//
// Versions 2 and 3 are scored by github.com/pandatix/go-cvss. Version 4.0 is
// scored here, from the specification's MacroVector table and interpolation,
// because that module rounds ties (x.x5) down where FIRST's calculator rounds
// them up. Tests check every score against Red Hat's and FIRST's published
// vectors (../shared/conformance/cvss).
package cvss

import (
	"strings"
)

// Version is a CVSS version as written in vector prefixes: "3.1".
type Version string

// The supported versions.
const (
	V2  Version = "2.0"
	V30 Version = "3.0"
	V31 Version = "3.1"
	V40 Version = "4.0"
)

// String returns the version's conventional label, "CVSS:3.1"; v2 vectors
// have no prefix, but the label "CVSS:2.0" is clear.
func (v Version) String() string { return "CVSS:" + string(v) }

// Vector is a parsed, valid CVSS vector. The zero Vector is not valid; get
// one from Parse. Vectors are comparable: two are equal when they have the
// same version and the same metrics with the same values, in whatever order
// those were written.
type Vector struct {
	spec *spec
	vals [maxMetrics]uint8 // 0: metric absent; else 1 + index into metric.values
}

// Version returns the vector's CVSS version, or "" for the zero Vector.
func (v Vector) Version() Version {
	if v.spec == nil {
		return ""
	}
	return v.spec.version
}

// String returns the vector in the specification's metric order, with the
// version prefix (none for v2) and exactly the metrics it was parsed with.
// Parse(v.String()) returns v.
func (v Vector) String() string {
	if v.spec == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(v.spec.prefix)
	sep := ""
	for i, m := range v.spec.metrics {
		if val := v.value(i); val != "" {
			b.WriteString(sep + m.abbr + ":" + val)
			sep = "/"
		}
	}
	return b.String()
}

// Get returns the value the vector gives metric abbr ("AV", "MSI"), or ""
// when the vector does not mention it or its version has no such metric.
func (v Vector) Get(abbr string) string {
	if v.spec == nil {
		return ""
	}
	i := v.spec.index(abbr)
	if i < 0 {
		return ""
	}
	return v.value(i)
}

// value returns the value of the i'th metric of v's version, or "".
func (v Vector) value(i int) string {
	if n := v.vals[i]; n > 0 {
		return v.spec.metrics[i].values[n-1]
	}
	return ""
}

// has reports whether v defines any metric of group g, that is, gives one a
// value other than Not Defined.
func (v Vector) has(g group) bool {
	for i, m := range v.spec.metrics {
		if m.group == g && v.vals[i] > 0 && v.value(i) != v.spec.unset {
			return true
		}
	}
	return false
}

// without returns v with the metrics of the groups gs removed.
func (v Vector) without(gs ...group) Vector {
	for i, m := range v.spec.metrics {
		for _, g := range gs {
			if m.group == g {
				v.vals[i] = 0
			}
		}
	}
	return v
}
