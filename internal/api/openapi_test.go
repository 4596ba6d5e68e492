package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/server"
)

// apiServerURL is the document's server URL: the API prefix without its
// trailing slash, so that server URL + path is the route's path.
var apiServerURL = strings.TrimSuffix(server.APIPrefix, "/")

// mustLoadOpenAPI parses the embedded document with kin-openapi.
func mustLoadOpenAPI(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader() // external $refs stay disallowed: the document must stand alone
	doc, err := loader.LoadFromData(openAPIDocument)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	return doc
}

// TestOpenAPIValid checks the document against the OpenAPI 3.1 rules that
// kin-openapi implements, with example and format validation on.
func TestOpenAPIValid(t *testing.T) {
	doc := mustLoadOpenAPI(t)
	if !doc.IsOpenAPI31OrLater() || doc.IsOpenAPI32OrLater() {
		t.Fatalf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	err := doc.Validate(context.Background(),
		openapi3.EnableMultiError(),
		openapi3.EnableExamplesValidation(),
		openapi3.EnableSchemaFormatValidation(),
		openapi3.EnableSchemaPatternValidation(),
		openapi3.ProhibitExtensionsWithRef(),
	)
	if err != nil {
		t.Fatalf("openapi.json is invalid:\n%v", err)
	}
}

// TestOpenAPIServers checks that server URL + path is the real route: the
// one server is the API prefix without its trailing slash.
func TestOpenAPIServers(t *testing.T) {
	doc := mustLoadOpenAPI(t)
	var got []string
	for _, s := range doc.Servers {
		got = append(got, s.URL)
	}
	want := []string{apiServerURL}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("servers mismatch (-want +got):\n%s", diff)
	}
}

// TestRoutesMatchOpenAPI checks that every registered route is documented
// and every documented operation is registered.
func TestRoutesMatchOpenAPI(t *testing.T) {
	h := mustNew(t, Config{})
	registered := map[string]bool{}
	for _, p := range h.Patterns() {
		op, ok, err := operationOf(p)
		if err != nil {
			t.Error(err)
		}
		if ok {
			registered[op] = true
		}
	}
	documented := map[string]bool{}
	for path, item := range mustLoadOpenAPI(t).Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	if missing := onlyIn(registered, documented); len(missing) > 0 {
		t.Errorf("routes in routes.go without an operation in openapi.json (paths relative to %s):\n\t%s",
			apiServerURL, strings.Join(missing, "\n\t"))
	}
	if missing := onlyIn(documented, registered); len(missing) > 0 {
		t.Errorf("operations in openapi.json without a route in routes.go (paths relative to %s):\n\t%s",
			apiServerURL, strings.Join(missing, "\n\t"))
	}
}

// onlyIn returns the keys of a that are not in b, sorted.
func onlyIn(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// operationOf converts a ServeMux pattern ("GET /api/v1/reports/{id}") to
// the operation that documents it ("GET /reports/{id}"), relative to the
// document's server URL. It reports false for subtree (catch-all)
// patterns, which document nothing, and an error for a pattern that cannot
// be documented. Wildcards keep their name: {id} stays {id}, {rest...}
// becomes {rest} (OpenAPI has no multi-segment parameter), and {$} is
// dropped.
func operationOf(pattern string) (op string, ok bool, err error) {
	method, path, found := strings.Cut(pattern, " ")
	if !found {
		method, path = "", pattern
	}
	switch {
	case !strings.HasPrefix(path, server.APIPrefix):
		return "", false, fmt.Errorf("route %q is outside %s", pattern, server.APIPrefix)
	case strings.HasSuffix(path, "/"):
		return "", false, nil
	case method == "":
		return "", false, fmt.Errorf("route %q has no method; API routes must have one", pattern)
	}
	path = strings.TrimPrefix(path, apiServerURL)
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch {
		case s == "{$}":
			segs[i] = ""
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "...}"):
			segs[i] = strings.TrimSuffix(s, "...}") + "}"
		}
	}
	return method + " " + strings.Join(segs, "/"), true, nil
}

func TestOperationOf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		want    string
		wantOK  bool
		wantErr bool
	}{
		{"plain", "GET /api/v1/version", "GET /version", true, false},
		{"wildcard", "PATCH /api/v1/cases/{id}", "PATCH /cases/{id}", true, false},
		{"two wildcards", "GET /api/v1/cases/{id}/notes/{note}", "GET /cases/{id}/notes/{note}", true, false},
		{"rest wildcard", "GET /api/v1/files/{path...}", "GET /files/{path}", true, false},
		{"exact slash", "GET /api/v1/cases/{$}", "GET /cases/", true, false},
		{"catch-all", "/api/v1/", "", false, false},
		{"no method", "/api/v1/version", "", false, true},
		{"subtree with method", "GET /api/v1/static/", "", false, false},
		{"outside the prefix", "GET /healthz", "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			type result struct {
				Op  string
				OK  bool
				Err bool
			}
			op, ok, err := operationOf(tc.pattern)
			got := result{Op: op, OK: ok, Err: err != nil}
			want := result{Op: tc.want, OK: tc.wantOK, Err: tc.wantErr}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("operationOf(%q) mismatch (-want +got):\n%s", tc.pattern, diff)
			}
		})
	}
}

func TestOpenAPIServed(t *testing.T) {
	h := mustNew(t, Config{})
	etag := newDocument(openAPIDocument).etag
	for _, tc := range []struct {
		name   string
		method string
		header http.Header
		want   response
	}{
		{
			name:   "get",
			method: http.MethodGet,
			want: response{Status: 200, ContentType: "application/json", CacheControl: openAPICacheControl,
				ETag: etag, Body: string(openAPIDocument)},
		},
		{
			name:   "head",
			method: http.MethodHead,
			want: response{Status: 200, ContentType: "application/json", CacheControl: openAPICacheControl,
				ETag: etag},
		},
		{
			name:   "revalidate",
			method: http.MethodGet,
			header: http.Header{"If-None-Match": {etag}},
			want:   response{Status: 304, CacheControl: openAPICacheControl, ETag: etag},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(tc.method, "/api/v1/openapi.json", "", "")
			for k, v := range tc.header {
				r.Header[k] = v
			}
			got := serve(h, r)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
