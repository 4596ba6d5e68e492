package identity_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"
)

const password = "tangerine rooftop lantern"

// newTOTPFixture is newFixture with a keyring to seal TOTP secrets.
func newTOTPFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	kr, err := keyring.Open(context.Background(), keyring.NewKey(), f.db)
	if err != nil {
		t.Fatal(err)
	}
	f.svc.WithSealer(kr)
	return f
}

// mustSession signs email in and returns the session token and principal.
func (f *fixture) mustSession(t *testing.T, email string) (string, *access.Principal) {
	t.Helper()
	ctx := context.Background()
	token, _, err := f.svc.SignIn(ctx, email, password, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	p, _, err := f.svc.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	return token, p
}

// mustEnrol turns TOTP on for p and returns the secret and recovery codes.
func (f *fixture) mustEnrol(t *testing.T, p *access.Principal) (string, []string) {
	t.Helper()
	ctx := context.Background()
	en, err := f.svc.BeginTOTP(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := f.svc.ConfirmTOTP(ctx, p, "", mustCode(t, en.Secret, f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return en.Secret, codes
}

func mustCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// wrongCode returns a 6-digit code that is not valid around at.
func wrongCode(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		valid[mustCode(t, secret, at.Add(d))] = true
	}
	for _, c := range []string{"123456", "234567", "345678", "456789"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("four codes cannot all be valid")
	return ""
}

var recoveryCodeShape = regexp.MustCompile(`^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$`)

func TestTOTPEnrolment(t *testing.T) {
	ctx := context.Background()
	f := newTOTPFixture(t)
	u := f.mustUser(t, "triage@example.cn", access.Triager)
	_, p := f.mustSession(t, u.Email)

	en, err := f.svc.BeginTOTP(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(en.URL, "otpauth://totp/Embargo:triage@example.cn?") || !strings.Contains(en.URL, "secret="+en.Secret) ||
		!strings.Contains(en.URL, "issuer=Embargo") || len(en.Secret) < 32 {
		t.Errorf("BeginTOTP = %+v", en)
	}
	raw, err := f.db.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if raw.TOTPEnabled || len(raw.TOTPSecret) == 0 || bytes.Contains(raw.TOTPSecret, []byte(en.Secret)) {
		t.Errorf("stored secret: enabled=%v, %q is not sealed", raw.TOTPEnabled, raw.TOTPSecret)
	}
	if _, err := f.svc.ConfirmTOTP(ctx, p, "", wrongCode(t, en.Secret, f.clock.Now())); !errs.Is(err, errs.Invalid) {
		t.Errorf("wrong code: err = %v, want Invalid", err)
	}
	codes, err := f.svc.ConfirmTOTP(ctx, p, "", mustCode(t, en.Secret, f.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !recoveryCodeShape.MatchString(c) || seen[c] {
			t.Errorf("recovery code %q is malformed or repeated", c)
		}
		seen[c] = true
	}
	if len(codes) != 10 {
		t.Errorf("got %d recovery codes, want 10", len(codes))
	}
	if u, _ = f.db.UserByID(ctx, u.ID); !u.TOTPEnabled || identity.MustEnrolTOTP(u) {
		t.Errorf("after confirming: TOTPEnabled = %v", u.TOTPEnabled)
	}
	if _, err := f.svc.BeginTOTP(ctx, p); !errs.Is(err, errs.Conflict) {
		t.Errorf("enrolling again: err = %v, want Conflict", err)
	}
	if !hasAction(t, f.db, "user.2fa_enable") {
		t.Error("enabling two-factor authentication was not audited")
	}
}

func TestTOTPRefusesNonPersons(t *testing.T) {
	ctx := context.Background()
	f := newTOTPFixture(t)
	u := f.mustUser(t, "pub@example.cn", access.Publisher)
	tests := []struct {
		name string
		p    *access.Principal
		want errs.Kind
	}{
		{"anonymous", nil, errs.Unauthenticated},
		{"API token", &access.Principal{UserID: u.ID, Role: u.Role, TokenID: 1}, errs.Forbidden},
		{"local operator", access.Operator(), errs.Forbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.BeginTOTP(ctx, tc.p)
			if got := errs.KindOf(err); got != tc.want {
				t.Errorf("BeginTOTP: kind = %v, want %v (%v)", got, tc.want, err)
			}
		})
	}
}

func TestVerifySecondFactor(t *testing.T) {
	ctx := context.Background()
	f := newTOTPFixture(t)
	u := f.mustUser(t, "eng@example.cn", access.Engineer)
	_, p := f.mustSession(t, u.Email)
	secret, recovery := f.mustEnrol(t, p)
	u, _ = f.db.UserByID(ctx, u.ID)

	// The code that confirmed the enrolment is spent; the next one works.
	tok, p := f.mustSession(t, u.Email)
	if err := f.svc.VerifySecondFactor(ctx, p, tok, mustCode(t, secret, f.clock.Now())); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("the enrolment code again: err = %v, want Unauthenticated", err)
	}
	f.clock.Add(30 * time.Second)
	code := mustCode(t, secret, f.clock.Now())
	mustPass(t, f, u, tok, p, code)

	// A code works once, even in another session.
	tok, p = f.mustSession(t, u.Email)
	if err := f.svc.VerifySecondFactor(ctx, p, tok, code); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("replayed TOTP code: err = %v, want Unauthenticated", err)
	}
	// So does a recovery code, however it is typed.
	mustPass(t, f, u, tok, p, strings.ToUpper(strings.ReplaceAll(recovery[0], "-", " ")))
	tok, p = f.mustSession(t, u.Email)
	if err := f.svc.VerifySecondFactor(ctx, p, tok, recovery[0]); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("used recovery code: err = %v, want Unauthenticated", err)
	}
	mustPass(t, f, u, tok, p, recovery[1])

	// Another user's session is refused.
	other := f.mustUser(t, "other@example.cn", access.Engineer)
	otherTok, _ := f.mustSession(t, other.Email)
	tok, p = f.mustSession(t, u.Email)
	if err := f.svc.VerifySecondFactor(ctx, p, otherTok, recovery[2]); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("someone else's session: err = %v, want Unauthenticated", err)
	}
	mustPass(t, f, u, tok, p, recovery[2])

	want := []string{"session.2fa_fail", "session.2fa totp", "session.2fa_fail", "session.2fa recovery",
		"session.2fa_fail", "session.2fa recovery", "session.2fa recovery"}
	if diff := cmp.Diff(want, twoFactorEvents(t, f.db)); diff != "" {
		t.Errorf("audit events (-want +got):\n%s", diff)
	}
}

// mustPass passes session tok of u through the second factor with code and
// checks that the session now counts as having passed it.
func mustPass(t *testing.T, f *fixture, u identity.User, tok string, p *access.Principal, code string) {
	t.Helper()
	ctx := context.Background()
	p0, sess, _ := f.svc.Authenticate(ctx, tok)
	if !identity.NeedsSecondFactor(u, sess) || p0.SecondFactor {
		t.Fatalf("before VerifySecondFactor(%q): the session has passed it", code)
	}
	if err := f.svc.VerifySecondFactor(ctx, p, tok, code); err != nil {
		t.Fatalf("VerifySecondFactor(%q): %v", code, err)
	}
	p1, sess, err := f.svc.Authenticate(ctx, tok)
	if err != nil || !p1.SecondFactor || identity.NeedsSecondFactor(u, sess) {
		t.Fatalf("after VerifySecondFactor(%q): %+v, %v", code, p1, err)
	}
}

var methodDetail = regexp.MustCompile(`"method":"(\w+)"`)

// twoFactorEvents returns the session.2fa* audit events as "action method".
func twoFactorEvents(t *testing.T, db *store.DB) []string {
	t.Helper()
	events, err := db.AuditEvents(context.Background(), audit.Main, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		switch e.Action {
		case "session.2fa":
			out = append(out, e.Action+" "+methodDetail.FindStringSubmatch(e.Details)[1])
		case "session.2fa_fail":
			out = append(out, e.Action)
		}
	}
	return out
}

func TestSecondFactorLockout(t *testing.T) {
	ctx := context.Background()
	f := newTOTPFixture(t)
	u := f.mustUser(t, "triage@example.cn", access.Triager)
	_, p := f.mustSession(t, u.Email)
	secret, recovery := f.mustEnrol(t, p)
	u, _ = f.db.UserByID(ctx, u.ID)
	f.clock.Add(30 * time.Second)

	tok, p := f.mustSession(t, u.Email)
	for i := range identity.DefaultPolicy.MaxFailures {
		err := f.svc.VerifySecondFactor(ctx, p, tok, wrongCode(t, secret, f.clock.Now()))
		if !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("wrong code %d: err = %v, want Unauthenticated", i+1, err)
		}
	}
	// Locked now: the right code, a recovery code and the password all fail.
	for _, code := range []string{mustCode(t, secret, f.clock.Now()), recovery[0]} {
		if err := f.svc.VerifySecondFactor(ctx, p, tok, code); !errs.Is(err, errs.TooMany) {
			t.Errorf("locked, code %q: err = %v, want TooMany", code, err)
		}
	}
	if _, _, err := f.svc.SignIn(ctx, u.Email, password, identity.Client{}); !errs.Is(err, errs.TooMany) {
		t.Errorf("locked, signing in: err = %v, want TooMany", err)
	}
	if _, _, err := f.svc.Authenticate(ctx, tok); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("the session survived the lockout: err = %v", err)
	}
	if !hasAction(t, f.db, "user.lock") {
		t.Error("the lockout was not audited")
	}
	f.clock.Add(identity.DefaultPolicy.LockFor + time.Second)
	tok, p = f.mustSession(t, u.Email)
	mustPass(t, f, u, tok, p, recovery[0])
}

