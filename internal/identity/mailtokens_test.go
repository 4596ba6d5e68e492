package identity_test

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// outbox runs the real outbox worker with a sender that keeps messages.
type outbox struct {
	mu     sync.Mutex
	got    []notify.Message
	worker *notify.Worker
}

func (o *outbox) Send(_ context.Context, m notify.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got = append(o.got, m)
	return nil
}

// drain delivers what is due and returns it.
func (o *outbox) drain(t *testing.T) []notify.Message {
	t.Helper()
	if _, err := o.worker.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.got
	o.got = nil
	return out
}

var linkToken = regexp.MustCompile(`(signin/reset|account/verify)\?token=([A-Za-z0-9_-]{43})`)

// tokenIn returns the token of the only link in ms, of kind ("signin/reset"
// or "account/verify").
func tokenIn(t *testing.T, ms []notify.Message, kind, to string) string {
	t.Helper()
	if len(ms) != 1 || ms[0].Target != to {
		t.Fatalf("mail: %d messages %+v, want one to %s", len(ms), ms, to)
	}
	m := linkToken.FindStringSubmatch(ms[0].Text)
	if m == nil || m[1] != kind {
		t.Fatalf("no %s link in:\n%s", kind, ms[0].Text)
	}
	return m[2]
}

// TestVerifyAndReset walks e-mail verification and password reset through
// the real store and outbox, on every dialect under test.
func TestVerifyAndReset(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := &clock{t: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
			d := storetest.Open(t, dsn(t), store.Options{Now: c.Now})
			kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
			if err != nil {
				t.Fatal(err)
			}
			var org int64
			if err := d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
				org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme", Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			ob := &outbox{}
			if ob.worker, err = notify.NewWorker(d.DB, kr, ob, notify.WorkerOptions{Now: c.Now}); err != nil {
				t.Fatal(err)
			}
			plain := identity.NewService(d.DB, identity.DefaultPolicy, c.Now)
			if err := plain.RequestPasswordReset(ctx, "a@example.cn", identity.Client{}); !errs.Is(err, errs.Unavailable) {
				t.Errorf("reset without mail: err = %v, want Unavailable", err)
			}
			svc := identity.NewService(d.DB, identity.DefaultPolicy, c.Now).WithMail(notify.NewService(d.DB, kr, nil), "https://psirt.example.cn/", nil)

			// A new account is mailed its verification link.
			u, err := svc.CreateUser(ctx, access.Operator(), identity.NewUser{Email: "li@example.cn", DisplayName: "李雷",
				Password: "tangerine rooftop lantern", OrgID: org, Role: access.Triager})
			if err != nil {
				t.Fatal(err)
			}
			verify := tokenIn(t, ob.drain(t), "account/verify", "li@example.cn")
			if err := svc.VerifyEmail(ctx, "wrong"+verify[5:]); !errs.Is(err, errs.NotFound) {
				t.Errorf("wrong token: err = %v", err)
			}
			if err := svc.VerifyEmail(ctx, verify); err != nil {
				t.Fatal(err)
			}
			if got, _ := d.DB.UserByID(ctx, u.ID); !got.EmailVerifiedAt.Equal(c.Now()) {
				t.Errorf("verified at %v, want %v", got.EmailVerifiedAt, c.Now())
			}
			if err := svc.VerifyEmail(ctx, verify); !errs.Is(err, errs.NotFound) {
				t.Errorf("second use: err = %v", err)
			}
			if err := svc.SendVerification(ctx, u.Principal(true)); !errs.Is(err, errs.Conflict) {
				t.Errorf("verified address asks again: err = %v", err)
			}

			// Reset: an unknown address gets the same answer and no mail.
			if err := svc.RequestPasswordReset(ctx, "nobody@example.cn", identity.Client{}); err != nil {
				t.Errorf("unknown address: %v", err)
			}
			if got := ob.drain(t); len(got) != 0 {
				t.Errorf("mail to an unknown address: %+v", got)
			}
			session, _, err := svc.SignIn(ctx, "li@example.cn", "tangerine rooftop lantern", identity.Client{})
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.RequestPasswordReset(ctx, "Li@Example.cn", identity.Client{RemoteAddr: "198.51.100.7"}); err != nil {
				t.Fatal(err)
			}
			if err := svc.RequestPasswordReset(ctx, "li@example.cn", identity.Client{}); err != nil {
				t.Fatal(err)
			}
			reset := tokenIn(t, ob.drain(t), "signin/reset", "li@example.cn") // one mail for two requests in the hour
			if err := svc.CheckResetToken(ctx, reset); err != nil {
				t.Fatalf("check: %v", err)
			}
			if err := svc.ResetPassword(ctx, reset, "short"); !errs.Is(err, errs.Invalid) {
				t.Errorf("weak password: err = %v", err)
			}
			if err := svc.ResetPassword(ctx, reset, "a brand new passphrase"); err != nil {
				t.Fatalf("reset (the link survives a refused password): %v", err)
			}
			if _, _, err := svc.Authenticate(ctx, session); err == nil {
				t.Error("the old session survived the reset")
			}
			if _, _, err := svc.SignIn(ctx, "li@example.cn", "a brand new passphrase", identity.Client{}); err != nil {
				t.Errorf("sign in with the new password: %v", err)
			}
			if err := svc.ResetPassword(ctx, reset, "another new passphrase"); !errs.Is(err, errs.NotFound) {
				t.Errorf("second use: err = %v", err)
			}

			// A link lapses after an hour.
			c.Add(2 * time.Hour)
			if err := svc.RequestPasswordReset(ctx, "li@example.cn", identity.Client{}); err != nil {
				t.Fatal(err)
			}
			late := tokenIn(t, ob.drain(t), "signin/reset", "li@example.cn")
			c.Add(identity.ResetTTL + time.Second)
			if err := svc.ResetPassword(ctx, late, "too late passphrase"); !errs.Is(err, errs.NotFound) {
				t.Errorf("expired link: err = %v", err)
			}
			for _, action := range []string{"user.verify_email", "password.reset_request", "password.reset"} {
				if !hasAction(t, d.DB, action) {
					t.Errorf("no %s in the audit log", action)
				}
			}
		})
	}
}
