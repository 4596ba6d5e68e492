package gbt30279

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite default_table.json from the provisional rules")

// defaultTableSHA256 pins the shipped default table: a change to the file
// must change this line too, so it is deliberate and reviewed.
const defaultTableSHA256 = "e2ab191f1e043e57eb676b1fd80fd152c7332ad718e294ba91fadf34e2d60b5b"

// The provisional rules the default table is generated from. They are
// Embargo's design, not the standard's Annexes; docs/severity.md
// explains them.

// exploitPoints scores the exploitability indicators: the more remote the
// access path and the fewer conditions, privileges and interactions, the
// easier the vulnerability is to exploit. 7 (network, low trigger, no
// privileges, no interaction) is the maximum.
func exploitPoints(k exploitKey) int {
	p := map[AccessPath]int{AccessNetwork: 3, AccessAdjacent: 2, AccessLocal: 1, AccessPhysical: 0}[k.AccessPath]
	p += map[TriggerRequirement]int{TriggerLow: 1, TriggerHigh: 0}[k.Trigger]
	p += map[PrivilegesRequired]int{PrivilegesNone: 2, PrivilegesLow: 1, PrivilegesHigh: 0}[k.Privileges]
	p += map[UserInteraction]int{InteractionNotRequired: 1, InteractionRequired: 0}[k.Interaction]
	return p
}

// ruleExploitability: only the unconditional remote case is high; 4 to 6
// points medium; 3 or fewer low.
func ruleExploitability(k exploitKey) Level {
	switch p := exploitPoints(k); {
	case p == 7:
		return LevelHigh
	case p >= 4:
		return LevelMedium
	}
	return LevelLow
}

// ruleImpact counts severe and general impacts: two severe, or one severe
// with a general one, is high; one severe alone or two or more general is
// medium; a single general impact is low; no impact at all is none.
func ruleImpact(k impactKey) Level {
	severe, general := 0, 0
	for _, i := range []Impact{k.Confidentiality, k.Integrity, k.Availability} {
		switch i {
		case ImpactSevere:
			severe++
		case ImpactGeneral:
			general++
		}
	}
	switch {
	case severe >= 2 || severe == 1 && general >= 1:
		return LevelHigh
	case severe == 1 || general >= 2:
		return LevelMedium
	case general == 1:
		return LevelLow
	}
	return LevelNone
}

// ruleTechnical is the matrix of exploitability (rows) by impact (columns);
// a vulnerability with no impact is low whatever its exploitability, and
// so is one whose exploitability level is none (which the default
// exploitability section never yields).
func ruleTechnical(k technicalKey) Grade {
	matrix := map[Level]map[Level]Grade{
		LevelHigh:   {LevelHigh: GradeCritical, LevelMedium: GradeHigh, LevelLow: GradeMedium, LevelNone: GradeLow},
		LevelMedium: {LevelHigh: GradeHigh, LevelMedium: GradeMedium, LevelLow: GradeLow, LevelNone: GradeLow},
		LevelLow:    {LevelHigh: GradeMedium, LevelMedium: GradeLow, LevelLow: GradeLow, LevelNone: GradeLow},
		LevelNone:   {LevelHigh: GradeLow, LevelMedium: GradeLow, LevelLow: GradeLow, LevelNone: GradeLow},
	}
	return matrix[k.Exploitability][k.Impact]
}

// ruleEnvironment: no affected deployment (scope none) is none; otherwise
// points for a cheap exploit (low cost 2, medium 1), a hard fix (high 2,
// medium 1) and a wide scope (high 3, medium 2, low 1): 6 or 7 high, 3 to 5
// medium, fewer low.
func ruleEnvironment(k environmentKey) Level {
	if k.ImpactScope == ScopeNone {
		return LevelNone
	}
	p := map[ExploitationCost]int{CostLow: 2, CostMedium: 1, CostHigh: 0}[k.ExploitationCost]
	p += map[FixDifficulty]int{FixHigh: 2, FixMedium: 1, FixLow: 0}[k.FixDifficulty]
	p += map[ImpactScope]int{ScopeHigh: 3, ScopeMedium: 2, ScopeLow: 1}[k.ImpactScope]
	switch {
	case p >= 6:
		return LevelHigh
	case p >= 3:
		return LevelMedium
	}
	return LevelLow
}

