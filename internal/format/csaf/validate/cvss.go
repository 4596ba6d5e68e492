package validate

import (
	"math"
	"slices"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/cvss"
)

// metric maps a property of a CVSS JSON object to its metric in the
// vector and the vector's values to the property's values.
type metric struct {
	prop, abbr string
	values     map[string]string // vector value → JSON value
}

// The value sets shared by several metrics.
var (
	v3Impact   = map[string]string{"N": "NONE", "L": "LOW", "H": "HIGH"}
	v3Require  = map[string]string{"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}
	v2Impact   = map[string]string{"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}
	v2Require  = map[string]string{"ND": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}
	v3AV       = map[string]string{"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}
	v3AC       = map[string]string{"L": "LOW", "H": "HIGH"}
	v3PR       = map[string]string{"N": "NONE", "L": "LOW", "H": "HIGH"}
	v3UI       = map[string]string{"N": "NONE", "R": "REQUIRED"}
	v3Scope    = map[string]string{"U": "UNCHANGED", "C": "CHANGED"}
	severities = []string{"NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
)

// withX returns m with the value X meaning NOT_DEFINED.
func withX(m map[string]string) map[string]string {
	out := map[string]string{"X": "NOT_DEFINED"}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// v3Metrics are the metrics of the CVSS v3.0 and v3.1 JSON objects.
var v3Metrics = []metric{
	{"attackVector", "AV", v3AV},
	{"attackComplexity", "AC", v3AC},
	{"privilegesRequired", "PR", v3PR},
	{"userInteraction", "UI", v3UI},
	{"scope", "S", v3Scope},
	{"confidentialityImpact", "C", v3Impact},
	{"integrityImpact", "I", v3Impact},
	{"availabilityImpact", "A", v3Impact},
	{"exploitCodeMaturity", "E", map[string]string{"X": "NOT_DEFINED", "H": "HIGH", "F": "FUNCTIONAL", "P": "PROOF_OF_CONCEPT", "U": "UNPROVEN"}},
	{"remediationLevel", "RL", map[string]string{"X": "NOT_DEFINED", "U": "UNAVAILABLE", "W": "WORKAROUND", "T": "TEMPORARY_FIX", "O": "OFFICIAL_FIX"}},
	{"reportConfidence", "RC", map[string]string{"X": "NOT_DEFINED", "C": "CONFIRMED", "R": "REASONABLE", "U": "UNKNOWN"}},
	{"confidentialityRequirement", "CR", v3Require},
	{"integrityRequirement", "IR", v3Require},
	{"availabilityRequirement", "AR", v3Require},
	{"modifiedAttackVector", "MAV", withX(v3AV)},
	{"modifiedAttackComplexity", "MAC", withX(v3AC)},
	{"modifiedPrivilegesRequired", "MPR", withX(v3PR)},
	{"modifiedUserInteraction", "MUI", withX(v3UI)},
	{"modifiedScope", "MS", withX(v3Scope)},
	{"modifiedConfidentialityImpact", "MC", withX(v3Impact)},
	{"modifiedIntegrityImpact", "MI", withX(v3Impact)},
	{"modifiedAvailabilityImpact", "MA", withX(v3Impact)},
}

// v2Metrics are the metrics of the CVSS v2.0 JSON object.
var v2Metrics = []metric{
	{"accessVector", "AV", map[string]string{"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}},
	{"accessComplexity", "AC", map[string]string{"H": "HIGH", "M": "MEDIUM", "L": "LOW"}},
	{"authentication", "Au", map[string]string{"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}},
	{"confidentialityImpact", "C", v2Impact},
	{"integrityImpact", "I", v2Impact},
	{"availabilityImpact", "A", v2Impact},
	{"exploitability", "E", map[string]string{"ND": "NOT_DEFINED", "U": "UNPROVEN", "POC": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH"}},
	{"remediationLevel", "RL", map[string]string{"ND": "NOT_DEFINED", "OF": "OFFICIAL_FIX", "TF": "TEMPORARY_FIX", "W": "WORKAROUND", "U": "UNAVAILABLE"}},
	{"reportConfidence", "RC", map[string]string{"ND": "NOT_DEFINED", "UC": "UNCONFIRMED", "UR": "UNCORROBORATED", "C": "CONFIRMED"}},
	{"collateralDamagePotential", "CDP", map[string]string{"ND": "NOT_DEFINED", "N": "NONE", "L": "LOW", "LM": "LOW_MEDIUM", "MH": "MEDIUM_HIGH", "H": "HIGH"}},
	{"targetDistribution", "TD", map[string]string{"ND": "NOT_DEFINED", "N": "NONE", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}},
	{"confidentialityRequirement", "CR", v2Require},
	{"integrityRequirement", "IR", v2Require},
	{"availabilityRequirement", "AR", v2Require},
}

// cvssObject is a cvss_v2 or cvss_v3 object of a score.
type cvssObject struct {
	path    pointer
	v       map[string]any
	v2      bool
	metrics []metric
}

// cvssObjects lists the CVSS objects of every score of every
// vulnerability.
func cvssObjects(doc any) []cvssObject {
	var out []cvssObject
	for _, v := range vulnerabilities(doc) {
		for _, s := range items(v.v, v.path, "scores") {
			if m := obj(s.v["cvss_v2"]); m != nil {
				out = append(out, cvssObject{s.path.key("cvss_v2"), m, true, v2Metrics})
			}
			if m := obj(s.v["cvss_v3"]); m != nil {
				out = append(out, cvssObject{s.path.key("cvss_v3"), m, false, v3Metrics})
			}
		}
	}
	return out
}

// parse parses the object's vector; ok only if it is a valid vector of
// the object's version.
func (c cvssObject) parse() (cvss.Vector, bool) {
	s, _ := c.v["vectorString"].(string)
	vec, err := cvss.Parse(s)
	if err != nil {
		return cvss.Vector{}, false
	}
	want := cvss.V2
	if !c.v2 {
		want = cvss.Version(str(c.v["version"]))
	}
	return vec, vec.Version() == want
}

// 6.1.7: within a vulnerability, a product has at most one score of each
// CVSS version.
func multipleScores(doc any) []Violation {
	var out []Violation
	for _, v := range vulnerabilities(doc) {
		type key struct{ product, version string }
		first := map[key]pointer{}
		for _, s := range items(v.v, v.path, "scores") {
			var versions []string
			if m := obj(s.v["cvss_v2"]); m != nil {
				versions = append(versions, "2.0")
			}
			if m := obj(s.v["cvss_v3"]); m != nil {
				versions = append(versions, cmpOr(str(m["version"]), "3"))
			}
			for _, r := range stringItems(s.v["products"], s.path.key("products")) {
				for _, ver := range versions {
					k := key{r.id, ver}
					if p, ok := first[k]; ok {
						out = append(out, violation(r.path, "product ID %s already has a CVSS %s score at %s", r.id, ver, p))
						continue
					}
					first[k] = s.path
				}
			}
		}
	}
	return out
}

// 6.1.8: the CVSS objects are valid by FIRST's CVSS JSON schemas: the
// required properties are there, the version, vector and enumerated
// values are allowed, and the scores lie between 0 and 10.
func invalidCVSS(doc any) []Violation {
	var out []Violation
	for _, c := range cvssObjects(doc) {
		required := []string{"version", "vectorString", "baseScore", "baseSeverity"}
		versions := []string{"3.0", "3.1"}
		if c.v2 {
			required, versions = required[:3], []string{"2.0"}
		}
		for _, k := range required {
			if _, ok := c.v[k]; !ok {
				out = append(out, violation(c.path, "the required property %s is missing", k))
			}
		}
		ver, ok := c.v["version"].(string)
		if _, present := c.v["version"]; present && (!ok || !slices.Contains(versions, ver)) {
			out = append(out, violation(c.path.key("version"), "version must be one of %s", strings.Join(versions, ", ")))
		}
		if s, present := c.v["vectorString"]; present {
			if _, ok := c.parse(); !ok {
				out = append(out, violation(c.path.key("vectorString"), "%v is not a valid CVSS %s vector%s", s, cmpOr(ver, "v2"), vectorReason(s)))
			}
		}
		for _, m := range c.metrics {
			x, present := c.v[m.prop]
			if !present {
				continue
			}
			if s, ok := x.(string); !ok || !containsValue(m.values, s) {
				out = append(out, violation(c.path.key(m.prop), "%v is not a value of %s", x, m.prop))
			}
		}
		for _, k := range []string{"baseScore", "temporalScore", "environmentalScore"} {
			x, present := c.v[k]
			if !present {
				continue
			}
			if f, ok := x.(float64); !ok || f < 0 || f > 10 {
				out = append(out, violation(c.path.key(k), "%s must be a number from 0 to 10", k))
			}
		}
		if !c.v2 {
			for _, k := range []string{"baseSeverity", "temporalSeverity", "environmentalSeverity"} {
				x, present := c.v[k]
				if !present {
					continue
				}
				if s, ok := x.(string); !ok || !slices.Contains(severities, s) {
					out = append(out, violation(c.path.key(k), "%s must be one of %s", k, strings.Join(severities, ", ")))
				}
			}
		}
	}
	return out
}

// vectorReason explains why s does not parse, if it does not.
func vectorReason(s any) string {
	str, _ := s.(string)
	if _, err := cvss.Parse(str); err != nil {
		return ": " + errs.Message(err)
	}
	return ""
}

// containsValue reports whether s is a value of m.
func containsValue(m map[string]string, s string) bool {
	for _, v := range m {
		if v == s {
			return true
		}
	}
	return false
}

// 6.1.9: the scores and severities given are those the vector computes.
func invalidCVSSComputation(doc any) []Violation {
	var out []Violation
	for _, c := range cvssObjects(doc) {
		vec, ok := c.parse()
		if !ok {
			continue // 6.1.8
		}
		s := vec.Score()
		temporal := s.Base
		if s.Temporal != nil {
			temporal = *s.Temporal
		}
		environmental := temporal
		if s.Environmental != nil {
			environmental = *s.Environmental
		}
		want := []struct {
			score, severity string
			value           float64
		}{
			{"baseScore", "baseSeverity", s.Base},
			{"temporalScore", "temporalSeverity", temporal},
			{"environmentalScore", "environmentalSeverity", environmental},
		}
		for _, w := range want {
			if got, ok := c.v[w.score].(float64); ok && math.Abs(got-w.value) > 0.001 {
				out = append(out, violation(c.path.key(w.score), "%s is %.1f but the vector %s computes %.1f", w.score, got, vec, w.value))
			}
			if c.v2 {
				continue
			}
			sev := strings.ToUpper(string(cvss.Rating(w.value)))
			if got, ok := c.v[w.severity].(string); ok && got != sev && slices.Contains(severities, got) {
				out = append(out, violation(c.path.key(w.severity), "%s is %s but the vector %s computes a score of %.1f, %s", w.severity, got, vec, w.value, sev))
			}
		}
	}
	return out
}

// 6.1.10: the metric properties given agree with the vector.
func inconsistentCVSS(doc any) []Violation {
	var out []Violation
	for _, c := range cvssObjects(doc) {
		vec, ok := c.parse()
		if !ok {
			continue // 6.1.8
		}
		for _, m := range c.metrics {
			got, ok := c.v[m.prop].(string)
			if !ok {
				continue
			}
			val := vec.Get(m.abbr)
			want := m.values[val]
			if val == "" {
				want = "NOT_DEFINED"
			}
			if got != want {
				out = append(out, violation(c.path.key(m.prop), "%s is %s but the vector %s says %s", m.prop, got, vec, want))
			}
		}
	}
	return out
}
