package disclosure

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	beijing, _ = time.LoadLocation("Asia/Shanghai")
	// lianghui is a blackout of the kind a compliance officer records.
	lianghui = Blackout{ID: 3, NameZH: "全国两会", NameEN: "National People's Congress and CPPCC sessions",
		Start: time.Date(2027, 3, 4, 0, 0, 0, 0, beijing), End: time.Date(2027, 3, 12, 0, 0, 0, 0, beijing), Zone: "Asia/Shanghai"}
	evidence = Evidence{Reference: "工信部函〔2027〕12号", Date: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), Text: "meeting minutes"}
)

// complete is an advisory that passes every rule.
func complete() Input {
	return Input{
		At:           time.Date(2027, 2, 20, 10, 0, 0, 0, beijing),
		Authors:      []string{"user:2"},
		Approver:     "user:3",
		FixAvailable: true,
		Public: []Field{{"title.zh", "某路由器命令注入漏洞"}, {"description.en", "A command injection in the web UI of AX3000 1.0.3."},
			{"remediation.en", "Upgrade to 1.0.4 from https://download.vendor.example/ax3000."}},
		NotOperator:   []string{"url:https://download.vendor.example/ax3000"},
		Assessed:      Severity{Grade: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		Shown:         Severity{Grade: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
		Restricted:    []Attachment{{Name: "poc_ax3000.py", SHA256: "ab12cd34", Restricted: true}},
		Attachments:   []Attachment{{Name: "diagram.png", SHA256: "ffee"}},
		References:    []Reference{{URL: "https://www.cve.org/CVERecord?id=CVE-2027-0001", Kind: "advisory"}},
		RemediationZH: "升级到 1.0.4。",
		RemediationEN: "Upgrade to 1.0.4.",
		Blackouts:     []Blackout{lianghui},
	}
}

func rules(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule+" "+v.Code+" "+v.Detail)
	}
	return out
}

// Each rule, alone, blocks publication with its own rule ID; a complete
// advisory publishes.
func TestEvaluate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Input)
		want   []string
	}{
		{"complete", func(*Input) {}, nil},
		{"unapproved", func(in *Input) { in.Approver = "" }, []string{"CN-09-P unapproved "}},
		{"approved by an author", func(in *Input) { in.Authors = append(in.Authors, "user:3") }, []string{"CN-09-P self_approved user:3"}},
		{"no fix, no early record", func(in *Input) { in.FixAvailable = false },
			[]string{"CN-09-1 no_fix consultation, miit_report, mps_report, assessment"}},
		{"no fix, early record lacks the authorities' assessment", func(in *Input) {
			in.FixAvailable = false
			in.Early = EarlyRecord{Consultation: evidence, MIITReport: evidence, MPSReport: evidence,
				Assessment: Evidence{Reference: "x", Date: evidence.Date}}
		}, []string{"CN-09-1 no_fix assessment"}},
		{"no fix, complete early record", func(in *Input) {
			in.FixAvailable = false
			in.Early = EarlyRecord{Consultation: evidence, MIITReport: evidence, MPSReport: evidence, Assessment: evidence}
		}, nil},
		{"operator case", func(in *Input) { in.OperatorCase = true }, []string{"CN-09-2 operator_case "}},
		{"operator system in public text", func(in *Input) {
			in.Public = append(in.Public, Field{"impact.zh", "某市政务系统 10.3.2.1 受影响"})
		}, []string{"CN-09-2 operator_system 10.3.2.1"}},
		{"unmarked download URL", func(in *Input) { in.NotOperator = nil },
			[]string{"CN-09-2 operator_system https://download.vendor.example/ax3000"}},
		{"grade raised without override", func(in *Input) { in.Shown.Grade = "critical" },
			[]string{"CN-09-3 severity_differs assessed high CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H; public critical CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		{"approved override", func(in *Input) { in.Shown.Grade = "medium"; in.OverrideReason = "only with a non-default setting" }, nil},
		{"restricted attachment", func(in *Input) { in.Attachments = append(in.Attachments, in.Restricted[0]) },
			[]string{"CN-09-4 restricted_file poc_ax3000.py"}},
		{"exploit reference", func(in *Input) {
			in.References = append(in.References, Reference{URL: "https://x.example/poc", Kind: "exploit"})
		},
			[]string{"CN-09-4 exploit_reference https://x.example/poc"}},
		{"restricted file named in text", func(in *Input) {
			in.Public = append(in.Public, Field{"description.en", "Run POC_AX3000.PY against the device."})
		}, []string{"CN-09-4 restricted_mention poc_ax3000.py"}},
		{"no remediation in Chinese", func(in *Input) { in.RemediationZH = " " }, []string{"CN-09-5 no_remediation zh-CN"}},
		{"in a blackout", func(in *Input) { in.At = time.Date(2027, 3, 5, 9, 0, 0, 0, beijing) },
			[]string{"CN-09-6 blackout 全国两会 / National People's Congress and CPPCC sessions"}},
		{"in a blackout with MPS consent", func(in *Input) { in.At = lianghui.Start; in.MPSConsent = []int64{3} }, nil},
		{"at the blackout's end", func(in *Input) { in.At = lianghui.End }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := complete()
			tc.change(&in)
			if diff := cmp.Diff(tc.want, rules(Evaluate(in))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Every violation carries an explanation and what to do about it.
func TestViolationsExplain(t *testing.T) {
	in := Input{OperatorCase: true, Public: []Field{{"x", "1.2.3.4"}}, Shown: Severity{Grade: "low"},
		Attachments: []Attachment{{Name: "a", Restricted: true}}, Blackouts: []Blackout{lianghui}, At: lianghui.Start}
	vs := Evaluate(in)
	got := map[string]bool{}
	for _, v := range vs {
		got[v.Rule] = true
		if v.Message == "" || v.Fix == "" || v.Code == "" {
			t.Errorf("%s %s: message %q, fix %q", v.Rule, v.Code, v.Message, v.Fix)
		}
	}
	want := map[string]bool{RuleFourEyes: true, RuleFix: true, RuleOperator: true, RuleSeverity: true, RuleRestricted: true,
		RuleRemediation: true, RuleBlackout: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules broken (-want +got):\n%s", diff)
	}
}