// ruleComprehensive moves the technical grade by at most one step: up for
// a high environment level, down for low or none, unchanged for medium.
func ruleComprehensive(k comprehensiveKey) Grade {
	order := []Grade{GradeLow, GradeMedium, GradeHigh, GradeCritical}
	i := map[Grade]int{GradeLow: 0, GradeMedium: 1, GradeHigh: 2, GradeCritical: 3}[k.Technical]
	switch k.Environment {
	case LevelHigh:
		i = min(i+1, 3)
	case LevelLow, LevelNone:
		i = max(i-1, 0)
	}
	return order[i]
}

// generateDefault builds the default table file from the rules.
func generateDefault() []byte {
	var b bytes.Buffer
	b.WriteString("{\n")
	b.WriteString(`  "format": "` + TableFormat + `",` + "\n")
	b.WriteString(`  "name": "Embargo provisional default (not the official GB/T 30279-2020 Annex tables)",` + "\n")
	b.WriteString(`  "provisional": true,` + "\n")
	b.WriteString(`  "note": "Not transcribed from GB/T 30279-2020: its Annex A-E lookup tables are not reproduced in public material. ` +
		`Designed by the Embargo authors from the standard's indicators and method (rules in docs/severity.md). ` +
		`Replace it with a table transcribed from the official text.",` + "\n")
	section(&b, sectionExploitability, allExploitKeys(), func(k exploitKey) any { return exploitRow{k, ruleExploitability(k)} }, false)
	section(&b, sectionImpact, allImpactKeys(), func(k impactKey) any { return impactRow{k, ruleImpact(k)} }, false)
	section(&b, sectionTechnical, allTechnicalKeys(), func(k technicalKey) any { return technicalRow{k, ruleTechnical(k)} }, false)
	section(&b, sectionEnvironment, allEnvironmentKeys(), func(k environmentKey) any { return environmentRow{k, ruleEnvironment(k)} }, false)
	section(&b, sectionComprehensive, allComprehensiveKeys(), func(k comprehensiveKey) any { return comprehensiveRow{k, ruleComprehensive(k)} }, true)
	b.WriteString("}\n")
	return b.Bytes()
}

// section writes one section with a row per line, for readable diffs.
func section[K any](b *bytes.Buffer, name string, keys []K, row func(K) any, last bool) {
	b.WriteString(`  "` + name + `": [` + "\n")
	for i, k := range keys {
		line, err := json.Marshal(row(k))
		if err != nil {
			panic(err)
		}
		b.WriteString("    ")
		b.Write(line)
		if i < len(keys)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  ]")
	if !last {
		b.WriteString(",")
	}
	b.WriteString("\n")
}

// TestDefaultTableIsGenerated keeps default_table.json equal to what the
// documented rules produce; -update rewrites it.
func TestDefaultTableIsGenerated(t *testing.T) {
	want := generateDefault()
	if *update {
		if err := os.WriteFile("default_table.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(string(want), string(defaultTableJSON)); diff != "" {
		t.Errorf("default_table.json differs from the rules (-rules +file); run go test -update:\n%s", diff)
	}
}

func TestDefaultTable(t *testing.T) {
	tab := DefaultTable()
	if !tab.Provisional() {
		t.Error("the default table must be marked provisional")
	}
	if tab.Note() == "" || tab.Name() == "" {
		t.Errorf("name %q, note %q: want both", tab.Name(), tab.Note())
	}
	if got := tab.SHA256(); got != defaultTableSHA256 {
		t.Errorf("default table SHA-256 = %s, pinned %s: if the change is deliberate, update the pin", got, defaultTableSHA256)
	}
}