func TestSecondFactorRules(t *testing.T) {
	tests := []struct {
		name               string
		user               identity.User
		sess               identity.Session
		wantEnrol, wantTwo bool
	}{
		{name: "triager without TOTP", user: identity.User{Role: access.Triager}, wantEnrol: true},
		{name: "triager with TOTP", user: identity.User{Role: access.Triager, TOTPEnabled: true}, wantTwo: true},
		{name: "triager past TOTP", user: identity.User{Role: access.Triager, TOTPEnabled: true},
			sess: identity.Session{SecondFactor: true}},
		{name: "auditor without TOTP", user: identity.User{Role: access.Auditor}},
		{name: "reporter with TOTP", user: identity.User{Role: access.Reporter, TOTPEnabled: true}, wantTwo: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := [2]bool{tc.wantEnrol, tc.wantTwo}
			got := [2]bool{identity.MustEnrolTOTP(tc.user), identity.NeedsSecondFactor(tc.user, tc.sess)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[MustEnrolTOTP, NeedsSecondFactor] (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPasswordDoesNotResetCodeGuesses checks that someone who knows the
// password cannot keep guessing codes by signing in again between guesses:
// the failure count survives a correct password while two-factor is on.
func TestPasswordDoesNotResetCodeGuesses(t *testing.T) {
	ctx := context.Background()
	f := newTOTPFixture(t)
	u := f.mustUser(t, "triage@example.cn", access.Triager)
	_, p := f.mustSession(t, u.Email)
	secret, _ := f.mustEnrol(t, p)
	f.clock.Add(30 * time.Second)
	var err error
	for i := range identity.DefaultPolicy.MaxFailures {
		tok, p := f.mustSession(t, u.Email) // a fresh sign-in before every guess
		err = f.svc.VerifySecondFactor(ctx, p, tok, wrongCode(t, secret, f.clock.Now()))
		if i < identity.DefaultPolicy.MaxFailures-1 && !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("guess %d: err = %v", i+1, err)
		}
	}
	if _, _, err := f.svc.SignIn(ctx, u.Email, password, identity.Client{}); !errs.Is(err, errs.TooMany) {
		t.Errorf("after %d wrong codes across sign-ins: err = %v, want the account locked", identity.DefaultPolicy.MaxFailures, err)
	}
}
