package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor authentication with TOTP (RFC 6238) and one-time recovery
// codes, required for staff who read undisclosed cases (RMSV Art. 11,
// CN-11-1).

// Sealer encrypts values bound to where they are stored; *keyring.Keyring
// is one. TOTP secrets are stored sealed, so a database dump alone does
// not let anyone compute a user's codes.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Unseal(ciphertext, aad []byte) ([]byte, error)
}

// Enrolment is a started but unconfirmed TOTP enrolment, for the user to
// add to an authenticator app.
type Enrolment struct {
	// Secret is the base32 secret, for typing in by hand.
	Secret string
	// URL is the otpauth:// key URI, for a QR code.
	URL string
}

// The authenticator-app defaults: codes of 6 digits from HMAC-SHA1, a new
// one every 30 seconds.
const (
	totpIssuer = "Embargo"
	totpPeriod = 30
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// recoveryCodeCount recovery codes are issued at enrolment.
const recoveryCodeCount = 10

// recoveryAlphabet has 32 symbols, so each of a code's 12 characters
// carries 5 bits (60 in all). It leaves out l, o, 0 and 1, which look alike.
const recoveryAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

var errWrongCode = errs.Coded(errs.Unauthenticated, "totp.code", "the code is wrong, expired or already used")

// totpState is the two-factor part of a Service: the sealer for secrets,
// and the last accepted time step per user, which stops a code from being
// replayed within its window. The steps live in memory: on several nodes
// (or after a restart) a code could be replayed on another node, but only
// within its 30-second window, which is acceptable.
type totpState struct {
	sealer Sealer

	mu   sync.Mutex
	last map[int64]int64 // user ID → last accepted time step
}

// WithSealer sets the sealer for TOTP secrets (the instance keyring) and
// returns s. Call it while wiring, before s serves requests; without it,
// the TOTP methods fail with an internal error.
func (s *Service) WithSealer(sl Sealer) *Service {
	s.totp = &totpState{sealer: sl, last: map[int64]int64{}}
	return s
}

// NeedsSecondFactor reports whether the session sess of user u must still
// pass two-factor authentication before it may do anything else.
func NeedsSecondFactor(u User, sess Session) bool {
	return u.TOTPEnabled && !sess.SecondFactor
}

// MustEnrolTOTP reports whether u must enrol in two-factor authentication
// before working: it is required for roles that read undisclosed cases.
func MustEnrolTOTP(u User) bool {
	return u.Role.ReadsUndisclosed() && !u.TOTPEnabled
}

// BeginTOTP starts a TOTP enrolment for the signed-in person p: it stores
// a new secret, sealed and not yet enabled, replacing any earlier pending
// one. ConfirmTOTP enables it. Errors: errs.Unauthenticated without p,
// errs.Forbidden for an API token, errs.Conflict when TOTP is already on.
func (s *Service) BeginTOTP(ctx context.Context, p *access.Principal) (Enrolment, error) {
	u, err := s.totpUser(ctx, p)
	if err != nil {
		return Enrolment{}, err
	}
	if u.TOTPEnabled {
		return Enrolment{}, errs.Coded(errs.Conflict, "totp.enabled", "two-factor authentication is already on for this account")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: u.Email, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: generate TOTP key: %w", err)
	}
	sealed, err := s.totp.sealer.Seal([]byte(key.Secret()), totpAAD(u.ID))
	if err != nil {
		return Enrolment{}, fmt.Errorf("identity: seal TOTP secret: %w", err)
	}
	err = s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.SetTOTP(ctx, u.ID, sealed, time.Time{}); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, p.Actor(), "user.2fa_begin", userSubject(u.ID), nil)
	})
	return Enrolment{Secret: key.Secret(), URL: key.URL()}, err
}

