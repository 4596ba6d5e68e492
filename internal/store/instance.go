package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/errs"
)

// Instance is the installation's own row, created at first start.
type Instance struct {
	CreatedAt time.Time
	// SetupTokenHash is the hex SHA-256 of the one-time setup token, or ""
	// once the first administrator exists.
	SetupTokenHash      string
	SetupTokenExpiresAt time.Time
}

// CreateInstance records the instance's creation. It returns errs.Conflict
// when the instance already exists.
func (tx *Tx) CreateInstance(ctx context.Context, in Instance) error {
	_, err := tx.exec(ctx, `
		INSERT INTO instance (id, created_at, setup_token_hash, setup_token_expires_at)
		VALUES (1, $1, $2, $3)`, in.CreatedAt.UTC(), in.SetupTokenHash, nullTime(in.SetupTokenExpiresAt))
	return conflict(err, "the instance is already initialised")
}

// SetSetupToken replaces the setup token's hash and expiry ("" clears it).
// It returns errs.NotFound when the instance does not exist yet.
func (tx *Tx) SetSetupToken(ctx context.Context, hash string, expires time.Time) error {
	res, err := tx.exec(ctx, `UPDATE instance SET setup_token_hash = $1, setup_token_expires_at = $2 WHERE id = 1`,
		hash, nullTime(expires))
	if err != nil {
		return fmt.Errorf("store: set setup token: %w", err)
	}
	return mustAffect(res, "the instance is not initialised")
}

// Instance returns the instance row. It returns errs.NotFound before the
// first start has created it.
func (db *DB) Instance(ctx context.Context) (Instance, error) {
	var in Instance
	var exp sql.NullTime
	err := db.read.QueryRowContext(ctx,
		`SELECT created_at, setup_token_hash, setup_token_expires_at FROM instance WHERE id = 1`).
		Scan(&in.CreatedAt, &in.SetupTokenHash, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return in, errs.New(errs.NotFound, "the instance is not initialised")
	}
	if err != nil {
		return in, fmt.Errorf("store: read instance: %w", err)
	}
	in.CreatedAt = in.CreatedAt.UTC()
	if exp.Valid {
		in.SetupTokenExpiresAt = exp.Time.UTC()
	}
	return in, nil
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// mustAffect returns errs.NotFound with msg when res affected no row.
func mustAffect(res sql.Result, msg string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: rows affected: %w", err)
	}
	if n == 0 {
		return errs.New(errs.NotFound, "%s", msg)
	}
	return nil
}

// CountAdministrators returns how many enabled instance administrators
// exist.
func (db *DB) CountAdministrators(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx,
		`SELECT count(*) FROM users WHERE instance_admin = 1 AND disabled_at IS NULL`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count administrators: %w", err)
	}
	return n, nil
}
