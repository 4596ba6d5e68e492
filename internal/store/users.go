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

// TransactSetup runs fn in a transaction, for identity.Setup.
func (db *DB) TransactSetup(ctx context.Context, fn func(identity.SetupTx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// TransactIdentity runs fn in a transaction, for identity.Service.
func (db *DB) TransactIdentity(ctx context.Context, fn func(identity.Tx) error) error {
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

// CreateOrganisation stores o and returns its ID.
func (tx *Tx) CreateOrganisation(ctx context.Context, o identity.Organisation) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO organisations (name, kinds, country, created_at, confidentiality_version)
		VALUES ($1, $2, $3, $4, 1) RETURNING id`,
		o.Name, strings.Join(o.Kinds, ","), o.Country, o.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create organisation: %w", classify(err))
	}
	return id, nil
}

// UpdateOrganisation replaces o's name, kinds and country.
func (tx *Tx) UpdateOrganisation(ctx context.Context, o identity.Organisation) error {
	res, err := tx.exec(ctx, `UPDATE organisations SET name = $2, kinds = $3, country = $4 WHERE id = $1`,
		o.ID, o.Name, strings.Join(o.Kinds, ","), o.Country)
	if err != nil {
		return fmt.Errorf("store: update organisation: %w", err)
	}
	return mustAffect(res, "no such organisation")
}

// Organisations returns every organisation, by ID.
func (db *DB) Organisations(ctx context.Context) ([]identity.Organisation, error) {
	ids, err := db.OrgIDs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]identity.Organisation, 0, len(ids))
	for _, id := range ids {
		o, err := db.Organisation(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Organisation returns organisation id, or errs.NotFound.
func (db *DB) Organisation(ctx context.Context, id int64) (identity.Organisation, error) {
	var o identity.Organisation
	var kinds string
	err := db.read.QueryRowContext(ctx, `SELECT id, name, kinds, country, created_at,
		confidentiality_statement, confidentiality_version FROM organisations WHERE id = $1`, id).
		Scan(&o.ID, &o.Name, &kinds, &o.Country, &o.CreatedAt, &o.Statement, &o.StatementVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.New(errs.NotFound, "no such organisation")
	}
	if err != nil {
		return o, fmt.Errorf("store: read organisation: %w", err)
	}
	o.Kinds, o.CreatedAt = strings.Split(kinds, ","), o.CreatedAt.UTC()
	return o, nil
}

// CreateUser stores u and returns its ID. It returns errs.Conflict when
// the e-mail address is taken.
func (tx *Tx) CreateUser(ctx context.Context, u identity.User) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO users (email, display_name, password_hash, instance_admin, created_at, org_id, role, country, password_changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5) RETURNING id`,
		u.Email, u.DisplayName, u.PasswordHash, boolInt(u.InstanceAdmin), u.CreatedAt, nullID(u.OrgID),
		string(u.Role), u.Country).Scan(&id)
	if err = classify(err); IsConstraint(err, ForeignKey) {
		return 0, errs.Wrap(errs.Invalid, err, "organisation %d does not exist", u.OrgID)
	}
	if err != nil {
		return 0, conflict(err, "an account with this e-mail address exists")
	}
	return id, nil
}

const userColumns = `id, email, display_name, password_hash, instance_admin, created_at, org_id, role, country,
	totp_secret, totp_enabled_at, failed_logins, locked_until, disabled_at, confidentiality_ack_version,
	(SELECT o.confidentiality_version FROM organisations o WHERE o.id = users.org_id), language, email_verified_at`

// scanUser reads one row of userColumns.
func scanUser(row interface{ Scan(...any) error }) (identity.User, error) {
	var u identity.User
	var admin int
	var org sql.NullInt64
	var role string
	var totpAt, locked, disabled, verified sql.NullTime
	var orgVersion sql.NullInt64
	err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &admin, &u.CreatedAt, &org, &role, &u.Country,
		&u.TOTPSecret, &totpAt, &u.FailedLogins, &locked, &disabled, &u.AckVersion, &orgVersion, &u.Language, &verified)
	if err != nil {
		return u, err
	}
	u.InstanceAdmin, u.OrgID, u.Role = admin == 1, org.Int64, access.Role(role)
	u.OrgStatementVersion = int(orgVersion.Int64)
	u.CreatedAt, u.TOTPEnabled = u.CreatedAt.UTC(), totpAt.Valid
	u.LockedUntil, u.DisabledAt, u.EmailVerifiedAt = utcOrZero(locked), utcOrZero(disabled), utcOrZero(verified)
	return u, nil
}

// UserByEmail returns the account with the given (lower-case) address, or
// errs.NotFound.
func (db *DB) UserByEmail(ctx context.Context, email string) (identity.User, error) {
	return db.oneUser(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email)
}

// UserByID returns account id, or errs.NotFound.
func (db *DB) UserByID(ctx context.Context, id int64) (identity.User, error) {
	return db.oneUser(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id)
}

