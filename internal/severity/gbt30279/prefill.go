package gbt30279

import (
	"fmt"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
)

// maxVectorLen bounds a vector string; a complete CVSS v4.0 vector with
// every optional metric is under 300 characters.
const maxVectorLen = 1024

// baseMetric is a CVSS base metric a vector must carry, with its allowed
// one-letter values.
type baseMetric struct{ name, values string }

// The base metrics of CVSS v3.x (first.org/cvss/v3.1/specification-document
// §7.4) and v4.0 (first.org/cvss/v4.0/specification-document §7), in
// specification order, so errors name the first problem deterministically.
var (
	cvss3Base = []baseMetric{{"AV", "NALP"}, {"AC", "LH"}, {"PR", "NLH"}, {"UI", "NR"}, {"S", "UC"}, {"C", "HLN"}, {"I", "HLN"}, {"A", "HLN"}}
	cvss4Base = []baseMetric{{"AV", "NALP"}, {"AC", "LH"}, {"AT", "NP"}, {"PR", "NLH"}, {"UI", "NPA"},
		{"VC", "HLN"}, {"VI", "HLN"}, {"VA", "HLN"}, {"SC", "HLN"}, {"SI", "HLN"}, {"SA", "HLN"}}
)

var (
	cvssAccess     = map[string]AccessPath{"N": AccessNetwork, "A": AccessAdjacent, "L": AccessLocal, "P": AccessPhysical}
	cvssPrivileges = map[string]PrivilegesRequired{"N": PrivilegesNone, "L": PrivilegesLow, "H": PrivilegesHigh}
	cvssImpact     = map[string]Impact{"H": ImpactSevere, "L": ImpactGeneral, "N": ImpactNone}
)

// Prefill proposes the seven exploitability and impact indicators from a
// CVSS v3.0, v3.1 or v4.0 vector's base metrics (GB-30279-1):
//
//   - AV → access path (N network, A adjacent, L local, P physical);
//   - v3 AC, or v4 AC and AT → trigger requirement: high when AC:H or
//     AT:P, else low;
//   - PR → privileges required (N none, L low, H high);
//   - UI → user interaction: N not required; v3 R and v4 P or A required;
//   - C/I/A (v3) or VC/VI/VA (v4, the vulnerable system) → impact: H
//     severe, L general, N none.
//
// The environment indicators are left empty: they describe a deployment,
// which a CVSS base vector does not. The result is a proposal for a person
// to confirm; no CVSS score is computed or converted. Metrics other than
// the base metrics (threat, environmental, supplemental) are allowed and
// ignored. It returns an errs.Invalid error when the vector is malformed,
// has a duplicate metric, or lacks a base metric or has an unknown value
// for one.
func Prefill(vector string) (Indicators, error) {
	m, v4, err := parseVector(vector)
	if err != nil {
		return Indicators{}, err
	}
	in := Indicators{
		AccessPath: cvssAccess[m["AV"]],
		Trigger:    TriggerLow,
		Privileges: cvssPrivileges[m["PR"]],
	}
	// AT is a base metric of v4.0 only; in a v3 vector it would be an
	// unknown extra metric and must not count.
	if m["AC"] == "H" || v4 && m["AT"] == "P" {
		in.Trigger = TriggerHigh
	}
	in.Interaction = InteractionRequired
	if m["UI"] == "N" {
		in.Interaction = InteractionNotRequired
	}
	c, i, a := "C", "I", "A"
	if v4 {
		c, i, a = "VC", "VI", "VA"
	}
	in.Confidentiality, in.Integrity, in.Availability = cvssImpact[m[c]], cvssImpact[m[i]], cvssImpact[m[a]]
	return in, nil
}

// parseVector splits a CVSS vector into its metrics and checks the base
// metrics; v4 reports a CVSS v4.0 vector.
func parseVector(vector string) (metrics map[string]string, v4 bool, err error) {
	if len(vector) > maxVectorLen {
		return nil, false, vectorError("it is longer than %d characters", maxVectorLen)
	}
	parts := strings.Split(strings.TrimSpace(vector), "/")
	var base []baseMetric
	switch parts[0] {
	case "CVSS:3.0", "CVSS:3.1":
		base = cvss3Base
	case "CVSS:4.0":
		base, v4 = cvss4Base, true
	default:
		return nil, false, vectorError("it does not start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/")
	}
	metrics = make(map[string]string, len(parts)-1)
	for _, p := range parts[1:] {
		name, value, ok := strings.Cut(p, ":")
		if !ok || name == "" || value == "" {
			return nil, false, vectorError("%q is not a metric (NAME:VALUE)", p)
		}
		if _, dup := metrics[name]; dup {
			return nil, false, vectorError("metric %s appears more than once", name)
		}
		metrics[name] = value
	}
	for _, b := range base {
		v, ok := metrics[b.name]
		switch {
		case !ok:
			return nil, false, vectorError("base metric %s is missing", b.name)
		case len(v) != 1 || !strings.Contains(b.values, v):
			return nil, false, vectorError("%s:%s is not a valid value of %s", b.name, v, b.name)
		}
	}
	return metrics, v4, nil
}

// vectorError returns the errs.Invalid error for an unreadable vector.
func vectorError(format string, args ...any) error {
	return errs.Coded(errs.Invalid, "gbt30279.vector", "The CVSS vector could not be read: %s. Give a CVSS v3.0, v3.1 or v4.0 base vector, such as CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H.", fmt.Sprintf(format, args...))
}
