package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// TransactNotify runs fn in a transaction, for notify.Service.
func (db *DB) TransactNotify(ctx context.Context, fn func(notify.Tx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// EnqueueOutbox stores r as a pending row, due at r.NextAttemptAt (the
// transaction's time when zero), unless a row with r.DedupKey exists. It
// returns the ID of the row with that key and whether it stored r. Under
// concurrent enqueues of one key, exactly one stores it.
func (tx *Tx) EnqueueOutbox(ctx context.Context, r notify.Row) (id int64, created bool, err error) {
	due := r.NextAttemptAt
	if due.IsZero() {
		due = tx.now
	}
	err = tx.queryRow(ctx, `
		INSERT INTO outbox (org_id, kind, dedup_key, target, payload, state, attempts, next_attempt_at,
			created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $7, $7)
		ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
		nullID(r.OrgID), string(r.Kind), r.DedupKey, r.Target, r.Payload, due.UTC(), tx.now).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("store: enqueue outbox: %w", classify(err))
	}
	// The key exists (or a concurrent transaction just committed it):
	// this statement's snapshot sees it.
	if err := tx.queryRow(ctx, `SELECT id FROM outbox WHERE dedup_key = $1`, r.DedupKey).Scan(&id); err != nil {
		return 0, false, fmt.Errorf("store: enqueue outbox: existing key: %w", err)
	}
	return id, false, nil
}

const outboxColumns = `id, org_id, kind, dedup_key, target, payload, state, attempts, next_attempt_at,
	last_error, created_at, updated_at, sent_at, lease_until, locked_by`

func scanOutbox(row interface{ Scan(...any) error }) (notify.Row, error) {
	var r notify.Row
	var org sql.NullInt64
	var kind, state string
	var sent, lease sql.NullTime
	err := row.Scan(&r.ID, &org, &kind, &r.DedupKey, &r.Target, &r.Payload, &state, &r.Attempts,
		&r.NextAttemptAt, &r.LastError, &r.CreatedAt, &r.UpdatedAt, &sent, &lease, &r.LockedBy)
	r.OrgID, r.Kind, r.State = org.Int64, notify.Kind(kind), notify.State(state)
	r.SentAt, r.LeaseUntil = utcOrZero(sent), utcOrZero(lease)
	r.NextAttemptAt, r.CreatedAt, r.UpdatedAt = r.NextAttemptAt.UTC(), r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

func collectOutbox(rows *sql.Rows, err error) ([]notify.Row, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []notify.Row
	for rows.Next() {
		r, err := scanOutbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OutboxByID returns outbox row id, or errs.NotFound.
func (tx *Tx) OutboxByID(ctx context.Context, id int64) (notify.Row, error) {
	r, err := scanOutbox(tx.queryRow(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.Coded(errs.NotFound, "notify.not_found", "no such message")
	}
	if err != nil {
		return r, fmt.Errorf("store: read outbox: %w", err)
	}
	return r, nil
}

// RetryOutbox makes dead row id pending again, due now, with its attempts
// reset. Returns errs.Conflict when the row is not dead.
func (tx *Tx) RetryOutbox(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2,
		updated_at = $2, lease_until = NULL, locked_by = '' WHERE id = $1 AND state = 'dead'`, id, tx.now)
	if err != nil {
		return fmt.Errorf("store: retry outbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: retry outbox: %w", err)
	}
	if n == 0 {
		return errs.Coded(errs.Conflict, "notify.not_dead", "only a dead message can be retried")
	}
	return nil
}

// BounceOutbox makes sent row id dead with lastError, updated at at: a
// bounce came after the relay accepted it. sent_at stays, the time the
// relay took it. errs.Conflict when the row is not sent.
func (tx *Tx) BounceOutbox(ctx context.Context, id int64, lastError string, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE outbox SET state = 'dead', last_error = $2, updated_at = $3
		WHERE id = $1 AND state = 'sent'`, id, lastError, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return fmt.Errorf("store: bounce outbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: bounce outbox: %w", err)
	}
	if n == 0 {
		return errs.New(errs.Conflict, "outbox message %d is not sent", id)
	}
	return nil
}

// ListOutbox returns up to f.Limit outbox rows matching f, newest first.
func (db *DB) ListOutbox(ctx context.Context, f notify.Filter) ([]notify.Row, error) {
	out, err := collectOutbox(db.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE ($1 = 1 OR coalesce(org_id, 0) = $2) AND ($3 = '' OR state = $3) AND ($4 = 0 OR id < $4)
		ORDER BY id DESC LIMIT $5`, boolInt(f.AnyOrg), f.OrgID, string(f.State), f.Before, f.Limit))
	if err != nil {
		return nil, fmt.Errorf("store: list outbox: %w", err)
	}
	return out, nil
}

