package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/report"
)

// TransactRetention runs fn in a transaction, for the receipt log's
// retention purge and legal holds.
func (db *DB) TransactRetention(ctx context.Context, fn func(report.RetentionTx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// LegalHolds lists the holds on stream, oldest first.
func (tx *Tx) LegalHolds(ctx context.Context, stream audit.Stream) ([]report.Hold, error) {
	rows, err := tx.query(ctx, `SELECT id, from_at, reason, created_at, created_by, released_at, released_by
		FROM legal_holds WHERE stream = $1 ORDER BY id`, string(stream))
	if err != nil {
		return nil, fmt.Errorf("store: list legal holds: %w", err)
	}
	defer rows.Close()
	var out []report.Hold
	for rows.Next() {
		var h report.Hold
		var rel sql.NullTime
		if err := rows.Scan(&h.ID, &h.From, &h.Reason, &h.CreatedAt, &h.CreatedBy, &rel, &h.ReleasedBy); err != nil {
			return nil, fmt.Errorf("store: list legal holds: %w", err)
		}
		h.From, h.CreatedAt, h.ReleasedAt = h.From.UTC(), h.CreatedAt.UTC(), utcOrZero(rel)
		out = append(out, h)
	}
	return out, rows.Err()
}

// CreateLegalHold stores a hold on stream and returns its ID.
func (tx *Tx) CreateLegalHold(ctx context.Context, stream audit.Stream, h report.Hold) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO legal_holds (stream, from_at, reason, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, string(stream), h.From, h.Reason, h.CreatedAt, h.CreatedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create legal hold: %w", err)
	}
	return id, nil
}

// ReleaseLegalHold ends an active hold; errs.NotFound when there is none
// with that ID.
func (tx *Tx) ReleaseLegalHold(ctx context.Context, stream audit.Stream, id int64, at time.Time, by string) error {
	res, err := tx.exec(ctx, `UPDATE legal_holds SET released_at = $3, released_by = $4
		WHERE stream = $1 AND id = $2 AND released_at IS NULL`, string(stream), id, at, by)
	if err != nil {
		return fmt.Errorf("store: release legal hold: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errs.Coded(errs.NotFound, "receipt.no_hold", "no active legal hold %d", id)
	}
	return nil
}

// PurgeAuditBefore removes the longest prefix of stream whose every event
// is older than cutoff. Events are appended under the head lock, so their
// times rise with their numbers only roughly (a transaction's clock is
// read when it starts): the prefix ends before the first event at or
// after the cutoff, so that no younger event is ever removed. The head's
// first_seq and first_prev move to the first kept event, and Verify checks
// the chain from there.
func (tx *Tx) PurgeAuditBefore(ctx context.Context, stream audit.Stream, cutoff time.Time, dryRun bool) (through, count int64, err error) {
	head, err := tx.head(ctx, stream)
	if err != nil {
		return 0, 0, err
	}
	var firstSeq int64
	if err := tx.queryRow(ctx, `SELECT first_seq FROM audit_heads WHERE stream = $1`, string(stream)).Scan(&firstSeq); err != nil {
		return 0, 0, fmt.Errorf("store: read audit head: %w", err)
	}
	var young sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT min(seq) FROM audit_events WHERE stream = $1 AND at >= $2`,
		string(stream), cutoff.UTC()).Scan(&young); err != nil {
		return 0, 0, fmt.Errorf("store: find purge limit: %w", err)
	}
	through = head.link.Seq
	if young.Valid {
		through = young.Int64 - 1
	}
	if through < firstSeq {
		return 0, 0, nil
	}
	count = through - firstSeq + 1
	if dryRun {
		return through, count, nil
	}
	var anchor string
	if err := tx.queryRow(ctx, `SELECT hash FROM audit_events WHERE stream = $1 AND seq = $2`,
		string(stream), through).Scan(&anchor); err != nil {
		return 0, 0, fmt.Errorf("store: read purge anchor: %w", err)
	}
	res, err := tx.exec(ctx, `DELETE FROM audit_events WHERE stream = $1 AND seq <= $2`, string(stream), through)
	if err != nil {
		return 0, 0, fmt.Errorf("store: purge audit events: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != count {
		return 0, 0, fmt.Errorf("store: purge removed %d events, want %d (the chain has a gap): %v", n, count, err)
	}
	if _, err := tx.exec(ctx, `UPDATE audit_heads SET first_seq = $2, first_prev = $3 WHERE stream = $1`,
		string(stream), through+1, anchor); err != nil {
		return 0, 0, fmt.Errorf("store: re-anchor audit head: %w", err)
	}
	return through, count, nil
}
