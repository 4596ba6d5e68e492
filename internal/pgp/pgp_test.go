package pgp_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/ProtonMail/gopenpgp/v3/crypto"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/pgp"
	"github.com/google/go-cmp/cmp"
)

// memStore is an in-memory pgp.Store and keyring.Store; the store
// conformance suite checks the SQL one.
type memStore struct {
	mu   sync.Mutex
	keys []pgp.StoredKey
	deks []keyring.WrappedKey
}

func (m *memStore) OpenPGPKeys(context.Context) ([]pgp.StoredKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]pgp.StoredKey(nil), m.keys...), nil
}

func (m *memStore) AddOpenPGPKey(_ context.Context, k pgp.StoredKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.keys) > 0 {
		return false, nil
	}
	k.Active = true
	m.keys = append(m.keys, k)
	return true, nil
}

func (m *memStore) DataKeys(context.Context) ([]keyring.WrappedKey, error) {
	return append([]keyring.WrappedKey(nil), m.deks...), nil
}

func (m *memStore) AddDataKey(_ context.Context, kekID string, wrapped []byte) (int64, error) {
	m.deks = append(m.deks, keyring.WrappedKey{ID: int64(len(m.deks) + 1), KEKID: kekID, Wrapped: wrapped, Active: true})
	return int64(len(m.deks)), nil
}

var intake = pgp.Identity{Name: "Embargo security intake", Email: "security@example.com"}

func mustKeyring(t testing.TB, st keyring.Store) *keyring.Keyring {
	t.Helper()
	kr, err := keyring.Open(context.Background(), keyring.NewKey(), st)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func mustOpen(t testing.TB, st *memStore, sl pgp.Sealer) *pgp.Key {
	t.Helper()
	k, err := pgp.Open(context.Background(), st, sl, intake)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestOpenGeneratesOnceAndReloads(t *testing.T) {
	st := &memStore{}
	kr := mustKeyring(t, st)
	first := mustOpen(t, st, kr)
	again := mustOpen(t, st, kr)
	if first.Fingerprint() != again.Fingerprint() || first.PublicKey() != again.PublicKey() {
		t.Errorf("second Open = %s, want the stored key %s", again.Fingerprint(), first.Fingerprint())
	}
	if len(st.keys) != 1 {
		t.Fatalf("%d keys stored, want 1", len(st.keys))
	}
	if bytes.Contains(st.keys[0].SealedPrivate, []byte("PRIVATE KEY")) {
		t.Error("the stored private key is not sealed")
	}
	pub, err := crypto.NewKeyFromArmored(first.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, id := range pub.GetEntity().Identities {
		ids = append(ids, id.Name)
	}
	if diff := cmp.Diff([]string{"Embargo security intake <security@example.com>"}, ids); diff != "" {
		t.Errorf("user IDs (-want +got):\n%s", diff)
	}
	if pub.IsPrivate() || strings.ToUpper(pub.GetFingerprint()) != first.Fingerprint() {
		t.Errorf("public key: private=%v, fingerprint %s, want public only with %s", pub.IsPrivate(), pub.GetFingerprint(), first.Fingerprint())
	}
}

func TestOpenRefusesWrongInstanceKeyAndMovedKeys(t *testing.T) {
	st := &memStore{}
	kr := mustKeyring(t, st)
	mustOpen(t, st, kr)
	other := &memStore{}
	if _, err := pgp.Open(context.Background(), st, mustKeyring(t, other), intake); err == nil {
		t.Error("Open with another instance keyring succeeded, want an unseal error")
	}
	st.keys[0].Fingerprint = "0123456789ABCDEF0123456789ABCDEF01234567"
	if _, err := pgp.Open(context.Background(), st, kr, intake); err == nil {
		t.Error("Open of a key stored under another fingerprint succeeded, want an error")
	}
}

func TestDecrypt(t *testing.T) {
	st := &memStore{}
	k := mustOpen(t, st, mustKeyring(t, st))
	pub, err := crypto.NewKeyFromArmored(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	enc, err := crypto.PGP().Encryption().Recipient(pub).New()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := enc.Encrypt([]byte("漏洞报告: heap overflow in parser"))
	if err != nil {
		t.Fatal(err)
	}
	armored, err := msg.Armor()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		ciphertext []byte
		wantErr    bool
	}{
		{"armored", []byte(armored), false},
		{"binary", msg.Bytes(), false},
		{"garbage", []byte("-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n"), true},
		{"empty", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := k.Decrypt(tc.ciphertext)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Decrypt err = %v, want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && string(got) != "漏洞报告: heap overflow in parser" {
				t.Errorf("Decrypt = %q", got)
			}
		})
	}
}

func TestSignatures(t *testing.T) {
	st := &memStore{}
	k := mustOpen(t, st, mustKeyring(t, st))
	pub, err := crypto.NewKeyFromArmored(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := crypto.PGP().Verify().VerificationKey(pub).New()
	if err != nil {
		t.Fatal(err)
	}
	text := []byte("Contact: mailto:security@example.com\nExpires: 2027-01-01T00:00:00Z\n")
	signed, err := k.SignCleartext(text)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(signed, []byte("-----BEGIN PGP SIGNED MESSAGE-----\n")) {
		t.Errorf("SignCleartext output does not start with a cleartext signature header:\n%s", signed)
	}
	res, err := verifier.VerifyCleartext(signed)
	if err != nil || res.SignatureError() != nil {
		t.Fatalf("VerifyCleartext: %v, %v", err, res.SignatureError())
	}
	if got := strings.TrimRight(string(res.Cleartext()), "\n"); got != strings.TrimRight(string(text), "\n") {
		t.Errorf("signed text = %q, want %q", got, text)
	}
	sig, err := k.SignDetached(text)
	if err != nil {
		t.Fatal(err)
	}
	vres, err := verifier.VerifyDetached(text, sig, crypto.Armor)
	if err != nil || vres.SignatureError() != nil {
		t.Errorf("VerifyDetached: %v, %v", err, vres.SignatureError())
	}
	vres, _ = verifier.VerifyDetached(append(text, '!'), sig, crypto.Armor)
	if vres == nil || vres.SignatureError() == nil {
		t.Error("a detached signature verified over changed data")
	}
}
