package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

func (f *fakeIdentity) CreateToken(_ context.Context, p *access.Principal, nt identity.NewToken) (string, identity.Token, error) {
	if len(nt.Scopes) == 0 {
		return "", identity.Token{}, errs.Coded(errs.Invalid, "token.no_scope", "give the token at least one scope")
	}
	t := identity.Token{ID: int64(len(f.tokens) + 1), Name: nt.Name, Scopes: nt.Scopes}
	f.tokens = append(f.tokens, t)
	return "emb_secret", t, nil
}

func (f *fakeIdentity) Tokens(context.Context, *access.Principal) ([]identity.Token, error) {
	return f.tokens, nil
}

func (f *fakeIdentity) RevokeToken(_ context.Context, _ *access.Principal, id int64) error {
	for i := range f.tokens {
		if f.tokens[i].ID == id {
			f.tokens[i].RevokedAt = f.tokens[i].CreatedAt.AddDate(2000, 0, 0)
			return nil
		}
	}
	return errs.New(errs.NotFound, "no such token")
}

func (f *fakeIdentity) Users(_ context.Context, p *access.Principal) ([]identity.User, error) {
	if err := p.Require(access.ManageUsers); err != nil {
		return nil, err
	}
	return f.users, nil
}

func (f *fakeIdentity) CreateUser(_ context.Context, p *access.Principal, nu identity.NewUser) (identity.User, error) {
	if err := p.Require(access.ManageUsers); err != nil {
		return identity.User{}, err
	}
	u := identity.User{ID: 9, Email: nu.Email, DisplayName: nu.DisplayName, Role: nu.Role, Country: nu.Country}
	f.users = append(f.users, u)
	return u, nil
}

// signedInRequest returns a request carrying the fake's good session.
func signedInRequest(method, target string, form url.Values) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", "en")
	req.AddCookie(&http.Cookie{Name: "embargo_session", Value: "ses_good"})
	return req
}

func TestTokensPage(t *testing.T) {
	f := &fakeIdentity{}
	h := mustNew(t, Config{Identity: f})

	resp := serve(h, httptest.NewRequest("GET", "/account/tokens", nil))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin?next=%2Faccount%2Ftokens" {
		t.Fatalf("anonymous: %d to %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, doc := mustGetPage(t, h, signedInRequest("GET", "/account/tokens", nil))
	// A triager may give a token the scopes of the triager role, no others.
	var offered []string
	for _, n := range doc.find(`input[name=scope]`) {
		offered = append(offered, n.attrs["value"])
	}
	if got := strings.Join(offered, " "); resp.StatusCode != 200 || got != "case.read case.write report.triage token.manage_own" {
		t.Errorf("scopes offered: %q", got)
	}
	resp, doc = mustGetPage(t, h, signedInRequest("POST", "/account/tokens", url.Values{"name": {"ci"}, "scope": {"case.read"}, "days": {"30"}}))
	if s := doc.find("code.secret"); resp.StatusCode != 200 || len(s) != 1 || s[0].textContent() != "emb_secret" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("created token page: %d, secret %v", resp.StatusCode, s)
	}
	resp = serve(h, signedInRequest("POST", "/account/tokens", url.Values{"name": {"ci"}}))
	if resp.StatusCode != 400 {
		t.Errorf("no scope: %d, want 400", resp.StatusCode)
	}
	resp = serve(h, signedInRequest("POST", "/account/tokens/1/revoke", url.Values{}))
	if resp.StatusCode != http.StatusSeeOther || f.tokens[0].RevokedAt.IsZero() {
		t.Errorf("revoke: %d", resp.StatusCode)
	}
	if resp := serve(h, signedInRequest("POST", "/account/tokens/42/revoke", url.Values{})); resp.StatusCode != 404 {
		t.Errorf("revoke unknown: %d", resp.StatusCode)
	}
}

func TestUsersPageNeedsTheRole(t *testing.T) {
	h := mustNew(t, Config{Identity: &fakeIdentity{}})
	// The fake's session is a triager's: not a user administrator.
	if resp := serve(h, signedInRequest("GET", "/admin/users", nil)); resp.StatusCode != 403 {
		t.Errorf("triager on /admin/users: %d, want 403", resp.StatusCode)
	}
	resp := serve(h, signedInRequest("POST", "/admin/users", url.Values{"email": {"x@example.cn"}, "role": {"engineer"}}))
	if resp.StatusCode != 403 {
		t.Errorf("triager creating a user: %d, want 403", resp.StatusCode)
	}
}

func (f *fakeIdentity) SetLanguage(_ context.Context, _ *access.Principal, lang string) error {
	f.language = lang
	return nil
}

// TestLanguagePreferenceIsSaved checks that a signed-in reader's language
// switch is stored with the account, and that the stored choice wins over
// the browser's Accept-Language.
func TestLanguagePreferenceIsSaved(t *testing.T) {
	f := &fakeIdentity{}
	h := mustNew(t, Config{Identity: f})
	resp := serve(h, signedInRequest("POST", "/lang", url.Values{"lang": {"zh-CN"}, "next": {"/account"}}))
	if resp.StatusCode != http.StatusSeeOther || f.language != "zh-CN" {
		t.Fatalf("switch: %d, saved %q", resp.StatusCode, f.language)
	}
	f.preferred = "zh-CN"
	req := signedInRequest("GET", "/account", nil) // Accept-Language: en
	_, doc := mustGetPage(t, h, req)
	if got := doc.find("html"); len(got) != 1 || got[0].attrs["lang"] != "zh-CN" {
		t.Errorf("saved preference not used: %v", got)
	}
}
