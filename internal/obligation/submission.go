package obligation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// Submission is what was sent to a regulator or an upstream party for a
// duty (CN-07-7): a frozen snapshot with its SHA-256, who, when, how, and
// the platform's reference number. A later change is a new version (a
// supplementary report), never an edit.
type Submission struct {
	ID        int64
	OrgID     int64
	CaseID    int64
	Duty      string
	Version   int
	Recipient string
	Country   string
	Channel   string // manual, email, http
	// Snapshot is the submitted content (JSON); sealed at rest.
	Snapshot    []byte
	SHA256      string
	SubmittedAt time.Time
	SubmittedBy string
	Reference   string
	OutboxID    int64
	DeliveredAt time.Time
	// OutboxSentAt is when the outbox delivered an e-mailed submission
	// (filled by Store.UndeliveredNotices only).
	OutboxSentAt time.Time
}

// Supplementary reports whether the submission follows an earlier one.
func (s Submission) Supplementary() bool { return s.Version > 1 }

// The channels of submission.
const (
	Manual = "manual" // recorded by hand: typed into the platform's web form
	Mail   = "email"  // sent by e-mail through the outbox; met on delivery
	HTTP   = "http"   // posted to a platform's endpoint through the outbox; met on delivery
)

// regulators are the default recipients of the submitted duties, with
// their jurisdiction for the sharing gate.
var regulators = map[string]disclosure.Recipient{
	"cn.nvdb_report": {Name: "工业和信息化部网络安全威胁和漏洞信息共享平台 (NVDB)", Country: "CN", Role: disclosure.Regulator},
	"eu":             {Name: "ENISA single reporting platform", Country: "EU", Role: disclosure.Regulator},
}

// Draft is a case's package for a duty as it would be submitted now, with
// what it lacks.
type Draft struct {
	Case casework.Case
	Duty string
	// Package is what Embargo derives from the case; for the NVDB report
	// it is the report, with the written parts applied.
	Package Package
	// Fields are the parts people write (fields.go).
	Fields []Field
	// CRA is the report for an EU-CRA duty; nil for the NVDB report.
	CRA     *CRAReport
	Missing []string
	// Submissions are the duty's earlier submissions, oldest first.
	Submissions []Submission
}

// Snapshot is what submitting the draft freezes.
func (d Draft) Snapshot() ([]byte, error) {
	if d.CRA != nil {
		return json.Marshal(map[string]any{"duty": d.Duty, "report": d.CRA})
	}
	return json.Marshal(map[string]any{"duty": d.Duty, "package": d.Package})
}

// Draft builds case id's package for duty (cn.nvdb_report, or a CRA
// report). Reading it reads undisclosed content: audited (case.read by the
// case service). Needs access.ReadCases.
func (s *Service) Draft(ctx context.Context, p *access.Principal, id int64, duty string) (Draft, error) {
	if err := s.submittable(duty); err != nil {
		return Draft{}, err
	}
	c, err := s.cases.Get(ctx, p, id)
	if err != nil {
		return Draft{}, err
	}
	var d Draft
	err = s.transact(ctx, func(tx Tx) error {
		d, err = s.draft(ctx, tx, c, duty)
		return err
	})
	return d, err
}

