package product

import (
	"fmt"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
)

// Range selects catalogue versions. Its syntax (docs/products.md):
//
//	range       = alternative { "||" alternative }
//	alternative = term { ( " " | "," ) term }      all terms must hold
//	term        = "*" | wildcard | [ op ] version
//	op          = ">=" | ">" | "<=" | "<" | "="   (none means "=")
//	wildcard    = number { "." number } "." ( "x" | "X" | "*" )
//
// So ">=2.0.0 <2.1.4" selects 2.0.0 up to but excluding 2.1.4, "2.x" every
// 2.* version (a release line), "1.9.7 || >=2.0 <2.0.5" two pieces. The
// ordering is VersionNumber.Compare: a pre-release orders before its
// release, so "<2.1.4" includes 2.1.4-rc.1 (which, for a vulnerability
// range, errs on the safe side). A version that does not parse as dotted
// numbers is selected only by "*" or by an "=" term with exactly its text.
type Range struct {
	src  string
	alts [][]term
}

// term is one comparison of a Range.
type term struct {
	op     string // "", ">=", ">", "<=", "<", "=", "x" (wildcard), "*"
	text   string
	v      VersionNumber
	parsed bool
}

var ops = []string{">=", "<=", ">", "<", "="}

// ParseRange reads s as a Range. Errors: errs.Invalid (code
// "product.range") naming what is wrong.
func ParseRange(s string) (Range, error) {
	r := Range{src: strings.TrimSpace(s)}
	if r.src == "" || len(r.src) > 1000 {
		return Range{}, rangeError(s, "give 1 to 1000 characters")
	}
	for alt := range strings.SplitSeq(r.src, "||") {
		terms, err := parseAlternative(alt)
		if err != nil {
			return Range{}, rangeError(s, err.Error())
		}
		r.alts = append(r.alts, terms)
	}
	return r, nil
}

func rangeError(s, why string) error {
	return errs.Coded(errs.Invalid, "product.range", "%q is not a version range: %s", s, why)
}

// parseAlternative reads the terms between two "||".
func parseAlternative(s string) ([]term, error) {
	fields := strings.Fields(strings.ReplaceAll(s, ",", " "))
	var out []term
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if isOp(f) { // ">= 2.0": the operator stands alone
			if i+1 == len(fields) {
				return nil, fmt.Errorf("%q needs a version after it", f)
			}
			i++
			f += fields[i]
		}
		t, err := parseTerm(f)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("an empty alternative (nothing between two ||)")
	}
	return out, nil
}

func isOp(s string) bool {
	for _, op := range ops {
		if s == op {
			return true
		}
	}
	return false
}

func parseTerm(s string) (term, error) {
	if s == "*" {
		return term{op: "*"}, nil
	}
	t := term{}
	for _, op := range ops {
		if rest, ok := strings.CutPrefix(s, op); ok {
			t.op, s = op, rest
			break
		}
	}
	if isOp(s[:min(len(s), 1)]) || s == "" {
		return term{}, fmt.Errorf("%q has no version after its operator", t.op+s)
	}
	if prefix, ok := wildcard(s); ok {
		if t.op != "" {
			return term{}, fmt.Errorf("a wildcard (%s) takes no operator", s)
		}
		return term{op: "x", text: s, v: VersionNumber{Parts: prefix}, parsed: true}, nil
	}
	t.text = s
	t.v, t.parsed = ParseVersion(s)
	if !t.parsed && t.op != "" && t.op != "=" {
		return term{}, fmt.Errorf("%q is not dotted numbers, so only = can compare with it", s)
	}
	return t, nil
}

// wildcard reads "2.x", "2.1.*" and returns the numbers before the star.
func wildcard(s string) ([]uint64, bool) {
	fields := strings.Split(s, ".")
	last := fields[len(fields)-1]
	if len(fields) < 2 || len(fields) > maxParts || (last != "x" && last != "X" && last != "*") {
		return nil, false
	}
	var out []uint64
	for _, f := range fields[:len(fields)-1] {
		n, ok := number(f)
		if !ok {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// String returns the range as it was written, trimmed.
func (r Range) String() string { return r.src }

// Contains reports whether r selects the catalogue version s.
func (r Range) Contains(s string) bool {
	v, ok := ParseVersion(s)
	for _, alt := range r.alts {
		if allHold(alt, s, v, ok) {
			return true
		}
	}
	return false
}

func allHold(terms []term, s string, v VersionNumber, parsed bool) bool {
	for _, t := range terms {
		if !t.holds(s, v, parsed) {
			return false
		}
	}
	return true
}

func (t term) holds(s string, v VersionNumber, parsed bool) bool {
	switch {
	case t.op == "*":
		return true
	case !parsed || !t.parsed:
		return (t.op == "" || t.op == "=") && s == t.text
	case t.op == "x":
		for i, n := range t.v.Parts {
			if part(v.Parts, i) != n {
				return false
			}
		}
		return true
	}
	c := v.Compare(t.v)
	switch t.op {
	case ">=":
		return c >= 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	case "<":
		return c < 0
	}
	return c == 0
}

// Select returns the versions r selects, in the order given.
func (r Range) Select(versions []string) []string {
	var out []string
	for _, v := range versions {
		if r.Contains(v) {
			out = append(out, v)
		}
	}
	return out
}

// InLine reports whether version belongs to the release line line: a
// line written as a wildcard ("2.x", "2.1.x") holds the versions that
// wildcard selects; any other line (a name, "LTS") holds every version.
func InLine(line, version string) bool {
	if _, ok := wildcard(line); !ok {
		return true
	}
	r, err := ParseRange(line)
	return err == nil && r.Contains(version)
}
