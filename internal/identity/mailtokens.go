package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// The purposes of a mailed token, and how long each link works.
const (
	PurposeReset  = "reset"
	PurposeVerify = "verify"
	ResetTTL      = time.Hour
	VerifyTTL     = 7 * 24 * time.Hour
)

// UserToken is a token mailed to a user as a link; only its hash is
// stored, and it is used once.
type UserToken struct {
	UserID    int64
	Purpose   string
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Notifier queues outbound messages in the caller's transaction;
// *notify.Service is one.
type Notifier interface {
	EnqueueTx(ctx context.Context, tx notify.Enqueuer, m notify.Message) (int64, error)
}

// mailTx is what mailed tokens need of a transaction besides Tx.
type mailTx interface {
	Tx
	notify.Enqueuer
	CreateUserToken(ctx context.Context, t UserToken) error
	UseUserToken(ctx context.Context, hash, purpose string, at time.Time) (UserToken, error)
	ExpireUserTokens(ctx context.Context, userID int64, purpose string) error
	SetEmailVerified(ctx context.Context, userID int64, at time.Time) error
}

type mailer struct {
	n    Notifier
	base string
	wake func()
}

// WithMail turns on e-mail verification and password reset: links to base
// are mailed through n; wake pokes the delivery worker.
func (s *Service) WithMail(n Notifier, base string, wake func()) *Service {
	if wake == nil {
		wake = func() {}
	}
	s.mail = &mailer{n: n, base: base, wake: wake}
	return s
}

// MailOn reports whether the service mails links.
func (s *Service) MailOn() bool { return s.mail != nil }

// mailTransact runs fn in a transaction that can mail tokens, then wakes
// the worker.
func (s *Service) mailTransact(ctx context.Context, fn func(mailTx) error) error {
	if s.mail == nil {
		return errs.Coded(errs.Unavailable, "mail.off", "this server sends no e-mail; ask an administrator")
	}
	err := s.store.TransactIdentity(ctx, func(tx Tx) error {
		mtx, ok := tx.(mailTx)
		if !ok {
			return fmt.Errorf("identity: the store cannot keep mailed tokens")
		}
		return fn(mtx)
	})
	if err == nil {
		s.mail.wake()
	}
	return err
}

// mailToken stores a new token for u and queues the mail with its link.
// dedup names the mail: a second request with the same name stores a
// token but sends nothing, which bounds how often one address is mailed.
func (s *Service) mailToken(ctx context.Context, tx mailTx, u User, purpose, dedup string) error {
	secret := newSecret("")
	ttl, path := ResetTTL, "signin/reset?token="
	if purpose == PurposeVerify {
		ttl, path = VerifyTTL, "account/verify?token="
	}
	now := tx.Now()
	if err := tx.CreateUserToken(ctx, UserToken{UserID: u.ID, Purpose: purpose, Hash: hashSecret(secret), CreatedAt: now,
		ExpiresAt: now.Add(ttl)}); err != nil {
		return err
	}
	link := s.mail.base + path + secret
	var subject, text string
	switch purpose {
	case PurposeReset:
		subject = "重置 Embargo 密码 / Reset your Embargo password"
		text = fmt.Sprintf("%s您好：\n\n有人（希望是您本人）请求重置您的 Embargo 账号密码。如需重置，请在 1 小时内打开以下链接：\n%s\n如果不是您本人的请求，请忽略本邮件，您的密码不会改变。\n\n----\n\nDear %s,\n\nSomeone, we hope you, asked to reset the password of your Embargo account. To do so, open this link within an hour:\n%s\nIf it was not you, ignore this e-mail: your password stays as it is.\n",
			u.DisplayName, link, u.DisplayName, link)
	default:
		subject = "验证您的 Embargo 电子邮件地址 / Verify your Embargo e-mail address"
		text = fmt.Sprintf("%s您好：\n\n请在 7 天内打开以下链接，确认此地址属于您的 Embargo 账号：\n%s\n\n----\n\nDear %s,\n\nOpen this link within 7 days to confirm that this address belongs to your Embargo account:\n%s\n",
			u.DisplayName, link, u.DisplayName, link)
	}
	_, err := s.mail.n.EnqueueTx(ctx, tx, notify.Message{OrgID: u.OrgID, Kind: notify.Email, DedupKey: dedup,
		Target: u.Email, Subject: subject, Text: text})
	return err
}

// RequestPasswordReset mails a reset link to the account with address
// email, if there is an active one. The answer is the same either way, so
// that no one learns which addresses have accounts; at most one mail an
// hour goes to an address. Audited (password.reset_request).
func (s *Service) RequestPasswordReset(ctx context.Context, email string, c Client) error {
	email, err := normaliseEmail(email)
	if err != nil {
		return err
	}
	u, err := s.store.UserByEmail(ctx, email)
	known := err == nil && u.DisabledAt.IsZero()
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	return s.mailTransact(ctx, func(tx mailTx) error {
		if !known {
			return record(ctx, tx, 0, "anonymous", "password.reset_request", "email:"+hashSecret(email)[:16],
				map[string]any{"known": false, "remote_addr": c.RemoteAddr})
		}
		hour := tx.Now().UTC().Format("2006010215")
		if err := s.mailToken(ctx, tx, u, PurposeReset, fmt.Sprintf("user:%d:reset:%s", u.ID, hour)); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, "anonymous", "password.reset_request", userSubject(u.ID),
			map[string]any{"known": true, "remote_addr": c.RemoteAddr})
	})
}

