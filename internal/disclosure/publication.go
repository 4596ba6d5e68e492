package disclosure

import (
	"slices"
	"strings"
	"time"
)

// This file is the publication gate (RMSV Art. 9): one pure function,
// Evaluate, that decides from plain data whether an advisory may go out
// now, and names every rule it would break. The advisory service gathers
// the input (internal/advisory) and runs the gate before every release,
// including a scheduled one at the moment it falls due.

// The rules of the publication gate (../shared/regulation/REQUIREMENTS.md).
const (
	RuleFourEyes    = "CN-09-P" // the approver is not an author
	RuleFix         = "CN-09-1" // a fix or mitigation, or a complete early-publication record
	RuleOperator    = "CN-09-2" // no operator (event-type) case, no operator system in public text
	RuleSeverity    = "CN-09-3" // the public severity is the assessed one, or an approved override
	RuleRestricted  = "CN-09-4" // no PoC or exploit material in public output
	RuleRemediation = "CN-09-5" // the fix or mitigation is published together
	RuleBlackout    = "CN-09-6" // no publication in a major-event blackout without MPS consent
)

// Violation is one rule the publication would break. Code names the
// message in the i18n catalogues ("gate.<code>" says what is wrong,
// "gate.<code>.fix" what to do); Message and Fix are their English text;
// Detail is the datum the message is about (a finding, a blackout's name,
// a missing item), shown as is.
type Violation struct {
	Rule    string `json:"rule"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
	Detail  string `json:"detail,omitempty"`
}

// Field is one public text field of the advisory, in one language
// ("description.zh").
type Field struct {
	Name string
	Text string
}

// Evidence backs one item of the early-publication record: a reference
// (a letter or ticket number), the date, and a file or a text.
type Evidence struct {
	Reference string    `json:"reference"`
	Date      time.Time `json:"date"`
	File      string    `json:"file,omitempty"` // a case file's name
	Text      string    `json:"text,omitempty"`
}

// Complete reports whether e has a reference, a date and a file or text.
func (e Evidence) Complete() bool {
	return strings.TrimSpace(e.Reference) != "" && !e.Date.IsZero() &&
		(strings.TrimSpace(e.File) != "" || strings.TrimSpace(e.Text) != "")
}

// EarlyRecord is the record that allows publication before a fix (RMSV
// Art. 9(1)): the joint assessment with the provider, the reports to MIIT
// and MPS, and the authorities' assessment, each with its evidence.
type EarlyRecord struct {
	Consultation Evidence `json:"consultation"`
	MIITReport   Evidence `json:"miit_report"`
	MPSReport    Evidence `json:"mps_report"`
	Assessment   Evidence `json:"assessment"`
}

// Missing names the items of r without complete evidence.
func (r EarlyRecord) Missing() []string {
	var out []string
	for _, it := range []struct {
		name string
		e    Evidence
	}{{"consultation", r.Consultation}, {"miit_report", r.MIITReport}, {"mps_report", r.MPSReport}, {"assessment", r.Assessment}} {
		if !it.e.Complete() {
			out = append(out, it.name)
		}
	}
	return out
}

// Severity is a public or assessed severity: the GB/T 30279 grade and the
// CVSS vector.
type Severity struct {
	Grade string
	CVSS  string
}

// Blackout is a period of a major national event (全国两会, 国庆 …) in
// which nothing is published without MPS's consent (RMSV Art. 9(6)).
// Start and End are instants; Zone is where the period was defined.
type Blackout struct {
	ID     int64     `json:"id"`
	NameZH string    `json:"name_zh"`
	NameEN string    `json:"name_en"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Zone   string    `json:"zone"`
}

// Covers reports whether the blackout includes instant t.
func (b Blackout) Covers(t time.Time) bool { return !t.Before(b.Start) && t.Before(b.End) }

// Attachment is a file the advisory would publish.
type Attachment struct {
	Name       string
	SHA256     string
	Restricted bool
}

// Reference is a link the advisory would publish; Kind "exploit" marks
// exploit or PoC material.
type Reference struct {
	URL  string
	Kind string
}

// Input is everything the gate decides on.
type Input struct {
	// At is the moment of publication (now, or the scheduled time).
	At time.Time
	// OperatorCase: the case is an operator's (event-type) case.
	OperatorCase bool
	// Authors are everyone who wrote the revision; Approver approved it
	// ("" while unapproved).
	Authors  []string
	Approver string
	// FixAvailable: a fix or documented mitigation is available for every
	// affected version.
	FixAvailable bool
	Early        EarlyRecord
	// Public is every public text field, both languages.
	Public []Field
	// NotOperator are the findings the publisher marked as not an
	// operator's system (normalised values, see Finding.Key).
	NotOperator []string
	// Assessed is the case's assessment, Public what the advisory says;
	// OverrideReason justifies a difference (approved with the advisory).
	Assessed, Shown Severity
	OverrideReason  string
	// Restricted are the names and SHA-256 of the case's restricted files.
	Restricted  []Attachment
	Attachments []Attachment
	References  []Reference
	// RemediationZH and RemediationEN are the remediation section.
	RemediationZH, RemediationEN string
	Blackouts                    []Blackout
	// MPSConsent are the IDs of blackouts with MPS's recorded consent to
	// publish this advisory.
	MPSConsent []int64
}

// Evaluate applies every rule to in and returns each violation, in rule
// order; none means the advisory may be published at in.At.
func Evaluate(in Input) []Violation {
	var out []Violation
	for _, rule := range []func(Input) []Violation{fourEyes, fixFirst, operator, severity, restricted, remediation, blackout} {
		out = append(out, rule(in)...)
	}
	return out
}

