package report

import (
	"context"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// ReporterView is what a reporter sees through their private link: their
// own report, its status in words they can act on, and the thread.
type ReporterView struct {
	TrackingID   string
	Receipt      Receipt
	Status       Status
	Reason       string // why it was closed, for spam or invalid
	InCase       bool   // the team opened a case from it
	AckedAt      time.Time
	Credit       Credit
	ConsentShare bool
	Content
	Attachments []AttachmentInfo
	Messages    []Message
}

// reporterActor names the reporter of tracking ID t in audit events.
func reporterActor(t string) string { return "reporter:" + t }

// bySecret finds the report whose private link token is secret.
func bySecret(ctx context.Context, tx Tx, secret string) (Row, error) {
	if len(secret) < 20 || len(secret) > 100 {
		return Row{}, errs.Coded(errs.NotFound, "report.link", "this link is not valid")
	}
	r, err := tx.ReportBySecret(ctx, HashSecret(secret))
	if errs.Is(err, errs.NotFound) {
		return Row{}, errs.Coded(errs.NotFound, "report.link", "this link is not valid")
	}
	return r, err
}

// ForReporter returns the reporter's view of the report behind a private
// link token.
func (s *Service) ForReporter(ctx context.Context, secret string) (ReporterView, error) {
	var v ReporterView
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := bySecret(ctx, tx, secret)
		if err != nil {
			return err
		}
		d, err := s.detail(ctx, tx, r)
		if err != nil {
			return err
		}
		v = ReporterView{TrackingID: r.TrackingID, Receipt: d.Receipt, Status: r.Status, InCase: r.CaseID != 0,
			AckedAt: r.AckedAt, Credit: r.Credit, ConsentShare: r.ConsentShare, Content: d.Content,
			Attachments: d.Attachments, Messages: d.Messages}
		if r.Status == Spam || r.Status == Invalid {
			v.Reason = r.Reason
		}
		return nil
	})
	return v, err
}

// AddFromReporter adds the reporter's message (and files) to the thread of
// the report behind secret; audited (report.reporter_message). Files are
// bounded like those of a submission.
func (s *Service) AddFromReporter(ctx context.Context, secret, body string, files []Attachment) (Message, error) {
	body, err := s.messageBody(body)
	if err != nil {
		return Message{}, err
	}
	if len(files) > s.limits.Attachments {
		return Message{}, errs.Coded(errs.TooLarge, "report.attachments", "send at most %d files", s.limits.Attachments)
	}
	var m Message
	err = s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := bySecret(ctx, tx, secret)
		if err != nil {
			return err
		}
		if m, err = s.addMessage(ctx, tx, r, "reporter", body); err != nil {
			return err
		}
		for _, f := range files {
			sa, err := s.sealAttachment(r.TrackingID, f)
			if err != nil {
				return err
			}
			sa.ReportID, sa.MessageID, sa.AddedAt = r.ID, m.ID, tx.Now()
			if sa.ID, err = tx.AddReportAttachment(ctx, sa); err != nil {
				return err
			}
			m.Attachments = append(m.Attachments, AttachmentInfo{ID: sa.ID, MessageID: m.ID, Name: sa.Name,
				ContentType: sa.ContentType, SniffedType: sa.SniffedType, Size: sa.Size, SHA256: sa.SHA256, AddedAt: sa.AddedAt})
		}
		r.UpdatedAt = tx.Now()
		if err := tx.UpdateReport(ctx, r); err != nil {
			return err
		}
		return recordReporter(ctx, tx, r, "report.reporter_message", map[string]any{"message": m.ID, "files": len(files)})
	})
	return m, err
}

// ReporterAttachment returns one attachment of the report behind secret.
func (s *Service) ReporterAttachment(ctx context.Context, secret string, id int64) (AttachmentInfo, []byte, error) {
	var info AttachmentInfo
	var data []byte
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := bySecret(ctx, tx, secret)
		if err != nil {
			return err
		}
		info, data, err = s.attachment(ctx, tx, r, id)
		return err
	})
	return info, data, err
}

// Preferences are the reporter's choices.
type Preferences struct {
	Credit       Credit
	ConsentShare bool // consent to share the report with the affected vendor
}

// SetPreferences records the reporter's credit preference and consents;
// audited (report.preferences).
func (s *Service) SetPreferences(ctx context.Context, secret string, pref Preferences) error {
	if pref.Credit != CreditAnonymous && pref.Credit != CreditName {
		return errs.Coded(errs.Invalid, "report.credit", "choose how to be credited: anonymous or by name")
	}
	return s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := bySecret(ctx, tx, secret)
		if err != nil {
			return err
		}
		r.Credit, r.ConsentShare, r.UpdatedAt = pref.Credit, pref.ConsentShare, tx.Now()
		if err := tx.UpdateReport(ctx, r); err != nil {
			return err
		}
		return recordReporter(ctx, tx, r, "report.preferences", map[string]any{"credit": string(pref.Credit),
			"consent_share": pref.ConsentShare})
	})
}

func recordReporter(ctx context.Context, tx Tx, r Row, action string, details any) error {
	ev, err := audit.New(ctx, reporterActor(r.TrackingID), action, "report:"+r.TrackingID, details)
	if err != nil {
		return err
	}
	ev.OrgID = r.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}

// StatusKey returns the catalogue key of the reporter-facing name of st.
func StatusKey(st Status) string { return "report.status." + strings.ToLower(string(st)) }