func (s *Service) draft(ctx context.Context, tx Tx, c casework.Case, duty string) (Draft, error) {
	f, err := tx.CaseFacts(ctx, c.ID)
	if err != nil {
		return Draft{}, err
	}
	org, err := tx.OrganisationName(ctx, c.OrgID)
	if err != nil {
		return Draft{}, err
	}
	all, err := tx.Submissions(ctx, c.ID)
	if err != nil {
		return Draft{}, err
	}
	values, err := s.readFields(ctx, tx, c.ID, duty)
	if err != nil {
		return Draft{}, err
	}
	pkg := BuildPackage(c, f, org)
	d := Draft{Case: c, Duty: duty, Fields: fieldsOf(duty, values)}
	if duty == "cn.nvdb_report" {
		pkg.apply(values)
		d.Missing = pkg.Missing()
	} else {
		d.CRA = craReport(duty, pkg, c, f, values)
		if len(pkg.Products) == 0 {
			d.Missing = append(d.Missing, "product")
		}
	}
	d.Package = pkg
	for _, fd := range d.Fields {
		if fd.Mandatory && strings.TrimSpace(fd.Value) == "" {
			d.Missing = append(d.Missing, fd.Key)
		}
	}
	for _, sub := range all {
		if sub.Duty == duty {
			d.Submissions = append(d.Submissions, sub)
		}
	}
	return d, nil
}

// submittable checks that duty is met by a submission.
func (s *Service) submittable(duty string) error {
	for _, p := range s.packs {
		for _, r := range p.Duties {
			if r.Code == duty && r.Submitted() {
				return nil
			}
		}
	}
	return errs.Coded(errs.Invalid, "obligation.duty", "%q is not a duty met by a submitted report", duty)
}

// SubmitRequest records a report as submitted.
type SubmitRequest struct {
	Duty string
	// Channel is Manual (typed into the platform's web form) unless an
	// e-mail or HTTP submitter sent it.
	Channel string
	// Reference is the platform's reference number (受理编号), when it
	// gave one.
	Reference   string
	SubmittedAt time.Time // zero: now
	// Recipient and Country override the duty's default recipient.
	Recipient string
	Country   string
}

// Submit marks case id's current package for a duty submitted: it freezes
// the package as a snapshot (sealed, with its SHA-256), records who, when,
// how and the reference number, meets the duty's open obligation with the
// submission as evidence, and audits it (obligation.submit). A package
// with a mandatory field missing is refused; a submission after the first
// is a supplementary report (version 2, 3…). The transfer passes the
// sharing gate (a foreign regulator needs a legal decision, EU-14-8).
// Needs access.ManageObligations.
func (s *Service) Submit(ctx context.Context, p *access.Principal, id int64, req SubmitRequest) (Submission, error) {
	if err := p.Require(access.ManageObligations); err != nil {
		return Submission{}, err
	}
	if err := s.submittable(req.Duty); err != nil {
		return Submission{}, err
	}
	req.Reference = strings.TrimSpace(req.Reference)
	if utf8.RuneCountInString(req.Reference) > 200 {
		return Submission{}, errs.Coded(errs.Invalid, "obligation.reference", "the reference may be at most 200 characters")
	}
	if req.Channel == "" {
		req.Channel = Manual
	}
	if req.Channel != Manual && req.Channel != Mail && req.Channel != HTTP {
		return Submission{}, errs.Coded(errs.Invalid, "obligation.channel",
			"record a report submitted by hand (manual), or send it through the duty's submitter (email, http)")
	}
	c, err := s.cases.Get(ctx, p, id)
	if err != nil {
		return Submission{}, err
	}
	r := regulators["eu"]
	if strings.HasPrefix(req.Duty, "cn.") {
		r = regulators[req.Duty]
	}
	if req.Recipient != "" {
		r.Name, r.Country = strings.TrimSpace(req.Recipient), strings.ToUpper(strings.TrimSpace(req.Country))
	}
	var sub Submission
	var blocked bool
	err = s.transact(ctx, func(tx Tx) error {
		if req.SubmittedAt.IsZero() {
			req.SubmittedAt = tx.Now()
		}
		if req.SubmittedAt.After(tx.Now()) || req.SubmittedAt.Before(c.T0) {
			return errs.Coded(errs.Invalid, "obligation.submitted_at", "the submission time lies between T0 and now")
		}
		d, err := s.draft(ctx, tx, c, req.Duty)
		if err != nil {
			return err
		}
		if len(d.Missing) > 0 {
			return errs.Coded(errs.Conflict, "obligation.incomplete",
				"the report lacks mandatory fields: %s", strings.Join(d.Missing, ", "))
		}
		v, err := disclosure.Check(ctx, tx, p, gateCase(c), r, req.Duty)
		if err != nil {
			return err
		}
		if blocked = !v.Allowed; blocked {
			return nil // commit the audited refusal
		}
		snapshot, err := d.Snapshot()
		if err != nil {
			return err
		}
		sub = Submission{OrgID: c.OrgID, CaseID: c.ID, Duty: req.Duty, Version: len(d.Submissions) + 1, Recipient: r.Name,
			Country: r.Country, Channel: req.Channel, Snapshot: snapshot, SubmittedAt: req.SubmittedAt.UTC(),
			SubmittedBy: p.Actor(), Reference: req.Reference}
		if req.Channel != Manual {
			if sub.OutboxID, err = s.send(ctx, tx, c, d, &sub); err != nil {
				return err
			}
		}
		return s.store1(ctx, tx, p, c, &sub)
	})
	if blocked {
		return Submission{}, disclosure.Blocked(r)
	}
	if err == nil && sub.OutboxID != 0 && s.notes != nil {
		s.notes.Wake()
	}
	return sub, err
}

