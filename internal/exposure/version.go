package exposure

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// Version order is osv-scalibr's package semantic, the comparison osv.dev
// itself uses: one implementation per ecosystem (Go, npm, PyPI, Maven,
// crates.io, RubyGems, NuGet, Packagist, Pub, Hex, Hackage, CRAN, Debian,
// Ubuntu, Alpine, Red Hat and the RPM family, …). Ranges are then
// evaluated the way the OSV specification's pseudo-code does
// (https://ossf.github.io/osv-schema/#evaluation).

// CompareVersions orders two versions of the same ecosystem: -1, 0 or +1
// as a is lower than, equal to or higher than b. It returns an error for
// an ecosystem osv-scalibr does not know, or a version the ecosystem
// cannot parse. Go versions may carry their "v" prefix or not.
func CompareVersions(ecosystem, a, b string) (int, error) {
	va, err := parseVersion(ecosystem, a)
	if err != nil {
		return 0, err
	}
	vb, err := parseVersion(ecosystem, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb)
}

// parseVersion parses a version in an ecosystem's order ("Debian:12" is
// Debian's).
func parseVersion(ecosystem, s string) (semantic.Version, error) {
	if s == "" {
		return nil, errors.New("empty version")
	}
	if baseEcosystem(ecosystem) == "Go" {
		s = trimV(s)
	}
	v, err := semantic.Parse(s, ecosystem)
	if err != nil {
		return nil, fmt.Errorf("%s version %q: %w", ecosystem, s, err)
	}
	return v, nil
}

// parseSemver parses a version in SemVer 2.0 order, for SEMVER ranges
// whatever the ecosystem.
func parseSemver(s string) (semantic.Version, error) {
	if s == "" {
		return nil, errors.New("empty version")
	}
	return semantic.ParseSemverVersion(trimV(s)), nil
}

// trimV drops Go's "v" prefix (v1.2.3), which SemVer 2.0 and OSV's Go
// records do not write.
func trimV(s string) string {
	if len(s) > 1 && s[0] == 'v' && s[1] >= '0' && s[1] <= '9' {
		return s[1:]
	}
	return s
}

// baseEcosystem drops the release from an ecosystem: "Debian:12" → "Debian".
func baseEcosystem(eco string) string {
	base, _, _ := strings.Cut(eco, ":")
	return base
}

// Verdict is what an Affected entry says of one version.
type Verdict struct {
	// Affected is set when a range includes the version or the versions
	// list names it.
	Affected bool
	// Range is the range that includes the version; nil when it is the
	// versions list that names it, or when the version is not affected.
	Range *Range
	// NotEvaluable, when set and Affected is not, says why the entry
	// could not decide: GIT ranges (commits, not released versions), a
	// version the ecosystem cannot parse, an ecosystem without a known
	// order. Such a version may or may not be affected.
	NotEvaluable string
}

// Evaluate says whether version of a's package is affected, as the OSV
// specification evaluates ranges: within one range, events are sorted by
// version and a version is affected from an introduced event up to the
// next fixed (excluded) or last_affected (included) event, and below any
// limit; several ranges and the versions list are alternatives.
func (a Affected) Evaluate(version string) Verdict {
	c := compileAffected(a)
	return c.evaluate(parseComponentVersion(a.Ecosystem, version))
}

// componentVersion is a component's version parsed once for both orders
// a range may use.
type componentVersion struct {
	raw       string
	eco, sem  semantic.Version
	ecoErr    error
	semErr    error
	trimmedGo string // raw without "v", for the versions list of Go
}

func parseComponentVersion(ecosystem, raw string) *componentVersion {
	cv := &componentVersion{raw: raw, trimmedGo: trimV(raw)}
	cv.eco, cv.ecoErr = parseVersion(ecosystem, raw)
	cv.sem, cv.semErr = parseSemver(raw)
	return cv
}

// compiled is an Affected entry with its event versions parsed and sorted,
// ready to be evaluated against many versions.
type compiled struct {
	src       *Affected
	ranges    []compiledRange
	versions  map[string]bool
	fixed     []string
	git       bool   // some range is GIT
	problem   string // why ECOSYSTEM/SEMVER ranges cannot be evaluated
	ecosystem string

	// Set by the Index.
	adv  *advEntry
	pkg  *pkgEntry
	hits []*posting // versions it affects or cannot judge
}

