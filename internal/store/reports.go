package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/report"
)

// TransactReports runs fn in a transaction, for report.Service.
func (db *DB) TransactReports(ctx context.Context, fn func(report.Tx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// IntakeOrg returns org when it exists, or for 0 the first organisation.
func (db *DB) IntakeOrg(ctx context.Context, org int64) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM organisations WHERE ($1 = 0 OR id = $1) ORDER BY id LIMIT 1`,
		org).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.Coded(errs.NotFound, "report.no_org", "this instance does not take reports yet")
	}
	if err != nil {
		return 0, fmt.Errorf("store: intake organisation: %w", err)
	}
	return id, nil
}

// CreateReport stores r and returns its ID.
func (tx *Tx) CreateReport(ctx context.Context, r report.Row) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO reports (org_id, tracking_id, secret_hash, channel, received_at, receipt_seq, raw_sha256,
			raw_size, raw, content, encrypted, dedup_key, language, status, status_reason, ack_due_at, updated_at,
			credit, consent_share)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
		r.OrgID, r.TrackingID, r.SecretHash, string(r.Channel), r.ReceivedAt, r.ReceiptSeq, r.RawSHA256, r.RawSize,
		r.Raw, r.Content, boolInt(r.Encrypted), nullString(r.DedupKey), r.Language, string(r.Status), r.Reason, r.AckDueAt,
		r.UpdatedAt, string(r.Credit), boolInt(r.ConsentShare)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create report: %w", conflict(classify(err), "a report with this tracking ID or key exists"))
	}
	return id, nil
}

const reportColumns = `id, org_id, tracking_id, secret_hash, channel, received_at, receipt_seq, raw_sha256, raw_size,
	raw, content, encrypted, dedup_key, language, status, status_reason, duplicate_of, case_id, ack_due_at,
	acknowledged_at, updated_at, credit, consent_share`

func scanReport(row interface{ Scan(...any) error }) (report.Row, error) {
	var r report.Row
	var channel, status, credit string
	var dedup sql.NullString
	var dup, caseID sql.NullInt64
	var acked sql.NullTime
	var encrypted, consent int
	err := row.Scan(&r.ID, &r.OrgID, &r.TrackingID, &r.SecretHash, &channel, &r.ReceivedAt, &r.ReceiptSeq,
		&r.RawSHA256, &r.RawSize, &r.Raw, &r.Content, &encrypted, &dedup, &r.Language, &status, &r.Reason, &dup,
		&caseID, &r.AckDueAt, &acked, &r.UpdatedAt, &credit, &consent)
	r.Encrypted, r.ConsentShare = encrypted == 1, consent == 1
	r.Channel, r.Status, r.Credit = report.Channel(channel), report.Status(status), report.Credit(credit)
	r.DedupKey, r.DuplicateOf, r.CaseID, r.AckedAt = dedup.String, dup.Int64, caseID.Int64, utcOrZero(acked)
	r.ReceivedAt, r.AckDueAt, r.UpdatedAt = r.ReceivedAt.UTC(), r.AckDueAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

func (tx *Tx) oneReport(ctx context.Context, where string, arg ...any) (report.Row, error) {
	r, err := scanReport(tx.queryRow(ctx, `SELECT `+reportColumns+` FROM reports WHERE `+where, arg...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.Coded(errs.NotFound, "report.not_found", "no such report")
	}
	if err != nil {
		return r, fmt.Errorf("store: read report: %w", err)
	}
	return r, nil
}

// ReportByDedupKey returns org's report with key, or errs.NotFound.
func (tx *Tx) ReportByDedupKey(ctx context.Context, org int64, key string) (report.Row, error) {
	return tx.oneReport(ctx, `org_id = $1 AND dedup_key = $2`, org, key)
}

// ReportByTracking returns the report with tracking ID t, or errs.NotFound.
func (tx *Tx) ReportByTracking(ctx context.Context, t string) (report.Row, error) {
	return tx.oneReport(ctx, `tracking_id = $1`, t)
}

// ReportByID returns report id, or errs.NotFound.
func (tx *Tx) ReportByID(ctx context.Context, id int64) (report.Row, error) {
	return tx.oneReport(ctx, `id = $1`, id)
}

// ReportBySecret returns the report whose link token hashes to h, or
// errs.NotFound.
func (tx *Tx) ReportBySecret(ctx context.Context, h string) (report.Row, error) {
	return tx.oneReport(ctx, `secret_hash = $1`, h)
}

// ListReports returns up to f.Limit reports of org matching f, newest first.
func (tx *Tx) ListReports(ctx context.Context, org int64, f report.Filter) ([]report.Row, error) {
	rows, err := tx.query(ctx, `SELECT `+reportColumns+` FROM reports
		WHERE org_id = $1 AND ($2 = '' OR status = $2) AND ($3 = 0 OR id < $3)
		ORDER BY id DESC LIMIT $4`, org, string(f.Status), f.Before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: list reports: %w", err)
	}
	defer rows.Close()
	var out []report.Row
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OverdueReports returns up to limit reports, oldest due first, that no
// one has answered although their acknowledgement was due before now.
func (tx *Tx) OverdueReports(ctx context.Context, now time.Time, limit int) ([]report.Row, error) {
	rows, err := tx.query(ctx, `SELECT `+reportColumns+` FROM reports
		WHERE acknowledged_at IS NULL AND status = 'new' AND ack_due_at < $1
		ORDER BY ack_due_at LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("store: overdue reports: %w", err)
	}
	defer rows.Close()
	var out []report.Row
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: overdue reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateReport writes r's triage and reporter-choice fields.
func (tx *Tx) UpdateReport(ctx context.Context, r report.Row) error {
	res, err := tx.exec(ctx, `UPDATE reports SET status = $2, status_reason = $3, duplicate_of = $4, case_id = $5,
		acknowledged_at = $6, updated_at = $7, credit = $8, consent_share = $9 WHERE id = $1`,
		r.ID, string(r.Status), r.Reason, nullID(r.DuplicateOf), nullID(r.CaseID), nullTime(r.AckedAt), r.UpdatedAt,
		string(r.Credit), boolInt(r.ConsentShare))
	if err != nil {
		return fmt.Errorf("store: update report: %w", err)
	}
	return mustAffect(res, "no such report")
}

// AddReportAttachment stores a and returns its ID.
func (tx *Tx) AddReportAttachment(ctx context.Context, a report.StoredAttachment) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO report_attachments (report_id, message_id, name, content_type, sniffed_type, size, sha256, data, added_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		a.ReportID, nullID(a.MessageID), a.Name, a.ContentType, a.SniffedType, a.Size, a.SHA256, a.Data, a.AddedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add report attachment: %w", err)
	}
	return id, nil
}

