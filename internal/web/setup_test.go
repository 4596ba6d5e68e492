package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// fakeSetup accepts the token "good" once; the real rules are tested in
// package identity.
type fakeSetup struct{ created []identity.FirstAdmin }

func (f *fakeSetup) Check(_ context.Context, token string) error {
	if token != "good" || len(f.created) > 0 {
		return errs.New(errs.NotFound, "this setup link is not valid")
	}
	return nil
}

func (f *fakeSetup) CreateFirstAdmin(ctx context.Context, a identity.FirstAdmin) (identity.User, error) {
	if err := f.Check(ctx, a.Token); err != nil {
		return identity.User{}, err
	}
	if len(a.Password) < 12 {
		return identity.User{}, errs.Coded(errs.Invalid, "password.too_short", "the password must be at least %d characters long", 12)
	}
	f.created = append(f.created, a)
	return identity.User{ID: 1, Email: a.Email}, nil
}

func postSetup(h http.Handler, form url.Values) *http.Response {
	req := httptest.NewRequest("POST", "/setup", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	return serve(h, req)
}

func TestSetupFlow(t *testing.T) {
	fake := &fakeSetup{}
	h := mustNew(t, Config{Setup: fake})

	if resp := serve(h, httptest.NewRequest("GET", "/setup?token=bad", nil)); resp.StatusCode != 404 {
		t.Errorf("GET /setup with a bad token: %d, want 404", resp.StatusCode)
	}
	req := httptest.NewRequest("GET", "/setup?token=good", nil)
	req.Header.Set("Accept-Language", "zh-CN")
	resp, doc := mustGetPage(t, h, req)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("GET /setup: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if got := summarize(resp, doc).Heading; got != "创建首个管理员" {
		t.Errorf("heading = %q", got)
	}
	if len(doc.find(`form input[name=token]`)) != 1 || len(doc.find(`form input[type=password]`)) != 1 {
		t.Error("the setup form lacks its token or password field")
	}

	form := url.Values{"token": {"good"}, "email": {"psirt@example.cn"}, "display_name": {"PSIRT"}, "password": {"short"}}
	resp = postSetup(h, form)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "at least 12 characters") ||
		!strings.Contains(string(body), `value="psirt@example.cn"`) || strings.Contains(string(body), `value="short"`) {
		t.Errorf("weak password: %d; want the form again with the reason, the e-mail kept and the password dropped", resp.StatusCode)
	}

	req = httptest.NewRequest("POST", "/setup", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "zh-CN")
	resp, doc = mustGetPage(t, h, req)
	if got := doc.find("p.form-problem"); len(got) != 1 || got[0].textContent() != "密码长度至少为 12 个字符。" {
		t.Errorf("Chinese reader sees the problem as %v, want the translated message", got)
	}

	form.Set("password", "tangerine rooftop lantern")
	if resp := postSetup(h, form); resp.StatusCode != 200 || len(fake.created) != 1 {
		t.Fatalf("valid form: %d, created %d", resp.StatusCode, len(fake.created))
	}
	if resp := postSetup(h, form); resp.StatusCode != 404 {
		t.Errorf("reusing the link: %d, want 404", resp.StatusCode)
	}
}

func TestSetupOffWithoutService(t *testing.T) {
	h := mustNew(t, Config{})
	if resp := serve(h, httptest.NewRequest("GET", "/setup?token=x", nil)); resp.StatusCode != 404 {
		t.Errorf("GET /setup without a setup service: %d, want 404", resp.StatusCode)
	}
}
