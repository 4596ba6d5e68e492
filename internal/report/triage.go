package report

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// Report is a stored report as staff see it.
type Report struct {
	ID           int64
	OrgID        int64
	TrackingID   string
	Channel      Channel
	Receipt      Receipt
	Encrypted    bool
	Language     string
	Status       Status
	Reason       string
	DuplicateOf  string // tracking ID
	CaseID       int64
	AckDueAt     time.Time
	AckedAt      time.Time
	UpdatedAt    time.Time
	Credit       Credit
	ConsentShare bool
	Content
}

// Overdue reports whether the team has not answered by the target.
func (r Report) Overdue(now time.Time) bool { return r.AckedAt.IsZero() && now.After(r.AckDueAt) }

// AttachmentInfo describes a stored attachment without its data.
type AttachmentInfo struct {
	ID          int64
	MessageID   int64
	Name        string
	ContentType string
	SniffedType string
	Size        int64
	SHA256      string
	AddedAt     time.Time
}

// StoredMessage is a thread message as stored: body sealed.
type StoredMessage struct {
	ID       int64
	ReportID int64
	At       time.Time
	Author   string // "reporter" or the staff actor ("user:42")
	Body     []byte
}

// Message is one message of a report's thread.
type Message struct {
	ID           int64
	At           time.Time
	FromReporter bool
	Author       string
	Body         string
	Attachments  []AttachmentInfo
}

// Filter selects reports for the inbox.
type Filter struct {
	Status Status // "" for every status
	Before int64  // only reports with a smaller ID (paging); 0 for none
	Limit  int
}

// CaseOpener opens cases; *casework.Service is one.
type CaseOpener interface {
	Create(ctx context.Context, p *access.Principal, nc casework.NewCase) (casework.Case, error)
	Get(ctx context.Context, p *access.Principal, id int64) (casework.Case, error)
	CorrectT0(ctx context.Context, p *access.Principal, id int64, t0 time.Time, source, reason string) (casework.Case, error)
}

// WithCases sets what Promote opens cases with.
func (s *Service) WithCases(c CaseOpener) *Service { s.cases = c; return s }

// requireTriage checks that p works the inbox of their organisation.
func requireTriage(p *access.Principal) error {
	if err := p.Require(access.TriageReports); err != nil {
		return err
	}
	if !p.ConfidentialityAccepted {
		return errs.Coded(errs.Forbidden, "confidentiality.required",
			"accept your organisation's confidentiality statement before working on cases")
	}
	return nil
}

// visible loads report t for p: another organisation's report does not
// exist for them.
func visible(ctx context.Context, tx Tx, p *access.Principal, t string) (Row, error) {
	if !ValidTrackingID(t) {
		return Row{}, errs.Coded(errs.NotFound, "report.not_found", "no such report")
	}
	r, err := tx.ReportByTracking(ctx, t)
	if errs.Is(err, errs.NotFound) || (err == nil && r.OrgID != p.OrgID) {
		return Row{}, errs.Coded(errs.NotFound, "report.not_found", "no such report")
	}
	return r, err
}

// Inbox lists the reports of p's organisation. Titles are undisclosed
// content: the listing is audited (report.list).
func (s *Service) Inbox(ctx context.Context, p *access.Principal, f Filter) ([]Report, error) {
	if err := requireTriage(p); err != nil {
		return nil, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, errs.Coded(errs.Invalid, "report.status", "unknown status %q", string(f.Status))
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []Report
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		rows, err := tx.ListReports(ctx, p.OrgID, f)
		if err != nil {
			return err
		}
		out = make([]Report, 0, len(rows))
		for _, r := range rows {
			rep, err := s.view(ctx, tx, r)
			if err != nil {
				return err
			}
			out = append(out, rep)
		}
		ev := Row{OrgID: p.OrgID, TrackingID: "inbox"}
		return record(ctx, tx, p, "report.list", ev, map[string]any{"status": string(f.Status), "count": len(out)})
	})
	return out, err
}