// ClaimOutbox claims up to limit rows due at now for worker: pending rows
// whose attempt time has come, and rows whose lease ended (their worker
// died mid-send). Each claimed row turns "sending", leased to worker until
// now+lease, with its attempts counted up; rows come back oldest due
// first. Claims never overlap: on PostgreSQL concurrent claims skip each
// other's rows (SKIP LOCKED); on SQLite writers run one at a time.
func (db *DB) ClaimOutbox(ctx context.Context, worker string, now time.Time, limit int, lease time.Duration) ([]notify.Row, error) {
	now = now.UTC().Truncate(time.Microsecond)
	var out []notify.Row
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		out, err = collectOutbox(tx.query(ctx, `
			UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = $2, locked_by = $3,
				updated_at = $1
			WHERE id IN (
				SELECT id FROM outbox
				WHERE (state = 'pending' AND next_attempt_at <= $1) OR (state = 'sending' AND lease_until <= $1)
				ORDER BY next_attempt_at, id LIMIT $4`+db.dialect.skipLocked()+`)
			RETURNING `+outboxColumns, now, now.Add(lease), worker, limit))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim outbox: %w", err)
	}
	// RETURNING gives no order.
	slices.SortFunc(out, func(a, b notify.Row) int {
		return cmpTime(a.NextAttemptAt, b.NextAttemptAt, a.ID, b.ID)
	})
	return out, nil
}

func cmpTime(a, b time.Time, aID, bID int64) int {
	if c := a.Compare(b); c != 0 {
		return c
	}
	return int(aID - bID)
}

// MarkOutboxSent records that claimed row r was sent at at. It returns
// errs.Conflict when r's claim no longer holds.
func (db *DB) MarkOutboxSent(ctx context.Context, r notify.Row, at time.Time) error {
	return db.settleOne(ctx, notify.Outcome{Row: r, SentAt: at})
}

// MarkOutboxFailed records failed attempt f of claimed row r: the row is
// dead, or pending again from f.NextAttemptAt. It returns errs.Conflict
// when r's claim no longer holds.
func (db *DB) MarkOutboxFailed(ctx context.Context, r notify.Row, f notify.Failure) error {
	return db.settleOne(ctx, notify.Outcome{Row: r, Failure: &f})
}

func (db *DB) settleOne(ctx context.Context, o notify.Outcome) error {
	rowErrs, err := db.SettleOutbox(ctx, []notify.Outcome{o})
	if err != nil {
		return err
	}
	return rowErrs[0]
}

// SettleOutbox records the outcomes of claimed rows in one transaction
// (one sync for a whole batch of deliveries). rowErrs[i] is errs.Conflict
// when outs[i]'s claim no longer holds — the row was claimed again after
// its lease ended — and nothing is recorded for it; err, when the
// transaction fails, means nothing was recorded.
func (db *DB) SettleOutbox(ctx context.Context, outs []notify.Outcome) (rowErrs []error, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		rowErrs = make([]error, len(outs))
		for i, o := range outs {
			r := o.Row
			var res sql.Result
			var err error
			if f := o.Failure; f == nil {
				at := o.SentAt.UTC().Truncate(time.Microsecond)
				res, err = tx.exec(ctx, `UPDATE outbox SET state = 'sent', sent_at = $4, updated_at = $4, last_error = '',
					lease_until = NULL WHERE id = $1 AND state = 'sending' AND locked_by = $2 AND attempts = $3`,
					r.ID, r.LockedBy, r.Attempts, at)
			} else {
				state := notify.Pending
				if f.Dead {
					state = notify.Dead
				}
				res, err = tx.exec(ctx, `UPDATE outbox SET state = $4, last_error = $5, next_attempt_at = $6, updated_at = $7,
					lease_until = NULL WHERE id = $1 AND state = 'sending' AND locked_by = $2 AND attempts = $3`,
					r.ID, r.LockedBy, r.Attempts, string(state), f.Error, f.NextAttemptAt.UTC().Truncate(time.Microsecond),
					f.At.UTC().Truncate(time.Microsecond))
			}
			if err != nil {
				return fmt.Errorf("store: settle outbox: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("store: settle outbox: %w", err)
			}
			if n == 0 {
				rowErrs[i] = errs.New(errs.Conflict, "the claim on outbox message %d ended before it was settled", r.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rowErrs, nil
}
