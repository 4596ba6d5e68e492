package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// TransactSetup runs fn in a transaction, for identity.Setup.
func (db *DB) TransactSetup(ctx context.Context, fn func(identity.SetupTx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// LockSetup returns the setup token state, locking the instance row until
// the transaction ends so that one token creates one administrator. It
// returns errs.NotFound before the instance exists.
func (tx *Tx) LockSetup(ctx context.Context) (identity.SetupState, error) {
	var st identity.SetupState
	var exp sql.NullTime
	err := tx.queryRow(ctx, `SELECT setup_token_hash, setup_token_expires_at FROM instance WHERE id = 1`+
		tx.dialect.forUpdate()).Scan(&st.TokenHash, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return st, errs.New(errs.NotFound, "the instance is not initialised")
	}
	if err != nil {
		return st, fmt.Errorf("store: lock setup: %w", err)
	}
	st.ExpiresAt = exp.Time.UTC()
	return st, nil
}

// CreateUser stores u and returns its ID. It returns errs.Conflict when
// the e-mail address is taken.
func (tx *Tx) CreateUser(ctx context.Context, u identity.User) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO users (email, display_name, password_hash, instance_admin, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		u.Email, u.DisplayName, u.PasswordHash, boolInt(u.InstanceAdmin), u.CreatedAt).Scan(&id)
	if err != nil {
		return 0, conflict(classify(err), "an account with this e-mail address exists")
	}
	return id, nil
}

// UserByEmail returns the account with the given (lower-case) address, or
// errs.NotFound.
func (db *DB) UserByEmail(ctx context.Context, email string) (identity.User, error) {
	var u identity.User
	var admin int
	err := db.read.QueryRowContext(ctx, `
		SELECT id, email, display_name, password_hash, instance_admin, created_at
		FROM users WHERE email = $1`, email).
		Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &admin, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.New(errs.NotFound, "no such user")
	}
	if err != nil {
		return u, fmt.Errorf("store: read user: %w", err)
	}
	u.InstanceAdmin, u.CreatedAt = admin == 1, u.CreatedAt.UTC()
	return u, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
