// Package route is the small routing layer that every HTTP surface (web,
// API) shares: handlers that return errors, one adapter per surface that
// renders those errors, and a table that remembers every pattern it
// registered so that tests can check routes against documentation and the
// authorization matrix.
package route

import (
	"net/http"
	"slices"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/request"
)

// Handler is an HTTP handler that returns an error instead of writing one.
// The surface's ErrorFunc turns the error into a response, once.
type Handler func(w http.ResponseWriter, r *http.Request) error

// ErrorFunc writes err as a response in the surface's format (HTML page or
// problem+json) and logs it.
type ErrorFunc func(w http.ResponseWriter, r *http.Request, err error)

// Table is a ServeMux that records the patterns registered on it.
type Table struct {
	mux      *http.ServeMux
	onError  ErrorFunc
	patterns []string
}

// NewTable returns an empty table whose handlers' errors go to onError.
func NewTable(onError ErrorFunc) *Table {
	return &Table{mux: http.NewServeMux(), onError: onError}
}

// Handle registers h for pattern, a ServeMux pattern with a method
// ("GET /report/{id}").
func (t *Table) Handle(pattern string, h Handler) {
	t.patterns = append(t.patterns, pattern)
	t.mux.Handle(pattern, t.adapt(h))
}

// HandleHTTP registers a plain http.Handler (static files, metrics).
func (t *Table) HandleHTTP(pattern string, h http.Handler) {
	t.patterns = append(t.patterns, pattern)
	t.mux.Handle(pattern, h)
}

// Patterns returns the registered patterns, sorted.
func (t *Table) Patterns() []string {
	p := slices.Clone(t.patterns)
	slices.Sort(p)
	return p
}

// ServeHTTP dispatches to the registered handlers. A request that matches
// no pattern gets the surface's own error response: 404, or 405 with an
// Allow header when the path exists under another method.
func (t *Table) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := t.mux.Handler(r)
	if pattern != "" {
		request.SetRoute(r.Context(), pattern)
		t.mux.ServeHTTP(w, r) // sets r.Pattern and the path values
		return
	}
	// The mux's own fallback decides between 404, 405 and a redirect; run it
	// against a probe to learn which, then answer in the surface's format.
	p := &probe{header: http.Header{}}
	h.ServeHTTP(p, r)
	switch p.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", p.header.Get("Allow"))
		t.onError(w, r, errs.New(errs.NotAllowed, "method %s is not allowed here", r.Method))
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		http.Redirect(w, r, p.header.Get("Location"), p.status)
	default:
		t.onError(w, r, errs.New(errs.NotFound, "no such page"))
	}
}

// probe is a ResponseWriter that keeps only the status and headers.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header         { return p.header }
func (p *probe) Write(b []byte) (int, error) { return len(b), nil }
func (p *probe) WriteHeader(status int)      { p.status = status }

func (t *Table) adapt(h Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			t.onError(w, r, err)
		}
	})
}
