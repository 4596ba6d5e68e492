package identity_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

func TestPasswordHash(t *testing.T) {
	h := identity.HashPassword("correct horse battery staple")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	if !identity.VerifyPassword(h, "correct horse battery staple") {
		t.Error("the right password does not verify")
	}
	for _, bad := range []string{"correct horse battery stapl", "", "CORRECT HORSE BATTERY STAPLE"} {
		if identity.VerifyPassword(h, bad) {
			t.Errorf("wrong password %q verifies", bad)
		}
	}
	if identity.HashPassword("x") == identity.HashPassword("x") {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, garbage := range []string{"", "$argon2id$", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", strings.Replace(h, "m=65536", "m=999999999", 1)} {
		if identity.VerifyPassword(garbage, "x") {
			t.Errorf("VerifyPassword(%q) matched", garbage)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw, email string
		ok        bool
	}{
		{"short", "a@b.cn", false},
		{"password1234", "a@b.cn", false},
		{"WOAINI1314520", "a@b.cn", false},
		{"zhangwei-2026-long", "zhangwei@example.cn", false},
		{"漏洞管理规定第七条要求两日内报送", "a@b.cn", true},
		{"tangerine rooftop lantern", "a@b.cn", true},
		{strings.Repeat("x", 257), "a@b.cn", false},
	}
	for _, tc := range tests {
		err := identity.CheckPassword(tc.pw, tc.email)
		if (err == nil) != tc.ok || (err != nil && !errs.Is(err, errs.Invalid)) {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
		}
	}
}

// newInstance returns a store with an instance row and a setup token.
func newInstance(t *testing.T, token string, expires time.Time) *store.DB {
	t.Helper()
	d := storetest.Open(t, storetest.SQLiteDSN(t), store.Options{})
	sum := sha256.Sum256([]byte(token))
	err := d.DB.Transact(context.Background(), func(tx *store.Tx) error {
		return tx.CreateInstance(context.Background(), store.Instance{CreatedAt: tx.Now(),
			SetupTokenHash: hex.EncodeToString(sum[:]), SetupTokenExpiresAt: expires})
	})
	if err != nil {
		t.Fatal(err)
	}
	return d.DB
}

func TestCreateFirstAdmin(t *testing.T) {
	ctx := context.Background()
	db := newInstance(t, "tok", time.Now().Add(time.Hour))
	s := identity.NewSetup(db)
	form := identity.FirstAdmin{Token: "tok", Email: "PSIRT@Example.cn", DisplayName: "安全响应中心", Password: "tangerine rooftop lantern"}

	bad := []struct {
		name string
		edit func(*identity.FirstAdmin)
		kind errs.Kind
	}{
		{"wrong token", func(f *identity.FirstAdmin) { f.Token = "nope" }, errs.NotFound},
		{"bad email", func(f *identity.FirstAdmin) { f.Email = "psirt" }, errs.Invalid},
		{"no name", func(f *identity.FirstAdmin) { f.DisplayName = " " }, errs.Invalid},
		{"weak password", func(f *identity.FirstAdmin) { f.Password = "password1234" }, errs.Invalid},
	}
	for _, tc := range bad {
		f := form
		tc.edit(&f)
		if _, err := s.CreateFirstAdmin(ctx, f); !errs.Is(err, tc.kind) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.kind)
		}
	}
	u, err := s.CreateFirstAdmin(ctx, form)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.UserByEmail(ctx, "psirt@example.cn")
	if err != nil || got.ID != u.ID || !got.InstanceAdmin || !identity.VerifyPassword(got.PasswordHash, form.Password) {
		t.Fatalf("stored admin = %+v, %v", got, err)
	}
	if n, _ := db.CountAdministrators(ctx); n != 1 {
		t.Errorf("administrators = %d, want 1", n)
	}
	if _, err := s.CreateFirstAdmin(ctx, form); !errs.Is(err, errs.NotFound) {
		t.Errorf("reusing the token: err = %v, want NotFound", err)
	}
	events, _ := db.AuditEvents(ctx, audit.Main, 0, 10)
	if len(events) != 1 || events[0].Action != "user.create" || events[0].Subject != "user:"+strconv.FormatInt(u.ID, 10) {
		t.Errorf("audit events = %+v, want one user.create", events)
	}
}

func TestExpiredSetupToken(t *testing.T) {
	db := newInstance(t, "tok", time.Now().Add(-time.Minute))
	if err := identity.NewSetup(db).Check(context.Background(), "tok"); !errs.Is(err, errs.NotFound) {
		t.Errorf("expired token: err = %v, want NotFound", err)
	}
}