const attachmentColumns = `id, report_id, message_id, name, content_type, sniffed_type, size, sha256, added_at`

func scanAttachment(row interface{ Scan(...any) error }, extra ...any) (report.StoredAttachment, error) {
	var a report.StoredAttachment
	var msg sql.NullInt64
	err := row.Scan(append([]any{&a.ID, &a.ReportID, &msg, &a.Name, &a.ContentType, &a.SniffedType, &a.Size,
		&a.SHA256, &a.AddedAt}, extra...)...)
	a.MessageID, a.AddedAt = msg.Int64, a.AddedAt.UTC()
	return a, err
}

// ReportAttachments lists a report's attachments without their data.
func (tx *Tx) ReportAttachments(ctx context.Context, reportID int64) ([]report.StoredAttachment, error) {
	rows, err := tx.query(ctx, `SELECT `+attachmentColumns+` FROM report_attachments WHERE report_id = $1 ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: list report attachments: %w", err)
	}
	defer rows.Close()
	var out []report.StoredAttachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list report attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ReportAttachment returns one attachment of a report with its sealed
// data, or errs.NotFound.
func (tx *Tx) ReportAttachment(ctx context.Context, reportID, id int64) (report.StoredAttachment, error) {
	var data []byte
	a, err := scanAttachment(tx.queryRow(ctx, `SELECT `+attachmentColumns+`, data FROM report_attachments
		WHERE report_id = $1 AND id = $2`, reportID, id), &data)
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.New(errs.NotFound, "no such attachment")
	}
	if err != nil {
		return a, fmt.Errorf("store: read report attachment: %w", err)
	}
	a.Data = data
	return a, nil
}

// AddReportMessage stores m and returns its ID.
func (tx *Tx) AddReportMessage(ctx context.Context, m report.StoredMessage) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO report_messages (report_id, at, author, body) VALUES ($1, $2, $3, $4) RETURNING id`,
		m.ReportID, m.At, m.Author, m.Body).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add report message: %w", err)
	}
	return id, nil
}

// ReportMessages lists a report's thread, oldest first.
func (tx *Tx) ReportMessages(ctx context.Context, reportID int64) ([]report.StoredMessage, error) {
	rows, err := tx.query(ctx, `SELECT id, report_id, at, author, body FROM report_messages WHERE report_id = $1 ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: list report messages: %w", err)
	}
	defer rows.Close()
	var out []report.StoredMessage
	for rows.Next() {
		var m report.StoredMessage
		if err := rows.Scan(&m.ID, &m.ReportID, &m.At, &m.Author, &m.Body); err != nil {
			return nil, fmt.Errorf("store: list report messages: %w", err)
		}
		m.At = m.At.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
