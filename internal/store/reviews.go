package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// OrgIDs returns the IDs of every organisation, in order.
func (db *DB) OrgIDs(ctx context.Context) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM organisations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: organisations: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: organisations: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

const reviewColumns = `id, org_id, quarter, generated_at, people, sha256, signed_by, signed_at, note`

func scanReview(row interface{ Scan(...any) error }, extra ...any) (casework.RecordedReview, error) {
	var r casework.RecordedReview
	var signed sql.NullTime
	err := row.Scan(append([]any{&r.ID, &r.OrgID, &r.Quarter, &r.GeneratedAt, &r.People, &r.SHA256, &r.SignedBy, &signed, &r.Note}, extra...)...)
	r.GeneratedAt = r.GeneratedAt.UTC()
	if signed.Valid {
		r.SignedAt = signed.Time.UTC()
	}
	return r, err
}

// RecordedReviews returns org's recorded access reviews, newest first,
// without their content.
func (db *DB) RecordedReviews(ctx context.Context, org int64) ([]casework.RecordedReview, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+reviewColumns+` FROM access_reviews WHERE org_id = $1 ORDER BY quarter DESC`, org)
	if err != nil {
		return nil, fmt.Errorf("store: access reviews: %w", err)
	}
	defer rows.Close()
	var out []casework.RecordedReview
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, fmt.Errorf("store: access reviews: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SaveReview stores a recorded access review; errs.Conflict when its
// organisation has one for the quarter.
func (tx *Tx) SaveReview(ctx context.Context, r casework.RecordedReview) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO access_reviews (org_id, quarter, generated_at, people, content, sha256)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		r.OrgID, r.Quarter, r.GeneratedAt, r.People, r.Content, r.SHA256).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: save access review: %w", conflict(classify(err), "the quarter's review is recorded already"))
	}
	return id, nil
}

// ReviewByID returns recorded review id with its content; errs.NotFound.
func (tx *Tx) ReviewByID(ctx context.Context, id int64) (casework.RecordedReview, error) {
	var content []byte
	r, err := scanReview(tx.queryRow(ctx, `SELECT `+reviewColumns+`, content FROM access_reviews WHERE id = $1`, id), &content)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.New(errs.NotFound, "no such access review")
	}
	if err != nil {
		return r, fmt.Errorf("store: access review %d: %w", id, err)
	}
	r.Content = content
	return r, nil
}

// SignReview records the sign-off of review id, once.
func (tx *Tx) SignReview(ctx context.Context, id int64, by string, at time.Time, note string) error {
	res, err := tx.exec(ctx, `UPDATE access_reviews SET signed_by = $2, signed_at = $3, note = $4 WHERE id = $1 AND signed_by = ''`,
		id, by, at, note)
	if err != nil {
		return fmt.Errorf("store: sign access review: %w", err)
	}
	return mustAffect(res, "no unsigned access review with this ID")
}