// store1 stores sub, audits it, and meets the duty's open obligation.
func (s *Service) store1(ctx context.Context, tx Tx, p *access.Principal, c casework.Case, sub *Submission) error {
	sum := sha256.Sum256(sub.Snapshot)
	sub.SHA256 = hex.EncodeToString(sum[:])
	plain := sub.Snapshot
	sealed, err := s.sealer.Seal(plain, snapshotAAD(c.ID, sub.Duty, sub.Version))
	if err != nil {
		return err
	}
	sub.Snapshot = sealed
	if sub.ID, err = tx.AddSubmission(ctx, *sub); err != nil {
		return err
	}
	sub.Snapshot = plain
	ctx = access.WithPrincipal(ctx, p)
	o, ok, err := openDuty(ctx, tx, c.ID, sub.Duty)
	if err := auditSubmission(ctx, tx, c, *sub); err != nil {
		return err
	}
	if err != nil || !ok || sub.Channel != Manual {
		return err // what the outbox sends meets its duty once delivered
	}
	return s.meet(ctx, tx, c, o, p.Actor(), submissionEvidence(*sub, sub.SubmittedAt))
}

func submissionEvidence(sub Submission, at time.Time) Evidence {
	note := fmt.Sprintf("%s v%d to %s by %s", sub.Channel, sub.Version, sub.Recipient, sub.SubmittedBy)
	if sub.Reference != "" {
		note += ", reference " + sub.Reference
	}
	kind := BySubmission
	if strings.HasSuffix(sub.Duty, "_notice") {
		kind = ByNotice // a notice to a party, not a report to a regulator
	}
	return Evidence{Kind: kind, Ref: "submission:" + strconv.FormatInt(sub.ID, 10), At: at, SHA256: sub.SHA256, Note: note}
}

func auditSubmission(ctx context.Context, tx Tx, c casework.Case, sub Submission) error {
	return auditObl(ctx, tx, "obligation.submit", c, Obligation{Duty: sub.Duty}, map[string]any{"submission": sub.ID,
		"version": sub.Version, "recipient": sub.Recipient, "country": sub.Country, "channel": sub.Channel,
		"sha256": sub.SHA256, "reference": sub.Reference, "submitted_at": sub.SubmittedAt})
}

// openDuty returns case caseID's open obligation for duty, if any.
func openDuty(ctx context.Context, tx Tx, caseID int64, duty string) (Obligation, bool, error) {
	os, err := tx.CaseObligations(ctx, caseID)
	if err != nil {
		return Obligation{}, false, err
	}
	for _, o := range os {
		if o.Duty == duty && o.Stored == Open {
			return o, true, nil
		}
	}
	return Obligation{}, false, nil
}