// CheckResetToken reports whether token is a usable reset link, without
// using it (errs.NotFound otherwise).
func (s *Service) CheckResetToken(ctx context.Context, token string) error {
	err := s.mailTransact(ctx, func(tx mailTx) error {
		if _, err := tx.UseUserToken(ctx, hashSecret(token), PurposeReset, tx.Now()); err != nil {
			return err
		}
		return errCheckOnly // roll the use back
	})
	if errors.Is(err, errCheckOnly) {
		return nil
	}
	return err
}

// errCheckOnly rolls back a transaction that only looked.
var errCheckOnly = errs.New(errs.Conflict, "check only")

// ResetPassword sets a new password through a reset link: the token is
// used once, the password must pass the rules, every session ends, the
// lockout is lifted, and the address counts as verified (the link proved
// it). A password that fails the rules leaves the link usable. Audited
// (password.reset).
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	return s.mailTransact(ctx, func(tx mailTx) error {
		t, err := tx.UseUserToken(ctx, hashSecret(token), PurposeReset, tx.Now())
		if err != nil {
			return err
		}
		u, err := s.store.UserByID(ctx, t.UserID)
		if err != nil {
			return err
		}
		if !u.DisabledAt.IsZero() {
			return errs.New(errs.NotFound, "the link is used, expired or wrong")
		}
		if err := s.policy.Breached.Check(password, u.Email); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, u.ID, HashPassword(password)); err != nil {
			return err
		}
		if _, err := tx.DeleteSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		if err := tx.ExpireUserTokens(ctx, u.ID, PurposeReset); err != nil {
			return err
		}
		if err := tx.SetEmailVerified(ctx, u.ID, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, userSubject(u.ID), "password.reset", userSubject(u.ID), nil)
	})
}

// SendVerification mails the principal a link that verifies their
// address. Audited (user.verify_request).
func (s *Service) SendVerification(ctx context.Context, p *access.Principal) error {
	if p == nil || p.UserID == 0 {
		return errs.New(errs.Unauthenticated, "sign in first")
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if !u.EmailVerifiedAt.IsZero() {
		return errs.Coded(errs.Conflict, "email.verified", "your address is verified already")
	}
	return s.mailTransact(ctx, func(tx mailTx) error {
		hour := tx.Now().UTC().Format("2006010215")
		if err := s.mailToken(ctx, tx, u, PurposeVerify, fmt.Sprintf("user:%d:verify:%s", u.ID, hour)); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, p.Actor(), "user.verify_request", userSubject(u.ID), nil)
	})
}

// VerifyEmail uses a verification link and marks the address verified.
// Audited (user.verify_email).
func (s *Service) VerifyEmail(ctx context.Context, token string) error {
	return s.mailTransact(ctx, func(tx mailTx) error {
		t, err := tx.UseUserToken(ctx, hashSecret(token), PurposeVerify, tx.Now())
		if err != nil {
			return err
		}
		u, err := s.store.UserByID(ctx, t.UserID)
		if err != nil {
			return err
		}
		if err := tx.SetEmailVerified(ctx, u.ID, tx.Now()); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, userSubject(u.ID), "user.verify_email", userSubject(u.ID), nil)
	})
}
