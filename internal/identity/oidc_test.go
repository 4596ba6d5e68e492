package identity_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

// ssoFixture is a fixture with a test provider and single sign-on with it.
type ssoFixture struct {
	*fixture
	idp  *testProvider
	oidc *identity.OIDC
}

func newSSOFixture(t *testing.T, key *rsa.PrivateKey) *ssoFixture {
	t.Helper()
	f := newFixture(t)
	idp := newTestProvider(t, key, f.clock.Now)
	idp.set(aliceClaims(), nil, nil)
	o, err := identity.NewOIDC(context.Background(), identity.OIDCConfig{
		Issuer: idp.issuer(), ClientID: testClientID, ClientSecret: testClientSecret, RedirectURL: testRedirectURL,
		GroupRoles: map[string]access.Role{"psirt": access.Triager, "psirt-leads": access.ComplianceOfficer,
			"it-admins": access.Administrator},
		OrgID: f.org, AllowedEmailDomains: []string{"example.cn"},
	}, f.svc, idp.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return &ssoFixture{fixture: f, idp: idp, oidc: o}
}

// aliceClaims describes the provider's user.
func aliceClaims() map[string]any {
	return map[string]any{"sub": "alice-1", "email": "Alice@Example.cn", "email_verified": true, "name": "Alice Liu",
		"groups": []string{"staff", "psirt"}, "amr": []string{"pwd"}}
}

// signIn runs a whole sign-in: Begin, the provider, Complete.
func (f *ssoFixture) signIn(t *testing.T) (string, identity.User, error) {
	t.Helper()
	authURL, p, err := f.oidc.Begin()
	if err != nil {
		t.Fatal(err)
	}
	code, state := f.idp.mustAuthorize(t, authURL)
	return f.oidc.Complete(context.Background(), p, state, code, identity.Client{RemoteAddr: "127.0.0.1"})
}

// mustSignIn signs in and checks the session works; it returns the user
// and whether the session passed the second factor.
func (f *ssoFixture) mustSignIn(t *testing.T) (identity.User, bool) {
	t.Helper()
	token, u, err := f.signIn(t)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := f.svc.Authenticate(context.Background(), token)
	if err != nil || p.UserID != u.ID || p.Role != u.Role {
		t.Fatalf("Authenticate = %+v, %v; want user %d, %s", p, err, u.ID, u.Role)
	}
	return u, p.SecondFactor
}

// account is the part of a user that single sign-on decides.
type account struct {
	ID           int64
	Email, Name  string
	Role         access.Role
	OrgID        int64
	Country      string
	SecondFactor bool
}

func accountOf(u identity.User, mfa bool) account {
	return account{ID: u.ID, Email: u.Email, Name: u.DisplayName, Role: u.Role, OrgID: u.OrgID, Country: u.Country, SecondFactor: mfa}
}

func TestOIDCSignIn(t *testing.T) {
	f := newSSOFixture(t, mustRSAKey(t))
	u, mfa := f.mustSignIn(t)
	want := account{ID: u.ID, Email: "alice@example.cn", Name: "Alice Liu", Role: access.Triager, OrgID: f.org, Country: "CN"}
	if diff := cmp.Diff(want, accountOf(u, mfa)); diff != "" {
		t.Errorf("first sign-in (-want +got):\n%s", diff)
	}
	if _, _, err := f.svc.SignIn(context.Background(), "alice@example.cn", "", identity.Client{}); err == nil {
		t.Error("a provisioned account signs in with an empty password")
	}

	// The second sign-in finds the account by its link, even with a new
	// address, follows the groups, and trusts the provider's MFA.
	claims := aliceClaims()
	claims["email"], claims["groups"], claims["amr"] = "alice.liu@example.cn", []string{"psirt", "psirt-leads"}, []string{"pwd", "mfa"}
	f.idp.set(claims, nil, nil)
	u, mfa = f.mustSignIn(t)
	want.Role, want.SecondFactor = access.ComplianceOfficer, true
	if diff := cmp.Diff(want, accountOf(u, mfa)); diff != "" {
		t.Errorf("second sign-in (-want +got):\n%s", diff)
	}
	stored, _ := f.db.UserByID(context.Background(), u.ID)
	if stored.Role != access.ComplianceOfficer {
		t.Errorf("stored role = %s, want the new one", stored.Role)
	}
	for _, action := range []string{"user.create", "user.link_identity", "user.role_change"} {
		if !hasAction(t, f.db, action) {
			t.Errorf("no %s audit event", action)
		}
	}
	if got := sessionsCreated(t, f.db, "oidc"); got != 2 {
		t.Errorf("%d sessions audited with method oidc, want 2", got)
	}
}

func TestOIDCLinksByEmail(t *testing.T) {
	f := newSSOFixture(t, mustRSAKey(t))
	bob := f.mustUser(t, "bob@example.cn", access.Engineer)
	f.idp.set(map[string]any{"sub": "bob-7", "email": "bob@example.cn", "email_verified": true,
		"groups": []string{"psirt"}}, nil, nil)
	for i := range 2 {
		u, mfa := f.mustSignIn(t)
		want := account{ID: bob.ID, Email: "bob@example.cn", Name: "Test", Role: access.Triager, OrgID: f.org, Country: "CN"}
		if diff := cmp.Diff(want, accountOf(u, mfa)); diff != "" {
			t.Errorf("sign-in %d (-want +got):\n%s", i+1, diff)
		}
	}
	linked, err := f.db.UserByIdentity(context.Background(), f.idp.issuer(), "bob-7")
	if err != nil || linked.ID != bob.ID {
		t.Errorf("UserByIdentity = %d, %v; want %d", linked.ID, err, bob.ID)
	}
	users, _ := f.db.ListUsers(context.Background(), f.org)
	if len(users) != 1 {
		t.Errorf("%d users, want 1 (no duplicate)", len(users))
	}
}

func TestOIDCRefusals(t *testing.T) {
	key, otherKey := mustRSAKey(t), mustRSAKey(t)
	set := func(name string, v any) func(map[string]any) { return func(c map[string]any) { c[name] = v } }
	tests := []struct {
		name    string
		tweak   func(claims map[string]any) // of the ID token
		signKey *rsa.PrivateKey
		// before runs after Begin and the provider, before Complete.
		before func(t *testing.T, f *ssoFixture, p *identity.Pending, state *string)
		want   outcome
	}{
		{name: "bad signature", signKey: otherKey, want: outcome{Kind: "unauthenticated", Code: "sso.failed"}},
		{name: "wrong audience", tweak: set("aud", "another-client"), want: outcome{Kind: "unauthenticated", Code: "sso.failed"}},
		{name: "wrong issuer", tweak: set("iss", "https://idp.example.net"), want: outcome{Kind: "unauthenticated", Code: "sso.failed"}},
		{name: "expired token", tweak: func(c map[string]any) { c["exp"] = c["iat"].(int64) - 60 },
			want: outcome{Kind: "unauthenticated", Code: "sso.failed"}},
		{name: "nonce mismatch", tweak: set("nonce", "another-nonce"), want: outcome{Kind: "unauthenticated", Code: "sso.failed"}},
		{name: "state mismatch", before: func(_ *testing.T, _ *ssoFixture, _ *identity.Pending, state *string) { *state = "forged" },
			want: outcome{Kind: "unauthenticated", Code: "sso.failed"}},
		{name: "wrong PKCE verifier", before: func(_ *testing.T, _ *ssoFixture, p *identity.Pending, _ *string) {
			p.Verifier = oauth2.GenerateVerifier()
		}, want: outcome{Kind: "unauthenticated", Code: "sso.failed"}},
		{name: "too slow", before: func(_ *testing.T, f *ssoFixture, _ *identity.Pending, _ *string) {
			f.clock.Add(identity.PendingMaxAge + time.Second)
		}, want: outcome{Kind: "unauthenticated", Code: "sso.expired"}},
		{name: "email not verified", tweak: set("email_verified", false), want: outcome{Kind: "forbidden", Code: "sso.email_unverified"}},
		{name: "email_verified a string", tweak: set("email_verified", "true"), want: outcome{Kind: "forbidden", Code: "sso.email_unverified"}},
		{name: "no email", tweak: func(c map[string]any) { delete(c, "email") }, want: outcome{Kind: "forbidden", Code: "sso.email_unverified"}},
		{name: "email domain not allowed", tweak: set("email", "alice@example.net"), want: outcome{Kind: "forbidden", Code: "sso.email_domain"}},
		{name: "no mapped group", tweak: set("groups", []string{"staff"}), want: outcome{Kind: "forbidden", Code: "sso.no_role"}},
		{name: "disabled account", before: func(t *testing.T, f *ssoFixture, _ *identity.Pending, _ *string) {
			f.mustUser(t, "alice@example.cn", access.Triager)
			if err := f.svc.SetDisabled(context.Background(), access.Operator(), "alice@example.cn", true); err != nil {
				t.Fatal(err)
			}
		}, want: outcome{Kind: "forbidden", Code: "sso.disabled"}},
		{name: "account of another organisation", before: func(t *testing.T, f *ssoFixture, _ *identity.Pending, _ *string) {
			f.org = mustOrganisation(t, f.db, "Other")
			f.mustUser(t, "alice@example.cn", access.Triager)
		}, want: outcome{Kind: "forbidden", Code: "sso.other_org"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newSSOFixture(t, key)
			f.idp.set(aliceClaims(), tc.tweak, tc.signKey)
			authURL, p, err := f.oidc.Begin()
			if err != nil {
				t.Fatal(err)
			}
			code, state := f.idp.mustAuthorize(t, authURL)
			if tc.before != nil {
				tc.before(t, f, &p, &state)
			}
			token, _, err := f.oidc.Complete(context.Background(), p, state, code, identity.Client{})
			if diff := cmp.Diff(tc.want, outcomeOf(t, f, token, err)); diff != "" {
				t.Errorf("Complete (-want +got):\n%s\nerr = %v", diff, err)
			}
		})
	}
}

// TestOIDCReplay completes the same Pending twice, with two codes that the
// provider issued for it: the second completion is refused.
func TestOIDCReplay(t *testing.T) {
	f := newSSOFixture(t, mustRSAKey(t))
	authURL, p, _ := f.oidc.Begin()
	code1, state := f.idp.mustAuthorize(t, authURL)
	code2, _ := f.idp.mustAuthorize(t, authURL)
	if _, _, err := f.oidc.Complete(context.Background(), p, state, code1, identity.Client{}); err != nil {
		t.Fatal(err)
	}
	token, _, err := f.oidc.Complete(context.Background(), p, state, code2, identity.Client{})
	want := outcome{Kind: "unauthenticated", Code: "sso.failed", Sessions: 1}
	if diff := cmp.Diff(want, outcomeOf(t, f, token, err)); diff != "" {
		t.Errorf("replay (-want +got):\n%s\nerr = %v", diff, err)
	}
	// The code itself is single-use at the provider too.
	if _, _, err := f.oidc.Complete(context.Background(), p, state, code1, identity.Client{}); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("code reused: err = %v", err)
	}
}

