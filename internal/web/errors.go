package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/request"
)

// errorData is the data of the error page.
type errorData struct {
	Status    int
	TitleKey  string // catalogue key of the localized title
	Message   string // errs.Message: safe to show, never internal detail
	RequestID string // for the reader to quote when asking for help
}

// serveError is the web surface's route.ErrorFunc: it logs err once and
// answers with the localized HTML error page.
func (h *Handler) serveError(w http.ResponseWriter, r *http.Request, err error) {
	status := errs.HTTPStatus(err)
	// A reader who is not signed in is sent to sign in, and back here after.
	if status == http.StatusUnauthorized && r.Method == http.MethodGet && h.cfg.Identity != nil {
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	h.logError(r, status, err)
	data := errorData{
		Status:    status,
		TitleKey:  h.errorTitleKey(status),
		Message:   h.problem(r, err),
		RequestID: request.ID(r.Context()),
	}
	if rerr := h.render(w, r, status, pageError, data); rerr != nil {
		h.log.Error("web: render error page", "request_id", data.RequestID, "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// problem returns err's user-facing message in the reader's language: the
// catalogue's "problem.<code>" entry for a coded error, else errs.Message.
func (h *Handler) problem(r *http.Request, err error) string {
	code, args := errs.CodeOf(err)
	if key := "problem." + code; code != "" && h.catalog.Has(key) {
		return h.catalog.T(h.language(r), key, args...)
	}
	return errs.Message(err)
}

// logError logs a failed request: server faults at Error, client mistakes
// at Info.
func (h *Handler) logError(r *http.Request, status int, err error) {
	level := slog.LevelInfo
	if status >= http.StatusInternalServerError && r.Context().Err() == nil {
		level = slog.LevelError // a client that went away is not a fault
	}
	h.log.LogAttrs(r.Context(), level, "web: request failed",
		slog.String("method", r.Method),
		slog.String("route", routeOf(r)),
		slog.String("request_id", request.ID(r.Context())),
		slog.Int("status", status),
		slog.String("err", err.Error()))
}

// routeOf returns the pattern that matched r, or "unmatched". The root mux
// matches every web request with "/", which says nothing.
func routeOf(r *http.Request) string {
	if r.Pattern == "" || r.Pattern == "/" {
		return "unmatched"
	}
	return r.Pattern
}

// errorTitleKey returns the catalogue key of the title for status.
func (h *Handler) errorTitleKey(status int) string {
	key := fmt.Sprintf("error.title.%d", status)
	if h.catalog.Has(key) {
		return key
	}
	return "error.title.other"
}