// view unseals r into a Report.
func (s *Service) view(ctx context.Context, tx Tx, r Row) (Report, error) {
	c, err := s.open(r)
	if err != nil {
		return Report{}, err
	}
	rep := Report{ID: r.ID, OrgID: r.OrgID, TrackingID: r.TrackingID, Channel: r.Channel, Receipt: receiptOf(r),
		Encrypted: r.Encrypted, Language: r.Language, Status: r.Status, Reason: r.Reason, CaseID: r.CaseID,
		AckDueAt: r.AckDueAt, AckedAt: r.AckedAt, UpdatedAt: r.UpdatedAt, Credit: r.Credit,
		ConsentShare: r.ConsentShare, Content: c}
	if r.DuplicateOf != 0 {
		d, err := tx.ReportByID(ctx, r.DuplicateOf)
		if err != nil {
			return Report{}, err
		}
		rep.DuplicateOf = d.TrackingID
	}
	return rep, nil
}

// Detail is one report with its thread and attachments.
type Detail struct {
	Report
	Attachments []AttachmentInfo // sent with the report
	Messages    []Message
}

// Get returns report t with its thread; the read is audited (report.read).
func (s *Service) Get(ctx context.Context, p *access.Principal, t string) (Detail, error) {
	if err := requireTriage(p); err != nil {
		return Detail{}, err
	}
	var d Detail
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := visible(ctx, tx, p, t)
		if err != nil {
			return err
		}
		if d, err = s.detail(ctx, tx, r); err != nil {
			return err
		}
		return record(ctx, tx, p, "report.read", r, nil)
	})
	return d, err
}

func (s *Service) detail(ctx context.Context, tx Tx, r Row) (Detail, error) {
	rep, err := s.view(ctx, tx, r)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Report: rep}
	atts, err := tx.ReportAttachments(ctx, r.ID)
	if err != nil {
		return Detail{}, err
	}
	byMsg := map[int64][]AttachmentInfo{}
	for _, a := range atts {
		info := AttachmentInfo{ID: a.ID, MessageID: a.MessageID, Name: a.Name, ContentType: a.ContentType,
			SniffedType: a.SniffedType, Size: a.Size, SHA256: a.SHA256, AddedAt: a.AddedAt}
		if a.MessageID == 0 {
			d.Attachments = append(d.Attachments, info)
		} else {
			byMsg[a.MessageID] = append(byMsg[a.MessageID], info)
		}
	}
	msgs, err := tx.ReportMessages(ctx, r.ID)
	if err != nil {
		return Detail{}, err
	}
	for _, m := range msgs {
		body, err := s.sealer.Unseal(m.Body, messageAAD(r.TrackingID))
		if err != nil {
			return Detail{}, err
		}
		d.Messages = append(d.Messages, Message{ID: m.ID, At: m.At, FromReporter: m.Author == "reporter",
			Author: m.Author, Body: string(body), Attachments: byMsg[m.ID]})
	}
	return d, nil
}

// Raw returns report t's content exactly as received; audited
// (report.read_raw).
func (s *Service) Raw(ctx context.Context, p *access.Principal, t string) ([]byte, error) {
	if err := requireTriage(p); err != nil {
		return nil, err
	}
	var raw []byte
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := visible(ctx, tx, p, t)
		if err != nil {
			return err
		}
		if raw, err = s.sealer.Unseal(r.Raw, rawAAD(r.TrackingID)); err != nil {
			return err
		}
		return record(ctx, tx, p, "report.read_raw", r, map[string]any{"sha256": r.RawSHA256})
	})
	return raw, err
}

// Attachment returns one attachment of report t with its data; audited
// (report.read_attachment).
func (s *Service) Attachment(ctx context.Context, p *access.Principal, t string, id int64) (AttachmentInfo, []byte, error) {
	if err := requireTriage(p); err != nil {
		return AttachmentInfo{}, nil, err
	}
	var info AttachmentInfo
	var data []byte
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := visible(ctx, tx, p, t)
		if err != nil {
			return err
		}
		if info, data, err = s.attachment(ctx, tx, r, id); err != nil {
			return err
		}
		return record(ctx, tx, p, "report.read_attachment", r, map[string]any{"attachment": id, "sha256": info.SHA256})
	})
	return info, data, err
}

func (s *Service) attachment(ctx context.Context, tx Tx, r Row, id int64) (AttachmentInfo, []byte, error) {
	a, err := tx.ReportAttachment(ctx, r.ID, id)
	if errs.Is(err, errs.NotFound) {
		return AttachmentInfo{}, nil, errs.Coded(errs.NotFound, "report.attachment_not_found", "no such attachment")
	}
	if err != nil {
		return AttachmentInfo{}, nil, err
	}
	data, err := s.sealer.Unseal(a.Data, attachmentAAD(r.TrackingID, a.SHA256))
	if err != nil {
		return AttachmentInfo{}, nil, err
	}
	return AttachmentInfo{ID: a.ID, MessageID: a.MessageID, Name: a.Name, ContentType: a.ContentType,
		SniffedType: a.SniffedType, Size: a.Size, SHA256: a.SHA256, AddedAt: a.AddedAt}, data, nil
}

