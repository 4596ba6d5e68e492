package advisory

import (
	"fmt"
	"strings"
)

// span is one piece of an affected-versions text (the scope syntax of
// docs/products.md): a single version, or a range from From (inclusive;
// "0" when open) up to LessThan (exclusive) or LessEqual (inclusive), or
// every version (All). The exporters of CVE JSON, OSV and OpenVEX write
// spans in their own terms.
type span struct {
	Exact     string
	From      string
	LessThan  string
	LessEqual string
	All       bool
}

// spans reads an affected-versions text: alternatives joined by "||",
// each a single version ("2.1.4", "=2.1.4"), a release line ("2.x"),
// every version ("*" or empty), or bounds (">=1.0 <2.0", "<=1.9"). A
// text it cannot write as such (an exclusive lower bound, two upper
// bounds) is an error naming it: an exporter must not guess a range.
func spans(text string) ([]span, error) {
	text = strings.TrimSpace(text)
	if text == "" || text == "*" {
		return []span{{All: true}}, nil
	}
	var out []span
	for alt := range strings.SplitSeq(text, "||") {
		s, err := parseSpan(alt)
		if err != nil {
			return nil, fmt.Errorf("versions %q: %w", text, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// parseSpan reads one alternative.
func parseSpan(alt string) (span, error) {
	terms := strings.FieldsFunc(alt, func(r rune) bool { return r == ' ' || r == ',' })
	var s span
	for _, t := range terms {
		var ok bool
		switch {
		case t == "*":
			s.All, ok = true, len(terms) == 1
		case strings.HasPrefix(t, ">="):
			s.From, ok = t[2:], s.From == "" && len(t) > 2
		case strings.HasPrefix(t, "<="):
			s.LessEqual, ok = t[2:], s.LessThan == "" && s.LessEqual == "" && len(t) > 2
		case strings.HasPrefix(t, "<"):
			s.LessThan, ok = t[1:], s.LessThan == "" && s.LessEqual == "" && len(t) > 1
		case strings.HasPrefix(t, ">"):
			return span{}, fmt.Errorf("%q: an exclusive lower bound cannot be exported; write >=", t)
		case strings.HasSuffix(t, ".x") || strings.HasSuffix(t, ".X") || strings.HasSuffix(t, ".*"):
			line := t[:len(t)-2]
			s.From, s.LessThan, ok = line+".0", line+".*", len(terms) == 1 && line != ""
		default:
			s.Exact, ok = strings.TrimPrefix(t, "="), len(terms) == 1 && len(t) > 0
		}
		if !ok {
			return span{}, fmt.Errorf("%q is not a version, a release line or a pair of bounds", strings.TrimSpace(alt))
		}
	}
	if len(terms) == 0 {
		return span{}, fmt.Errorf("an empty alternative")
	}
	if s.From != "" && s.LessThan == "" && s.LessEqual == "" {
		s.LessThan = "*" // ">=2.0": from 2.0 on (CVE JSON's "arbitrarily large")
	}
	if !s.All && s.Exact == "" && s.From == "" {
		s.From = "0"
	}
	return s, nil
}

// isRange reports whether s is a range rather than one version.
func (s span) isRange() bool { return s.Exact == "" && !s.All }
