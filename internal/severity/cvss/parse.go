package cvss

import (
	"strings"

	"github.com/embargohq/embargo/internal/errs"
	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
)

// maxVectorLen bounds the input: the longest valid vector (v4.0 with every
// metric) is about 190 bytes.
const maxVectorLen = 512

// Parse parses a CVSS vector: "CVSS:3.0/…", "CVSS:3.1/…" or "CVSS:4.0/…", or
// a v2 vector, which has no prefix ("AV:N/AC:L/Au:N/C:P/I:P/A:P").
//
// Every base metric is required; the others are optional. Each metric may
// appear once. Versions 2.0 and 4.0 require the specification's metric order;
// version 3 allows any order, as its specification does. Metric names and
// values are case-sensitive.
//
// Returns errs.Invalid, with a translation code "cvss.…" that names what is
// wrong (the prefix, the version, or which metric and value), for anything
// else.
func Parse(s string) (Vector, error) {
	sp, body, err := splitPrefix(s)
	if err != nil {
		return Vector{}, err
	}
	v, err := parseMetrics(sp, body)
	if err != nil {
		if sp == specV2 && missingPrefix(body) {
			return Vector{}, errs.Coded(errs.Invalid, "cvss.prefix", "a CVSS 3 or 4 vector starts with its version, such as CVSS:3.1/ or CVSS:4.0/")
		}
		return Vector{}, err
	}
	if err := v.checkWithGoCVSS(); err != nil {
		return Vector{}, errs.Wrap(errs.Invalid, err, "not a valid %s vector", sp.version)
	}
	return v, nil
}

// splitPrefix finds the version of s and returns its spec and the metrics.
func splitPrefix(s string) (*spec, string, error) {
	if s == "" || len(s) > maxVectorLen {
		return nil, "", errs.Coded(errs.Invalid, "cvss.vector", "not a CVSS vector; give one such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	}
	if len(s) < 5 || !strings.EqualFold(s[:5], "CVSS:") {
		return specV2, s, nil
	}
	head, body, _ := strings.Cut(s, "/")
	for _, sp := range []*spec{specV30, specV31, specV4} {
		if head+"/" == sp.prefix {
			return sp, body, nil
		}
	}
	if !strings.HasPrefix(head, "CVSS:") {
		return nil, "", errs.Coded(errs.Invalid, "cvss.vector", "not a CVSS vector; give one such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	}
	return nil, "", errs.Coded(errs.Invalid, "cvss.version", "CVSS version %q is not supported; use 3.0, 3.1 or 4.0, or a v2 vector without a prefix", head[len("CVSS:"):])
}

// missingPrefix reports whether a bare vector names a metric that v2 lacks
// but v3 or v4 has ("PR", "AT"): the user left out the "CVSS:3.1/" prefix.
func missingPrefix(body string) bool {
	for part := range strings.SplitSeq(body, "/") {
		name, _, _ := strings.Cut(part, ":")
		if specV2.index(name) < 0 && (specV31.index(name) >= 0 || specV4.index(name) >= 0) {
			return true
		}
	}
	return false
}

// parseMetrics parses the "/"-separated METRIC:VALUE pairs of body.
func parseMetrics(sp *spec, body string) (Vector, error) {
	v := Vector{spec: sp}
	last := -1
	for part := range strings.SplitSeq(body, "/") {
		name, val, ok := strings.Cut(part, ":")
		if !ok || name == "" {
			return Vector{}, errs.Coded(errs.Invalid, "cvss.part", "%q is not a METRIC:VALUE pair", part)
		}
		i := sp.index(name)
		switch {
		case i < 0:
			return Vector{}, errs.Coded(errs.Invalid, "cvss.metric", "%s has no metric %q", sp.version, name)
		case v.vals[i] > 0:
			return Vector{}, errs.Coded(errs.Invalid, "cvss.duplicate", "metric %s appears more than once", name)
		case sp.ordered && i < last:
			return Vector{}, errs.Coded(errs.Invalid, "cvss.order", "metric %s is out of order: %s lists metrics in the specification's order", name, sp.version)
		}
		n := valueIndex(sp.metrics[i].values, val)
		if n < 0 {
			return Vector{}, errs.Coded(errs.Invalid, "cvss.value", "metric %s cannot be %q; use one of %s", name, val, strings.Join(sp.metrics[i].values, ", "))
		}
		v.vals[i] = uint8(n + 1)
		last = i
	}
	for i, m := range sp.metrics {
		if m.group == base && v.vals[i] == 0 {
			return Vector{}, errs.Coded(errs.Invalid, "cvss.missing", "base metric %s is missing", m.abbr)
		}
	}
	return v, nil
}

// valueIndex returns the index of val in values, or -1.
func valueIndex(values []string, val string) int {
	for i, x := range values {
		if x == val {
			return i
		}
	}
	return -1
}

// checkWithGoCVSS has go-cvss parse what it will score, so that Score
// cannot meet a vector it rejects. Version 4.0 is scored here.
func (v Vector) checkWithGoCVSS() error {
	var err error
	switch v.spec {
	case specV2:
		_, err = gocvss20.ParseVector(v.v2Complete())
	case specV30:
		_, err = gocvss30.ParseVector(v.String())
	case specV31:
		_, err = gocvss31.ParseVector(v.String())
	}
	return err
}
