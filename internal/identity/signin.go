package identity

import (
	"context"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// Session is a signed-in browser.
type Session struct {
	TokenHash    string
	UserID       int64
	CreatedAt    time.Time
	LastSeenAt   time.Time
	SecondFactor bool
	UserAgent    string
	RemoteAddr   string
}

// Client describes where a sign-in comes from, for the session record.
type Client struct {
	UserAgent  string
	RemoteAddr string
}

// dummyHash is verified against when the e-mail address is unknown, so
// that the answer takes as long as for a wrong password.
var dummyHash = HashPassword("embargo-dummy-password-for-timing")

// errBadLogin is the one answer to a wrong address or password.
var errBadLogin = errs.Coded(errs.Unauthenticated, "signin.failed", "wrong e-mail address or password")

// SignIn checks an e-mail address and password and starts a session. It
// returns the session token for the cookie. A locked account gets
// errs.TooMany; after Policy.MaxFailures wrong passwords in a row the
// account locks for Policy.LockFor. The session still needs the second
// factor when the user has enrolled one.
func (s *Service) SignIn(ctx context.Context, email, password string, c Client) (string, User, error) {
	u, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if errs.Is(err, errs.NotFound) {
		VerifyPassword(dummyHash, password)
		return "", User{}, errBadLogin
	}
	if err != nil {
		return "", User{}, err
	}
	now := s.now().UTC()
	if now.Before(u.LockedUntil) {
		return "", User{}, errs.Coded(errs.TooMany, "signin.locked",
			"too many failed attempts: this account is locked until %s UTC", u.LockedUntil.Format("15:04"))
	}
	if !VerifyPassword(u.PasswordHash, password) {
		return "", User{}, s.recordFailure(ctx, u, now)
	}
	if !u.DisabledAt.IsZero() {
		return "", User{}, errBadLogin
	}
	token := newSecret("ses_")
	err = s.store.TransactIdentity(ctx, func(tx Tx) error {
		// With two-factor on, the count is reset only once the second factor
		// passes, so a known password cannot be used to keep guessing codes.
		if u.FailedLogins > 0 && !u.TOTPEnabled {
			if err := tx.RecordLoginFailure(ctx, u.ID, 0, time.Time{}); err != nil {
				return err
			}
		}
		sess := Session{TokenHash: hashSecret(token), UserID: u.ID, CreatedAt: tx.Now(), LastSeenAt: tx.Now(),
			UserAgent: truncate(c.UserAgent, 300), RemoteAddr: c.RemoteAddr}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, userSubject(u.ID), "session.create", userSubject(u.ID), map[string]any{"remote_addr": c.RemoteAddr})
	})
	return token, u, err
}

// recordFailure counts a wrong password and locks the account when the
// count reaches the policy's maximum.
func (s *Service) recordFailure(ctx context.Context, u User, now time.Time) error {
	failures, locked := u.FailedLogins+1, time.Time{}
	if failures >= s.policy.MaxFailures {
		failures, locked = 0, now.Add(s.policy.LockFor)
	}
	err := s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.RecordLoginFailure(ctx, u.ID, failures, locked); err != nil {
			return err
		}
		if locked.IsZero() {
			return record(ctx, tx, u.OrgID, "anonymous", "signin.fail", userSubject(u.ID), map[string]any{"failures": failures})
		}
		return record(ctx, tx, u.OrgID, "anonymous", "user.lock", userSubject(u.ID), map[string]any{"locked_until": locked})
	})
	if err != nil {
		return err
	}
	return errBadLogin
}

// Authenticate returns the principal of the session whose cookie token is
// token. An unknown, idle-expired or absolute-expired session, or a
// disabled user, gets errs.Unauthenticated; an expired session is deleted.
func (s *Service) Authenticate(ctx context.Context, token string) (*access.Principal, Session, error) {
	sess, err := s.store.SessionByHash(ctx, hashSecret(token))
	if err != nil {
		return nil, sess, err
	}
	now := s.now().UTC()
	if now.Sub(sess.LastSeenAt) > s.policy.IdleTimeout || now.Sub(sess.CreatedAt) > s.policy.AbsoluteTimeout {
		_ = s.store.TransactIdentity(ctx, func(tx Tx) error {
			_, err := tx.DeleteSessions(ctx, sess.UserID, sess.TokenHash)
			return err
		})
		return nil, sess, errs.Coded(errs.Unauthenticated, "session.expired", "your session has ended; sign in again")
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if err != nil || !u.DisabledAt.IsZero() {
		return nil, sess, errs.Coded(errs.Unauthenticated, "session.expired", "your session has ended; sign in again")
	}
	// Record activity at most once a minute, to spare the database a write
	// on every request.
	if now.Sub(sess.LastSeenAt) > time.Minute {
		_ = s.store.TransactIdentity(ctx, func(tx Tx) error { return tx.TouchSession(ctx, sess.TokenHash, now, false) })
	}
	return u.Principal(sess.SecondFactor), sess, nil
}

// SignOut ends the session with cookie token token.
func (s *Service) SignOut(ctx context.Context, p *access.Principal, token string) error {
	return s.endSessions(ctx, p, p.UserID, hashSecret(token), "session.delete")
}

// SignOutEverywhere ends every session of the principal's account.
func (s *Service) SignOutEverywhere(ctx context.Context, p *access.Principal) error {
	return s.endSessions(ctx, p, p.UserID, "", "session.delete_all")
}

func (s *Service) endSessions(ctx context.Context, p *access.Principal, userID int64, hash, action string) error {
	if p == nil {
		return errs.New(errs.Unauthenticated, "sign in first")
	}
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		n, err := tx.DeleteSessions(ctx, userID, hash)
		if err != nil {
			return err
		}
		return record(ctx, tx, p.OrgID, p.Actor(), action, userSubject(userID), map[string]any{"sessions": n})
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
