package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/embargohq/embargo/internal/remediation"
)

// TransactRemediation runs fn in a transaction, for remediation.Service.
func (db *DB) TransactRemediation(ctx context.Context, fn func(remediation.Tx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// CaseFixes returns a case's fixes by product, model and version.
func (tx *Tx) CaseFixes(ctx context.Context, caseID int64) ([]remediation.Fix, error) {
	rows, err := tx.query(ctx, `SELECT id, case_id, product, model, version, line, status, fixed_version, patch,
			workaround, available_at, note, updated_at, updated_by
		FROM remediations WHERE case_id = $1 ORDER BY product, model, version`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case fixes: %w", err)
	}
	var out []remediation.Fix
	for rows.Next() {
		var f remediation.Fix
		var at sql.NullTime
		if err := rows.Scan(&f.ID, &f.CaseID, &f.Product, &f.Model, &f.Version.Version, &f.Line, &f.Status, &f.FixedVersion,
			&f.Patch, &f.Workaround, &at, &f.Note, &f.UpdatedAt, &f.UpdatedBy); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: case fixes: %w", err)
		}
		f.AvailableAt, f.UpdatedAt = utcOrZero(at), f.UpdatedAt.UTC()
		out = append(out, f)
	}
	return out, closeRows(rows)
}

// PutFix stores f by its case and version and returns its ID.
func (tx *Tx) PutFix(ctx context.Context, org int64, f remediation.Fix) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO remediations (org_id, case_id, product, model, version, line, status,
			fixed_version, patch, workaround, available_at, note, updated_at, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (case_id, product, model, version) DO UPDATE SET line = excluded.line, status = excluded.status,
			fixed_version = excluded.fixed_version, patch = excluded.patch, workaround = excluded.workaround,
			available_at = excluded.available_at, note = excluded.note, updated_at = excluded.updated_at,
			updated_by = excluded.updated_by
		RETURNING id`,
		org, f.CaseID, f.Product, f.Model, f.Version.Version, f.Line, string(f.Status), f.FixedVersion, f.Patch, f.Workaround,
		nullTime(f.AvailableAt), f.Note, f.UpdatedAt, f.UpdatedBy).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: put fix: %w", classify(err))
	}
	return id, nil
}

var _ remediation.Tx = (*Tx)(nil)
var _ remediation.Store = (*DB)(nil)
