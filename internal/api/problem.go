package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/request"
)

// ProblemContentType is the media type of every error response
// (RFC 9457, section 3).
const ProblemContentType = "application/problem+json"

// ProblemTypeBase is the prefix of every problem type URI. The URIs are
// identifiers that clients compare, not pages to fetch: they are the same on
// every Embargo instance, which a URI relative to the instance would not be.
const ProblemTypeBase = "https://embargo.dev/problems/"

// Problem is an RFC 9457 problem details object, the body of every error
// response of the API. See https://www.rfc-editor.org/rfc/rfc9457#section-3.
type Problem struct {
	// Type identifies the kind of problem; see ProblemType.
	Type string `json:"type"`
	// Title is the HTTP status text; it is the same for every occurrence of Type.
	Title string `json:"title"`
	// Status is the HTTP status code of the response.
	Status int `json:"status"`
	// Detail explains this occurrence to the user. It never contains
	// internal error text.
	Detail string `json:"detail"`
	// Instance is the path of the request that failed.
	Instance string `json:"instance"`
	// RequestID is the server's request ID (the X-Request-ID header), which
	// finds the request in the server's logs. It is empty only when the API
	// is served without the server's middleware.
	RequestID string `json:"request_id,omitempty"`
	// Code is the error's stable code when it has one ("sharing.blocked",
	// "obligation.incomplete"): finer than Type, so that a client can tell
	// a refused transfer from a missing permission, both 403. It is the
	// key of the message's translation (problem.<code> in the catalogues).
	Code string `json:"code,omitempty"`
}

// ProblemType returns the problem type URI for errors of kind k, such as
// "https://embargo.dev/problems/not-found" for errs.NotFound. It is derived
// from the kind's stable name, so it never changes once published.
func ProblemType(k errs.Kind) string {
	return ProblemTypeBase + strings.ReplaceAll(k.String(), "_", "-")
}

// problemKind is errs.KindOf, except that a body over an
// http.MaxBytesReader limit set outside decodeJSON (by the server's
// middleware) counts as errs.TooLarge, as errs.HTTPStatus already has it.
func problemKind(err error) errs.Kind {
	var mbe *http.MaxBytesError
	if errs.KindOf(err) == errs.Internal && errors.As(err, &mbe) {
		return errs.TooLarge
	}
	return errs.KindOf(err)
}

// newProblem describes err, as the response to r, to the client.
func newProblem(r *http.Request, err error) Problem {
	status := errs.HTTPStatus(err)
	code, _ := errs.CodeOf(err) // "" for internal errors
	return Problem{
		Type:      ProblemType(problemKind(err)),
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    errs.Message(err),
		Instance:  r.URL.Path,
		RequestID: request.ID(r.Context()),
		Code:      code,
	}
}

// serveError is the API's route.ErrorFunc: it logs err, then writes it as
// problem+json. Headers already set on w (Allow for a 405) are kept.
// It is the only place that logs a failed API request: 5xx at Error level,
// with the internal error text, and 4xx at Info.
func (h *Handler) serveError(w http.ResponseWriter, r *http.Request, err error) {
	p := newProblem(r, err)
	h.logError(r, p, err)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("ETag") // set by a handler before it failed
	if werr := writeJSONAs(w, p.Status, ProblemContentType, p); werr != nil {
		h.log.Error("api: write problem", "request_id", p.RequestID, "err", werr)
	}
}

// logError logs a failed request once, with the attributes that find it.
func (h *Handler) logError(r *http.Request, p Problem, err error) {
	level := slog.LevelInfo
	if p.Status >= http.StatusInternalServerError && r.Context().Err() == nil {
		level = slog.LevelError // a client that went away is not a fault
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	h.log.LogAttrs(r.Context(), level, "api error",
		slog.String("method", r.Method),
		slog.String("route", route),
		slog.String("request_id", p.RequestID),
		slog.Int("status", p.Status),
		slog.String("type", p.Type),
		slog.String("err", err.Error()))
}