// ConfirmTOTP enables the pending TOTP secret of p once code proves the
// authenticator app has it, and returns new recovery codes, to show once;
// they replace any earlier ones. The session with cookie token
// sessionToken (if not "") is marked as having passed the second factor,
// since the code just proved it. Errors: errs.Invalid for a wrong
// code, errs.Conflict when TOTP is already on or no enrolment was begun.
func (s *Service) ConfirmTOTP(ctx context.Context, p *access.Principal, sessionToken, code string) ([]string, error) {
	u, err := s.totpUser(ctx, p)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, errs.Coded(errs.Conflict, "totp.enabled", "two-factor authentication is already on for this account")
	}
	if len(u.TOTPSecret) == 0 {
		return nil, errs.Coded(errs.Conflict, "totp.not_started", "start setting up two-factor authentication first")
	}
	ok, err := s.checkTOTP(u, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.Coded(errs.Invalid, "totp.code", "the code is wrong, expired or already used")
	}
	codes, hashes := newRecoveryCodes(u.ID)
	err = s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.SetTOTP(ctx, u.ID, u.TOTPSecret, tx.Now()); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		// The code just proved the second factor for this session too.
		if sessionToken != "" {
			if err := tx.TouchSession(ctx, hashSecret(sessionToken), tx.Now(), true); err != nil {
				return err
			}
		}
		return record(ctx, tx, u.OrgID, p.Actor(), "user.2fa_enable", userSubject(u.ID), nil)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// VerifySecondFactor passes the session with cookie token sessionToken
// through two-factor authentication when code is the current TOTP code or
// an unused recovery code (which is then used up). Wrong codes count
// towards the same lockout as wrong passwords, and the lockout also ends
// the session. Errors: errs.Unauthenticated for a wrong, replayed or used
// code or a foreign session, errs.TooMany while the account is locked,
// errs.Conflict when the user has no TOTP.
func (s *Service) VerifySecondFactor(ctx context.Context, p *access.Principal, sessionToken, code string) error {
	u, err := s.totpUser(ctx, p)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	if now.Before(u.LockedUntil) {
		return errs.Coded(errs.TooMany, "signin.locked",
			"too many failed attempts: this account is locked until %s UTC", u.LockedUntil.Format("15:04"))
	}
	if !u.TOTPEnabled {
		return errs.Coded(errs.Conflict, "totp.not_enabled", "two-factor authentication is not on for this account")
	}
	hash := hashSecret(sessionToken)
	if sess, err := s.store.SessionByHash(ctx, hash); err != nil || sess.UserID != u.ID {
		return errs.Coded(errs.Unauthenticated, "session.expired", "your session has ended; sign in again")
	}
	method, ok := "recovery", false
	if isTOTPCode(code) {
		method = "totp"
		if ok, err = s.checkTOTP(u, code); err != nil {
			return err
		}
	}
	err = s.passSecondFactor(ctx, u, hash, method, ok, code)
	if errs.Is(err, errs.Unauthenticated) {
		return s.secondFactorFailure(ctx, u, hash, now)
	}
	return err
}

// passSecondFactor marks the session with token hash hash as having passed
// the second factor: by TOTP when method is "totp" (ok says whether the
// code matched), else by using up the recovery code code. It returns
// errWrongCode when the code is wrong.
func (s *Service) passSecondFactor(ctx context.Context, u User, hash, method string, ok bool, code string) error {
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		if method == "recovery" {
			err := tx.UseRecoveryCode(ctx, u.ID, recoveryHash(u.ID, code), tx.Now())
			if errs.Is(err, errs.NotFound) {
				return errWrongCode
			}
			if err != nil {
				return err
			}
		} else if !ok {
			return errWrongCode
		}
		if err := tx.TouchSession(ctx, hash, tx.Now(), true); err != nil {
			return err
		}
		if u.FailedLogins > 0 {
			if err := tx.RecordLoginFailure(ctx, u.ID, 0, time.Time{}); err != nil {
				return err
			}
		}
		return record(ctx, tx, u.OrgID, userSubject(u.ID), "session.2fa", userSubject(u.ID), map[string]any{"method": method})
	})
}

