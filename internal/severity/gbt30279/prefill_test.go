package gbt30279_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

func TestPrefill(t *testing.T) {
	type I = gbt30279.Indicators
	for _, tc := range []struct {
		name   string
		vector string
		want   I
	}{
		{
			"v3.1 network, no conditions, full impact",
			"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			I{AccessPath: "network", Trigger: "low", Privileges: "none", Interaction: "not_required",
				Confidentiality: "severe", Integrity: "severe", Availability: "severe"},
		},
		{
			"v3.1 adjacent, high complexity, user interaction, low impact",
			"CVSS:3.1/AV:A/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:L",
			I{AccessPath: "adjacent", Trigger: "high", Privileges: "low", Interaction: "required",
				Confidentiality: "general", Integrity: "none", Availability: "general"},
		},
		{
			"v3.0 local, high privileges",
			"CVSS:3.0/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:N",
			I{AccessPath: "local", Trigger: "low", Privileges: "high", Interaction: "not_required",
				Confidentiality: "none", Integrity: "severe", Availability: "none"},
		},
		{
			"v3.1 with temporal and environmental metrics, in any order",
			"CVSS:3.1/C:H/I:N/A:N/AV:P/AC:L/PR:N/UI:N/S:U/E:P/RL:O/CR:H/MAV:N",
			I{AccessPath: "physical", Trigger: "low", Privileges: "none", Interaction: "not_required",
				Confidentiality: "severe", Integrity: "none", Availability: "none"},
		},
		{
			"v3.1 ignores a v4.0-only metric among the extra metrics",
			"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AT:P/VC:N",
			I{AccessPath: "network", Trigger: "low", Privileges: "none", Interaction: "not_required",
				Confidentiality: "severe", Integrity: "severe", Availability: "severe"},
		},
		{
			"v4.0 uses the vulnerable system's impacts, not the subsequent systems'",
			"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H",
			I{AccessPath: "network", Trigger: "low", Privileges: "none", Interaction: "not_required",
				Confidentiality: "severe", Integrity: "general", Availability: "none"},
		},
		{
			"v4.0 attack requirements present make the trigger requirement high",
			"CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
			I{AccessPath: "local", Trigger: "high", Privileges: "low", Interaction: "required",
				Confidentiality: "none", Integrity: "none", Availability: "severe"},
		},
		{
			"v4.0 high complexity and active interaction",
			"CVSS:4.0/AV:A/AC:H/AT:N/PR:H/UI:A/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N/E:A/S:P",
			I{AccessPath: "adjacent", Trigger: "high", Privileges: "high", Interaction: "required",
				Confidentiality: "general", Integrity: "general", Availability: "general"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := gbt30279.Prefill(tc.vector)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Prefill(%q) (-want +got):\n%s", tc.vector, diff)
			}
			if err := got.ValidateTechnical(); err != nil {
				t.Errorf("pre-filled indicators do not validate: %v", err)
			}
			if got.HasEnvironment() {
				t.Error("a CVSS base vector cannot pre-fill the environment indicators")
			}
		})
	}
}

func TestPrefillRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, vector, want string
	}{
		{"empty", "", "does not start with"},
		{"CVSS v2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", "does not start with"},
		{"unknown version", "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "does not start with"},
		{"score, not vector", "9.8", "does not start with"},
		{"missing base metric", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H", "base metric S is missing"},
		{"v4 metric missing", "CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "base metric AT is missing"},
		{"v3 vector labelled v4", "CVSS:4.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "base metric AT is missing"},
		{"bad value", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:X is not a valid value of AV"},
		{"v4 value in v3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:P/S:U/C:H/I:H/A:H", "UI:P is not a valid value of UI"},
		{"long value", "CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:NN is not a valid value"},
		{"duplicate", "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "metric AV appears more than once"},
		{"empty part", "CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `"" is not a metric`},
		{"no colon", "CVSS:3.1/AVN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", `"AVN" is not a metric`},
		{"trailing slash", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", `"" is not a metric`},
		{"too long", "CVSS:3.1/" + strings.Repeat("X:Y/", 300), "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := gbt30279.Prefill(tc.vector)
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Prefill(%q) = %v, want an Invalid error", tc.vector, err)
			}
			if code, _ := errs.CodeOf(err); code != "gbt30279.vector" {
				t.Errorf("code %q, want gbt30279.vector", code)
			}
			if msg := errs.Message(err); !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
		})
	}
}
