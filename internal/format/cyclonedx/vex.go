package cyclonedx

import (
	"fmt"
	"slices"

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
	// Aliases are the ids of vulnerabilities[].references: the same
	// vulnerability in other databases.
	Aliases []string
	// Recommendation is the vulnerability's recommendation, what to do.
	Recommendation string
	// LastUpdated is analysis.lastUpdated as written (a date-time).
	LastUpdated string
	// Properties are the vulnerability's name/value properties, in order.
	Properties []Property
}

// Property is a CycloneDX name/value property.
type Property struct {
	Name, Value string
}

// Target is one component a VEX statement is about.
type Target struct {
	// Ref is the affects[].ref as written: a bom-ref, or a BOM-Link to
	// another BOM.
	Ref string
	// Purl is the purl of the component Ref names in this BOM, if any;
	// Name and Version are its name and version.
	Purl          string
	Name, Version string
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
	purls := map[string]Component{}
	for _, c := range comps {
		if c.Ref != "" {
			purls[c.Ref] = c
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
func statement(path string, v *cdx.Vulnerability, purls map[string]Component) (Statement, error) {
	a := v.Analysis
	if v.ID == "" {
		return Statement{}, fmt.Errorf("%s.id: missing", path)
	}
	s := Statement{Vulnerability: v.ID, State: string(a.State), Justification: string(a.Justification), Detail: a.Detail,
		Recommendation: v.Recommendation, LastUpdated: a.LastUpdated}
	if v.References != nil {
		for _, r := range *v.References {
			if r.ID != "" && !slices.Contains(s.Aliases, r.ID) {
				s.Aliases = append(s.Aliases, r.ID)
			}
		}
	}
	if v.Properties != nil {
		for _, p := range *v.Properties {
			s.Properties = append(s.Properties, Property{Name: p.Name, Value: p.Value})
		}
	}
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
			c := purls[t.Ref]
			s.Affects = append(s.Affects, Target{Ref: t.Ref, Purl: c.Purl, Name: c.Name, Version: c.Version})
		}
	}
	return s, nil
}