// Decision is a triage decision that closes a report without a case.
type Decision struct {
	Status      Status // Spam, Invalid or Duplicate; New reopens
	Reason      string // required for Spam and Invalid: the reporter may read it
	DuplicateOf string // tracking ID, for Duplicate
}

// Triage records a decision on report t; audited (report.triage). It
// counts as the team's first answer for the acknowledgement target.
func (s *Service) Triage(ctx context.Context, p *access.Principal, t string, d Decision) (Report, error) {
	if err := requireTriage(p); err != nil {
		return Report{}, err
	}
	d.Reason = strings.TrimSpace(d.Reason)
	switch d.Status {
	case Spam, Invalid:
		if d.Reason == "" {
			return Report{}, errs.Coded(errs.Invalid, "report.reason", "give a reason of 1 to 2,000 characters")
		}
	case Duplicate, New:
	default:
		return Report{}, errs.Coded(errs.Invalid, "report.decision", "a decision is spam, invalid, duplicate or new")
	}
	if utf8.RuneCountInString(d.Reason) > 2000 {
		return Report{}, errs.Coded(errs.Invalid, "report.reason", "give a reason of 1 to 2,000 characters")
	}
	var out Report
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := visible(ctx, tx, p, t)
		if err != nil {
			return err
		}
		if r.Status == Promoted {
			return errs.Coded(errs.Conflict, "report.promoted", "this report is already a case")
		}
		r.Status, r.Reason, r.DuplicateOf = d.Status, d.Reason, 0
		if d.Status == Duplicate {
			orig, err := visible(ctx, tx, p, strings.TrimSpace(d.DuplicateOf))
			if err != nil || orig.ID == r.ID {
				return errs.Coded(errs.Invalid, "report.duplicate_of", "name the report this one duplicates by its tracking ID")
			}
			r.DuplicateOf = orig.ID
		}
		s.answered(tx, &r)
		if err := tx.UpdateReport(ctx, r); err != nil {
			return err
		}
		if out, err = s.view(ctx, tx, r); err != nil {
			return err
		}
		if err := s.enqueueUpdate(ctx, tx, r, "status", fmt.Sprintf("%s:%d", d.Status, tx.Now().UnixNano())); err != nil {
			return err
		}
		return record(ctx, tx, p, "report.triage", r, map[string]any{"status": string(d.Status), "reason": d.Reason,
			"duplicate_of": d.DuplicateOf})
	})
	if err == nil {
		s.wake()
	}
	return out, err
}

// answered marks r as answered by the team now, if it was not yet.
func (s *Service) answered(tx Tx, r *Row) {
	r.UpdatedAt = tx.Now()
	if r.AckedAt.IsZero() {
		r.AckedAt = tx.Now()
	}
}

// Promote opens a case from report t and links them; audited
// (report.promote, and case.create by the case service). Needs
// access.WriteCases besides triage.
func (s *Service) Promote(ctx context.Context, p *access.Principal, t string) (casework.Case, error) {
	if err := requireTriage(p); err != nil {
		return casework.Case{}, err
	}
	if err := p.Require(access.WriteCases); err != nil {
		return casework.Case{}, err
	}
	if s.cases == nil {
		return casework.Case{}, fmt.Errorf("report: no case service (WithCases was not called)")
	}
	d, err := s.Get(ctx, p, t)
	if err != nil {
		return casework.Case{}, err
	}
	if d.Status == Promoted {
		return casework.Case{}, errs.Coded(errs.Conflict, "report.promoted", "this report is already a case")
	}
	summary := d.Description
	if d.Product != "" {
		summary = "Product: " + d.Product + " " + d.Version + "\n\n" + summary
	}
	// T0 is when the report arrived (CN-07-1).
	c, err := s.cases.Create(ctx, p, casework.NewCase{Title: d.Title, Summary: summary, T0: d.Receipt.ReceivedAt,
		T0Source: "report:" + d.TrackingID})
	if err != nil {
		return casework.Case{}, err
	}
	err = s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := visible(ctx, tx, p, t)
		if err != nil {
			return err
		}
		if r.Status == Promoted {
			return errs.Coded(errs.Conflict, "report.promoted", "this report is already a case")
		}
		r.Status, r.Reason, r.CaseID = Promoted, "", c.ID
		s.answered(tx, &r)
		if err := tx.UpdateReport(ctx, r); err != nil {
			return err
		}
		if err := s.enqueueUpdate(ctx, tx, r, "status", string(Promoted)); err != nil {
			return err
		}
		return record(ctx, tx, p, "report.promote", r, map[string]any{"case": c.Ref})
	})
	if err == nil {
		s.wake()
	}
	return c, err
}

