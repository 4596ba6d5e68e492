// Package gbt30279 assesses vulnerabilities by GB/T 30279-2020, the Chinese
// national guideline for categorising and grading cybersecurity
// vulnerabilities (网络安全漏洞分类分级指南).
//
// It holds the ten grading indicators of §6.2 with their enumerated values
// (GB-30279-1), pre-fills the seven technical indicators from a CVSS v3.x or
// v4.0 base vector, grades through a replaceable lookup table into the
// technical and the comprehensive grade 超危/高危/中危/低危 (GB-30279-2, -3),
// and classifies by the category tree of §5 with a CWE cross-walk
// (GB-30279-4).
//
// The standard's Annex lookup tables are not reproduced in public material,
// so grading is data: the shipped default table is provisional (see
// DefaultTable) and an organisation can load its own with LoadTable. A CVSS
// score is never converted into a grade; only the base metrics that mean the
// same thing pre-fill indicators, which a person then confirms.
package gbt30279

// Label is a value's or an indicator's human-readable name in the two
// languages of the standard and of Embargo's users.
type Label struct {
	Chinese string `json:"zh"`
	English string `json:"en"`
}

// choice is one enumerated value of type T with its labels.
type choice[T ~string] struct {
	code T
	zh   string
	en   string
}

// choices is the ordered list of the values of an enumeration.
type choices[T ~string] []choice[T]

func (cs choices[T]) has(v T) bool {
	for _, c := range cs {
		if c.code == v {
			return true
		}
	}
	return false
}

func (cs choices[T]) label(v T) Label {
	for _, c := range cs {
		if c.code == v {
			return Label{Chinese: c.zh, English: c.en}
		}
	}
	return Label{}
}

func (cs choices[T]) values() []T {
	out := make([]T, len(cs))
	for i, c := range cs {
		out[i] = c.code
	}
	return out
}

// list returns the codes joined for an error message: "a, b or c".
func (cs choices[T]) list() string {
	s := ""
	for i, c := range cs {
		switch {
		case i == 0:
		case i == len(cs)-1:
			s += " or "
		default:
			s += ", "
		}
		s += string(c.code)
	}
	return s
}

// AccessPath is the indicator 访问路径: from how far away an attacker can
// reach the vulnerable component.
type AccessPath string

// The access paths, most remote first.
const (
	AccessNetwork  AccessPath = "network"
	AccessAdjacent AccessPath = "adjacent"
	AccessLocal    AccessPath = "local"
	AccessPhysical AccessPath = "physical"
)

var accessPaths = choices[AccessPath]{
	{AccessNetwork, "网络", "network"},
	{AccessAdjacent, "邻接", "adjacent"},
	{AccessLocal, "本地", "local"},
	{AccessPhysical, "物理", "physical"},
}

// TriggerRequirement is the indicator 触发要求: how much the conditions
// outside the attacker's control make exploitation harder.
type TriggerRequirement string

// The trigger requirements.
const (
	TriggerLow  TriggerRequirement = "low"
	TriggerHigh TriggerRequirement = "high"
)

var triggers = choices[TriggerRequirement]{
	{TriggerLow, "低", "low"},
	{TriggerHigh, "高", "high"},
}

// PrivilegesRequired is the indicator 权限需求: the privileges an attacker
// must hold before exploiting.
type PrivilegesRequired string

// The privilege requirements.
const (
	PrivilegesNone PrivilegesRequired = "none"
	PrivilegesLow  PrivilegesRequired = "low"
	PrivilegesHigh PrivilegesRequired = "high"
)

var privileges = choices[PrivilegesRequired]{
	{PrivilegesNone, "无", "none"},
	{PrivilegesLow, "低", "low"},
	{PrivilegesHigh, "高", "high"},
}

// UserInteraction is the indicator 交互条件: whether someone other than the
// attacker must take part.
type UserInteraction string

// The interaction conditions.
const (
	InteractionNotRequired UserInteraction = "not_required"
	InteractionRequired    UserInteraction = "required"
)

var interactions = choices[UserInteraction]{
	{InteractionNotRequired, "不需要", "not required"},
	{InteractionRequired, "需要", "required"},
}

// Impact is the value of each of the indicators 保密性影响, 完整性影响 and
// 可用性影响 (confidentiality, integrity and availability impact).
type Impact string

// The impact values.
const (
	ImpactSevere  Impact = "severe"
	ImpactGeneral Impact = "general"
	ImpactNone    Impact = "none"
)

var impacts = choices[Impact]{
	{ImpactSevere, "严重", "severe"},
	{ImpactGeneral, "一般", "general"},
	{ImpactNone, "无", "none"},
}

// ExploitationCost is the environment indicator 被利用成本: what it costs an
// attacker to exploit the vulnerability where it is deployed.
type ExploitationCost string

// The exploitation costs.
const (
	CostLow    ExploitationCost = "low"
	CostMedium ExploitationCost = "medium"
	CostHigh   ExploitationCost = "high"
)

