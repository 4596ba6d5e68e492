package identity

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// Token is an API token. Its secret is shown once, at creation; only the
// secret's SHA-256 is stored.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       string
	Scopes     []access.Permission
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// NewToken is a request for a token.
type NewToken struct {
	Name   string
	Scopes []access.Permission
	// TTL is how long the token lives; 0 means DefaultTokenTTL. Tokens
	// always expire: a forgotten token must not work for ever.
	TTL time.Duration
}

// DefaultTokenTTL and MaxTokenTTL bound token lifetimes.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// tokenPrefix starts every token secret.
const tokenPrefix = "emb_"

// CreateToken creates an API token for the principal's own account and
// returns its secret (shown once) and record. The scopes must be
// permissions the principal's role has. Errors: errs.Forbidden without
// access.ManageOwnTokens (a token cannot mint tokens), errs.Invalid for a
// bad name, scope or lifetime.
func (s *Service) CreateToken(ctx context.Context, p *access.Principal, nt NewToken) (string, Token, error) {
	if err := p.Require(access.ManageOwnTokens); err != nil {
		return "", Token{}, err
	}
	if p.TokenID != 0 {
		return "", Token{}, errs.New(errs.Forbidden, "an API token cannot create tokens; sign in to do that")
	}
	t, ttl, err := s.checkNewToken(p, nt)
	if err != nil {
		return "", Token{}, err
	}
	secret := newSecret(tokenPrefix)
	t.Hash = hashSecret(secret)
	err = s.store.TransactIdentity(ctx, func(tx Tx) error {
		t.CreatedAt = tx.Now()
		t.ExpiresAt = t.CreatedAt.Add(ttl)
		if t.ID, err = tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return record(ctx, tx, p.OrgID, p.Actor(), "token.create", "token:"+itoa(t.ID),
			map[string]any{"name": t.Name, "scopes": t.Scopes, "expires_at": t.ExpiresAt})
	})
	return secret, t, err
}

// checkNewToken validates a token request and returns the token (without
// its times) and its lifetime.
func (s *Service) checkNewToken(p *access.Principal, nt NewToken) (Token, time.Duration, error) {
	name := strings.TrimSpace(nt.Name)
	if name == "" || len(name) > 100 {
		return Token{}, 0, errs.Coded(errs.Invalid, "token.name", "give the token a name of 1 to 100 characters")
	}
	if len(nt.Scopes) == 0 {
		return Token{}, 0, errs.Coded(errs.Invalid, "token.no_scope", "give the token at least one scope")
	}
	for _, sc := range nt.Scopes {
		if !p.Role.Can(sc) {
			return Token{}, 0, errs.Coded(errs.Invalid, "token.scope", "scope %s is not a permission of your role", sc)
		}
	}
	ttl := nt.TTL
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < time.Minute || ttl > MaxTokenTTL {
		return Token{}, 0, errs.Coded(errs.Invalid, "token.ttl", "a token lives from one minute to 366 days")
	}
	scopes := slices.Clone(nt.Scopes)
	slices.Sort(scopes)
	return Token{UserID: p.UserID, Name: name, Scopes: slices.Compact(scopes)}, ttl, nil
}

// AuthenticateToken returns the principal of the bearer token secret. A
// token that is unknown, revoked or expired, or whose user is disabled, gets
// errs.Unauthenticated.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*access.Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, errs.Coded(errs.Unauthenticated, "token.invalid", "the API token is not valid")
	}
	t, err := s.store.TokenByHash(ctx, hashSecret(secret))
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	switch {
	case !t.RevokedAt.IsZero():
		return nil, errs.Coded(errs.Unauthenticated, "token.revoked", "the API token was revoked")
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return nil, errs.Coded(errs.Unauthenticated, "token.expired", "the API token has expired")
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if err != nil || !u.DisabledAt.IsZero() {
		return nil, errs.Coded(errs.Unauthenticated, "token.invalid", "the API token is not valid")
	}
	if now.Sub(t.LastUsedAt) > time.Minute {
		_ = s.store.TransactIdentity(ctx, func(tx Tx) error { return tx.TouchToken(ctx, t.ID, now) })
	}
	p := u.Principal(true) // a token is issued only from a fully authenticated session
	p.TokenID, p.Scopes = t.ID, t.Scopes
	return p, nil
}

// RevokeToken revokes one of the principal's own tokens. errs.NotFound
// when it has no such live token.
func (s *Service) RevokeToken(ctx context.Context, p *access.Principal, id int64) error {
	if err := p.Require(access.ManageOwnTokens); err != nil {
		return err
	}
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.RevokeToken(ctx, p.UserID, id, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, p.OrgID, p.Actor(), "token.revoke", "token:"+itoa(id), nil)
	})
}

// Tokens lists the principal's own tokens.
func (s *Service) Tokens(ctx context.Context, p *access.Principal) ([]Token, error) {
	if err := p.Require(access.ManageOwnTokens); err != nil {
		return nil, err
	}
	return s.store.TokensOf(ctx, p.UserID)
}