func violation(rule, code, msg, fix, detail string) Violation {
	return Violation{Rule: rule, Code: code, Message: msg, Fix: fix, Detail: detail}
}

// fourEyes: CN-09-P.
func fourEyes(in Input) []Violation {
	switch {
	case in.Approver == "":
		return []Violation{violation(RuleFourEyes, "unapproved", "No one has approved this revision.",
			"Ask a publisher or compliance officer who did not write it to approve it.", "")}
	case slices.Contains(in.Authors, in.Approver):
		return []Violation{violation(RuleFourEyes, "self_approved", "The approver also wrote this revision.",
			"Have someone who did not write it approve it (four-eyes).", in.Approver)}
	}
	return nil
}

// fixFirst: CN-09-1, RMSV Art. 9(1).
func fixFirst(in Input) []Violation {
	if in.FixAvailable {
		return nil
	}
	missing := in.Early.Missing()
	if len(missing) == 0 {
		return nil
	}
	return []Violation{violation(RuleFix, "no_fix",
		"No fix or mitigation is available, and the early-publication record is incomplete.",
		"Record an available fix or mitigation in the remediation plan, or complete the early-publication record (consultation with the provider, reports to MIIT and MPS, the authorities' assessment, each with evidence).",
		strings.Join(missing, ", "))}
}

// operator: CN-09-2, RMSV Art. 9(2).
func operator(in Input) []Violation {
	if in.OperatorCase {
		return []Violation{violation(RuleOperator, "operator_case", "This is an operator's (event-type) case; it is never published.",
			"Do not publish it. Publish an advisory from the product provider's case instead.", "")}
	}
	var out []Violation
	seen := map[string]bool{}
	for _, f := range in.Public {
		for _, fd := range ScanOperatorSystems(f.Text) {
			k := fd.Key()
			if seen[k] || slices.Contains(in.NotOperator, k) {
				continue
			}
			seen[k] = true
			out = append(out, violation(RuleOperator, "operator_system",
				"The public text names what may be an operator's system ("+fd.Kind+" in "+f.Name+").",
				"Remove it, or mark it as not an operator's system (for example your own download site) with a reason.", fd.Value))
		}
	}
	return out
}

// severity: CN-09-3, RMSV Art. 9(3).
func severity(in Input) []Violation {
	if in.Assessed == in.Shown || (strings.TrimSpace(in.OverrideReason) != "" && in.Approver != "") {
		return nil
	}
	detail := "assessed " + in.Assessed.Grade + " " + in.Assessed.CVSS + "; public " + in.Shown.Grade + " " + in.Shown.CVSS
	return []Violation{violation(RuleSeverity, "severity_differs",
		"The public severity differs from the assessed one without an approved override.",
		"Use the assessed grade and CVSS vector, or give the reason for the override and have the advisory approved.", strings.TrimSpace(detail))}
}

// restricted: CN-09-4, RMSV Art. 9(4).
func restricted(in Input) []Violation {
	var out []Violation
	add := func(code, msg, detail string) {
		out = append(out, violation(RuleRestricted, code, msg,
			"Take the proof of concept or exploit out of the advisory; it stays restricted on the case.", detail))
	}
	for _, a := range in.Attachments {
		if a.Restricted || slices.ContainsFunc(in.Restricted, func(r Attachment) bool { return r.SHA256 != "" && r.SHA256 == a.SHA256 }) {
			add("restricted_file", "A restricted file (proof of concept or exploit) would be published.", a.Name)
		}
	}
	for _, r := range in.References {
		if r.Kind == "exploit" {
			add("exploit_reference", "A reference to exploit material would be published.", r.URL)
		}
	}
	for _, r := range in.Restricted {
		for _, f := range in.Public {
			if mentions(f.Text, r) {
				add("restricted_mention", "The public text names a restricted file ("+f.Name+").", r.Name)
				break
			}
		}
	}
	return out
}

func mentions(text string, r Attachment) bool {
	lt := strings.ToLower(text)
	return (len(r.Name) >= 4 && strings.Contains(lt, strings.ToLower(r.Name))) ||
		(r.SHA256 != "" && strings.Contains(lt, strings.ToLower(r.SHA256)))
}

// remediation: CN-09-5, RMSV Art. 9(5).
func remediation(in Input) []Violation {
	var missing []string
	if strings.TrimSpace(in.RemediationZH) == "" {
		missing = append(missing, "zh-CN")
	}
	if strings.TrimSpace(in.RemediationEN) == "" {
		missing = append(missing, "en")
	}
	if len(missing) == 0 {
		return nil
	}
	return []Violation{violation(RuleRemediation, "no_remediation", "The advisory has no remediation section in every language.",
		"Write the fix or protective measures (解决方案) in both languages; they are published together with the advisory.",
		strings.Join(missing, ", "))}
}

// blackout: CN-09-6, RMSV Art. 9(6).
func blackout(in Input) []Violation {
	var out []Violation
	for _, b := range in.Blackouts {
		if b.Covers(in.At) && !slices.Contains(in.MPSConsent, b.ID) {
			out = append(out, violation(RuleBlackout, "blackout", "The release falls in a blackout period of a major national event.",
				"Publish after the period ends, or record MPS's consent (reference, date, who) for this advisory.",
				b.NameZH+" / "+b.NameEN))
		}
	}
	return out
}
