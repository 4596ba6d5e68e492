package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// UserByIdentity returns the account linked to an OpenID Connect
// provider's (issuer, subject), or errs.NotFound.
func (db *DB) UserByIdentity(ctx context.Context, issuer, subject string) (identity.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE id = (SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2)`, issuer, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.New(errs.NotFound, "no such user")
	}
	if err != nil {
		return u, fmt.Errorf("store: read user by identity: %w", err)
	}
	return u, nil
}

// LinkIdentity links (issuer, subject) to account userID. It returns
// errs.Conflict when that identity is linked already.
func (tx *Tx) LinkIdentity(ctx context.Context, issuer, subject string, userID int64, at time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO user_identities (issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4)`,
		issuer, subject, userID, at)
	if err != nil {
		return fmt.Errorf("store: link identity: %w", conflict(err, "this sign-on identity is linked to an account already"))
	}
	return nil
}

// SetRole replaces a user's role; errs.NotFound when there is no such user.
func (tx *Tx) SetRole(ctx context.Context, userID int64, role access.Role) error {
	return tx.updateUser(ctx, `UPDATE users SET role = $2 WHERE id = $1`, userID, string(role))
}

// UseOIDCNonce records that the nonce with this hash was used at at. It
// returns errs.Conflict when it was used before. ON CONFLICT keeps a
// PostgreSQL transaction usable after the duplicate.
func (tx *Tx) UseOIDCNonce(ctx context.Context, hash string, at time.Time) error {
	res, err := tx.exec(ctx, `INSERT INTO oidc_nonces (nonce_hash, used_at) VALUES ($1, $2)
		ON CONFLICT (nonce_hash) DO NOTHING`, hash, at)
	if err != nil {
		return fmt.Errorf("store: use nonce: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: use nonce: %w", err)
	}
	if n == 0 {
		return errs.New(errs.Conflict, "this sign-in was completed already")
	}
	return nil
}

// DeleteOIDCNonces forgets nonces used before before.
func (tx *Tx) DeleteOIDCNonces(ctx context.Context, before time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM oidc_nonces WHERE used_at < $1`, before); err != nil {
		return fmt.Errorf("store: delete nonces: %w", err)
	}
	return nil
}