func snapshotAAD(caseID int64, duty string, version int) []byte {
	return fmt.Appendf(nil, "submissions.snapshot:%d:%s:%d", caseID, duty, version)
}

func gateCase(c casework.Case) disclosure.Case {
	return disclosure.Case{ID: c.ID, OrgID: c.OrgID, Ref: c.Ref, Disclosed: c.Disclosed()}
}

// Submissions returns case id's submissions with their snapshots opened,
// oldest first. Reading them reads undisclosed content: audited
// (case.read). Needs access.ReadCases.
func (s *Service) Submissions(ctx context.Context, p *access.Principal, id int64) ([]Submission, error) {
	c, err := s.cases.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var out []Submission
	err = s.transact(ctx, func(tx Tx) error {
		subs, err := tx.Submissions(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if sub.Snapshot, err = s.sealer.Unseal(sub.Snapshot, snapshotAAD(c.ID, sub.Duty, sub.Version)); err != nil {
				return fmt.Errorf("obligation: submission %d: %w", sub.ID, err)
			}
			out = append(out, sub)
		}
		return nil
	})
	return out, err
}

// NoticeRequest sends or records the upstream notice (CN-07-4).
type NoticeRequest struct {
	// Channel is Mail (sent to the supplier's address through the
	// outbox; the duty is met when it is delivered) or Manual (told by
	// other means, with a reference; met at once).
	Channel   string
	Reference string
	// Note is added to the drafted notice.
	Note string
}

// SendUpstreamNotice notifies the upstream supplier the case's root cause
// is attributed to (CN-07-4): the notice is drafted from the case, passes
// the sharing gate (the supplier is the provider of its component, so a
// foreign one may receive it), and is frozen as a submission. Needs
// access.ManageObligations or access.WriteCases.
func (s *Service) SendUpstreamNotice(ctx context.Context, p *access.Principal, id int64, req NoticeRequest) (Submission, error) {
	if !p.Can(access.ManageObligations) && !p.Can(access.WriteCases) {
		return Submission{}, p.Require(access.ManageObligations)
	}
	if req.Channel != Mail && req.Channel != Manual {
		return Submission{}, errs.Coded(errs.Invalid, "obligation.channel", "send the notice by e-mail, or record one given by other means")
	}
	req.Reference, req.Note = strings.TrimSpace(req.Reference), strings.TrimSpace(req.Note)
	if req.Channel == Manual && req.Reference == "" {
		return Submission{}, errs.Coded(errs.Invalid, "obligation.reference_required",
			"say how the supplier was told (a ticket number, the call, the message) so it can be evidence")
	}
	if utf8.RuneCountInString(req.Reference) > 200 || utf8.RuneCountInString(req.Note) > 4000 {
		return Submission{}, errs.Coded(errs.Invalid, "obligation.reference", "the reference may be at most 200 characters")
	}
	c, err := s.cases.Get(ctx, p, id)
	if err != nil {
		return Submission{}, err
	}
	var sub Submission
	var r disclosure.Recipient
	var blocked bool
	err = s.transact(ctx, func(tx Tx) error {
		f, err := tx.CaseFacts(ctx, c.ID)
		if err != nil {
			return err
		}
		if f.Upstream == nil {
			return errs.Coded(errs.Conflict, "obligation.not_upstream", "the root cause is not attributed to an upstream supplier")
		}
		if req.Channel == Mail && (f.Upstream.Email == "" || s.notes == nil || !s.notes.Email) {
			return errs.Coded(errs.Conflict, "obligation.no_mail",
				"this supplier has no e-mail address in the catalogue, or no mail relay is set up: record a notice given by other means")
		}
		r = disclosure.Recipient{Name: f.Upstream.Name, Country: f.Upstream.Country, Role: disclosure.Provider}
		v, err := disclosure.Check(ctx, tx, p, gateCase(c), r, "upstream_notice")
		if err != nil {
			return err
		}
		if blocked = !v.Allowed; blocked {
			return nil
		}
		org, err := tx.OrganisationName(ctx, c.OrgID)
		if err != nil {
			return err
		}
		subject, text := UpstreamNotice(c, f, org, req.Note)
		snapshot, err := json.Marshal(map[string]any{"duty": "cn.upstream_notice", "to": f.Upstream.Email,
			"subject": subject, "text": text})
		if err != nil {
			return err
		}
		prev, err := tx.Submissions(ctx, c.ID)
		if err != nil {
			return err
		}
		n := 1
		for _, x := range prev {
			if x.Duty == "cn.upstream_notice" {
				n++
			}
		}
		sub = Submission{OrgID: c.OrgID, CaseID: c.ID, Duty: "cn.upstream_notice", Version: n, Recipient: r.Name,
			Country: r.Country, Channel: req.Channel, Snapshot: snapshot, SubmittedAt: tx.Now(), SubmittedBy: p.Actor(),
			Reference: req.Reference}
		if req.Channel == Mail {
			if sub.OutboxID, err = s.notes.Notifier.EnqueueTx(ctx, tx, notify.Message{OrgID: c.OrgID, Kind: notify.Email,
				DedupKey: fmt.Sprintf("case:%s:upstream:%d", c.Ref, n), Target: f.Upstream.Email, Subject: subject,
				Text: text, Event: "case.upstream_notice"}); err != nil {
				return err
			}
		}
		return s.store1(ctx, tx, p, c, &sub)
	})
	if blocked {
		return Submission{}, disclosure.Blocked(r)
	}
	if err == nil && s.notes != nil {
		s.notes.Wake()
	}
	return sub, err
}