// secondFactorFailure counts a wrong code like a wrong password. When the
// count reaches the policy's maximum it locks the account and ends the
// session, so whoever holds the password must sign in again, after the
// lock. It returns errWrongCode.
func (s *Service) secondFactorFailure(ctx context.Context, u User, hash string, now time.Time) error {
	failures, locked := u.FailedLogins+1, time.Time{}
	if failures >= s.policy.MaxFailures {
		failures, locked = 0, now.Add(s.policy.LockFor)
	}
	err := s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.RecordLoginFailure(ctx, u.ID, failures, locked); err != nil {
			return err
		}
		subject := userSubject(u.ID)
		if err := record(ctx, tx, u.OrgID, subject, "session.2fa_fail", subject, map[string]any{"locked_until": locked}); err != nil {
			return err
		}
		if locked.IsZero() {
			return nil
		}
		if _, err := tx.DeleteSessions(ctx, u.ID, hash); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, subject, "user.lock", subject, map[string]any{"locked_until": locked})
	})
	if err != nil {
		return err
	}
	return errWrongCode
}

// totpUser returns the account of p, which must be a person signed in
// with a browser session (not an API token, nor the local operator).
func (s *Service) totpUser(ctx context.Context, p *access.Principal) (User, error) {
	switch {
	case p == nil:
		return User{}, errs.New(errs.Unauthenticated, "sign in first")
	case p.TokenID != 0 || p.Local:
		return User{}, errs.Coded(errs.Forbidden, "totp.session_only",
			"two-factor authentication is managed only when signed in with a browser")
	case s.totp == nil:
		return User{}, fmt.Errorf("identity: two-factor authentication has no keyring (WithSealer was not called)")
	}
	return s.store.UserByID(ctx, p.UserID)
}

// checkTOTP reports whether code is u's TOTP code for now, one step
// before or one after (for clock skew), and newer than the last code u
// used: each code works once.
func (s *Service) checkTOTP(u User, code string) (bool, error) {
	secret, err := s.totp.sealer.Unseal(u.TOTPSecret, totpAAD(u.ID))
	if err != nil {
		return false, fmt.Errorf("identity: open TOTP secret of user %d: %w", u.ID, err)
	}
	step, ok := matchStep(string(secret), normaliseTOTP(code), s.now())
	return ok && s.totp.accept(u.ID, step), nil
}

// matchStep returns the time step, among now's and its neighbours, whose
// code is code.
func matchStep(secret, code string, now time.Time) (int64, bool) {
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur + 1, cur, cur - 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// accept records step as the user's last accepted time step, unless it is
// not newer than the one before: then the code is a replay.
func (t *totpState) accept(userID, step int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.last[userID]; ok && step <= last {
		return false
	}
	t.last[userID] = step
	return true
}

// isTOTPCode reports whether code has the shape of a TOTP code (6 digits,
// perhaps spaced) rather than of a recovery code.
func isTOTPCode(code string) bool {
	c := normaliseTOTP(code)
	return len(c) == 6 && strings.Trim(c, "0123456789") == ""
}

func normaliseTOTP(code string) string {
	return strings.ReplaceAll(strings.TrimSpace(code), " ", "")
}

// newRecoveryCodes returns recoveryCodeCount random codes of the form
// xxxx-xxxx-xxxx and their hashes for user userID.
func newRecoveryCodes(userID int64) (codes, hashes []string) {
	for range recoveryCodeCount {
		var b [12]byte
		_, _ = rand.Read(b[:])
		for i := range b {
			b[i] = recoveryAlphabet[b[i]%32] // unbiased: 256 is a multiple of 32
		}
		code := string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:])
		codes, hashes = append(codes, code), append(hashes, recoveryHash(userID, code))
	}
	return codes, hashes
}

// recoveryHash returns the stored hash of a recovery code as a person may
// type it: in any case, with or without dashes and spaces, and with 1 or l
// for i. The user ID salts it, so one guess cannot be tried against every
// user's codes at once; the codes carry 60 random bits, so SHA-256 is
// enough.
func recoveryHash(userID int64, code string) string {
	c := strings.NewReplacer("-", "", " ", "", "1", "i", "l", "i").Replace(strings.ToLower(strings.TrimSpace(code)))
	return hashSecret("recovery:" + itoa(userID) + ":" + c)
}

// totpAAD binds a sealed TOTP secret to its user's row.
func totpAAD(userID int64) []byte {
	return []byte("users.totp_secret:" + itoa(userID))
}
