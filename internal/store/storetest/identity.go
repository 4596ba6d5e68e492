package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
)

// testIdentity round-trips organisations, users, sessions and tokens.
func testIdentity(t *testing.T, d Database) {
	ctx := context.Background()
	at := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	var org int64
	u := identity.User{Email: "a@example.cn", DisplayName: "张三", PasswordHash: "h", Role: access.Triager, Country: "CN", CreatedAt: at}
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
		org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme", Kinds: []string{"provider", "operator"}, Country: "CN", CreatedAt: at})
		if err != nil {
			return err
		}
		u.OrgID = org
		u.ID, err = tx.CreateUser(ctx, u)
		return err
	})
	err := d.DB.Transact(ctx, func(tx *store.Tx) error { _, err := tx.CreateUser(ctx, u); return err })
	if !errs.Is(err, errs.Conflict) {
		t.Errorf("duplicate user: err = %v, want Conflict", err)
	}
	got, err := d.DB.UserByEmail(ctx, "a@example.cn")
	if err != nil {
		t.Fatal(err)
	}
	u.OrgStatementVersion = 1 // a new organisation's statement starts at version 1
	if diff := cmp.Diff(u, got); diff != "" {
		t.Errorf("user (-want +got):\n%s", diff)
	}
	o, err := d.DB.Organisation(ctx, org)
	if err != nil || o.Name != "Acme" || len(o.Kinds) != 2 {
		t.Errorf("organisation = %+v, %v", o, err)
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		if err := tx.RecordLoginFailure(ctx, u.ID, 0, at.Add(time.Hour)); err != nil {
			return err
		}
		return tx.SetTOTP(ctx, u.ID, []byte{1, 2}, at)
	})
	got, _ = d.DB.UserByID(ctx, u.ID)
	if !got.LockedUntil.Equal(at.Add(time.Hour)) || !got.TOTPEnabled || string(got.TOTPSecret) != "\x01\x02" {
		t.Errorf("after lock and TOTP: %+v", got)
	}
	if users, _ := d.DB.ListUsers(ctx, org+1); len(users) != 0 {
		t.Errorf("ListUsers(other org) = %d users", len(users))
	}

	sess := identity.Session{TokenHash: "abc", UserID: u.ID, CreatedAt: at, LastSeenAt: at, UserAgent: "ua", RemoteAddr: "127.0.0.1"}
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.CreateSession(ctx, sess) })
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.TouchSession(ctx, "abc", at.Add(time.Minute), true) })
	gotS, err := d.DB.SessionByHash(ctx, "abc")
	sess.LastSeenAt, sess.SecondFactor = at.Add(time.Minute), true
	if diff := cmp.Diff(sess, gotS); err != nil || diff != "" {
		t.Errorf("session (-want +got):\n%s%v", diff, err)
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error { _, err := tx.DeleteSessions(ctx, u.ID, ""); return err })
	if _, err := d.DB.SessionByHash(ctx, "abc"); !errs.Is(err, errs.Unauthenticated) {
		t.Errorf("deleted session: err = %v", err)
	}

	tok := identity.Token{UserID: u.ID, Name: "ci", Hash: "h1", Scopes: []access.Permission{access.ReadCases, access.WriteCases}, CreatedAt: at, ExpiresAt: at.AddDate(0, 3, 0)}
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) { tok.ID, err = tx.CreateToken(ctx, tok); return err })
	gotT, err := d.DB.TokenByHash(ctx, "h1")
	if diff := cmp.Diff(tok, gotT); err != nil || diff != "" {
		t.Errorf("token (-want +got):\n%s%v", diff, err)
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.RevokeToken(ctx, u.ID, tok.ID, at) })
	err = d.DB.Transact(ctx, func(tx *store.Tx) error { return tx.RevokeToken(ctx, u.ID, tok.ID, at) })
	if !errs.Is(err, errs.NotFound) {
		t.Errorf("revoking twice: err = %v, want NotFound", err)
	}
}

// testSSOAndRecovery round-trips identity links, SSO nonces, role changes
// and recovery codes.
func testSSOAndRecovery(t *testing.T, d Database) {
	ctx := context.Background()
	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	var uid int64
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
		uid, err = tx.CreateUser(ctx, identity.User{Email: "sso@example.cn", DisplayName: "S", Role: access.Engineer, Country: "CN", CreatedAt: at})
		return err
	})
	if _, err := d.DB.UserByIdentity(ctx, "https://idp.example.cn", "sub-1"); !errs.Is(err, errs.NotFound) {
		t.Errorf("unlinked identity: err = %v, want NotFound", err)
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		if err := tx.LinkIdentity(ctx, "https://idp.example.cn", "sub-1", uid, at); err != nil {
			return err
		}
		return tx.SetRole(ctx, uid, access.Triager)
	})
	u, err := d.DB.UserByIdentity(ctx, "https://idp.example.cn", "sub-1")
	if err != nil || u.ID != uid || u.Role != access.Triager {
		t.Errorf("linked identity = %+v, %v", u, err)
	}
	steps := []struct {
		name string
		fn   func(tx *store.Tx) error
		want errs.Kind // errs.Internal stands for success here
	}{
		{"nonce", func(tx *store.Tx) error { return tx.UseOIDCNonce(ctx, "n1", at) }, errs.Internal},
		{"nonce replayed", func(tx *store.Tx) error { return tx.UseOIDCNonce(ctx, "n1", at) }, errs.Conflict},
		{"old nonces pruned", func(tx *store.Tx) error { return tx.DeleteOIDCNonces(ctx, at.Add(time.Second)) }, errs.Internal},
		{"nonce usable after pruning", func(tx *store.Tx) error { return tx.UseOIDCNonce(ctx, "n1", at) }, errs.Internal},
		{"recovery codes", func(tx *store.Tx) error { return tx.ReplaceRecoveryCodes(ctx, uid, []string{"h1", "h2"}) }, errs.Internal},
		{"use h1", func(tx *store.Tx) error { return tx.UseRecoveryCode(ctx, uid, "h1", at) }, errs.Internal},
		{"use h1 again", func(tx *store.Tx) error { return tx.UseRecoveryCode(ctx, uid, "h1", at) }, errs.NotFound},
		{"use as another user", func(tx *store.Tx) error { return tx.UseRecoveryCode(ctx, uid+1, "h2", at) }, errs.NotFound},
		{"replace", func(tx *store.Tx) error { return tx.ReplaceRecoveryCodes(ctx, uid, []string{"h3"}) }, errs.Internal},
		{"use voided h2", func(tx *store.Tx) error { return tx.UseRecoveryCode(ctx, uid, "h2", at) }, errs.NotFound},
	}
	for _, s := range steps {
		err := d.DB.Transact(ctx, s.fn)
		if got := errs.KindOf(err); (s.want == errs.Internal) != (err == nil) || (err != nil && got != s.want) {
			t.Errorf("%s: err = %v, want kind %v", s.name, err, s.want)
		}
	}
}
