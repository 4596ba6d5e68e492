package product

import (
	"cmp"
	"strconv"
	"strings"
)

// VersionNumber is a catalogue version string read as dotted numbers with
// an optional pre-release: "2", "2.1", "2.1.4", "2.1.4.7", "3.0.0-rc.1".
// Build metadata after "+" is kept in the text but ignored for ordering.
// Missing trailing numbers count as zero, so "2.1" and "2.1.0" are equal.
type VersionNumber struct {
	Parts      []uint64
	Prerelease []string // dot-separated identifiers after "-"; nil for a release
}

// maxParts bounds the dotted numbers of a version; catalogue versions have
// three or four.
const maxParts = 8

// ParseVersion reads s as a VersionNumber; ok is false when s is not of
// that form (such a version can still be catalogued, and a range selects
// it only by an exact "=" term).
func ParseVersion(s string) (v VersionNumber, ok bool) {
	s, _, _ = strings.Cut(s, "+")
	s, pre, hasPre := strings.Cut(s, "-")
	fields := strings.Split(s, ".")
	if len(fields) > maxParts {
		return VersionNumber{}, false
	}
	for _, f := range fields {
		n, ok := number(f)
		if !ok {
			return VersionNumber{}, false
		}
		v.Parts = append(v.Parts, n)
	}
	if hasPre {
		v.Prerelease = strings.Split(pre, ".")
		for _, id := range v.Prerelease {
			if !identifier(id) {
				return VersionNumber{}, false
			}
		}
	}
	return v, true
}

// number reads a run of ASCII digits (at most 18, so it fits any uint64).
func number(s string) (uint64, bool) {
	if s == "" || len(s) > 18 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// identifier reports whether s is a pre-release identifier: ASCII letters,
// digits and hyphens, at least one.
func identifier(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	return true
}

// Compare returns -1, 0 or +1 as v orders before, equal to or after w:
// numbers first, part by part; then a pre-release before the release of
// the same numbers; then pre-release identifiers in order (numeric ones
// numerically and before alphanumeric ones, which compare as text; a
// shorter list first when one is a prefix of the other), as in SemVer 2.0.0.
func (v VersionNumber) Compare(w VersionNumber) int {
	for i := range max(len(v.Parts), len(w.Parts)) {
		if c := cmp.Compare(part(v.Parts, i), part(w.Parts, i)); c != 0 {
			return c
		}
	}
	switch {
	case v.Prerelease == nil && w.Prerelease == nil:
		return 0
	case v.Prerelease == nil:
		return 1
	case w.Prerelease == nil:
		return -1
	}
	for i := range min(len(v.Prerelease), len(w.Prerelease)) {
		if c := compareIdentifiers(v.Prerelease[i], w.Prerelease[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(v.Prerelease), len(w.Prerelease))
}

func part(p []uint64, i int) uint64 {
	if i < len(p) {
		return p[i]
	}
	return 0
}

func compareIdentifiers(a, b string) int {
	na, aNum := number(a)
	nb, bNum := number(b)
	switch {
	case aNum && bNum:
		return cmp.Compare(na, nb)
	case aNum:
		return -1
	case bNum:
		return 1
	}
	return strings.Compare(a, b)
}

// CompareVersions orders two catalogue version strings totally: versions
// that parse (ParseVersion) by Compare, ties broken by their text; those
// come before versions that do not parse, which order as text. Catalogue
// trees list versions in this order.
func CompareVersions(a, b string) int {
	va, okA := ParseVersion(a)
	vb, okB := ParseVersion(b)
	switch {
	case okA && okB:
		if c := va.Compare(vb); c != 0 {
			return c
		}
	case okA:
		return -1
	case okB:
		return 1
	}
	return strings.Compare(a, b)
}
