package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/route"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// newTestServer serves a small web surface behind the real middleware.
func newTestServer(t *testing.T, tls bool) (http.Handler, *prometheus.Registry) {
	t.Helper()
	web := route.NewTable(func(w http.ResponseWriter, r *http.Request, err error) {
		http.Error(w, errs.Message(err), errs.HTTPStatus(err))
	})
	web.Handle("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.WriteString(w, "item "+r.PathValue("id"))
		return err
	})
	web.Handle("POST /echo", func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.Copy(w, r.Body)
		return err
	})
	web.Handle("POST /echo/big", func(w http.ResponseWriter, r *http.Request) error {
		_, err := io.Copy(w, r.Body)
		return err
	})
	web.Handle("GET /panic", func(http.ResponseWriter, *http.Request) error { panic("boom") })
	reg := prometheus.NewRegistry()
	return New(Config{Logger: slog.New(slog.DiscardHandler), Registry: reg, TLS: tls, MaxBodyBytes: 16, Web: web,
		BodyLimits: map[string]int64{"POST /echo/big": 32, "POST /ec": 8}}), reg
}

func do(h http.Handler, method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestSecureHeaders(t *testing.T) {
	for _, tls := range []bool{false, true} {
		h, _ := newTestServer(t, tls)
		rec := do(h, "GET", "/items/1", "")
		want := map[string]string{
			"Content-Security-Policy": ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "no-referrer",
		}
		for k, v := range want {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("tls=%v: %s = %q, want %q", tls, k, got, v)
			}
		}
		if !strings.Contains(ContentSecurityPolicy, "frame-ancestors 'none'") {
			t.Error("CSP does not forbid framing")
		}
		if hsts := rec.Header().Get("Strict-Transport-Security"); (hsts != "") != tls {
			t.Errorf("tls=%v: HSTS = %q", tls, hsts)
		}
		if len(rec.Header().Get("X-Request-ID")) != 16 {
			t.Errorf("X-Request-ID = %q", rec.Header().Get("X-Request-ID"))
		}
	}
}

func TestBodyLimit(t *testing.T) {
	h, _ := newTestServer(t, false)
	if rec := do(h, "POST", "/echo", "small"); rec.Code != 200 || rec.Body.String() != "small" {
		t.Errorf("small body: %d %q", rec.Code, rec.Body)
	}
	if rec := do(h, "POST", "/echo", strings.Repeat("x", 17)); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("17-byte body with a 16-byte limit: status %d, want 413", rec.Code)
	}
	// The longest matching prefix sets the limit.
	if rec := do(h, "POST", "/echo/big", strings.Repeat("x", 32)); rec.Code != 200 {
		t.Errorf("32-byte body on a 32-byte route: status %d", rec.Code)
	}
	if rec := do(h, "POST", "/echo/big", strings.Repeat("x", 33)); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("33-byte body on a 32-byte route: status %d, want 413", rec.Code)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	h, _ := newTestServer(t, false)
	rec := do(h, "POST", "/echo", "x", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST: status %d, want 403", rec.Code)
	}
	if rec := do(h, "POST", "/echo", "x", "Sec-Fetch-Site", "same-origin"); rec.Code != 200 {
		t.Errorf("same-origin POST: status %d, want 200", rec.Code)
	}
}

func TestPanicBecomes500(t *testing.T) {
	h, _ := newTestServer(t, false)
	rec := do(h, "GET", "/panic", "")
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic: %d %q; want 500 without the panic text", rec.Code, rec.Body)
	}
}

func TestMetricsUseRoutePatterns(t *testing.T) {
	h, reg := newTestServer(t, false)
	do(h, "GET", "/items/1", "")
	do(h, "GET", "/items/2", "")
	do(h, "GET", "/nowhere", "")
	do(h, "GET", "/healthz", "")
	want := `
# HELP embargo_http_requests_total HTTP requests served, by route pattern, method and status code.
# TYPE embargo_http_requests_total counter
embargo_http_requests_total{code="200",method="GET",route="GET /healthz"} 1
embargo_http_requests_total{code="200",method="GET",route="GET /items/{id}"} 2
embargo_http_requests_total{code="404",method="GET",route="unmatched"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "embargo_http_requests_total"); err != nil {
		t.Error(err)
	}
	rec := do(h, "GET", "/metrics", "")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "embargo_http_request_duration_seconds_bucket") {
		t.Errorf("/metrics: %d", rec.Code)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	h, _ := newTestServer(t, false)
	if rec := do(h, "GET", "/healthz", ""); rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Errorf("/healthz: %d %q", rec.Code, rec.Body)
	}
	notReady := New(Config{Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(),
		Ready: func(context.Context) error { return errs.New(errs.Unavailable, "db down") }})
	if rec := do(notReady, "GET", "/readyz", ""); rec.Code != 503 {
		t.Errorf("/readyz with the database down: %d, want 503", rec.Code)
	}
	if rec := do(h, "GET", "/readyz", ""); rec.Code != 200 {
		t.Errorf("/readyz: %d, want 200", rec.Code)
	}
}
