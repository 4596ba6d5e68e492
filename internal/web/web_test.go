package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/request"
)

func mustNew(t testing.TB, cfg Config) *Handler {
	t.Helper()
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// serve runs one request through h with a request ID in its context, as the
// server's middleware would.
func serve(h http.Handler, req *http.Request) *http.Response {
	req = req.WithContext(request.WithID(req.Context(), "testrequestid000"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// mustGetPage fetches path and parses the body as HTML.
func mustGetPage(t *testing.T, h http.Handler, req *http.Request) (*http.Response, *node) {
	t.Helper()
	resp := serve(h, req)
	defer resp.Body.Close()
	return resp, mustParseHTML(t, resp.Body)
}

// pageSummary is what the tests check on a rendered page.
type pageSummary struct {
	Status      int
	ContentType string
	Lang        string
	Heading     string
	Pressed     []string // the language switch's pressed button
}

func summarize(resp *http.Response, doc *node) pageSummary {
	s := pageSummary{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type")}
	for _, n := range doc.find("html") {
		s.Lang = n.attrs["lang"]
	}
	for _, n := range doc.find("main h1") {
		s.Heading = n.textContent()
	}
	for _, n := range doc.find("form.lang-switch button[aria-pressed=true]") {
		s.Pressed = append(s.Pressed, n.attrs["value"])
	}
	return s
}

func TestHomeLanguage(t *testing.T) {
	h := mustNew(t, Config{Version: "test"})
	const zhHeading = "负责任地接收、处置和发布网络产品安全漏洞"
	const enHeading = "Receive, handle and disclose security vulnerabilities responsibly"
	for _, tc := range []struct {
		name, accept, cookie string
		wantLang, wantH1     string
	}{
		{name: "no preference", wantLang: "zh-CN", wantH1: zhHeading},
		{name: "accept english", accept: "en-GB,en;q=0.9", wantLang: "en", wantH1: enHeading},
		{name: "accept chinese", accept: "zh-CN,zh;q=0.9", wantLang: "zh-CN", wantH1: zhHeading},
		{name: "accept french", accept: "fr", wantLang: "zh-CN", wantH1: zhHeading},
		{name: "cookie english", cookie: "en", accept: "zh-CN", wantLang: "en", wantH1: enHeading},
		{name: "cookie chinese", cookie: "zh-CN", accept: "en-US", wantLang: "zh-CN", wantH1: zhHeading},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Language", tc.accept)
			}
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: langCookie, Value: tc.cookie})
			}
			want := pageSummary{
				Status: 200, ContentType: "text/html; charset=utf-8",
				Lang: tc.wantLang, Heading: tc.wantH1, Pressed: []string{tc.wantLang},
			}
			if diff := cmp.Diff(want, summarize(mustGetPage(t, h, req))); diff != "" {
				t.Errorf("GET / (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHomeLinks(t *testing.T) {
	h := mustNew(t, Config{Version: "v1.2.3"})
	req := httptest.NewRequest("GET", "/?from=test", nil)
	req.Header.Set("Accept-Language", "en")
	resp, doc := mustGetPage(t, h, req)
	if got := resp.Header.Get("Vary"); !strings.Contains(got, "Cookie") || !strings.Contains(got, "Accept-Language") {
		t.Errorf("Vary = %q, want Accept-Language and Cookie", got)
	}
	got := map[string]string{
		"report link":   doc.first(t, "a.button-primary").attrs["href"],
		"switch action": doc.first(t, "form.lang-switch").attrs["action"],
		"switch next":   doc.first(t, "form.lang-switch input[name=next]").attrs["value"],
		"htmx config":   doc.first(t, "meta[name=htmx-config]").attrs["content"],
		"footer":        doc.first(t, "footer .version").textContent(),
		"current nav":   doc.first(t, "nav a[aria-current=page]").attrs["href"],
	}
	want := map[string]string{
		"report link":   "/report",
		"switch action": "/lang",
		"switch next":   "/?from=test",
		"htmx config":   `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}`,
		"footer":        "Embargo v1.2.3",
		"current nav":   "/",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("home page (-want +got):\n%s", diff)
	}
}

// TestNoInlineCode guards the Content-Security-Policy: no inline scripts,
// no style elements or attributes, no event handler attributes.
func TestNoInlineCode(t *testing.T) {
	h := mustNew(t, Config{})
	for _, path := range []string{"/", "/no-such-page"} {
		_, doc := mustGetPage(t, h, httptest.NewRequest("GET", path, nil))
		doc.walk(func(n *node) {
			if n.tag == "script" && (n.attrs["src"] == "" || n.textContent() != "") {
				t.Errorf("%s: inline script", path)
			}
			if n.tag == "style" {
				t.Errorf("%s: style element", path)
			}
			for name := range n.attrs {
				if name == "style" || strings.HasPrefix(name, "on") {
					t.Errorf("%s: <%s %s=...>", path, n.tag, name)
				}
			}
		})
	}
}

func TestStatic(t *testing.T) {
	h := mustNew(t, Config{})
	_, doc := mustGetPage(t, h, httptest.NewRequest("GET", "/", nil))
	urls := map[string]string{
		"app.css":     doc.first(t, "link[rel=stylesheet]").attrs["href"],
		"htmx.min.js": doc.first(t, "script").attrs["src"],
		"logo.svg":    doc.first(t, "link[rel=icon]").attrs["href"],
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			want, err := fs.ReadFile(siteFS, "static/"+name)
			if err != nil {
				t.Fatal(err)
			}
			ext := filepath.Ext(name)
			if !strings.HasPrefix(u, "/static/"+strings.TrimSuffix(name, ext)+".") || len(u) != len("/static/"+name)+17 {
				t.Errorf("URL %q does not carry a 16-digit hash", u)
			}
			resp := serve(h, httptest.NewRequest("GET", u, nil))
			body, _ := io.ReadAll(resp.Body)
			got := []string{resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control")}
			wantHeaders := []string{"200 OK", contentType(ext), "public, max-age=31536000, immutable"}
			if diff := cmp.Diff(wantHeaders, got); diff != "" {
				t.Errorf("GET %s (-want +got):\n%s", u, diff)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("GET %s: body differs from static/%s", u, name)
			}
		})
	}
}

func TestStaticNotFound(t *testing.T) {
	h := mustNew(t, Config{})
	for _, path := range []string{
		"/static/app.css",
		"/static/app.0000000000000000.css",
		"/static/README",
		"/static/htmx.LICENSE",
		"/static/",
	} {
		resp := serve(h, httptest.NewRequest("GET", path, nil))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
		if got := resp.Header.Get("Cache-Control"); got != "" {
			t.Errorf("GET %s: Cache-Control %q on an error", path, got)
		}
	}
}

// TestStaticFilesAreEmbedded checks that the embed patterns and
// contentType agree: every servable file on disk is in the binary.
func TestStaticFilesAreEmbedded(t *testing.T) {
	embedded, err := loadAssets(siteFS)
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := loadAssets(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sortedKeys(onDisk.byName), sortedKeys(embedded.byName)); diff != "" {
		t.Errorf("static files (-on disk +embedded):\n%s", diff)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestSetLanguage(t *testing.T) {
	for _, tc := range []struct {
		name, lang, next string
		tls              bool
		wantStatus       int
		wantLocation     string
		wantCookie       string // Set-Cookie, "" for none
	}{
		{name: "english", lang: "en", next: "/", wantStatus: 303, wantLocation: "/",
			wantCookie: "embargo_lang=en; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"},
		{name: "chinese keeps the query", lang: "zh-CN", next: "/report?step=2", wantStatus: 303,
			wantLocation: "/report?step=2",
			wantCookie:   "embargo_lang=zh-CN; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"},
		{name: "secure over tls", lang: "en", next: "/", tls: true, wantStatus: 303, wantLocation: "/",
			wantCookie: "embargo_lang=en; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax"},
		{name: "regional tag is stored plain", lang: "en-GB", next: "/", wantStatus: 303, wantLocation: "/",
			wantCookie: "embargo_lang=en; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"},
		{name: "off-site next goes home", lang: "en", next: "https://evil.example/", wantStatus: 303,
			wantLocation: "/",
			wantCookie:   "embargo_lang=en; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"},
		{name: "protocol-relative next goes home", lang: "en", next: "//evil.example/x", wantStatus: 303,
			wantLocation: "/",
			wantCookie:   "embargo_lang=en; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"},
		{name: "unsupported language", lang: "fr", next: "/", wantStatus: 400},
		{name: "no language", next: "/", wantStatus: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := mustNew(t, Config{TLS: tc.tls})
			form := url.Values{"lang": {tc.lang}, "next": {tc.next}}
			req := httptest.NewRequest("POST", "/lang", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp := serve(h, req)
			got := []any{resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Set-Cookie")}
			want := []any{tc.wantStatus, tc.wantLocation, tc.wantCookie}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("POST /lang (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/", "/"},
		{"/report", "/report"},
		{"/report?x=1&y=%2F", "/report?x=1&y=%2F"},
		{"", "/"},
		{"report", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"/\n/evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"http:/evil.example", "/"},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestErrorPages(t *testing.T) {
	h := mustNew(t, Config{})
	for _, tc := range []struct {
		name, method, path, accept string
		want                       errorSummary
	}{
		{"not found, english", "GET", "/no/such/page", "en",
			errorSummary{404, "", "en", "Page not found", "no such page", "testrequestid000"}},
		{"not found, chinese", "GET", "/no/such/page", "zh-CN",
			errorSummary{404, "", "zh-CN", "页面不存在", "no such page", "testrequestid000"}},
		{"home by post", "POST", "/", "en",
			errorSummary{405, "GET, HEAD", "en", "Method not allowed", "method POST is not allowed here", "testrequestid000"}},
		{"lang by get", "GET", "/lang", "zh-CN",
			errorSummary{405, "POST", "zh-CN", "不支持该请求方法", "method GET is not allowed here", "testrequestid000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			req.Header.Set("Accept-Language", tc.accept)
			resp, doc := mustGetPage(t, h, req)
			if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", got)
			}
			if diff := cmp.Diff(tc.want, summarizeError(resp, doc)); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", tc.method, tc.path, diff)
			}
		})
	}
}

// errorSummary is what the tests check on an error page.
type errorSummary struct {
	Status    int
	Allow     string
	Lang      string
	Title     string
	Message   string
	RequestID string
}

func summarizeError(resp *http.Response, doc *node) errorSummary {
	s := errorSummary{Status: resp.StatusCode, Allow: resp.Header.Get("Allow")}
	s.Lang = doc.find("html")[0].attrs["lang"]
	for _, n := range doc.find(".error-page h1") {
		s.Title = n.textContent()
	}
	for _, n := range doc.find(".error-message") {
		s.Message = n.textContent()
	}
	for _, n := range doc.find(".request-id code") {
		s.RequestID = n.textContent()
	}
	return s
}

// TestServeErrorHidesInternals checks that an internal error shows a
// generic message, is logged at Error with its cause, and that a client
// error is logged at Info.
func TestServeErrorHidesInternals(t *testing.T) {
	var logs bytes.Buffer
	h := mustNew(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Accept-Language", "en")
	req = req.WithContext(request.WithID(req.Context(), "rid1"))
	rec := httptest.NewRecorder()
	h.serveError(rec, req, errors.New("database password is hunter2"))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "hunter2") {
		t.Errorf("status %d; body leaks the cause: %v", rec.Code, strings.Contains(rec.Body.String(), "hunter2"))
	}
	serve(h, httptest.NewRequest("GET", "/missing", nil))

	var got []map[string]any
	for line := range strings.Lines(logs.String()) {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatal(err)
		}
		delete(entry, "time")
		got = append(got, entry)
	}
	want := []map[string]any{
		{"level": "ERROR", "msg": "web: request failed", "method": "GET", "route": "unmatched",
			"request_id": "rid1", "status": 500.0, "err": "database password is hunter2"},
		{"level": "INFO", "msg": "web: request failed", "method": "GET", "route": "unmatched",
			"request_id": "testrequestid000", "status": 404.0, "err": "not_found: no such page"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
}

func TestPatterns(t *testing.T) {
	want := []string{
		"GET /.well-known/openpgp-key.asc", "GET /.well-known/security.txt", "GET /account", "GET /account/2fa",
		"GET /account/confidentiality", "GET /account/tokens", "GET /account/verify", "GET /admin/access-review",
		"GET /admin/access-review/{id}", "GET /admin/audit", "GET /admin/outbox", "GET /admin/users", "GET /assets", "GET /cases",
		"GET /cases/{id}", "GET /cases/{id}/evidence", "GET /cases/{id}/files/{file}", "GET /cases/{id}/packages/{duty}", "GET /imports", "GET /imports/{id}", "GET /obligations", "GET /obligations/dashboard", "GET /policy", "GET /products", "GET /products/export", "GET /products/{id}/versions/{vid}",
		"GET /report", "GET /report/s/{secret}", "GET /report/s/{secret}/attachments/{id}", "GET /reports",
		"GET /reports/{tracking}", "GET /reports/{tracking}/attachments/{id}", "GET /reports/{tracking}/raw", "GET /setup",
		"GET /signin", "GET /signin/2fa", "GET /signin/forgot", "GET /signin/reset", "GET /signin/sso",
		"GET /signin/sso/callback", "GET /static/{file}", "GET /{$}", "POST /account/2fa", "POST /account/confidentiality",
		"POST /account/tokens", "POST /account/tokens/{id}/revoke", "POST /account/verify",
		"POST /admin/access-review/{id}/sign", "POST /admin/audit/verify", "POST /admin/outbox/{id}/retry",
		"POST /admin/users", "POST /admin/users/{action}", "POST /cases", "POST /cases/{id}/aliases",
		"POST /cases/{id}/assessment", "POST /cases/{id}/comments", "POST /cases/{id}/facts", "POST /cases/{id}/files", "POST /cases/{id}/merge", "POST /cases/{id}/packages/{duty}", "POST /cases/{id}/packages/{duty}/fields",
		"POST /cases/{id}/people", "POST /cases/{id}/reports/{tracking}/reply", "POST /cases/{id}/split", "POST /cases/{id}/t0", "POST /cases/{id}/transition", "POST /cases/{id}/upstream-notice", "POST /imports", "POST /lang", "POST /obligations/{id}/not-applicable",
		"POST /products/import", "POST /report", "POST /report/s/{secret}/messages", "POST /report/s/{secret}/preferences",
		"POST /reports/{tracking}/attach", "POST /reports/{tracking}/messages", "POST /reports/{tracking}/promote",
		"POST /reports/{tracking}/triage", "POST /setup", "POST /signin", "POST /signin/2fa", "POST /signin/forgot",
		"POST /signin/reset", "POST /signout",
	}
	// Remediation and notices: a case's fixes and campaigns, who runs
	// what, and the public pages of recipients and subscribers.
	want = append(want, "GET /cases/{id}/remediation", "POST /cases/{id}/remediation", "POST /cases/{id}/campaigns",
		"GET /cases/{id}/campaigns/{campaign}", "POST /cases/{id}/campaigns/{campaign}/send",
		"POST /cases/{id}/campaigns/{campaign}/resend", "GET /customers", "POST /customers/import",
		"GET /notices/r/{token}", "POST /notices/r/{token}/ack", "POST /notices/r/{token}/reply",
		"GET /notices/subscribe/{product}", "POST /notices/subscribe/{product}", "GET /notices/confirm/{token}",
		"POST /notices/confirm/{token}", "GET /notices/unsubscribe/{token}", "POST /notices/unsubscribe/{token}")
	// A case's advisory and the publication gate; the blackout calendar.
	want = append(want, "GET /cases/{id}/publication", "POST /cases/{id}/publication", "POST /cases/{id}/publication/{action}",
		"GET /blackouts", "POST /blackouts", "POST /blackouts/{id}/delete")
	// Upstream advisories (the exposure index).
	want = append(want, "GET /upstream/{id}")
	// A published advisory's downloads.
	want = append(want, "GET /cases/{id}/publication/export/{format}")
	// The CSAF 2.0 provider.
	want = append(want, "GET /.well-known/csaf/provider-metadata.json", "GET /.well-known/csaf/service.json",
		"GET /.well-known/csaf/openpgp/{key}", "GET /.well-known/csaf/{folder}/{file}", "GET /.well-known/csaf/{folder}/{year}/{file}")
	// The public advisory channels: the list, the feeds, one advisory.
	want = append(want, "GET /advisories", "GET /advisories/feed.rss", "GET /advisories/feed.atom", "GET /advisories/{ref}")
	slices.Sort(want)
	if diff := cmp.Diff(want, mustNew(t, Config{}).Patterns()); diff != "" {
		t.Errorf("Patterns() (-want +got):\n%s", diff)
	}
}

// TestEveryTemplateIsAPage catches a page template that no handler renders.
func TestEveryTemplateIsAPage(t *testing.T) {
	files, err := fs.Glob(siteFS, "templates/*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".tmpl"); name != "layout" {
			got = append(got, name)
		}
	}
	var want []string
	for _, p := range allPages() {
		want = append(want, string(p))
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("page templates (-allPages +templates/):\n%s", diff)
	}
}
