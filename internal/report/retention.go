package report

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// MinRetentionMonths is the shortest time the receipt log may be kept:
// RMSV Art. 5 asks for at least six months (CN-05-3).
const MinRetentionMonths = 6

// DefaultRetentionMonths is the receipt log's retention unless configured.
const DefaultRetentionMonths = 12

// Hold is a legal hold on the receipt log: while it is active, the purge
// keeps every entry received at or after From.
type Hold struct {
	ID         int64
	From       time.Time
	Reason     string
	CreatedAt  time.Time
	CreatedBy  string
	ReleasedAt time.Time // zero while active
	ReleasedBy string
}

// Active reports whether h still holds.
func (h Hold) Active() bool { return h.ReleasedAt.IsZero() }

// Purge is the outcome of a retention purge of the receipt log.
type Purge struct {
	Cutoff  time.Time // entries received before this may go
	HeldBy  int64     // the legal hold that moved the cutoff earlier, 0 for none
	Through int64     // the last entry removed (or that would be), 0 for none
	Count   int64     // how many entries were removed (or would be)
	DryRun  bool
}

// RetentionTx is what the purge and legal holds need of a transaction.
type RetentionTx interface {
	Tx
	// LegalHolds lists the holds on stream, oldest first.
	LegalHolds(ctx context.Context, stream audit.Stream) ([]Hold, error)
	CreateLegalHold(ctx context.Context, stream audit.Stream, h Hold) (int64, error)
	ReleaseLegalHold(ctx context.Context, stream audit.Stream, id int64, at time.Time, by string) error
	// PurgeAuditBefore removes the longest prefix of stream whose every
	// event is older than cutoff, re-anchoring the chain's start on the
	// last removed event, and returns the last removed sequence number
	// and the count. With dryRun it only counts.
	PurgeAuditBefore(ctx context.Context, stream audit.Stream, cutoff time.Time, dryRun bool) (through, count int64, err error)
}

// RetentionStore runs retention transactions.
type RetentionStore interface {
	TransactRetention(ctx context.Context, fn func(RetentionTx) error) error
}

// requireInstanceAdmin checks that p administers the instance: the receipt
// log is one chain for the whole instance.
func requireInstanceAdmin(p *access.Principal) error {
	if p == nil {
		return errs.New(errs.Unauthenticated, "sign in first")
	}
	if !p.InstanceAdmin {
		return errs.Coded(errs.Forbidden, "access.denied", "your role does not allow this")
	}
	return nil
}

// PurgeCutoff returns the time before which receipts kept for months may
// be removed: the same day and time, months calendar months earlier.
func PurgeCutoff(now time.Time, months int) time.Time { return now.UTC().AddDate(0, -months, 0) }

// PurgeReceipts removes receipt-log entries older than months (at least
// MinRetentionMonths), never one younger, never one under a legal hold,
// and never from the middle of the chain: the log stays verifiable from
// its new first entry. The purge is audited (receipt.purge) in the main
// stream, dry runs too.
func PurgeReceipts(ctx context.Context, st RetentionStore, p *access.Principal, months int, dryRun bool) (Purge, error) {
	if err := requireInstanceAdmin(p); err != nil {
		return Purge{}, err
	}
	if months < MinRetentionMonths {
		return Purge{}, errs.Coded(errs.Invalid, "receipt.retention", "receipt logs are kept at least %d months (RMSV Art. 5)", MinRetentionMonths)
	}
	var out Purge
	err := st.TransactRetention(ctx, func(tx RetentionTx) error {
		out = Purge{Cutoff: PurgeCutoff(tx.Now(), months), DryRun: dryRun}
		holds, err := tx.LegalHolds(ctx, audit.Receipts)
		if err != nil {
			return err
		}
		for _, h := range holds {
			if h.Active() && h.From.Before(out.Cutoff) {
				out.Cutoff, out.HeldBy = h.From, h.ID
			}
		}
		if out.Through, out.Count, err = tx.PurgeAuditBefore(ctx, audit.Receipts, out.Cutoff, dryRun); err != nil {
			return err
		}
		ev, err := audit.New(ctx, p.Actor(), "receipt.purge", "stream:receipt", map[string]any{
			"months": months, "cutoff": out.Cutoff.Format(time.RFC3339), "held_by": out.HeldBy,
			"through": out.Through, "count": out.Count, "dry_run": dryRun})
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
	return out, err
}

// PlaceHold puts a legal hold on the receipt log from a time on; audited
// (receipt.hold).
func PlaceHold(ctx context.Context, st RetentionStore, p *access.Principal, from time.Time, reason string) (Hold, error) {
	if err := requireInstanceAdmin(p); err != nil {
		return Hold{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 2000 {
		return Hold{}, errs.Coded(errs.Invalid, "report.reason", "give a reason of 1 to 2,000 characters")
	}
	if from.IsZero() {
		return Hold{}, errs.Coded(errs.Invalid, "receipt.hold_from", "say from when the hold applies")
	}
	var h Hold
	err := st.TransactRetention(ctx, func(tx RetentionTx) error {
		h = Hold{From: from.UTC().Truncate(time.Microsecond), Reason: reason, CreatedAt: tx.Now(), CreatedBy: p.Actor()}
		var err error
		if h.ID, err = tx.CreateLegalHold(ctx, audit.Receipts, h); err != nil {
			return err
		}
		ev, err := audit.New(ctx, p.Actor(), "receipt.hold", "stream:receipt", map[string]any{
			"hold": h.ID, "from": h.From.Format(time.RFC3339), "reason": reason})
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
	return h, err
}

// ReleaseHold ends legal hold id; audited (receipt.release).
func ReleaseHold(ctx context.Context, st RetentionStore, p *access.Principal, id int64) error {
	if err := requireInstanceAdmin(p); err != nil {
		return err
	}
	return st.TransactRetention(ctx, func(tx RetentionTx) error {
		if err := tx.ReleaseLegalHold(ctx, audit.Receipts, id, tx.Now(), p.Actor()); err != nil {
			return err
		}
		ev, err := audit.New(ctx, p.Actor(), "receipt.release", "stream:receipt", map[string]any{"hold": id})
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
}

// Holds lists the legal holds on the receipt log.
func Holds(ctx context.Context, st RetentionStore, p *access.Principal) ([]Hold, error) {
	if err := requireInstanceAdmin(p); err != nil {
		return nil, err
	}
	var out []Hold
	err := st.TransactRetention(ctx, func(tx RetentionTx) (err error) {
		out, err = tx.LegalHolds(ctx, audit.Receipts)
		return err
	})
	return out, err
}
