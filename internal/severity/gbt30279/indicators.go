package gbt30279

import "github.com/embargohq/embargo/internal/errs"

// Indicators are the ten grading indicators of GB/T 30279-2020 §6.2 for one
// vulnerability. The seven exploitability and impact indicators describe
// the vulnerability itself and give the technical grade; the three
// environment indicators describe one organisation's deployment and, when
// all are set, give the comprehensive grade. The JSON names are the stable
// machine codes of the indicators.
type Indicators struct {
	// Exploitability group 被利用性.
	AccessPath  AccessPath         `json:"access_path"`
	Trigger     TriggerRequirement `json:"trigger_requirement"`
	Privileges  PrivilegesRequired `json:"privileges_required"`
	Interaction UserInteraction    `json:"user_interaction"`
	// Impact group 影响程度.
	Confidentiality Impact `json:"confidentiality"`
	Integrity       Impact `json:"integrity"`
	Availability    Impact `json:"availability"`
	// Environment group 环境因素; empty when not assessed.
	ExploitationCost ExploitationCost `json:"exploitation_cost,omitempty"`
	FixDifficulty    FixDifficulty    `json:"fix_difficulty,omitempty"`
	ImpactScope      ImpactScope      `json:"impact_scope,omitempty"`
}

// ValidateTechnical checks the seven exploitability and impact indicators.
// It returns an errs.Invalid error naming the first indicator that is
// missing or not one of its enumerated values.
func (in Indicators) ValidateTechnical() error {
	switch {
	case !in.AccessPath.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.access_path", "Choose the access path (访问路径): network, adjacent, local or physical.")
	case !in.Trigger.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.trigger_requirement", "Choose the trigger requirement (触发要求): low or high.")
	case !in.Privileges.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.privileges_required", "Choose the privileges required (权限需求): none, low or high.")
	case !in.Interaction.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.user_interaction", "Choose the user interaction (交互条件): not_required or required.")
	case !in.Confidentiality.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.confidentiality", "Choose the confidentiality impact (保密性影响): severe, general or none.")
	case !in.Integrity.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.integrity", "Choose the integrity impact (完整性影响): severe, general or none.")
	case !in.Availability.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.availability", "Choose the availability impact (可用性影响): severe, general or none.")
	}
	return nil
}

// HasEnvironment reports whether any environment indicator is set.
func (in Indicators) HasEnvironment() bool {
	return in.ExploitationCost != "" || in.FixDifficulty != "" || in.ImpactScope != ""
}

// ValidateEnvironment checks the three environment indicators. It returns
// an errs.Invalid error naming the first that is missing or not one of its
// enumerated values.
func (in Indicators) ValidateEnvironment() error {
	switch {
	case !in.ExploitationCost.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.exploitation_cost", "Choose the exploitation cost (被利用成本): low, medium or high.")
	case !in.FixDifficulty.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.fix_difficulty", "Choose the fix difficulty (修复难度): high, medium or low.")
	case !in.ImpactScope.Valid():
		return errs.Coded(errs.Invalid, "gbt30279.impact_scope", "Choose the impact scope (影响范围): high, medium, low or none.")
	}
	return nil
}

// Validate checks all ten indicators; see ValidateTechnical and
// ValidateEnvironment for the errors.
func (in Indicators) Validate() error {
	if err := in.ValidateTechnical(); err != nil {
		return err
	}
	return in.ValidateEnvironment()
}

// Group names one of the three indicator groups of §6.2.
type Group string

// The indicator groups.
const (
	GroupExploitability Group = "exploitability" // 被利用性
	GroupImpact         Group = "impact"         // 影响程度
	GroupEnvironment    Group = "environment"    // 环境因素
)

// Value is one enumerated value of an indicator: its machine code and its
// names.
type Value struct {
	Code string `json:"code"`
	Label
}

// Indicator describes one of the ten indicators for forms and exports:
// its machine code (the JSON name in Indicators), group, names and values
// in the order the standard lists them.
type Indicator struct {
	Code   string  `json:"code"`
	Group  Group   `json:"group"`
	Label  Label   `json:"label"`
	Values []Value `json:"values"`
}

// AllIndicators returns the ten indicators in the standard's order. The
// result is a fresh copy on each call.
func AllIndicators() []Indicator {
	return []Indicator{
		indicator(GroupExploitability, "access_path", "访问路径", "access path", accessPaths),
		indicator(GroupExploitability, "trigger_requirement", "触发要求", "trigger requirement", triggers),
		indicator(GroupExploitability, "privileges_required", "权限需求", "privileges required", privileges),
		indicator(GroupExploitability, "user_interaction", "交互条件", "user interaction", interactions),
		indicator(GroupImpact, "confidentiality", "保密性影响", "confidentiality impact", impacts),
		indicator(GroupImpact, "integrity", "完整性影响", "integrity impact", impacts),
		indicator(GroupImpact, "availability", "可用性影响", "availability impact", impacts),
		indicator(GroupEnvironment, "exploitation_cost", "被利用成本", "exploitation cost", costs),
		indicator(GroupEnvironment, "fix_difficulty", "修复难度", "fix difficulty", fixes),
		indicator(GroupEnvironment, "impact_scope", "影响范围", "impact scope", scopes),
	}
}

func indicator[T ~string](g Group, code, zh, en string, cs choices[T]) Indicator {
	vs := make([]Value, len(cs))
	for i, c := range cs {
		vs[i] = Value{Code: string(c.code), Label: Label{Chinese: c.zh, English: c.en}}
	}
	return Indicator{Code: code, Group: g, Label: Label{Chinese: zh, English: en}, Values: vs}
}