// TestPendingJSON checks that a Pending survives the cookie round trip.
func TestPendingJSON(t *testing.T) {
	f := newSSOFixture(t, mustRSAKey(t))
	_, p, _ := f.oidc.Begin()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got identity.Pending
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" || p.State == p.Nonce || len(p.Verifier) < 43 {
		t.Errorf("Pending round trip (-want +got):\n%s%s", diff, b)
	}
}

// outcome is what a refused sign-in leaves behind.
type outcome struct {
	Kind, Code string
	Token      string
	Sessions   int // sessions started with single sign-on
}

func outcomeOf(t *testing.T, f *ssoFixture, token string, err error) outcome {
	t.Helper()
	code, _ := errs.CodeOf(err)
	o := outcome{Code: code, Token: token, Sessions: sessionsCreated(t, f.db, "oidc")}
	if err != nil {
		o.Kind = errs.KindOf(err).String()
	}
	return o
}

// sessionsCreated counts the session.create audit events with method
// method: every session is audited in the transaction that creates it.
func sessionsCreated(t *testing.T, db *store.DB, method string) int {
	t.Helper()
	events, err := db.AuditEvents(context.Background(), audit.Main, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Action == "session.create" && strings.Contains(e.Details, `"method":"`+method+`"`) {
			n++
		}
	}
	return n
}

func mustOrganisation(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	var id int64
	err := db.Transact(context.Background(), func(tx *store.Tx) (err error) {
		id, err = tx.CreateOrganisation(context.Background(), identity.Organisation{Name: name, Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
