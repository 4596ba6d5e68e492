package identity_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// clock is a settable time shared by the store and the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fixture is a service over a real SQLite store with one organisation.
type fixture struct {
	db    *store.DB
	svc   *identity.Service
	clock *clock
	org   int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)}
	d := storetest.Open(t, storetest.SQLiteDSN(t), store.Options{Now: c.Now})
	var org int64
	err := d.DB.Transact(context.Background(), func(tx *store.Tx) (err error) {
		org, err = tx.CreateOrganisation(context.Background(), identity.Organisation{Name: "Acme", Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: d.DB, svc: identity.NewService(d.DB, identity.DefaultPolicy, c.Now), clock: c, org: org}
}

func (f *fixture) mustUser(t *testing.T, email string, role access.Role) identity.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), access.Operator(), identity.NewUser{
		Email: email, DisplayName: "Test", Password: "tangerine rooftop lantern", OrgID: f.org, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSignInAndLockout(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.mustUser(t, "triage@example.cn", access.Triager)
	for i := range identity.DefaultPolicy.MaxFailures {
		if _, _, err := f.svc.SignIn(ctx, "triage@example.cn", "wrong password!", identity.Client{}); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("failure %d: err = %v, want Unauthenticated", i+1, err)
		}
	}
	// Locked now: even the right password is refused, with a clear reason.
	_, _, err := f.svc.SignIn(ctx, "triage@example.cn", "tangerine rooftop lantern", identity.Client{})
	if !errs.Is(err, errs.TooMany) || !strings.Contains(errs.Message(err), "locked") {
		t.Fatalf("after %d failures: err = %v, want TooMany (locked)", identity.DefaultPolicy.MaxFailures, err)
	}
	f.clock.Add(identity.DefaultPolicy.LockFor + time.Second)
	token, u, err := f.svc.SignIn(ctx, "TRIAGE@example.cn ", "tangerine rooftop lantern", identity.Client{RemoteAddr: "127.0.0.1"})
	if err != nil || !strings.HasPrefix(token, "ses_") || u.Role != access.Triager {
		t.Fatalf("after the lock: %v, %q", err, token)
	}
	// Unknown addresses get the same answer as wrong passwords.
	_, _, err = f.svc.SignIn(ctx, "nobody@example.cn", "whatever whatever", identity.Client{})
	if errs.Message(err) != "wrong e-mail address or password" {
		t.Errorf("unknown address: %v", err)
	}
	if !hasAction(t, f.db, "user.lock") || !hasAction(t, f.db, "session.create") {
		t.Error("lockout or sign-in not audited")
	}
}

func TestSessionTimeouts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.mustUser(t, "eng@example.cn", access.Engineer)
	signIn := func() string {
		token, _, err := f.svc.SignIn(ctx, "eng@example.cn", "tangerine rooftop lantern", identity.Client{})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	tok := signIn()
	p, _, err := f.svc.Authenticate(ctx, tok)
	if err != nil || p.Role != access.Engineer || p.SecondFactor {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	// Activity every 20 minutes keeps the session until the absolute limit.
	for elapsed := time.Duration(0); elapsed+20*time.Minute < identity.DefaultPolicy.AbsoluteTimeout; elapsed += 20 * time.Minute {
		f.clock.Add(20 * time.Minute)
		if _, _, err := f.svc.Authenticate(ctx, tok); err != nil {
			t.Fatalf("active session ended after %v: %v", elapsed+20*time.Minute, err)
		}
	}
	f.clock.Add(40 * time.Minute)
	if _, _, err := f.svc.Authenticate(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("past the absolute timeout: err = %v", err)
	}
	tok = signIn()
	f.clock.Add(identity.DefaultPolicy.IdleTimeout + time.Second)
	if _, _, err := f.svc.Authenticate(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("idle session: err = %v", err)
	}
	a, b := signIn(), signIn()
	p, _, _ = f.svc.Authenticate(ctx, a)
	if err := f.svc.SignOutEverywhere(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{a, b} {
		if _, _, err := f.svc.Authenticate(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
			t.Errorf("after logging out everywhere: err = %v", err)
		}
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.mustUser(t, "pub@example.cn", access.Publisher)
	tok, _, _ := f.svc.SignIn(ctx, "pub@example.cn", "tangerine rooftop lantern", identity.Client{})
	p, _, _ := f.svc.Authenticate(ctx, tok)

	if _, _, err := f.svc.CreateToken(ctx, p, identity.NewToken{Name: "ci", Scopes: []access.Permission{access.ManageUsers}}); !errs.Is(err, errs.Invalid) {
		t.Errorf("scope outside the role: err = %v, want Invalid", err)
	}
	secret, rec, err := f.svc.CreateToken(ctx, p, identity.NewToken{Name: "ci", Scopes: []access.Permission{access.ReadCases}, TTL: time.Hour})
	if err != nil || !strings.HasPrefix(secret, "emb_") || rec.Hash == "" || strings.Contains(rec.Hash, secret) {
		t.Fatalf("CreateToken = %q, %+v, %v", secret, rec, err)
	}
	tp, err := f.svc.AuthenticateToken(ctx, secret)
	if err != nil || tp.TokenID != rec.ID || !tp.Can(access.ReadCases) || tp.Can(access.WriteAdvisories) {
		t.Fatalf("AuthenticateToken = %+v, %v", tp, err)
	}
	if _, _, err := f.svc.CreateToken(ctx, tp, identity.NewToken{Name: "x", Scopes: []access.Permission{access.ReadCases}}); err == nil {
		t.Error("a token minted a token")
	}
	f.clock.Add(time.Hour)
	if _, err := f.svc.AuthenticateToken(ctx, secret); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("expired token: err = %v", err)
	}
	secret2, rec2, _ := f.svc.CreateToken(ctx, p, identity.NewToken{Name: "ci2", Scopes: []access.Permission{access.ReadCases}})
	if err := f.svc.RevokeToken(ctx, p, rec2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, secret2); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("revoked token: err = %v", err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, "emb_forged"); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("unknown token: err = %v", err)
	}
}

func TestUserAdministration(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.mustUser(t, "admin@example.cn", access.Administrator)
	f.mustUser(t, "eng@example.cn", access.Engineer)
	ap := admin.Principal(true)
	if _, err := f.svc.CreateUser(ctx, ap, identity.NewUser{Email: "eng@example.cn", DisplayName: "x", Password: "tangerine rooftop lantern", OrgID: f.org, Role: access.Engineer}); !errs.Is(err, errs.Conflict) {
		t.Errorf("duplicate address: err = %v", err)
	}
	if _, err := f.svc.CreateUser(ctx, ap, identity.NewUser{Email: "x@example.cn", DisplayName: "x", Password: "tangerine rooftop lantern", OrgID: f.org + 1, Role: access.Engineer}); !errs.Is(err, errs.NotFound) {
		t.Errorf("another organisation: err = %v, want NotFound", err)
	}
	eng, _ := f.db.UserByEmail(ctx, "eng@example.cn")
	if _, err := f.svc.Users(ctx, eng.Principal(true)); !errs.Is(err, errs.Forbidden) {
		t.Errorf("engineer listing users: err = %v", err)
	}
	tok, _, _ := f.svc.SignIn(ctx, "eng@example.cn", "tangerine rooftop lantern", identity.Client{})
	if err := f.svc.SetDisabled(ctx, ap, "eng@example.cn", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Authenticate(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("disabled user's session: err = %v", err)
	}
	if _, _, err := f.svc.SignIn(ctx, "eng@example.cn", "tangerine rooftop lantern", identity.Client{}); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("disabled user signing in: err = %v", err)
	}
}

func hasAction(t *testing.T, db *store.DB, action string) bool {
	t.Helper()
	events, err := db.AuditEvents(context.Background(), audit.Main, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Action == action {
			return true
		}
	}
	return false
}

func TestChangeRole(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.mustUser(t, "admin@example.cn", access.Administrator)
	f.mustUser(t, "eng@example.cn", access.Engineer)
	ap := admin.Principal(true)
	tok, _, _ := f.svc.SignIn(ctx, "eng@example.cn", "tangerine rooftop lantern", identity.Client{})
	if err := f.svc.ChangeRole(ctx, ap, "eng@example.cn", access.Publisher); err != nil {
		t.Fatal(err)
	}
	u, _ := f.db.UserByEmail(ctx, "eng@example.cn")
	if u.Role != access.Publisher {
		t.Errorf("role = %s, want publisher", u.Role)
	}
	if _, _, err := f.svc.Authenticate(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("the session with the old role survived: %v", err)
	}
	for _, tc := range []struct {
		email string
		role  access.Role
		want  errs.Kind
	}{
		{"admin@example.cn", access.Auditor, errs.Conflict},
		{"eng@example.cn", "king", errs.Invalid},
		{"nobody@example.cn", access.Auditor, errs.NotFound},
	} {
		if err := f.svc.ChangeRole(ctx, ap, tc.email, tc.role); !errs.Is(err, tc.want) {
			t.Errorf("ChangeRole(%s, %s) = %v, want %v", tc.email, tc.role, err, tc.want)
		}
	}
	if err := f.svc.ChangeRole(ctx, u.Principal(true), "admin@example.cn", access.Auditor); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a publisher changing roles: %v", err)
	}
	if !hasAction(t, f.db, "user.role_change") {
		t.Error("role change not audited")
	}
}
