package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/ratelimit"
)

// fakeIdentity accepts one password and one session token; the real rules
// are tested in package identity.
type fakeIdentity struct {
	Identity  // methods a test does not expect to be called panic
	signedOut []string
	tokens    []identity.Token
	users     []identity.User
	language  string      // saved by SetLanguage
	preferred string      // returned as the principal's Language
	role      access.Role // the principal's role; "" means triager
}

func (f *fakeIdentity) SignIn(_ context.Context, email, pw string, _ identity.Client) (string, identity.User, error) {
	if email != "a@example.cn" || pw != "right password!" {
		return "", identity.User{}, errs.Coded(errs.Unauthenticated, "signin.failed", "wrong e-mail address or password")
	}
	return "ses_good", identity.User{ID: 1}, nil
}

func (f *fakeIdentity) Authenticate(_ context.Context, token string) (*access.Principal, identity.Session, error) {
	if token != "ses_good" {
		return nil, identity.Session{}, errs.New(errs.Unauthenticated, "ended")
	}
	role := f.role
	if role == "" {
		role = access.Triager
	}
	return &access.Principal{UserID: 1, Name: "王五", Role: role, TwoFactorEnrolled: true, SecondFactor: true,
		Language: f.preferred}, identity.Session{}, nil
}

func (f *fakeIdentity) SignOut(_ context.Context, _ *access.Principal, token string) error {
	f.signedOut = append(f.signedOut, token)
	return nil
}

func (f *fakeIdentity) SignOutEverywhere(context.Context, *access.Principal) error {
	f.signedOut = append(f.signedOut, "*")
	return nil
}

func postForm(h http.Handler, path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "zh-CN")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return serve(h, req)
}

func TestSignInAndOut(t *testing.T) {
	f := &fakeIdentity{}
	h := mustNew(t, Config{Identity: f})

	resp := postForm(h, "/signin", url.Values{"email": {"a@example.cn"}, "password": {"wrong"}, "next": {"//evil.example"}})
	if resp.StatusCode != 401 || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong password: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	doc := mustParseHTML(t, resp.Body)
	if p := doc.find("p.form-problem"); len(p) != 1 || p[0].textContent() != "电子邮件地址或密码错误。" {
		t.Errorf("problem shown: %v", p)
	}

	resp = postForm(h, "/signin", url.Values{"email": {"a@example.cn"}, "password": {"right password!"}, "next": {"//evil.example"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("sign-in: %d to %q, want 303 to / (never off-site)", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookie := resp.Cookies()[0]
	if cookie.Name != "embargo_session" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Value != "ses_good" {
		t.Errorf("session cookie = %+v", cookie)
	}

	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(cookie)
	resp, doc = mustGetPage(t, h, req)
	if got := doc.find(".account-name"); len(got) != 1 || got[0].textContent() != "王五" {
		t.Errorf("signed-in header shows %v", got)
	}

	resp = postForm(h, "/signout", url.Values{}, cookie)
	if resp.StatusCode != http.StatusSeeOther || resp.Cookies()[0].MaxAge != -1 || len(f.signedOut) != 1 || f.signedOut[0] != "ses_good" {
		t.Errorf("sign-out: %d, cookies %v, signed out %v", resp.StatusCode, resp.Cookies(), f.signedOut)
	}
	postForm(h, "/signout", url.Values{"everywhere": {"1"}}, cookie)
	if f.signedOut[len(f.signedOut)-1] != "*" {
		t.Errorf("sign-out everywhere not called: %v", f.signedOut)
	}

	// A stale cookie is cleared and the page is served anonymously.
	req = httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "embargo_session", Value: "ses_stale"})
	resp, doc = mustGetPage(t, h, req)
	if resp.StatusCode != 200 || len(doc.find(".account-name")) != 0 || len(resp.Cookies()) != 1 || resp.Cookies()[0].MaxAge != -1 {
		t.Errorf("stale cookie: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
}

func TestSessionCookieOverTLS(t *testing.T) {
	h := mustNew(t, Config{Identity: &fakeIdentity{}, TLS: true})
	resp := postForm(h, "/signin", url.Values{"email": {"a@example.cn"}, "password": {"right password!"}})
	c := resp.Cookies()[0]
	if c.Name != "__Host-embargo_session" || !c.Secure || c.Path != "/" || c.Domain != "" {
		t.Errorf("TLS session cookie = %+v", c)
	}
}

func TestSignInIsThrottledPerAddress(t *testing.T) {
	h := mustNew(t, Config{Identity: &fakeIdentity{}, AuthAttempts: ratelimit.New(3, time.Minute, nil)})
	for i := range 3 {
		if resp := postForm(h, "/signin", url.Values{"email": {"a@example.cn"}, "password": {"wrong"}}); resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	resp := postForm(h, "/signin", url.Values{"email": {"a@example.cn"}, "password": {"right password!"}})
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("4th attempt: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	req := httptest.NewRequest("POST", "/signin", strings.NewReader("email=a%40example.cn&password=right+password%21"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = "198.51.100.7:5000"
	if resp := serve(h, req); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("another address: %d, want it signed in", resp.StatusCode)
	}
}