var costs = choices[ExploitationCost]{
	{CostLow, "低", "low"},
	{CostMedium, "中", "medium"},
	{CostHigh, "高", "high"},
}

// FixDifficulty is the environment indicator 修复难度: how hard the
// vulnerability is to remedy where it is deployed.
type FixDifficulty string

// The fix difficulties.
const (
	FixHigh   FixDifficulty = "high"
	FixMedium FixDifficulty = "medium"
	FixLow    FixDifficulty = "low"
)

var fixes = choices[FixDifficulty]{
	{FixHigh, "高", "high"},
	{FixMedium, "中", "medium"},
	{FixLow, "低", "low"},
}

// ImpactScope is the environment indicator 影响范围: how widely the affected
// products are deployed or relied on.
type ImpactScope string

// The impact scopes.
const (
	ScopeHigh   ImpactScope = "high"
	ScopeMedium ImpactScope = "medium"
	ScopeLow    ImpactScope = "low"
	ScopeNone   ImpactScope = "none"
)

var scopes = choices[ImpactScope]{
	{ScopeHigh, "高", "high"},
	{ScopeMedium, "中", "medium"},
	{ScopeLow, "低", "low"},
	{ScopeNone, "无", "none"},
}

// Level is an intermediate rating in a grading table: the exploitability
// level (Annex A), the impact level (Annex B) or the environment level
// (Annex C).
type Level string

// The levels. A table may use any of them in any section; the default
// table uses none only for the impact and environment levels.
const (
	LevelHigh   Level = "high"
	LevelMedium Level = "medium"
	LevelLow    Level = "low"
	LevelNone   Level = "none"
)

var levels = choices[Level]{
	{LevelHigh, "高", "high"},
	{LevelMedium, "中", "medium"},
	{LevelLow, "低", "low"},
	{LevelNone, "无", "none"},
}

// Grade is a vulnerability's technical or comprehensive grade (Annex D, E).
type Grade string

// The grades, most severe first.
const (
	GradeCritical Grade = "critical"
	GradeHigh     Grade = "high"
	GradeMedium   Grade = "medium"
	GradeLow      Grade = "low"
)

var grades = choices[Grade]{
	{GradeCritical, "超危", "critical"},
	{GradeHigh, "高危", "high"},
	{GradeMedium, "中危", "medium"},
	{GradeLow, "低危", "low"},
}

// Valid reports whether a is one of the enumerated access paths.
func (a AccessPath) Valid() bool { return accessPaths.has(a) }

// Label returns a's names, or a zero Label when a is not valid.
func (a AccessPath) Label() Label { return accessPaths.label(a) }

// Valid reports whether t is one of the enumerated trigger requirements.
func (t TriggerRequirement) Valid() bool { return triggers.has(t) }

// Label returns t's names, or a zero Label when t is not valid.
func (t TriggerRequirement) Label() Label { return triggers.label(t) }

// Valid reports whether p is one of the enumerated privilege requirements.
func (p PrivilegesRequired) Valid() bool { return privileges.has(p) }

// Label returns p's names, or a zero Label when p is not valid.
func (p PrivilegesRequired) Label() Label { return privileges.label(p) }

// Valid reports whether u is one of the enumerated interaction conditions.
func (u UserInteraction) Valid() bool { return interactions.has(u) }

// Label returns u's names, or a zero Label when u is not valid.
func (u UserInteraction) Label() Label { return interactions.label(u) }

// Valid reports whether i is one of the enumerated impact values.
func (i Impact) Valid() bool { return impacts.has(i) }

// Label returns i's names, or a zero Label when i is not valid.
func (i Impact) Label() Label { return impacts.label(i) }

// Valid reports whether c is one of the enumerated exploitation costs.
func (c ExploitationCost) Valid() bool { return costs.has(c) }

// Label returns c's names, or a zero Label when c is not valid.
func (c ExploitationCost) Label() Label { return costs.label(c) }

// Valid reports whether f is one of the enumerated fix difficulties.
func (f FixDifficulty) Valid() bool { return fixes.has(f) }

// Label returns f's names, or a zero Label when f is not valid.
func (f FixDifficulty) Label() Label { return fixes.label(f) }

// Valid reports whether s is one of the enumerated impact scopes.
func (s ImpactScope) Valid() bool { return scopes.has(s) }

// Label returns s's names, or a zero Label when s is not valid.
func (s ImpactScope) Label() Label { return scopes.label(s) }

// Valid reports whether l is one of the levels.
func (l Level) Valid() bool { return levels.has(l) }

// Label returns l's names, or a zero Label when l is not valid.
func (l Level) Label() Label { return levels.label(l) }

// Valid reports whether g is one of the four grades.
func (g Grade) Valid() bool { return grades.has(g) }

// Label returns g's names (超危 critical, 高危 high, 中危 medium, 低危
// low), or a zero Label when g is not valid.
func (g Grade) Label() Label { return grades.label(g) }