// AttachToCase links report t to an existing case, which p may see: a
// second report of the same vulnerability. If the report arrived before
// the case's T0, T0 moves to its receipt (CN-07-1: the earliest report),
// through the audited correction. Audited (report.attach). Needs
// access.WriteCases besides triage.
func (s *Service) AttachToCase(ctx context.Context, p *access.Principal, t string, caseID int64) (casework.Case, error) {
	if err := requireTriage(p); err != nil {
		return casework.Case{}, err
	}
	if err := p.Require(access.WriteCases); err != nil {
		return casework.Case{}, err
	}
	if s.cases == nil {
		return casework.Case{}, fmt.Errorf("report: no case service (WithCases was not called)")
	}
	c, err := s.cases.Get(ctx, p, caseID)
	if err != nil {
		return casework.Case{}, err
	}
	var received time.Time
	err = s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := visible(ctx, tx, p, t)
		if err != nil {
			return err
		}
		if r.Status == Promoted {
			return errs.Coded(errs.Conflict, "report.promoted", "this report is already a case")
		}
		if r.OrgID != c.OrgID {
			return errs.Coded(errs.NotFound, "case.not_found", "no such case")
		}
		r.Status, r.Reason, r.CaseID, received = Promoted, "", c.ID, r.ReceivedAt
		s.answered(tx, &r)
		if err := tx.UpdateReport(ctx, r); err != nil {
			return err
		}
		if err := s.enqueueUpdate(ctx, tx, r, "status", string(Promoted)); err != nil {
			return err
		}
		return record(ctx, tx, p, "report.attach", r, map[string]any{"case": c.Ref})
	})
	if err != nil {
		return casework.Case{}, err
	}
	s.wake()
	if received.Before(c.T0) {
		return s.cases.CorrectT0(ctx, p, c.ID, received, "report:"+t, "an earlier report of the same vulnerability was attached")
	}
	return c, nil
}

// Reply adds a team message to report t's thread, which the reporter reads
// through their private link; audited (report.reply).
func (s *Service) Reply(ctx context.Context, p *access.Principal, t, body string) (Message, error) {
	if err := requireTriage(p); err != nil {
		return Message{}, err
	}
	body, err := s.messageBody(body)
	if err != nil {
		return Message{}, err
	}
	var m Message
	err = s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := visible(ctx, tx, p, t)
		if err != nil {
			return err
		}
		if m, err = s.addMessage(ctx, tx, r, p.Actor(), body); err != nil {
			return err
		}
		s.answered(tx, &r)
		if err := tx.UpdateReport(ctx, r); err != nil {
			return err
		}
		if err := s.enqueueUpdate(ctx, tx, r, "reply", fmt.Sprint(m.ID)); err != nil {
			return err
		}
		return record(ctx, tx, p, "report.reply", r, map[string]any{"message": m.ID})
	})
	if err == nil {
		s.wake()
	}
	return m, err
}

func (s *Service) messageBody(body string) (string, error) {
	body = strings.ToValidUTF8(strings.TrimSpace(body), "\uFFFD")
	if body == "" || len(body) > s.limits.Description {
		return "", errs.Coded(errs.Invalid, "report.message", "write a message of at most %d KiB", s.limits.Description>>10)
	}
	return body, nil
}

func (s *Service) addMessage(ctx context.Context, tx Tx, r Row, author, body string) (Message, error) {
	sealed, err := s.sealer.Seal([]byte(body), messageAAD(r.TrackingID))
	if err != nil {
		return Message{}, err
	}
	m := StoredMessage{ReportID: r.ID, At: tx.Now(), Author: author, Body: sealed}
	if m.ID, err = tx.AddReportMessage(ctx, m); err != nil {
		return Message{}, err
	}
	return Message{ID: m.ID, At: m.At, FromReporter: author == "reporter", Author: author, Body: body}, nil
}
