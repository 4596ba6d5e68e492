package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/request"
	"github.com/embargohq/embargo/internal/route"
	"github.com/embargohq/embargo/internal/server"
)

// Handler must be mountable by the server.
var _ server.Surface = (*Handler)(nil)

const testRequestID = "testrequestid001"

// mustNew returns a Handler built from cfg, with a discarding logger if
// cfg has none.
func mustNew(t testing.TB, cfg Config) *Handler {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

// newRequest returns a request as the server's middleware hands it to the
// API: with a request ID in its context.
func newRequest(method, target, contentType, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r.WithContext(request.WithID(r.Context(), testRequestID))
}

// response is what the tests check of an HTTP response. A problem+json body
// is decoded into Problem instead of kept in Body.
type response struct {
	Status       int
	ContentType  string
	CacheControl string
	ETag         string
	Allow        string
	Body         string
	Problem      *Problem
}

// serve runs r through h and summarizes the response.
func serve(h http.Handler, r *http.Request) response {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return summarize(rec)
}

// summarize returns what the tests check of a recorded response.
func summarize(rec *httptest.ResponseRecorder) response {
	hdr := rec.Result().Header
	got := response{
		Status:       rec.Code,
		ContentType:  hdr.Get("Content-Type"),
		CacheControl: hdr.Get("Cache-Control"),
		ETag:         hdr.Get("ETag"),
		Allow:        hdr.Get("Allow"),
		Body:         rec.Body.String(),
	}
	if got.ContentType == ProblemContentType {
		got.Problem = decodeProblem(got.Body)
		got.Body = ""
	}
	return got
}

// decodeProblem decodes body strictly, so that an unexpected member shows
// up in the diff as a missing Problem.
func decodeProblem(body string) *Problem {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	var p Problem
	if err := dec.Decode(&p); err != nil {
		return &Problem{Detail: "undecodable problem: " + err.Error() + ": " + body}
	}
	return &p
}

// secret stands for internal error text that must never reach a client.
const secret = `pq: password authentication failed for user "embargo"`

// newTestSurface returns the API's routes plus test-only routes that fail
// in known ways, on a table that reports errors through h.serveError.
func newTestSurface(h *Handler) *route.Table {
	t := route.NewTable(h.serveError)
	h.routes(t)
	t.Handle("POST /api/v1/test/echo", func(w http.ResponseWriter, r *http.Request) error {
		var v struct {
			Name string `json:"name"`
		}
		if err := decodeJSON(w, r, &v); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, v)
	})
	t.Handle("GET /api/v1/test/internal", func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("store: get report: %w", errors.New(secret))
	})
	t.Handle("GET /api/v1/test/wrapped", func(w http.ResponseWriter, r *http.Request) error {
		return errs.Wrap(errs.Unavailable, errors.New(secret), "the database is not answering")
	})
	t.Handle("GET /api/v1/test/notfound/{id}", func(w http.ResponseWriter, r *http.Request) error {
		return errs.New(errs.NotFound, "no report %s", r.PathValue("id"))
	})
	t.Handle("GET /api/v1/test/coded", func(w http.ResponseWriter, r *http.Request) error {
		return fmt.Errorf("obligation: submit: %w", errs.Coded(errs.Forbidden, "sharing.blocked", "not to %s", "ENISA"))
	})
	t.Handle("GET /api/v1/test/coded-internal", func(w http.ResponseWriter, r *http.Request) error {
		return &errs.E{Kind: errs.Internal, Code: "store.secret", Err: errors.New(secret)} // never shown
	})
	return t
}

// problem returns the Problem the API should write for a request to path.
func problem(kind errs.Kind, status int, detail, path string) *Problem {
	return &Problem{
		Type:      ProblemType(kind),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  path,
		RequestID: testRequestID,
	}
}

// coded returns p with the error code the API should add to it.
func coded(p *Problem, code string) *Problem {
	p.Code = code
	return p
}