// UpstreamNotice drafts the notice to an upstream supplier, in Chinese and
// English: which component, which of our products it reaches, what the
// flaw is, and whom to answer.
func UpstreamNotice(c casework.Case, f casework.Facts, org, note string) (subject, text string) {
	var scope []string
	for _, a := range c.Scope {
		scope = append(scope, strings.TrimSpace(a.Product+" "+a.Model+" "+a.Versions))
	}
	subject = fmt.Sprintf("[%s] 上游组件安全漏洞通知 / Security vulnerability in your component", c.Ref)
	var b strings.Builder
	fmt.Fprintf(&b, "%s：\n\n%s 在处理漏洞 %s 时确认，其根本原因位于贵方提供的组件 %s。根据《网络产品安全漏洞管理规定》第七条，特此通知。\n\n",
		f.Upstream.Name, org, c.Ref, orDash(f.RootComponent))
	fmt.Fprintf(&b, "标题：%s\n等级：%s\nCVSS：%s\n受影响的我方产品：%s\n\n%s\n\n", c.Title, orDash(gradeZH[c.Grade]), orDash(c.CVSS),
		orDash(strings.Join(scope, "；")), c.Summary)
	if note != "" {
		fmt.Fprintf(&b, "%s\n\n", note)
	}
	fmt.Fprintf(&b, "此信息尚未公开，请勿对外披露。请回复本邮件确认收到，并告知修复计划。\n\n---\n\n")
	fmt.Fprintf(&b, "To %s,\n\nWhile handling vulnerability %s, %s found that its root cause lies in your component %s. "+
		"We notify you under Article 7 of China's Regulations on the Management of Network Product Security Vulnerabilities.\n\n",
		f.Upstream.Name, c.Ref, org, orDash(f.RootComponent))
	fmt.Fprintf(&b, "Title: %s\nGrade: %s\nCVSS: %s\nOur affected products: %s\n\nThis information is not public: please do not disclose it. "+
		"Reply to confirm receipt and tell us your plan for a fix.\n", c.Title, orDash(c.Grade), orDash(c.CVSS), orDash(strings.Join(scope, "; ")))
	return subject, b.String()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
