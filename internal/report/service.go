package report

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// Status is where a report is in triage.
type Status string

// The statuses. A new report waits in the triage inbox; triage closes it
// as spam, invalid or a duplicate, or promotes it to a case.
const (
	New       Status = "new"
	Duplicate Status = "duplicate"
	Spam      Status = "spam"
	Invalid   Status = "invalid"
	Promoted  Status = "promoted"
)

// Valid reports whether st is a known status.
func (st Status) Valid() bool {
	switch st {
	case New, Duplicate, Spam, Invalid, Promoted:
		return true
	}
	return false
}

// Credit is how the reporter wishes to be credited in an advisory.
type Credit string

// The credit preferences.
const (
	CreditAnonymous Credit = "anonymous" // no credit (the default)
	CreditName      Credit = "name"      // credit the name they gave
)

// Store persists reports.
type Store interface {
	TransactReports(ctx context.Context, fn func(Tx) error) error
	// IntakeOrg returns org when it exists, or for 0 the instance's
	// intake organisation (the first); errs.NotFound when there is none.
	IntakeOrg(ctx context.Context, org int64) (int64, error)
}

// Tx is one intake transaction.
type Tx interface {
	Now() time.Time
	AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error)
	// CreateReport stores r and returns its ID.
	CreateReport(ctx context.Context, r Row) (int64, error)
	// ReportByDedupKey returns the report of org with key; errs.NotFound.
	ReportByDedupKey(ctx context.Context, org int64, key string) (Row, error)
	AddReportAttachment(ctx context.Context, a StoredAttachment) (int64, error)
	// ReportByTracking returns the report with tracking ID t; errs.NotFound.
	ReportByTracking(ctx context.Context, t string) (Row, error)
	// ReportByID returns report id; errs.NotFound.
	ReportByID(ctx context.Context, id int64) (Row, error)
	// ReportBySecret returns the report whose link token hashes to h;
	// errs.NotFound.
	ReportBySecret(ctx context.Context, h string) (Row, error)
	// ListReports returns up to f.Limit reports of org matching f, newest
	// first.
	ListReports(ctx context.Context, org int64, f Filter) ([]Row, error)
	ReportAttachments(ctx context.Context, reportID int64) ([]StoredAttachment, error)
	ReportAttachment(ctx context.Context, reportID, id int64) (StoredAttachment, error)
	AddReportMessage(ctx context.Context, m StoredMessage) (int64, error)
	ReportMessages(ctx context.Context, reportID int64) ([]StoredMessage, error)
	// UpdateReport writes r's triage and reporter-choice fields.
	UpdateReport(ctx context.Context, r Row) error
	// OverdueReports returns up to limit unanswered reports whose
	// acknowledgement was due before now, oldest due first.
	OverdueReports(ctx context.Context, now time.Time, limit int) ([]Row, error)
	// Outbound messages go out in the same transaction as the change
	// they announce.
	notify.Enqueuer
}

// Sealer encrypts sensitive fields bound to where they are stored.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Unseal(ciphertext, aad []byte) ([]byte, error)
}

// Options configure a Service.
type Options struct {
	Limits Limits
	// AckTarget is how soon the team should first answer a report
	// (ISO/IEC 29147 §6.2.4; policy, not law). Default 72 hours.
	AckTarget time.Duration
}

// Service applies the intake rules.
type Service struct {
	store     Store
	sealer    Sealer
	limits    Limits
	ackTarget time.Duration
	committer *committer
	cases     CaseOpener
	notices   *Notices  // nil: no messages
	decrypter Decrypter // nil: encrypted parts are kept as they came
}

// NewService returns a Service. Close it to commit queued submissions.
func NewService(st Store, sl Sealer, opt Options) *Service {
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits
	}
	if opt.AckTarget <= 0 {
		opt.AckTarget = 72 * time.Hour
	}
	s := &Service{store: st, sealer: sl, limits: opt.Limits, ackTarget: opt.AckTarget}
	s.committer = newCommitter(s)
	return s
}

// Close stops intake: submissions already queued are committed and
// answered; later ones get errs.Unavailable.
func (s *Service) Close() { s.committer.close() }

// Limits returns the limits in force.
func (s *Service) Limits() Limits { return s.limits }

// AckTarget returns the acknowledgement target.
func (s *Service) AckTarget() time.Duration { return s.ackTarget }

// insert writes one prepared submission in tx.
func (s *Service) insert(ctx context.Context, tx Tx, p *pending) (Ack, error) {
	if p.row.DedupKey != "" {
		old, err := tx.ReportByDedupKey(ctx, p.row.OrgID, p.row.DedupKey)
		if err == nil {
			return Ack{TrackingID: old.TrackingID, Receipt: receiptOf(old), Duplicate: true}, nil
		}
		if !errs.Is(err, errs.NotFound) {
			return Ack{}, err
		}
	}
	ev, err := tx.AppendAudit(ctx, p.receipt)
	if err != nil {
		return Ack{}, err
	}
	r := p.row
	r.ReceivedAt, r.ReceiptSeq, r.UpdatedAt = ev.At, ev.Seq, ev.At
	r.AckDueAt = ev.At.Add(s.ackTarget)
	if r.ID, err = tx.CreateReport(ctx, r); err != nil {
		return Ack{}, err
	}
	for _, a := range p.attachments {
		a.ReportID, a.AddedAt = r.ID, ev.At
		if _, err := tx.AddReportAttachment(ctx, a); err != nil {
			return Ack{}, err
		}
	}
	if err := s.enqueueAck(ctx, tx, r, p.reporter, p.secret); err != nil {
		return Ack{}, err
	}
	return Ack{TrackingID: r.TrackingID, Receipt: receiptOf(r), Secret: p.secret}, nil
}

func receiptOf(r Row) Receipt {
	return Receipt{ID: ReceiptID(r.ReceiptSeq), Seq: r.ReceiptSeq, ReceivedAt: r.ReceivedAt, SHA256: r.RawSHA256,
		Size: r.RawSize, Channel: r.Channel}
}

// open unseals a row's content.
func (s *Service) open(r Row) (Content, error) {
	var c Content
	plain, err := s.sealer.Unseal(r.Content, contentAAD(r.TrackingID))
	if err != nil {
		return c, fmt.Errorf("report %s: %w", r.TrackingID, err)
	}
	if err := json.Unmarshal(plain, &c); err != nil {
		return c, fmt.Errorf("report %s: content: %w", r.TrackingID, err)
	}
	return c, nil
}

// record appends an event of the main audit stream about report r.
func record(ctx context.Context, tx Tx, p *access.Principal, action string, r Row, details any) error {
	ev, err := audit.New(ctx, p.Actor(), action, "report:"+r.TrackingID, details)
	if err != nil {
		return err
	}
	ev.OrgID = r.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}