func TestErrors(t *testing.T) {
	h := mustNew(t, Config{})
	surface := newTestSurface(h)
	big := `{"name":"` + strings.Repeat("a", maxJSONBytes) + `"}`
	for _, tc := range []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		want        response
	}{
		{
			name:   "unknown path",
			method: "GET", path: "/api/v1/nothing-here",
			want: response{Status: 404, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: problem(errs.NotFound, 404, "no such page", "/api/v1/nothing-here")},
		},
		{
			name:   "api root",
			method: "GET", path: "/api/v1/",
			want: response{Status: 404, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: problem(errs.NotFound, 404, "no such page", "/api/v1/")},
		},
		{
			name:   "method not allowed",
			method: "DELETE", path: "/api/v1/version",
			want: response{Status: 405, ContentType: ProblemContentType, CacheControl: "no-store",
				Allow:   "GET, HEAD",
				Problem: problem(errs.NotAllowed, 405, "method DELETE is not allowed here", "/api/v1/version")},
		},
		{
			name:   "body too large",
			method: "POST", path: "/api/v1/test/echo", contentType: "application/json", body: big,
			want: response{Status: 413, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: problem(errs.TooLarge, 413, "request body is larger than 1048576 bytes", "/api/v1/test/echo")},
		},
		{
			name:   "invalid body",
			method: "POST", path: "/api/v1/test/echo", contentType: "application/json", body: `{"nmae":"x"}`,
			want: response{Status: 400, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: problem(errs.Invalid, 400, `request body has unknown field "nmae"`, "/api/v1/test/echo")},
		},
		{
			name:   "not found from a handler",
			method: "GET", path: "/api/v1/test/notfound/R-1",
			want: response{Status: 404, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: problem(errs.NotFound, 404, "no report R-1", "/api/v1/test/notfound/R-1")},
		},
		{
			name:   "coded error",
			method: "GET", path: "/api/v1/test/coded",
			want: response{Status: 403, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: coded(problem(errs.Forbidden, 403, "not to ENISA", "/api/v1/test/coded"), "sharing.blocked")},
		},
		{
			name:   "internal error with a code",
			method: "GET", path: "/api/v1/test/coded-internal",
			want: response{Status: 500, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: problem(errs.Internal, 500, "Internal Server Error", "/api/v1/test/coded-internal")},
		},
		{
			name:   "internal error",
			method: "GET", path: "/api/v1/test/internal",
			want: response{Status: 500, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: problem(errs.Internal, 500, "Internal Server Error", "/api/v1/test/internal")},
		},
		{
			name:   "wrapped cause",
			method: "GET", path: "/api/v1/test/wrapped",
			want: response{Status: 503, ContentType: ProblemContentType, CacheControl: "no-store",
				Problem: problem(errs.Unavailable, 503, "the database is not answering", "/api/v1/test/wrapped")},
		},
		{
			name:   "success",
			method: "POST", path: "/api/v1/test/echo", contentType: "application/json", body: `{"name":"x"}`,
			want: response{Status: 200, ContentType: "application/json", Body: `{"name":"x"}` + "\n"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(tc.method, tc.path, tc.contentType, tc.body)
			rec := httptest.NewRecorder()
			surface.ServeHTTP(rec, r)
			if strings.Contains(rec.Body.String(), secret) {
				t.Errorf("body leaks internal error text: %s", rec.Body)
			}
			got := summarize(rec)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorLogs(t *testing.T) {
	for _, tc := range []struct {
		name string
		path string
		want map[string]any
	}{
		{
			name: "server error at Error, with the cause",
			path: "/api/v1/test/internal",
			want: map[string]any{"level": "ERROR", "msg": "api error", "method": "GET",
				"route": "GET /api/v1/test/internal", "request_id": testRequestID, "status": 500.0,
				"type": ProblemType(errs.Internal), "err": "store: get report: " + secret},
		},
		{
			name: "client error at Info",
			path: "/api/v1/test/notfound/R-1",
			want: map[string]any{"level": "INFO", "msg": "api error", "method": "GET",
				"route": "GET /api/v1/test/notfound/{id}", "request_id": testRequestID, "status": 404.0,
				"type": ProblemType(errs.NotFound), "err": "not_found: no report R-1"},
		},
		{
			name: "unmatched route",
			path: "/api/v1/nothing-here",
			want: map[string]any{"level": "INFO", "msg": "api error", "method": "GET",
				"route": "unmatched", "request_id": testRequestID, "status": 404.0,
				"type": ProblemType(errs.NotFound), "err": "not_found: no such page"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, nil))
			surface := newTestSurface(mustNew(t, Config{Logger: logger}))
			serve(surface, newRequest("GET", tc.path, "", ""))
			got := mustLogLines(t, &buf)
			for _, line := range got {
				delete(line, "time")
			}
			if diff := cmp.Diff([]map[string]any{tc.want}, got); diff != "" {
				t.Errorf("log lines mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// mustLogLines decodes the JSON log lines in r.
func mustLogLines(t testing.TB, r io.Reader) []map[string]any {
	t.Helper()
	var lines []map[string]any
	dec := json.NewDecoder(r)
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return lines
		}
		if err != nil {
			t.Fatalf("decode log line: %v", err)
		}
		lines = append(lines, m)
	}
}

func TestProblemType(t *testing.T) {
	for _, tc := range []struct {
		kind errs.Kind
		want string
	}{
		{errs.Internal, "https://embargo.dev/problems/internal"},
		{errs.Invalid, "https://embargo.dev/problems/invalid"},
		{errs.NotFound, "https://embargo.dev/problems/not-found"},
		{errs.TooLarge, "https://embargo.dev/problems/too-large"},
		{errs.TooMany, "https://embargo.dev/problems/too-many-requests"},
		{errs.NotAllowed, "https://embargo.dev/problems/method-not-allowed"},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ProblemType(tc.kind)); diff != "" {
				t.Errorf("ProblemType(%v) mismatch (-want +got):\n%s", tc.kind, diff)
			}
		})
	}
}

// TestMaxBytesErrorIsTooLarge covers a body cut off by the server's own
// http.MaxBytesReader rather than decodeJSON's.
func TestMaxBytesErrorIsTooLarge(t *testing.T) {
	err := fmt.Errorf("read body: %w", &http.MaxBytesError{Limit: 10})
	p := newProblem(newRequest("POST", "/api/v1/x", "", ""), err)
	want := problem(errs.TooLarge, 413, "Request Entity Too Large", "/api/v1/x")
	if diff := cmp.Diff(*want, p); diff != "" {
		t.Errorf("problem mismatch (-want +got):\n%s", diff)
	}
}

func TestVersion(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version string
		want    string
	}{
		{"release", "v1.2.3", `{"version":"v1.2.3"}` + "\n"},
		{"unset", "", `{"version":"devel"}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := mustNew(t, Config{Version: tc.version})
			got := serve(h, newRequest("GET", "/api/v1/version", "", ""))
			want := response{Status: 200, ContentType: "application/json", Body: tc.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewRequiresLogger(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("New(Config{}) succeeded, want an error for the missing Logger")
	}
}

func TestPatternsUnderPrefix(t *testing.T) {
	for _, p := range mustNew(t, Config{}).Patterns() {
		if _, path, _ := strings.Cut(p, " "); !strings.HasPrefix(path, server.APIPrefix) {
			t.Errorf("pattern %q is not under %s", p, server.APIPrefix)
		}
	}
}

// TestMountedOnServer serves the API through the server's middleware, which
// assigns the request ID that the problem must quote.
func TestMountedOnServer(t *testing.T) {
	root := server.New(server.Config{
		Logger:   slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(),
		API:      mustNew(t, Config{Version: "v9.9.9"}),
	})
	for _, tc := range []struct {
		name   string
		path   string
		status int
	}{
		{"route", "/api/v1/version", http.StatusOK},
		{"no route", "/api/v1/nothing-here", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			root.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
			got := summarize(rec)
			id := rec.Header().Get("X-Request-ID")
			if got.Status != tc.status || id == "" {
				t.Fatalf("GET %s: status %d, X-Request-ID %q; want %d and an ID", tc.path, got.Status, id, tc.status)
			}
			if got.Problem != nil && got.Problem.RequestID != id {
				t.Errorf("problem request_id = %q, want the X-Request-ID %q", got.Problem.RequestID, id)
			}
		})
	}
}
