// Package advisory owns security advisories: the public document of a
// case, written once in Simplified Chinese and English, drafted from the
// case's assessment, scope, remediation and credits, and released only
// through the publication gate (RMSV Art. 9, internal/disclosure).
//
// The document covers the description fields of GB/T 28458 (漏洞名称,
// 漏洞描述, 影响范围, 危害等级, 漏洞类型, 解决方案, 致谢, 参考链接,
// 发布时间) and ISO/IEC 29147's advisory content. It never carries the
// exploitation method (RMSV Art. 9(4)): proof-of-concept material stays
// restricted on the case and the gate refuses it.
//
// Each release is a revision, frozen when published (the store refuses
// any later change); an update is a new revision and a withdrawal is a
// revision too, so that the history of what was public is complete.
package advisory

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/remediation"
)

// State is where the working copy of an advisory stands.
type State string

// The states of an advisory's working copy.
const (
	Draft     State = "draft"     // being written
	InReview  State = "in_review" // waiting for approval
	Approved  State = "approved"  // approved by someone who did not write it
	Scheduled State = "scheduled" // approved, to be released at ReleaseAt
	Published State = "published" // the working copy is the live revision
	Withdrawn State = "withdrawn" // withdrawn from publication
)

// Text is one text in both languages.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Affected is one entry of the affected products and versions (影响范围).
type Affected struct {
	Product  string `json:"product"`
	Model    string `json:"model,omitempty"`
	Versions string `json:"versions"`
	Fixed    string `json:"fixed,omitempty"` // the fixed version or patch, when there is one
}

// Credit thanks a finder (致谢); Report is the tracking ID of their report
// when the credit comes from one.
type Credit struct {
	Name   string `json:"name"`
	Report string `json:"report,omitempty"`
}

// Reference is a link in the advisory (参考链接); Kind is "advisory",
// "patch", "report", "article" or "exploit" (which the gate refuses).
type Reference struct {
	URL  string `json:"url"`
	Kind string `json:"kind"`
}

// Content is the public document.
type Content struct {
	Title       Text       `json:"title"`       // 漏洞名称
	Summary     Text       `json:"summary"`     // 概述
	Description Text       `json:"description"` // 漏洞描述
	Impact      Text       `json:"impact"`      // 危害 / 影响
	Affected    []Affected `json:"affected"`    // 影响范围
	Grade       string     `json:"grade"`       // 危害等级, GB/T 30279
	CVSS        string     `json:"cvss"`
	CWE         string     `json:"cwe"`         // 漏洞类型
	Category    string     `json:"category"`    // GB/T 30279 category code
	Remediation Text       `json:"remediation"` // 解决方案
	Workarounds Text       `json:"workarounds"` // 临时缓解措施
	// Detection tells users how to find out whether they are affected
	// (检测方法, GB/T 28458): versions to look for, a command that shows
	// one; never how to exploit the flaw.
	Detection  Text        `json:"detection"`
	Credits    []Credit    `json:"credits"`    // 致谢
	References []Reference `json:"references"` // 参考链接
	Aliases    []string    `json:"aliases"`    // CVE, CNVD, …
	// OverrideReason justifies a public severity other than the assessed
	// one (RMSV Art. 9(3)); it is approved with the advisory.
	OverrideReason string `json:"override_reason,omitempty"`
	// TLP is the Traffic Light Protocol label of the published document:
	// WHITE ("" means WHITE) is for everyone, GREEN, AMBER and RED only
	// for authenticated parties with access to the case (CSAF-3).
	TLP string `json:"tlp,omitempty"`
}

// TLP labels, as CSAF 2.0 names them.
const (
	TLPWhite = "WHITE"
	TLPGreen = "GREEN"
	TLPAmber = "AMBER"
	TLPRed   = "RED"
)

// TLPs are the labels in the order of their audience, widest first.
var TLPs = []string{TLPWhite, TLPGreen, TLPAmber, TLPRed}

// Label returns ct's TLP label, WHITE when none is set.
func (ct Content) Label() string {
	if ct.TLP == "" {
		return TLPWhite
	}
	return ct.TLP
}

