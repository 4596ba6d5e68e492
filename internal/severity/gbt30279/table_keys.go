package gbt30279

import "fmt"

// The five sections of a table file. Each row holds a key (the JSON
// members named after the indicators or levels it combines) and a value
// ("level" or "grade"). The all*Keys functions enumerate every key a
// section must cover.

// exploitKey combines the four exploitability indicators (Annex A).
type exploitKey struct {
	AccessPath  AccessPath         `json:"access_path"`
	Trigger     TriggerRequirement `json:"trigger_requirement"`
	Privileges  PrivilegesRequired `json:"privileges_required"`
	Interaction UserInteraction    `json:"user_interaction"`
}

type exploitRow struct {
	exploitKey
	Level Level `json:"level"`
}

func (r exploitRow) parts() (exploitKey, Level) { return r.exploitKey, r.Level }

func (k exploitKey) check() error {
	return firstError(
		checkValue("access_path", k.AccessPath, accessPaths),
		checkValue("trigger_requirement", k.Trigger, triggers),
		checkValue("privileges_required", k.Privileges, privileges),
		checkValue("user_interaction", k.Interaction, interactions))
}

func (k exploitKey) String() string {
	return fmt.Sprintf("access_path=%s trigger_requirement=%s privileges_required=%s user_interaction=%s",
		k.AccessPath, k.Trigger, k.Privileges, k.Interaction)
}

func allExploitKeys() []exploitKey {
	var ks []exploitKey
	for _, a := range accessPaths.values() {
		for _, t := range triggers.values() {
			for _, p := range privileges.values() {
				for _, u := range interactions.values() {
					ks = append(ks, exploitKey{a, t, p, u})
				}
			}
		}
	}
	return ks
}

// impactKey combines the three impact indicators (Annex B).
type impactKey struct {
	Confidentiality Impact `json:"confidentiality"`
	Integrity       Impact `json:"integrity"`
	Availability    Impact `json:"availability"`
}

type impactRow struct {
	impactKey
	Level Level `json:"level"`
}

func (r impactRow) parts() (impactKey, Level) { return r.impactKey, r.Level }

func (k impactKey) check() error {
	return firstError(
		checkValue("confidentiality", k.Confidentiality, impacts),
		checkValue("integrity", k.Integrity, impacts),
		checkValue("availability", k.Availability, impacts))
}

func (k impactKey) String() string {
	return fmt.Sprintf("confidentiality=%s integrity=%s availability=%s", k.Confidentiality, k.Integrity, k.Availability)
}

func allImpactKeys() []impactKey {
	var ks []impactKey
	for _, c := range impacts.values() {
		for _, i := range impacts.values() {
			for _, a := range impacts.values() {
				ks = append(ks, impactKey{c, i, a})
			}
		}
	}
	return ks
}

// technicalKey combines the exploitability and impact levels (Annex D).
type technicalKey struct {
	Exploitability Level `json:"exploitability"`
	Impact         Level `json:"impact"`
}

type technicalRow struct {
	technicalKey
	Grade Grade `json:"grade"`
}

func (r technicalRow) parts() (technicalKey, Grade) { return r.technicalKey, r.Grade }

func (k technicalKey) check() error {
	return firstError(
		checkValue("exploitability", k.Exploitability, levels),
		checkValue("impact", k.Impact, levels))
}

func (k technicalKey) String() string {
	return fmt.Sprintf("exploitability=%s impact=%s", k.Exploitability, k.Impact)
}

func allTechnicalKeys() []technicalKey {
	var ks []technicalKey
	for _, e := range levels.values() {
		for _, i := range levels.values() {
			ks = append(ks, technicalKey{e, i})
		}
	}
	return ks
}

// environmentKey combines the three environment indicators (Annex C).
type environmentKey struct {
	ExploitationCost ExploitationCost `json:"exploitation_cost"`
	FixDifficulty    FixDifficulty    `json:"fix_difficulty"`
	ImpactScope      ImpactScope      `json:"impact_scope"`
}

type environmentRow struct {
	environmentKey
	Level Level `json:"level"`
}

func (r environmentRow) parts() (environmentKey, Level) { return r.environmentKey, r.Level }

func (k environmentKey) check() error {
	return firstError(
		checkValue("exploitation_cost", k.ExploitationCost, costs),
		checkValue("fix_difficulty", k.FixDifficulty, fixes),
		checkValue("impact_scope", k.ImpactScope, scopes))
}

func (k environmentKey) String() string {
	return fmt.Sprintf("exploitation_cost=%s fix_difficulty=%s impact_scope=%s", k.ExploitationCost, k.FixDifficulty, k.ImpactScope)
}

func allEnvironmentKeys() []environmentKey {
	var ks []environmentKey
	for _, c := range costs.values() {
		for _, f := range fixes.values() {
			for _, s := range scopes.values() {
				ks = append(ks, environmentKey{c, f, s})
			}
		}
	}
	return ks
}

// comprehensiveKey combines the technical grade and the environment level
// (Annex E).
type comprehensiveKey struct {
	Technical   Grade `json:"technical"`
	Environment Level `json:"environment"`
}

type comprehensiveRow struct {
	comprehensiveKey
	Grade Grade `json:"grade"`
}

func (r comprehensiveRow) parts() (comprehensiveKey, Grade) { return r.comprehensiveKey, r.Grade }

func (k comprehensiveKey) check() error {
	return firstError(
		checkValue("technical", k.Technical, grades),
		checkValue("environment", k.Environment, levels))
}

func (k comprehensiveKey) String() string {
	return fmt.Sprintf("technical=%s environment=%s", k.Technical, k.Environment)
}

func allComprehensiveKeys() []comprehensiveKey {
	var ks []comprehensiveKey
	for _, g := range grades.values() {
		for _, e := range levels.values() {
			ks = append(ks, comprehensiveKey{g, e})
		}
	}
	return ks
}

// firstError returns the first non-nil error, so that a bad row is
// reported by its first wrong member.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
