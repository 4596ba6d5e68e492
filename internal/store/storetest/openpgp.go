package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/pgp"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
)

// testOpenPGPKeys checks that the instance's OpenPGP key round-trips, that
// at most one key is ever active, and that nodes opening the key at the
// same first start all end with the same one.
func testOpenPGPKeys(t *testing.T, d Database) {
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	db := Open(t, freshLike(t, d), store.Options{Now: func() time.Time { return at }})
	if keys, err := db.DB.OpenPGPKeys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("OpenPGPKeys on a new database = %v, %v; want none", keys, err)
	}
	first := pgp.StoredKey{Fingerprint: "AA01", PublicKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----", SealedPrivate: []byte{0, 1, 0xff}}
	second := pgp.StoredKey{Fingerprint: "BB02", PublicKey: "pub2", SealedPrivate: []byte{2}}
	for _, tc := range []struct {
		k    pgp.StoredKey
		want bool
	}{{first, true}, {second, false}, {first, false}} {
		if stored, err := db.DB.AddOpenPGPKey(ctx, tc.k); err != nil || stored != tc.want {
			t.Errorf("AddOpenPGPKey(%s) = %v, %v; want %v, nil", tc.k.Fingerprint, stored, err, tc.want)
		}
	}
	got, err := db.DB.OpenPGPKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first.CreatedAt, first.Active = at, true
	if diff := cmp.Diff([]pgp.StoredKey{first}, got); diff != "" {
		t.Errorf("OpenPGPKeys (-want +got):\n%s", diff)
	}
	testOpenPGPKeyRace(t, d)
}

// testOpenPGPKeyRace opens the instance key from several goroutines at
// once, as several nodes starting together would.
func testOpenPGPKeyRace(t *testing.T, d Database) {
	ctx := context.Background()
	db := Open(t, freshLike(t, d), store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), db.DB)
	if err != nil {
		t.Fatal(err)
	}
	const nodes = 4
	fprs := make([]string, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			k, err := pgp.Open(ctx, db.DB, kr, pgp.Identity{Name: "Embargo security intake", Email: "security@example.com"})
			if err != nil {
				t.Errorf("node %d: %v", i, err)
				return
			}
			fprs[i] = k.Fingerprint()
		})
	}
	wg.Wait()
	keys, err := db.DB.OpenPGPKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || !keys[0].Active {
		t.Fatalf("after %d nodes opened the key: %d keys stored, want 1 active", nodes, len(keys))
	}
	want := make([]string, nodes)
	for i := range want {
		want[i] = keys[0].Fingerprint
	}
	if diff := cmp.Diff(want, fprs); diff != "" {
		t.Errorf("fingerprints the nodes use (-want +got):\n%s", diff)
	}
	if n := len(keys[0].Fingerprint); n != 40 {
		t.Errorf("fingerprint %q has %d hex digits, want 40 (v4 key)", keys[0].Fingerprint, n)
	}
}
