// Package errs is Embargo's one error vocabulary: a small set of kinds that
// every layer uses, and the single table that maps them to HTTP status codes.
//
// Domain services return *E values (or wrap them); handlers never inspect
// error text. Users see Msg; the wrapped Err is for logs only.
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

// The kinds. Internal is the zero value so that an unclassified error is
// never mistaken for a client error.
const (
	Internal        Kind = iota // a fault on our side; details are logged, never shown
	Invalid                     // the input is wrong; Msg says how
	NotFound                    // the thing does not exist, or the caller may not know it does
	Conflict                    // the request clashes with current state (duplicate, stale)
	Unauthenticated             // the caller has not proved who it is
	Forbidden                   // the caller is known but not allowed
	TooLarge                    // the request body or a field is over its limit
	TooMany                     // rate limited
	Unavailable                 // a dependency is down; retry later
	NotAllowed                  // the HTTP method is not allowed on this resource
)

var kindNames = [...]string{
	Internal:        "internal",
	Invalid:         "invalid",
	NotFound:        "not_found",
	Conflict:        "conflict",
	Unauthenticated: "unauthenticated",
	Forbidden:       "forbidden",
	TooLarge:        "too_large",
	TooMany:         "too_many_requests",
	Unavailable:     "unavailable",
	NotAllowed:      "method_not_allowed",
}

// String returns the kind's stable, machine-readable name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// E is an error with a kind, a message safe to show to users, and an
// optional underlying error for logs.
type E struct {
	Kind Kind
	Msg  string // shown to the user; never contains internal detail
	Err  error  // the cause, for logs
	// Code, when set, names the message for translation ("password.common"):
	// user interfaces look it up in their catalogues, with Args filling its
	// placeholders, and fall back to Msg.
	Code string
	Args []any
}

// Error implements error. It includes the cause, so it is for logs only.
func (e *E) Error() string {
	switch {
	case e.Err == nil:
		return e.Kind.String() + ": " + e.Msg
	case e.Msg == "":
		return e.Kind.String() + ": " + e.Err.Error()
	}
	return e.Kind.String() + ": " + e.Msg + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *E) Unwrap() error { return e.Err }

// New returns an *E of kind k with a user-facing message.
func New(k Kind, format string, args ...any) error {
	return &E{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an *E of kind k that keeps err as its cause.
func Wrap(k Kind, err error, format string, args ...any) error {
	return &E{Kind: k, Msg: fmt.Sprintf(format, args...), Err: err}
}

// Coded returns an *E of kind k whose message has a translation code; the
// English message is format filled with args, and the same args fill the
// translated message.
func Coded(k Kind, code, format string, args ...any) error {
	return &E{Kind: k, Msg: fmt.Sprintf(format, args...), Code: code, Args: args}
}

// CodeOf returns the translation code and arguments of the outermost *E in
// err's chain, or "" when it has none.
func CodeOf(err error) (string, []any) {
	var e *E
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Code, e.Args
	}
	return "", nil
}

// KindOf returns the kind of the outermost *E in err's chain, or Internal
// when there is none.
func KindOf(err error) Kind {
	var e *E
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err carries kind k.
func Is(err error, k Kind) bool {
	return err != nil && KindOf(err) == k
}

// Message returns the user-facing message of err: the Msg of its outermost
// *E, or a generic text for internal errors so that no internal detail leaks.
func Message(err error) string {
	var e *E
	if errors.As(err, &e) && e.Kind != Internal && e.Msg != "" {
		return e.Msg
	}
	return http.StatusText(HTTPStatus(err))
}

// Annotate prefixes a non-nil *errp with a description of the operation,
// keeping the chain: defer errs.Annotate(&err, "CreateReport(%q)", id).
func Annotate(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

var statusByKind = map[Kind]int{
	Internal:        http.StatusInternalServerError,
	Invalid:         http.StatusBadRequest,
	NotFound:        http.StatusNotFound,
	Conflict:        http.StatusConflict,
	Unauthenticated: http.StatusUnauthorized,
	Forbidden:       http.StatusForbidden,
	TooLarge:        http.StatusRequestEntityTooLarge,
	TooMany:         http.StatusTooManyRequests,
	Unavailable:     http.StatusServiceUnavailable,
	NotAllowed:      http.StatusMethodNotAllowed,
}

// HTTPStatus maps err to the HTTP status code its kind stands for. A nil
// error is 200; a request body over http.MaxBytesReader's limit is 413.
func HTTPStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	if s, ok := statusByKind[KindOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}
