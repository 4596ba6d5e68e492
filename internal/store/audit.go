package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/audit"
)

// AppendAudit seals e after the current head of its stream and stores it,
// in its own transaction. See Tx.AppendAudit.
func (db *DB) AppendAudit(ctx context.Context, e audit.Event) (sealed audit.Event, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		sealed, err = tx.AppendAudit(ctx, e)
		return err
	})
	return sealed, err
}

// AppendAudit seals e after the head of its stream (locking the head row
// until the transaction ends, so that concurrent writers queue instead of
// forking the chain) and stores it. A zero e.At becomes the transaction's
// time. Domain writes call it inside their own transaction, so that a
// change and its audit event commit together.
//
// The transaction keeps the head it locked and advances it in memory; the
// head row is written once, when the transaction commits. A batch of
// appends (the intake's group commit) so costs one statement per event
// instead of four: on PostgreSQL each statement is a round trip.
func (tx *Tx) AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error) {
	if e.At.IsZero() {
		e.At = tx.now
	}
	head, err := tx.head(ctx, e.Stream)
	if err != nil {
		return audit.Event{}, err
	}
	sealed, err := audit.Seal(head.link, e)
	if err != nil {
		return audit.Event{}, err
	}
	_, err = tx.exec(ctx, `
		INSERT INTO audit_events (stream, seq, org_id, at, actor, action, subject, request_id, details, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		string(sealed.Stream), sealed.Seq, sealed.OrgID, sealed.At, sealed.Actor, sealed.Action, sealed.Subject,
		sealed.RequestID, sealed.Details, sealed.PrevHash, sealed.Hash)
	if err != nil {
		return audit.Event{}, fmt.Errorf("store: append audit event: %w", err)
	}
	head.link, head.dirty = audit.Link{Seq: sealed.Seq, Hash: sealed.Hash}, true
	return sealed, nil
}

// txHead is a stream head locked by a transaction, as its appends have
// advanced it.
type txHead struct {
	link  audit.Link
	dirty bool // advanced since it was read: write it back before commit
}

// head returns the head of stream as this transaction sees it, locking the
// head row on first use.
func (tx *Tx) head(ctx context.Context, stream audit.Stream) (*txHead, error) {
	if h, ok := tx.heads[stream]; ok {
		return h, nil
	}
	l, err := tx.lockHead(ctx, stream)
	if err != nil {
		return nil, err
	}
	if tx.heads == nil {
		tx.heads = map[audit.Stream]*txHead{}
	}
	h := &txHead{link: l}
	tx.heads[stream] = h
	return h, nil
}

// writeHeads stores the heads this transaction advanced; Transact calls
// it before committing.
func (tx *Tx) writeHeads(ctx context.Context) error {
	for stream, h := range tx.heads {
		if !h.dirty {
			continue
		}
		_, err := tx.exec(ctx, `UPDATE audit_heads SET seq = $1, hash = $2 WHERE stream = $3`,
			h.link.Seq, h.link.Hash, string(stream))
		if err != nil {
			return fmt.Errorf("store: advance audit head: %w", err)
		}
		h.dirty = false
	}
	return nil
}

// lockHead reads the stream's head row, creating it for a new stream, and
// holds a lock on it until the transaction ends. Use head, which keeps
// what it read.
func (tx *Tx) lockHead(ctx context.Context, stream audit.Stream) (audit.Link, error) {
	_, err := tx.exec(ctx, `
		INSERT INTO audit_heads (stream, seq, hash, first_seq, first_prev) VALUES ($1, 0, $2, 1, $2)
		ON CONFLICT (stream) DO NOTHING`, string(stream), audit.GenesisHash)
	if err != nil {
		return audit.Link{}, fmt.Errorf("store: create audit head: %w", err)
	}
	var l audit.Link
	err = tx.queryRow(ctx, `SELECT seq, hash FROM audit_heads WHERE stream = $1`+tx.dialect.forUpdate(),
		string(stream)).Scan(&l.Seq, &l.Hash)
	if err != nil {
		return audit.Link{}, fmt.Errorf("store: lock audit head: %w", err)
	}
	return l, nil
}

// AuditHead returns the head of stream; a stream never written has the
// genesis head.
func (db *DB) AuditHead(ctx context.Context, stream audit.Stream) (audit.Head, error) {
	h := audit.Head{Last: audit.Link{Hash: audit.GenesisHash}, FirstSeq: 1, FirstPrev: audit.GenesisHash}
	rows, err := db.read.QueryContext(ctx,
		`SELECT seq, hash, first_seq, first_prev FROM audit_heads WHERE stream = $1`, string(stream))
	if err != nil {
		return h, fmt.Errorf("store: read audit head: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&h.Last.Seq, &h.Last.Hash, &h.FirstSeq, &h.FirstPrev); err != nil {
			return h, fmt.Errorf("store: read audit head: %w", err)
		}
	}
	return h, rows.Err()
}

// AuditEvents returns up to limit events of stream with seq > after, in
// ascending order.
func (db *DB) AuditEvents(ctx context.Context, stream audit.Stream, after int64, limit int) ([]audit.Event, error) {
	return db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_events
		WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3`, string(stream), after, limit)
}

const auditColumns = `stream, seq, org_id, at, actor, action, subject, request_id, details, prev_hash, hash`

func (db *DB) queryAudit(ctx context.Context, q string, args ...any) ([]audit.Event, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read audit events: %w", err)
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		var e audit.Event
		var s string
		var at time.Time
		if err := rows.Scan(&s, &e.Seq, &e.OrgID, &at, &e.Actor, &e.Action, &e.Subject, &e.RequestID,
			&e.Details, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("store: read audit events: %w", err)
		}
		e.Stream, e.At = audit.Stream(s), at.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// SearchAudit returns up to f.Limit events of f.Stream matching f, newest
// first. Filters are built as where clauses with numbered arguments.
func (db *DB) SearchAudit(ctx context.Context, f audit.Filter) ([]audit.Event, error) {
	where := []string{"stream = $1"}
	args := []any{string(f.Stream)}
	add := func(clause string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(clause, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.OrgID != 0 {
		add("org_id = ?", f.OrgID)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add(`action LIKE ? ESCAPE '\'`, likePrefix(f.Action))
	}
	if f.Subject != "" {
		add("subject = ?", f.Subject)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if f.Before > 0 {
		add("seq < ?", f.Before)
	}
	args = append(args, f.Limit)
	return db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE `+strings.Join(where, " AND ")+
		` ORDER BY seq DESC LIMIT $`+strconv.Itoa(len(args)), args...)
}

// likePrefix escapes LIKE wildcards in s (with \) and matches it as a
// prefix.
func likePrefix(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s) + "%"
}