// Advisory is a case's advisory: its working copy and where it stands.
type Advisory struct {
	ID      int64
	OrgID   int64
	CaseID  int64
	CaseRef string
	Ref     string // EMB-2026-0001-SA
	State   State
	Content Content
	// Editors are everyone who wrote the working copy since it was last
	// published; none of them may approve it (CN-09-P).
	Editors    []string
	ApprovedBy string
	ApprovedAt time.Time
	// ReleaseAt and ReleaseZone schedule the release (zero: none).
	ReleaseAt   time.Time
	ReleaseZone string
	// Held says why the last scheduled release did not go out.
	Held   string
	HeldAt time.Time
	// Live is the number of the published revision (0: none).
	Live        int
	PublishedAt time.Time // first publication
	// NotOperator are the scanner findings marked as not an operator's
	// system, with their reasons (CN-09-2).
	NotOperator []Dismissal
	// Early is the early-publication record (CN-09-1).
	Early disclosure.EarlyRecord
	// MPSConsent are the blackout IDs with MPS's consent for this advisory.
	MPSConsent []Consent
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Dismissal marks one scanner finding as not an operator's system.
type Dismissal struct {
	Key    string    `json:"key"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Consent is MPS's recorded consent to publish during one blackout
// (RMSV Art. 9(6)).
type Consent struct {
	BlackoutID int64     `json:"blackout_id"`
	Reference  string    `json:"reference"`
	Date       time.Time `json:"date"`
	By         string    `json:"by"`
}

// Kind says what a revision did.
type Kind string

// The kinds of revision.
const (
	Release    Kind = "release"    // the first publication
	Update     Kind = "update"     // a later publication
	Withdrawal Kind = "withdrawal" // taken back
)

// Revision is one frozen, published state of an advisory.
type Revision struct {
	AdvisoryID  int64
	Number      int
	Kind        Kind
	Content     Content
	Note        Text // what changed (修订说明)
	SHA256      string
	PublishedAt time.Time
	PublishedBy string
	ApprovedBy  string
}

// Grades in the order of the GB/T 30279 scale, for labels.
var gradeNames = map[string]Text{"critical": {"超危", "Critical"}, "high": {"高危", "High"},
	"medium": {"中危", "Medium"}, "low": {"低危", "Low"}}

// FromCase drafts an advisory's content from case c (its title, summary,
// assessment, scope and identifiers), its remediation rows and the
// credits its reporters agreed to. The author completes the text; both
// languages start from what the case has.
func FromCase(c casework.Case, rows []remediation.Row, credits []Credit) Content {
	ct := Content{
		Title:       Text{ZH: c.Title, EN: c.Title},
		Description: Text{ZH: c.Summary, EN: c.Summary},
		Grade:       c.Grade,
		CVSS:        c.CVSS,
		CWE:         c.Grading.CWE,
		Category:    c.Grading.Category,
		Credits:     credits,
		Aliases:     slices.Clone(c.Aliases),
	}
	for _, a := range c.Scope {
		ct.Affected = append(ct.Affected, Affected{Product: a.Product, Model: a.Model, Versions: a.Versions, Fixed: fixedIn(a, rows)})
	}
	ct.Remediation, ct.Workarounds = remediationText(rows)
	return ct
}

// fixedIn lists the fixed versions or patches of the rows of scope entry a.
func fixedIn(a casework.Affected, rows []remediation.Row) string {
	var out []string
	for _, r := range rows {
		if r.Version.Product != a.Product || (a.Model != "" && r.Version.Model != a.Model) || !r.Fix.Covers() {
			continue
		}
		if v := cmpOr(r.Fix.FixedVersion, r.Fix.Patch); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return strings.Join(out, ", ")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// remediationText writes the remediation and workaround sections from
// the available fixes, one line per affected version.
func remediationText(rows []remediation.Row) (fix, work Text) {
	var fz, fe, wz, we []string
	for _, r := range rows {
		if !r.Fix.Covers() {
			continue
		}
		v := r.Version.String()
		switch {
		case r.Fix.FixedVersion != "":
			fz = append(fz, v+"：升级到 "+r.Fix.FixedVersion+"。")
			fe = append(fe, v+": upgrade to "+r.Fix.FixedVersion+".")
		case r.Fix.Patch != "":
			fz = append(fz, v+"：安装补丁 "+r.Fix.Patch+"。")
			fe = append(fe, v+": apply patch "+r.Fix.Patch+".")
		}
		if r.Fix.Workaround != "" {
			wz = append(wz, v+"："+r.Fix.Workaround)
			we = append(we, v+": "+r.Fix.Workaround)
		}
	}
	return Text{ZH: strings.Join(fz, "\n"), EN: strings.Join(fe, "\n")}, Text{ZH: strings.Join(wz, "\n"), EN: strings.Join(we, "\n")}
}

// Field limits.
const (
	maxShort = 300
	maxLong  = 20000
	maxList  = 200
)

// Check validates and normalises content as written; errs.Invalid
// (advisory.field) names the first field out of bounds.
func (ct *Content) Check() error {
	for _, f := range []struct {
		name string
		t    *Text
		max  int
	}{{"title", &ct.Title, maxShort}, {"summary", &ct.Summary, maxLong}, {"description", &ct.Description, maxLong},
		{"impact", &ct.Impact, maxLong}, {"remediation", &ct.Remediation, maxLong}, {"workarounds", &ct.Workarounds, maxLong},
		{"detection", &ct.Detection, maxLong}} {
		f.t.ZH, f.t.EN = strings.TrimSpace(f.t.ZH), strings.TrimSpace(f.t.EN)
		if utf8.RuneCountInString(f.t.ZH) > f.max || utf8.RuneCountInString(f.t.EN) > f.max {
			return errs.Coded(errs.Invalid, "advisory.field", "the %s may be at most %d characters in each language", f.name, f.max)
		}
	}
	if ct.Title.ZH == "" && ct.Title.EN == "" {
		return errs.Coded(errs.Invalid, "advisory.title", "give the advisory a title")
	}
	if len(ct.Affected) > maxList || len(ct.Credits) > maxList || len(ct.References) > maxList || len(ct.Aliases) > maxList {
		return errs.Coded(errs.Invalid, "advisory.field", "the %s may be at most %d characters in each language", "lists", maxList)
	}
	if ct.Grade != "" && !slices.Contains(casework.Grades, ct.Grade) {
		return errs.Coded(errs.Invalid, "advisory.grade", "the grade is one of critical, high, medium, low")
	}
	for i, r := range ct.References {
		ct.References[i].URL = strings.TrimSpace(r.URL)
		if !slices.Contains([]string{"advisory", "patch", "report", "article", "exploit"}, r.Kind) {
			return errs.Coded(errs.Invalid, "advisory.reference", "a reference is an advisory, patch, report, article or exploit link")
		}
	}
	ct.OverrideReason = strings.TrimSpace(ct.OverrideReason)
	ct.TLP = strings.ToUpper(strings.TrimSpace(ct.TLP))
	if ct.TLP == TLPWhite {
		ct.TLP = ""
	}
	if ct.TLP != "" && !slices.Contains(TLPs, ct.TLP) {
		return errs.Coded(errs.Invalid, "advisory.tlp", "the TLP label is one of WHITE, GREEN, AMBER, RED")
	}
	return nil
}

// PublicFields returns every public text field of ct, both languages,
// for the gate's scanners.
func (ct Content) PublicFields() []disclosure.Field {
	var out []disclosure.Field
	add := func(name string, t Text) {
		out = append(out, disclosure.Field{Name: name + ".zh", Text: t.ZH}, disclosure.Field{Name: name + ".en", Text: t.EN})
	}
	add("title", ct.Title)
	add("summary", ct.Summary)
	add("description", ct.Description)
	add("impact", ct.Impact)
	add("remediation", ct.Remediation)
	add("workarounds", ct.Workarounds)
	add("detection", ct.Detection)
	for _, a := range ct.Affected {
		out = append(out, disclosure.Field{Name: "affected", Text: a.Product + " " + a.Model + " " + a.Versions + " " + a.Fixed})
	}
	for _, c := range ct.Credits {
		out = append(out, disclosure.Field{Name: "credits", Text: c.Name})
	}
	for _, r := range ct.References {
		out = append(out, disclosure.Field{Name: "references", Text: r.URL})
	}
	return out
}

// Gaps returns the description fields of GB/T 28458-2020 §5.2–5.3 and
// ISO/IEC 29147 §7.4 that ct leaves empty in either language, as their
// keys (GB-28458-1, ISO-29147-2): the publication page lists them so
// that the author completes the advisory before review. They do not block
// publication; the gate does what the law requires (CN-09-*). Publisher,
// validator (the organisation, which verified the flaw), publication time
// and revision history are filled in by Embargo.
func (ct Content) Gaps() []string {
	var out []string
	text := func(key string, t Text) {
		if strings.TrimSpace(t.ZH) == "" || strings.TrimSpace(t.EN) == "" {
			out = append(out, key)
		}
	}
	text("title", ct.Title)
	text("summary", ct.Summary)
	text("description", ct.Description)
	text("impact", ct.Impact)
	if len(ct.Affected) == 0 {
		out = append(out, "affected")
	}
	if ct.Grade == "" {
		out = append(out, "grade")
	}
	if ct.CWE == "" && ct.Category == "" {
		out = append(out, "type")
	}
	if strings.TrimSpace(ct.Remediation.ZH+ct.Workarounds.ZH) == "" || strings.TrimSpace(ct.Remediation.EN+ct.Workarounds.EN) == "" {
		out = append(out, "remediation")
	}
	text("detection", ct.Detection)
	if len(ct.Aliases) == 0 {
		out = append(out, "ids")
	}
	return out
}
