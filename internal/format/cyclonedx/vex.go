package cyclonedx

import (
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Statement is one VEX statement: what the BOM's author says about one
// vulnerability in the components it names (vulnerabilities[].analysis).
//
// Spec: https://cyclonedx.org/docs/1.6/json/#vulnerabilities_items_analysis
type Statement struct {
	// Vulnerability is the vulnerability's id (CVE-…, GHSA-…).
	Vulnerability string
	// Source names who published the id (vulnerabilities[].source.name).
	Source string
	// Affects are the components the statement is about.
	Affects []Target
	// State is the impact analysis state: one of the State… constants.
	State string
	// Justification says why a component is not affected (one of the
	// Justification… constants); empty when not given.
	Justification string
	// Responses are the vendor's responses ("update", "will_not_fix", …).
	Responses []string
	// Detail is the free-text explanation.
	Detail string
}

// Target is one component a VEX statement is about.
type Target struct {
	// Ref is the affects[].ref as written: a bom-ref, or a BOM-Link to
	// another BOM.
	Ref string
	// Purl is the purl of the component Ref names in this BOM, if any.
	Purl string
}

// The impact analysis states of CycloneDX VEX.
const (
	StateResolved             = "resolved"
	StateResolvedWithPedigree = "resolved_with_pedigree"
	StateExploitable          = "exploitable"
	StateInTriage             = "in_triage"
	StateFalsePositive        = "false_positive"
	StateNotAffected          = "not_affected"
)

// The justifications of a not_affected statement.
const (
	JustificationCodeNotPresent               = "code_not_present"
	JustificationCodeNotReachable             = "code_not_reachable"
	JustificationRequiresConfiguration        = "requires_configuration"
	JustificationRequiresDependency           = "requires_dependency"
	JustificationRequiresEnvironment          = "requires_environment"
	JustificationProtectedByCompiler          = "protected_by_compiler"
	JustificationProtectedAtRuntime           = "protected_at_runtime"
	JustificationProtectedAtPerimeter         = "protected_at_perimeter"
	JustificationProtectedByMitigatingControl = "protected_by_mitigating_control"
)

// Allowed values, from the 1.6 schema (they have not changed since 1.4).
var (
	states = set(StateResolved, StateResolvedWithPedigree, StateExploitable,
		StateInTriage, StateFalsePositive, StateNotAffected)
	justifications = set(JustificationCodeNotPresent, JustificationCodeNotReachable,
		JustificationRequiresConfiguration, JustificationRequiresDependency,
		JustificationRequiresEnvironment, JustificationProtectedByCompiler,
		JustificationProtectedAtRuntime, JustificationProtectedAtPerimeter,
		JustificationProtectedByMitigatingControl)
	responses = set("can_not_fix", "will_not_fix", "update", "rollback", "workaround_available")
)

func set(v ...string) map[string]bool {
	m := make(map[string]bool, len(v))
	for _, s := range v {
		m[s] = true
	}
	return m
}

// statements reads the VEX statements of vulns; comps resolve bom-refs to
// purls. Vulnerabilities without an analysis are not statements and are
// skipped.
func statements(vulns *[]cdx.Vulnerability, comps []Component) ([]Statement, error) {
	if vulns == nil {
		return nil, nil
	}
	purls := map[string]string{}
	for _, c := range comps {
		if c.Ref != "" {
			purls[c.Ref] = c.Purl
		}
	}
	var out []Statement
	for i, v := range *vulns {
		if v.Analysis == nil {
			continue
		}
		s, err := statement(fmt.Sprintf("vulnerabilities[%d]", i), &v, purls)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// statement converts and checks one analysed vulnerability.
func statement(path string, v *cdx.Vulnerability, purls map[string]string) (Statement, error) {
	a := v.Analysis
	if v.ID == "" {
		return Statement{}, fmt.Errorf("%s.id: missing", path)
	}
	s := Statement{Vulnerability: v.ID, State: string(a.State), Justification: string(a.Justification), Detail: a.Detail}
	if v.Source != nil {
		s.Source = v.Source.Name
	}
	if s.State != "" && !states[s.State] {
		return Statement{}, fmt.Errorf("%s.analysis.state: unknown state %q", path, s.State)
	}
	if s.Justification != "" && !justifications[s.Justification] {
		return Statement{}, fmt.Errorf("%s.analysis.justification: unknown justification %q", path, s.Justification)
	}
	if a.Response != nil {
		for j, r := range *a.Response {
			if !responses[string(r)] {
				return Statement{}, fmt.Errorf("%s.analysis.response[%d]: unknown response %q", path, j, r)
			}
			s.Responses = append(s.Responses, string(r))
		}
	}
	if v.Affects != nil {
		for j, t := range *v.Affects {
			if t.Ref == "" {
				return Statement{}, fmt.Errorf("%s.affects[%d].ref: missing", path, j)
			}
			s.Affects = append(s.Affects, Target{Ref: t.Ref, Purl: purls[t.Ref]})
		}
	}
	return s, nil
}
