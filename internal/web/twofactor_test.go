package web

import (
	"testing"

	"github.com/embargohq/embargo/internal/access"
)

func TestTwoFactorGate(t *testing.T) {
	staff := &access.Principal{Role: access.Triager}
	enrolledPending := &access.Principal{Role: access.Triager, TwoFactorEnrolled: true}
	passed := &access.Principal{Role: access.Triager, TwoFactorEnrolled: true, SecondFactor: true}
	admin := &access.Principal{Role: access.Administrator}
	token := &access.Principal{Role: access.Triager, TokenID: 3}
	tests := []struct {
		name string
		p    *access.Principal
		path string
		want string
	}{
		{"anonymous", nil, "/account/tokens", ""},
		{"staff must enrol", staff, "/account/tokens", "/account/2fa"},
		{"staff may enrol", staff, "/account/2fa", ""},
		{"staff may sign out", staff, "/signout", ""},
		{"staff may switch language", staff, "/lang", ""},
		{"static files", staff, staticPrefix + "app.css", ""},
		{"second factor pending", enrolledPending, "/", "/signin/2fa"},
		{"second factor page", enrolledPending, "/signin/2fa", ""},
		{"passed", passed, "/account/tokens", ""},
		{"administrator reads no cases", admin, "/admin/users", ""},
		{"API tokens are not gated here", token, "/", ""},
	}
	for _, tc := range tests {
		if got := twoFactorGate(tc.p, tc.path); got != tc.want {
			t.Errorf("%s: twoFactorGate(%s) = %q, want %q", tc.name, tc.path, got, tc.want)
		}
	}
}
