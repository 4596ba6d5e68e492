package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
)

// Store is what the identity service reads and, through transactions,
// writes.
type Store interface {
	UserByEmail(ctx context.Context, email string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	ListUsers(ctx context.Context, orgID int64) ([]User, error)
	SessionByHash(ctx context.Context, hash string) (Session, error)
	TokenByHash(ctx context.Context, hash string) (Token, error)
	TokensOf(ctx context.Context, userID int64) ([]Token, error)
	TransactIdentity(ctx context.Context, fn func(Tx) error) error

	// UserByIdentity returns the account linked to an OpenID Connect
	// provider's (issuer, subject), or errs.NotFound.
	UserByIdentity(ctx context.Context, issuer, subject string) (User, error)
	// Organisation returns organisation id, or errs.NotFound.
	Organisation(ctx context.Context, id int64) (Organisation, error)
	// Organisations returns every organisation, by ID.
	Organisations(ctx context.Context) ([]Organisation, error)
}

// Tx is one identity transaction. Every change is audited in the same
// transaction.
type Tx interface {
	Now() time.Time
	CreateUser(ctx context.Context, u User) (int64, error)
	RecordLoginFailure(ctx context.Context, userID int64, failures int, lockedUntil time.Time) error
	SetPassword(ctx context.Context, userID int64, hash string) error
	SetDisabled(ctx context.Context, userID int64, at time.Time) error
	SetTOTP(ctx context.Context, userID int64, sealed []byte, enabled time.Time) error
	// ReplaceRecoveryCodes replaces a user's recovery codes (their hashes).
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	// UseRecoveryCode marks an unused recovery code used, atomically; it
	// returns errs.NotFound when the user has no such unused code.
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) error
	CreateSession(ctx context.Context, s Session) error
	TouchSession(ctx context.Context, hash string, at time.Time, secondFactor bool) error
	DeleteSessions(ctx context.Context, userID int64, hash string) (int64, error)
	CreateToken(ctx context.Context, t Token) (int64, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
	RevokeToken(ctx context.Context, userID, id int64, at time.Time) error
	// SetLanguage stores a user's UI language.
	SetLanguage(ctx context.Context, userID int64, lang string) error
	// SetAckVersion records the statement version a user accepted.
	SetAckVersion(ctx context.Context, userID int64, v int) error
	// SetStatement replaces an organisation's confidentiality statement
	// and returns its new version.
	SetStatement(ctx context.Context, orgID int64, text string) (int, error)
	AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error)

	// CreateOrganisation stores o and returns its ID.
	CreateOrganisation(ctx context.Context, o Organisation) (int64, error)
	// UpdateOrganisation replaces o's name, kinds and country;
	// errs.NotFound when there is no such organisation.
	UpdateOrganisation(ctx context.Context, o Organisation) error

	// SetRole replaces a user's role; errs.NotFound when there is no such user.
	SetRole(ctx context.Context, userID int64, role access.Role) error
	// LinkIdentity links an OpenID Connect provider's (issuer, subject) to
	// account userID; errs.Conflict when it is linked already.
	LinkIdentity(ctx context.Context, issuer, subject string, userID int64, at time.Time) error
	// UseOIDCNonce records that the nonce with this hash was used at at;
	// errs.Conflict when it was used before.
	UseOIDCNonce(ctx context.Context, hash string, at time.Time) error
	// DeleteOIDCNonces forgets nonces used before before.
	DeleteOIDCNonces(ctx context.Context, before time.Time) error
}

// Policy holds the account security settings.
type Policy struct {
	// IdleTimeout ends a session not used for this long.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in, however busy.
	AbsoluteTimeout time.Duration
	// MaxFailures wrong passwords in a row lock the account for LockFor.
	MaxFailures int
	LockFor     time.Duration
	// Breached is the operator's breached-password list; nil checks only
	// the built-in list of common passwords.
	Breached *Breached
}

// DefaultPolicy is the policy when the configuration sets none.
var DefaultPolicy = Policy{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour, MaxFailures: 5, LockFor: 15 * time.Minute}

// Service authenticates people and programs and manages accounts, sessions
// and API tokens.
type Service struct {
	store  Store
	policy Policy
	now    func() time.Time
	totp   *totpState // set by WithSealer
	mail   *mailer    // set by WithMail
}

// NewService returns a Service. now may be nil for the wall clock.
func NewService(st Store, p Policy, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, policy: p, now: now}
}

// record appends an audit event of organisation org inside tx.
func record(ctx context.Context, tx Tx, org int64, actor, action, subject string, details any) error {
	ev, err := audit.New(ctx, actor, action, subject, details)
	if err != nil {
		return err
	}
	ev.OrgID = org
	_, err = tx.AppendAudit(ctx, ev)
	return err
}

// newSecret returns a random 256-bit secret, base64url-encoded, with a
// prefix that says what it is (and lets secret scanners find leaked ones).
func newSecret(prefix string) string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// hashSecret returns the hex SHA-256 of a high-entropy secret. Tokens and
// session IDs are random, so a fast hash is enough; passwords use argon2id.
func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
