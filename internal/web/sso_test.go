package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// fakeSealer "seals" by prefixing the associated data; enough to check
// that the web layer round-trips and binds the cookie.
type fakeSealer struct{}

func (fakeSealer) Seal(pt, aad []byte) ([]byte, error) {
	return append(append([]byte{}, aad...), pt...), nil
}

func (fakeSealer) Unseal(ct, aad []byte) ([]byte, error) {
	if !bytes.HasPrefix(ct, aad) {
		return nil, errors.New("does not open")
	}
	return ct[len(aad):], nil
}

// fakeSSO completes a sign-in when the state matches and the code is "good".
type fakeSSO struct{ pending identity.Pending }

func (f *fakeSSO) Begin(context.Context) (string, identity.Pending, error) {
	f.pending = identity.Pending{State: "st", Nonce: "n", Verifier: "v", CreatedAt: time.Now().UTC().Truncate(time.Second)}
	return "https://idp.example.cn/authorize?state=st", f.pending, nil
}

func (f *fakeSSO) Complete(_ context.Context, p identity.Pending, state, code string, _ identity.Client) (string, identity.User, error) {
	switch {
	case p != f.pending || state != p.State:
		return "", identity.User{}, errs.Coded(errs.Unauthenticated, "sso.failed", "single sign-on failed; try again")
	case code == "norole":
		return "", identity.User{}, errs.Coded(errs.Forbidden, "sso.no_role", "no role")
	}
	return "ses_good", identity.User{ID: 1}, nil
}

func TestSingleSignOn(t *testing.T) {
	h := mustNew(t, Config{Identity: &fakeIdentity{}, SSO: &fakeSSO{}, Sealer: fakeSealer{}})
	resp := serve(h, httptest.NewRequest("GET", "/signin/sso", nil))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://idp.example.cn/authorize?state=st" {
		t.Fatalf("begin: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	pending := resp.Cookies()[0]
	if pending.Name != "embargo_sso" || !pending.HttpOnly || pending.Path != "/signin/sso" || pending.MaxAge != 600 {
		t.Errorf("state cookie = %+v", pending)
	}
	callback := func(query string, cookies ...*http.Cookie) *http.Response {
		req := httptest.NewRequest("GET", "/signin/sso/callback?"+query, nil)
		req.Header.Set("Accept-Language", "en")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		return serve(h, req)
	}
	tests := []struct {
		name    string
		query   string
		cookies []*http.Cookie
		want    int
	}{
		{"no state cookie", "state=st&code=good", nil, 401},
		{"forged state cookie", "state=st&code=good", []*http.Cookie{{Name: "embargo_sso", Value: "AAAA"}}, 401},
		{"state mismatch", "state=other&code=good", []*http.Cookie{pending}, 401},
		{"no mapped role", "state=st&code=norole", []*http.Cookie{pending}, 403},
		{"good", "state=st&code=good", []*http.Cookie{pending}, 303},
	}
	for _, tc := range tests {
		resp := callback(tc.query, tc.cookies...)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		var session bool
		for _, c := range resp.Cookies() {
			session = session || (c.Name == "embargo_session" && c.Value == "ses_good")
		}
		if session != (tc.want == 303) {
			t.Errorf("%s: session cookie set = %v", tc.name, session)
		}
	}
}

func TestSingleSignOnOff(t *testing.T) {
	h := mustNew(t, Config{Identity: &fakeIdentity{}})
	for _, path := range []string{"/signin/sso", "/signin/sso/callback"} {
		if resp := serve(h, httptest.NewRequest("GET", path, nil)); resp.StatusCode != 404 {
			t.Errorf("%s without SSO: %d, want 404", path, resp.StatusCode)
		}
	}
	_, doc := mustGetPage(t, h, httptest.NewRequest("GET", "/signin", nil))
	if len(doc.find(`a[href="/signin/sso"]`)) != 0 {
		t.Error("the sign-in page offers SSO that is not configured")
	}
}
