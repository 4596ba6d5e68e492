package gbt30279_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// mustPrefill returns the indicators pre-filled from a vector.
func mustPrefill(t testing.TB, vector string) gbt30279.Indicators {
	t.Helper()
	in, err := gbt30279.Prefill(vector)
	if err != nil {
		t.Fatalf("Prefill(%q): %v", vector, err)
	}
	return in
}

// withEnv returns in with the three environment indicators set.
func withEnv(in gbt30279.Indicators, c gbt30279.ExploitationCost, f gbt30279.FixDifficulty, s gbt30279.ImpactScope) gbt30279.Indicators {
	in.ExploitationCost, in.FixDifficulty, in.ImpactScope = c, f, s
	return in
}

// TestGradeGolden grades worked examples with the provisional default
// table. They are Embargo's own examples, not the standard's Annex F.
func TestGradeGolden(t *testing.T) {
	const (
		rce      = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
		dos      = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"
		xss      = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
		privesc  = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"
		infoLeak = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"
		physical = "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"
		noImpact = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"
	)
	tab := gbt30279.DefaultTable()
	tech := func(e, i gbt30279.Level, g gbt30279.Grade) gbt30279.Result {
		return gbt30279.Result{Exploitability: e, Impact: i, Technical: g, TableSHA256: tab.SHA256(), Provisional: true}
	}
	comp := func(r gbt30279.Result, env gbt30279.Level, g gbt30279.Grade) gbt30279.Result {
		r.Environment, r.Comprehensive = env, g
		return r
	}
	H, M, L, N := gbt30279.LevelHigh, gbt30279.LevelMedium, gbt30279.LevelLow, gbt30279.LevelNone
	for _, tc := range []struct {
		name string
		in   gbt30279.Indicators
		want gbt30279.Result
	}{
		{"unauthenticated remote code execution", mustPrefill(t, rce), tech(H, H, gbt30279.GradeCritical)},
		{"unauthenticated denial of service", mustPrefill(t, dos), tech(H, M, gbt30279.GradeHigh)},
		{"reflected cross-site scripting", mustPrefill(t, xss), tech(M, M, gbt30279.GradeMedium)},
		{"local privilege escalation", mustPrefill(t, privesc), tech(M, H, gbt30279.GradeHigh)},
		{"unauthenticated minor information leak", mustPrefill(t, infoLeak), tech(H, L, gbt30279.GradeMedium)},
		{"physical attack needing an administrator", mustPrefill(t, physical), tech(L, M, gbt30279.GradeLow)},
		{"no impact", mustPrefill(t, noImpact), tech(H, N, gbt30279.GradeLow)},
		{
			"critical stays critical in a wide, hard-to-fix deployment",
			withEnv(mustPrefill(t, rce), gbt30279.CostLow, gbt30279.FixHigh, gbt30279.ScopeHigh),
			comp(tech(H, H, gbt30279.GradeCritical), H, gbt30279.GradeCritical),
		},
		{
			"denial of service raised by a cheap exploit and a hard fix",
			withEnv(mustPrefill(t, dos), gbt30279.CostLow, gbt30279.FixHigh, gbt30279.ScopeMedium),
			comp(tech(H, M, gbt30279.GradeHigh), H, gbt30279.GradeCritical),
		},
		{
			"privilege escalation lowered by a costly exploit, easy fix, narrow scope",
			withEnv(mustPrefill(t, privesc), gbt30279.CostHigh, gbt30279.FixLow, gbt30279.ScopeLow),
			comp(tech(M, H, gbt30279.GradeHigh), L, gbt30279.GradeMedium),
		},
		{
			"cross-site scripting in no deployment",
			withEnv(mustPrefill(t, xss), gbt30279.CostMedium, gbt30279.FixMedium, gbt30279.ScopeNone),
			comp(tech(M, M, gbt30279.GradeMedium), N, gbt30279.GradeLow),
		},
		{
			"information leak unchanged in a middling environment",
			withEnv(mustPrefill(t, infoLeak), gbt30279.CostMedium, gbt30279.FixMedium, gbt30279.ScopeMedium),
			comp(tech(H, L, gbt30279.GradeMedium), M, gbt30279.GradeMedium),
		},
		{
			"low stays low",
			withEnv(mustPrefill(t, physical), gbt30279.CostHigh, gbt30279.FixLow, gbt30279.ScopeLow),
			comp(tech(L, M, gbt30279.GradeLow), L, gbt30279.GradeLow),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tab.Grade(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Grade (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGradeRefusesInvalidIndicators(t *testing.T) {
	valid := mustPrefill(t, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	for _, tc := range []struct {
		name     string
		edit     func(*gbt30279.Indicators)
		wantCode string
	}{
		{"missing access path", func(in *gbt30279.Indicators) { in.AccessPath = "" }, "gbt30279.access_path"},
		{"unknown impact", func(in *gbt30279.Indicators) { in.Integrity = "high" }, "gbt30279.integrity"},
		{"partial environment", func(in *gbt30279.Indicators) { in.ExploitationCost = gbt30279.CostLow }, "gbt30279.fix_difficulty"},
		{"unknown scope", func(in *gbt30279.Indicators) {
			*in = withEnv(*in, gbt30279.CostLow, gbt30279.FixLow, "everywhere")
		}, "gbt30279.impact_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid
			tc.edit(&in)
			_, err := gbt30279.DefaultTable().Grade(in)
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Grade: %v, want an Invalid error", err)
			}
			if code, _ := errs.CodeOf(err); code != tc.wantCode {
				t.Errorf("code %q, want %q", code, tc.wantCode)
			}
		})
	}
}

// defaultDoc returns the default table file decoded for editing.
func defaultDoc(t testing.TB) map[string]any {
	t.Helper()
	b, err := os.ReadFile("default_table.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// mustJSON encodes v.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rows(doc map[string]any, section string) []any { return doc[section].([]any) }

func TestLoadTableRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(doc map[string]any) // nil: raw is used
		raw  string
		want string // in the message
	}{
		{name: "not JSON", raw: "grades", want: "not a JSON table file"},
		{name: "trailing data", raw: "{} {}", want: "unexpected data after the table"},
		{name: "too large", raw: strings.Repeat(" ", gbt30279.MaxTableSize+1), want: "larger than"},
		{name: "wrong format", edit: func(d map[string]any) { d["format"] = "v0" }, want: `format is "v0"`},
		{name: "no name", edit: func(d map[string]any) { delete(d, "name") }, want: "has no name"},
		{name: "provisional unstated", edit: func(d map[string]any) { delete(d, "provisional") }, want: "whether it is provisional"},
		{name: "provisional without note", edit: func(d map[string]any) { d["note"] = "" }, want: "needs a note"},
		{name: "unknown member", edit: func(d map[string]any) { d["annex_f"] = []any{} }, want: `unknown field "annex_f"`},
		{
			name: "missing exploitability row",
			edit: func(d map[string]any) { d["exploitability"] = rows(d, "exploitability")[1:] },
			want: "exploitability: no row for access_path=network trigger_requirement=low privileges_required=none user_interaction=not_required",
		},
		{
			name: "missing comprehensive row",
			edit: func(d map[string]any) { r := rows(d, "comprehensive"); d["comprehensive"] = r[:len(r)-1] },
			want: "comprehensive: no row for technical=low environment=none",
		},
		{
			name: "unknown indicator value",
			edit: func(d map[string]any) { rows(d, "impact")[2].(map[string]any)["integrity"] = "total" },
			want: `impact row 3: integrity "total" is not one of severe, general or none`,
		},
		{
			name: "unknown level",
			edit: func(d map[string]any) { rows(d, "environment")[0].(map[string]any)["level"] = "extreme" },
			want: `environment row 1 (exploitation_cost=low fix_difficulty=high impact_scope=high): level "extreme" is not valid`,
		},
		{
			name: "unknown grade",
			edit: func(d map[string]any) { rows(d, "technical")[0].(map[string]any)["grade"] = "超危" },
			want: `technical row 1 (exploitability=high impact=high): grade "超危" is not valid`,
		},
		{
			name: "missing key member",
			edit: func(d map[string]any) { delete(rows(d, "technical")[4].(map[string]any), "impact") },
			want: `technical row 5: impact "" is not one of high, medium, low or none`,
		},
		{
			name: "duplicate row",
			edit: func(d map[string]any) { r := rows(d, "impact"); d["impact"] = append(r, r[0]) },
			want: "impact row 28: a second row for confidentiality=severe integrity=severe availability=severe",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.raw)
			if tc.edit != nil {
				doc := defaultDoc(t)
				tc.edit(doc)
				raw = mustJSON(t, doc)
			}
			tab, err := gbt30279.LoadTable(bytes.NewReader(raw))
			if err == nil {
				t.Fatalf("LoadTable accepted the table (%s)", tab.Name())
			}
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("error %v is not Invalid", err)
			}
			if code, _ := errs.CodeOf(err); code != "gbt30279.table" {
				t.Errorf("code %q, want gbt30279.table", code)
			}
			if msg := errs.Message(err); !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
		})
	}
}

// TestLoadTableReplacesDefault loads an organisation's own, official
// table (here: one that grades everything critical) and grades by it.
func TestLoadTableReplacesDefault(t *testing.T) {
	doc := defaultDoc(t)
	doc["name"] = "Transcribed from GB/T 30279-2020"
	doc["provisional"] = false
	doc["note"] = ""
	for _, r := range rows(doc, "technical") {
		r.(map[string]any)["grade"] = "critical"
	}
	raw := mustJSON(t, doc)
	tab, err := gbt30279.LoadTable(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if got, want := tab.SHA256(), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("SHA256 = %s, want %s", got, want)
	}
	if tab.Provisional() {
		t.Error("Provisional() = true for a table that says false")
	}
	got, err := tab.Grade(mustPrefill(t, "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L"))
	if err != nil {
		t.Fatal(err)
	}
	want := gbt30279.Result{
		Exploitability: gbt30279.LevelLow, Impact: gbt30279.LevelLow, Technical: gbt30279.GradeCritical,
		TableSHA256: tab.SHA256(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Grade (-want +got):\n%s", diff)
	}
}

func BenchmarkGrade(b *testing.B) {
	tab := gbt30279.DefaultTable()
	in := withEnv(mustPrefill(b, "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:L/A:N"),
		gbt30279.CostMedium, gbt30279.FixHigh, gbt30279.ScopeHigh)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tab.Grade(in); err != nil {
			b.Fatal(err)
		}
	}
}
