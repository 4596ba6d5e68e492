package gbt30279_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// fullIndicators has every indicator set to a valid value.
var fullIndicators = gbt30279.Indicators{
	AccessPath: gbt30279.AccessNetwork, Trigger: gbt30279.TriggerLow,
	Privileges: gbt30279.PrivilegesNone, Interaction: gbt30279.InteractionNotRequired,
	Confidentiality: gbt30279.ImpactSevere, Integrity: gbt30279.ImpactGeneral, Availability: gbt30279.ImpactNone,
	ExploitationCost: gbt30279.CostMedium, FixDifficulty: gbt30279.FixLow, ImpactScope: gbt30279.ScopeNone,
}

// TestAllIndicators checks the metadata against the Indicators type: ten
// indicators, their codes are the JSON names, and every listed value is
// accepted (and nothing else is).
func TestAllIndicators(t *testing.T) {
	all := gbt30279.AllIndicators()
	var codes []string
	for _, ind := range all {
		codes = append(codes, ind.Code)
	}
	var asMap map[string]string
	if err := json.Unmarshal(mustJSON(t, fullIndicators), &asMap); err != nil {
		t.Fatal(err)
	}
	var jsonNames []string
	for k := range asMap {
		jsonNames = append(jsonNames, k)
	}
	slices.Sort(jsonNames)
	if diff := cmp.Diff(jsonNames, slices.Sorted(slices.Values(codes))); diff != "" {
		t.Fatalf("indicator codes differ from the JSON names of Indicators (-json +codes):\n%s", diff)
	}
	for _, ind := range all {
		if ind.Label.Chinese == "" || ind.Label.English == "" {
			t.Errorf("%s has no label", ind.Code)
		}
		for _, v := range append(ind.Values, gbt30279.Value{Code: "bogus"}) {
			m := map[string]string{}
			for k, x := range asMap {
				m[k] = x
			}
			m[ind.Code] = v.Code
			var in gbt30279.Indicators
			if err := json.Unmarshal(mustJSON(t, m), &in); err != nil {
				t.Fatal(err)
			}
			err := in.Validate()
			if v.Code == "bogus" {
				if code, _ := errs.CodeOf(err); code != "gbt30279."+ind.Code {
					t.Errorf("%s=bogus: error code %q, want gbt30279.%s", ind.Code, code, ind.Code)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s=%s: %v", ind.Code, v.Code, err)
			}
			if v.Chinese == "" || v.English == "" {
				t.Errorf("%s=%s has no label", ind.Code, v.Code)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		edit     func(*gbt30279.Indicators)
		wantCode string // "" for valid
	}{
		{"all set", func(*gbt30279.Indicators) {}, ""},
		{"access path", func(in *gbt30279.Indicators) { in.AccessPath = "remote" }, "gbt30279.access_path"},
		{"trigger", func(in *gbt30279.Indicators) { in.Trigger = "" }, "gbt30279.trigger_requirement"},
		{"privileges", func(in *gbt30279.Indicators) { in.Privileges = "admin" }, "gbt30279.privileges_required"},
		{"interaction", func(in *gbt30279.Indicators) { in.Interaction = "not required" }, "gbt30279.user_interaction"},
		{"confidentiality", func(in *gbt30279.Indicators) { in.Confidentiality = "H" }, "gbt30279.confidentiality"},
		{"integrity", func(in *gbt30279.Indicators) { in.Integrity = "Severe" }, "gbt30279.integrity"},
		{"availability", func(in *gbt30279.Indicators) { in.Availability = "" }, "gbt30279.availability"},
		{"cost", func(in *gbt30279.Indicators) { in.ExploitationCost = "none" }, "gbt30279.exploitation_cost"},
		{"fix", func(in *gbt30279.Indicators) { in.FixDifficulty = "none" }, "gbt30279.fix_difficulty"},
		{"scope", func(in *gbt30279.Indicators) { in.ImpactScope = "" }, "gbt30279.impact_scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := fullIndicators
			tc.edit(&in)
			err := in.Validate()
			if tc.wantCode == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Validate = %v, want Invalid", err)
			}
			if code, _ := errs.CodeOf(err); code != tc.wantCode {
				t.Errorf("code %q, want %q", code, tc.wantCode)
			}
		})
	}
}

func TestTechnicalValidationIgnoresEnvironment(t *testing.T) {
	in := fullIndicators
	in.ExploitationCost, in.FixDifficulty, in.ImpactScope = "", "", ""
	if err := in.ValidateTechnical(); err != nil {
		t.Fatal(err)
	}
	if in.HasEnvironment() {
		t.Error("HasEnvironment = true with no environment indicator set")
	}
}

func TestLabels(t *testing.T) {
	got := []gbt30279.Label{
		gbt30279.AccessAdjacent.Label(),
		gbt30279.InteractionNotRequired.Label(),
		gbt30279.ImpactGeneral.Label(),
		gbt30279.FixHigh.Label(),
		gbt30279.ScopeNone.Label(),
		gbt30279.GradeCritical.Label(),
		gbt30279.GradeLow.Label(),
		gbt30279.LevelMedium.Label(),
		gbt30279.AccessPath("remote").Label(),
	}
	want := []gbt30279.Label{
		{Chinese: "邻接", English: "adjacent"},
		{Chinese: "不需要", English: "not required"},
		{Chinese: "一般", English: "general"},
		{Chinese: "高", English: "high"},
		{Chinese: "无", English: "none"},
		{Chinese: "超危", English: "critical"},
		{Chinese: "低危", English: "low"},
		{Chinese: "中", English: "medium"},
		{},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
}