func (db *DB) oneUser(ctx context.Context, q string, arg any) (identity.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.New(errs.NotFound, "no such user")
	}
	if err != nil {
		return u, fmt.Errorf("store: read user: %w", err)
	}
	return u, nil
}

// ListUsers returns the accounts of organisation orgID (every account when
// orgID is 0), by e-mail address.
func (db *DB) ListUsers(ctx context.Context, orgID int64) ([]identity.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE $1 = 0 OR org_id = $1 ORDER BY email`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []identity.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// RecordLoginFailure stores the failure count and lockout of a user.
func (tx *Tx) RecordLoginFailure(ctx context.Context, userID int64, failures int, lockedUntil time.Time) error {
	return tx.updateUser(ctx, `UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1`,
		userID, failures, nullTime(lockedUntil))
}

// SetPassword replaces a user's password hash and clears any lockout.
func (tx *Tx) SetPassword(ctx context.Context, userID int64, hash string) error {
	return tx.updateUser(ctx, `UPDATE users SET password_hash = $2, password_changed_at = $3,
		failed_logins = 0, locked_until = NULL WHERE id = $1`, userID, hash, tx.now)
}

// SetDisabled disables (at non-zero) or enables (zero) a user.
func (tx *Tx) SetDisabled(ctx context.Context, userID int64, at time.Time) error {
	return tx.updateUser(ctx, `UPDATE users SET disabled_at = $2 WHERE id = $1`, userID, nullTime(at))
}

// SetTOTP stores a sealed TOTP secret; enabled non-zero marks it proved,
// a nil secret removes two-factor authentication.
func (tx *Tx) SetTOTP(ctx context.Context, userID int64, sealed []byte, enabled time.Time) error {
	return tx.updateUser(ctx, `UPDATE users SET totp_secret = $2, totp_enabled_at = $3 WHERE id = $1`,
		userID, sealed, nullTime(enabled))
}

// SetLanguage stores a user's UI language ("" = by browser).
func (tx *Tx) SetLanguage(ctx context.Context, userID int64, lang string) error {
	return tx.updateUser(ctx, `UPDATE users SET language = $2 WHERE id = $1`, userID, lang)
}

// SetAckVersion records that a user accepted version v of their
// organisation's confidentiality statement.
func (tx *Tx) SetAckVersion(ctx context.Context, userID int64, v int) error {
	return tx.updateUser(ctx, `UPDATE users SET confidentiality_ack_version = $2 WHERE id = $1`, userID, v)
}

// SetStatement replaces an organisation's confidentiality statement and
// returns its new version, which every member must accept again.
func (tx *Tx) SetStatement(ctx context.Context, orgID int64, text string) (int, error) {
	var v int
	err := tx.queryRow(ctx, `UPDATE organisations SET confidentiality_statement = $2,
		confidentiality_version = confidentiality_version + 1 WHERE id = $1 RETURNING confidentiality_version`,
		orgID, text).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.New(errs.NotFound, "no such organisation")
	}
	if err != nil {
		return 0, fmt.Errorf("store: set statement: %w", err)
	}
	return v, nil
}

func (tx *Tx) updateUser(ctx context.Context, q string, args ...any) error {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: update user: %w", err)
	}
	return mustAffect(res, "no such user")
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func utcOrZero(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateUserToken stores a mailed token's hash.
func (tx *Tx) CreateUserToken(ctx context.Context, t identity.UserToken) error {
	_, err := tx.exec(ctx, `INSERT INTO user_tokens (user_id, purpose, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, t.UserID, t.Purpose, t.Hash, t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store: create user token: %w", err)
	}
	return nil
}

// UseUserToken marks the unused, unexpired token of purpose with hash used
// at at, and returns it; errs.NotFound when there is no such token.
func (tx *Tx) UseUserToken(ctx context.Context, hash, purpose string, at time.Time) (identity.UserToken, error) {
	t := identity.UserToken{Hash: hash, Purpose: purpose}
	err := tx.queryRow(ctx, `UPDATE user_tokens SET used_at = $3
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING user_id, created_at, expires_at`, hash, purpose, at).Scan(&t.UserID, &t.CreatedAt, &t.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.New(errs.NotFound, "the link is used, expired or wrong")
	}
	if err != nil {
		return t, fmt.Errorf("store: use user token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	return t, nil
}

// ExpireUserTokens ends every unused token of purpose of user userID.
func (tx *Tx) ExpireUserTokens(ctx context.Context, userID int64, purpose string) error {
	_, err := tx.exec(ctx, `UPDATE user_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
		userID, purpose, tx.now)
	if err != nil {
		return fmt.Errorf("store: expire user tokens: %w", err)
	}
	return nil
}

// SetEmailVerified records that user userID proved their address at at.
func (tx *Tx) SetEmailVerified(ctx context.Context, userID int64, at time.Time) error {
	return tx.updateUser(ctx, `UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1`, userID, at)
}
