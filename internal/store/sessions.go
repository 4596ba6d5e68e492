package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// CreateSession stores a session.
func (tx *Tx) CreateSession(ctx context.Context, s identity.Session) error {
	_, err := tx.exec(ctx, `
		INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, second_factor, user_agent, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.TokenHash, s.UserID, s.CreatedAt, s.LastSeenAt, boolInt(s.SecondFactor), s.UserAgent, s.RemoteAddr)
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// SessionByHash returns the session whose token hashes to hash, or
// errs.Unauthenticated.
func (db *DB) SessionByHash(ctx context.Context, hash string) (identity.Session, error) {
	var s identity.Session
	var second int
	err := db.read.QueryRowContext(ctx, `
		SELECT token_hash, user_id, created_at, last_seen_at, second_factor, user_agent, remote_addr
		FROM sessions WHERE token_hash = $1`, hash).
		Scan(&s.TokenHash, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &second, &s.UserAgent, &s.RemoteAddr)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.New(errs.Unauthenticated, "your session has ended; sign in again")
	}
	if err != nil {
		return s, fmt.Errorf("store: read session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.SecondFactor = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), second == 1
	return s, nil
}

// TouchSession records activity on a session, and that it passed the
// second factor when secondFactor is true.
func (tx *Tx) TouchSession(ctx context.Context, hash string, at time.Time, secondFactor bool) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $2,
		second_factor = CASE WHEN $3 = 1 THEN 1 ELSE second_factor END WHERE token_hash = $1`,
		hash, at, boolInt(secondFactor))
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSessions deletes the session with token hash hash, or, when hash
// is "", every session of userID; it returns how many it deleted.
func (tx *Tx) DeleteSessions(ctx context.Context, userID int64, hash string) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND ($2 = '' OR token_hash = $2)`, userID, hash)
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions: %w", err)
	}
	return res.RowsAffected()
}

// CreateToken stores an API token and returns its ID.
func (tx *Tx) CreateToken(ctx context.Context, t identity.Token) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO api_tokens (user_id, name, token_hash, scopes, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		t.UserID, t.Name, t.Hash, joinScopes(t.Scopes), t.CreatedAt, nullTime(t.ExpiresAt)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create token: %w", classify(err))
	}
	return id, nil
}

const tokenColumns = `id, user_id, name, token_hash, scopes, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (identity.Token, error) {
	var t identity.Token
	var scopes string
	var exp, used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &scopes, &t.CreatedAt, &exp, &used, &revoked)
	if err != nil {
		return t, err
	}
	t.Scopes, t.CreatedAt = splitScopes(scopes), t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = utcOrZero(exp), utcOrZero(used), utcOrZero(revoked)
	return t, nil
}

// TokenByHash returns the token whose secret hashes to hash, or
// errs.Unauthenticated.
func (db *DB) TokenByHash(ctx context.Context, hash string) (identity.Token, error) {
	t, err := scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.New(errs.Unauthenticated, "the API token is not valid")
	}
	if err != nil {
		return t, fmt.Errorf("store: read token: %w", err)
	}
	return t, nil
}

// TokensOf returns a user's tokens, newest first.
func (db *DB) TokensOf(ctx context.Context, userID int64) ([]identity.Token, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	defer rows.Close()
	var out []identity.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TouchToken records a token's use.
func (tx *Tx) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, at)
	if err != nil {
		return fmt.Errorf("store: touch token: %w", err)
	}
	return nil
}

// RevokeToken revokes token id of userID. It returns errs.NotFound when
// that user has no such unrevoked token.
func (tx *Tx) RevokeToken(ctx context.Context, userID, id int64, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
		id, userID, at)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return mustAffect(res, "no such token")
}

func joinScopes(s []access.Permission) string {
	parts := make([]string, len(s))
	for i, p := range s {
		parts[i] = string(p)
	}
	return strings.Join(parts, " ")
}

func splitScopes(s string) []access.Permission {
	var out []access.Permission
	for _, f := range strings.Fields(s) {
		out = append(out, access.Permission(f))
	}
	return out
}
