package errs

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHTTPStatusAndMessage(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantMsg    string
	}{
		{"nil", nil, 200, "OK"},
		{"plain error is internal and hidden", errors.New("pq: password authentication failed"), 500, "Internal Server Error"},
		{"internal kind hides its message", Wrap(Internal, errors.New("x"), "db exploded"), 500, "Internal Server Error"},
		{"invalid", New(Invalid, "bad %s", "date"), 400, "bad date"},
		{"wrapped keeps kind", fmt.Errorf("ctx: %w", New(NotFound, "no case")), 404, "no case"},
		{"conflict", New(Conflict, "taken"), 409, "taken"},
		{"unauthenticated", New(Unauthenticated, "sign in"), 401, "sign in"},
		{"forbidden", New(Forbidden, "no"), 403, "no"},
		{"too large", New(TooLarge, "big"), 413, "big"},
		{"max bytes", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 1}), 413, "Request Entity Too Large"},
		{"too many", New(TooMany, "slow down"), 429, "slow down"},
		{"unavailable", New(Unavailable, "later"), 503, "later"},
		{"not allowed", New(NotAllowed, "GET only"), 405, "GET only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := []any{HTTPStatus(tc.err), Message(tc.err)}
			if diff := cmp.Diff([]any{tc.wantStatus, tc.wantMsg}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCoded(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", Coded(Invalid, "password.too_short", "at least %d characters", 12))
	code, args := CodeOf(err)
	if diff := cmp.Diff([]any{"password.too_short", []any{12}, "at least 12 characters"}, []any{code, args, Message(err)}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if code, _ := CodeOf(&E{Kind: Internal, Code: "secret"}); code != "" {
		t.Errorf("an internal error exposed code %q", code)
	}
}

func TestAnnotate(t *testing.T) {
	f := func() (err error) {
		defer Annotate(&err, "CreateReport(%q)", "r1")
		return New(Conflict, "dup")
	}
	err := f()
	if err.Error() != `CreateReport("r1"): conflict: dup` || !Is(err, Conflict) {
		t.Errorf("Annotate = %q, kind %v", err, KindOf(err))
	}
}