type compiledRange struct {
	src    *Range
	semver bool
	events []compiledEvent // sorted by version
	limits []semantic.Version
	anyLim bool // a limit of "*"
}

type compiledEvent struct {
	kind byte // 'i'ntroduced, 'f'ixed, 'l'ast_affected
	zero bool // introduced "0"
	v    semantic.Version
}

func compileAffected(a Affected) *compiled {
	c := &compiled{src: &a, ecosystem: a.Ecosystem, versions: map[string]bool{}}
	for _, v := range a.Versions {
		c.versions[v] = true
		if baseEcosystem(a.Ecosystem) == "Go" {
			c.versions[trimV(v)] = true
		}
	}
	for i := range a.Ranges {
		r := &a.Ranges[i]
		if r.Type == "GIT" {
			c.git = true
			continue
		}
		cr, err := compileRange(a.Ecosystem, r)
		if err != nil {
			c.problem = err.Error()
			continue
		}
		c.ranges = append(c.ranges, cr)
		for _, e := range r.Events {
			if e.Fixed != "" && !slices.Contains(c.fixed, e.Fixed) {
				c.fixed = append(c.fixed, e.Fixed)
			}
		}
	}
	return c
}

func compileRange(ecosystem string, r *Range) (compiledRange, error) {
	cr := compiledRange{src: r, semver: r.Type == "SEMVER"}
	parse := func(s string) (semantic.Version, error) {
		if cr.semver {
			return parseSemver(s)
		}
		return parseVersion(ecosystem, s)
	}
	for _, e := range r.Events {
		ce := compiledEvent{}
		s := e.Introduced
		switch {
		case e.Introduced != "":
			ce.kind, ce.zero = 'i', e.Introduced == "0"
		case e.Fixed != "":
			ce.kind, s = 'f', e.Fixed
		case e.LastAffected != "":
			ce.kind, s = 'l', e.LastAffected
		case e.Limit == "*":
			cr.anyLim = true
			continue
		case e.Limit != "":
			v, err := parse(e.Limit)
			if err != nil {
				return cr, err
			}
			cr.limits = append(cr.limits, v)
			continue
		default:
			continue
		}
		if !ce.zero {
			v, err := parse(s)
			if err != nil {
				return cr, err
			}
			ce.v = v
		}
		cr.events = append(cr.events, ce)
	}
	slices.SortStableFunc(cr.events, compareEvents)
	return cr, nil
}

// compareEvents orders events by version, introduced "0" first.
func compareEvents(a, b compiledEvent) int {
	switch {
	case a.zero || b.zero:
		return -cmp.Compare(btoi(a.zero), btoi(b.zero))
	}
	c, err := a.v.Compare(b.v)
	if err != nil {
		return 0
	}
	return c
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// evaluate is Evaluate on a compiled entry and a parsed version.
func (c *compiled) evaluate(v *componentVersion) Verdict {
	if c.versions[v.raw] || c.versions[v.trimmedGo] {
		return Verdict{Affected: true}
	}
	for _, r := range c.ranges {
		pv, err := v.eco, v.ecoErr
		if r.semver {
			pv, err = v.sem, v.semErr
		}
		if err != nil {
			return Verdict{NotEvaluable: err.Error()}
		}
		if r.includes(pv) {
			return Verdict{Affected: true, Range: r.src}
		}
	}
	switch {
	case c.problem != "":
		return Verdict{NotEvaluable: "the advisory's range cannot be read: " + c.problem}
	case c.git && len(c.ranges) == 0 && len(c.versions) == 0:
		return Verdict{NotEvaluable: "GIT ranges name commits, not released versions"}
	}
	return Verdict{}
}

// includes runs the OSV specification's evaluation of one range.
func (r *compiledRange) includes(v semantic.Version) bool {
	if len(r.limits) > 0 && !r.anyLim && !slices.ContainsFunc(r.limits, func(l semantic.Version) bool { return less(v, l) }) {
		return false
	}
	affected := false
	for _, e := range r.events {
		switch e.kind {
		case 'i':
			if e.zero || !less(v, e.v) {
				affected = true
			}
		case 'f':
			if !less(v, e.v) {
				affected = false
			}
		case 'l':
			if less(e.v, v) {
				affected = false
			}
		}
	}
	return affected
}

// less reports a < b; versions that cannot be compared are not less.
func less(a, b semantic.Version) bool {
	c, err := a.Compare(b)
	return err == nil && c < 0
}
