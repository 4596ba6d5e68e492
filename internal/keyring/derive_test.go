package keyring

import (
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixedKey returns the instance key whose secret is the bytes 0 to 31.
func fixedKey(t *testing.T) *Key {
	t.Helper()
	secret := make([]byte, 32)
	for i := range secret {
		secret[i] = byte(i)
	}
	k, err := ParseKey([]byte(keyPrefix + base64.StdEncoding.EncodeToString(secret)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestDeriveSecretKnownAnswers pins the derivation: published keys (the
// evidence signing key) depend on it, so it must never change. The
// expected values were computed with an independent HKDF-SHA256
// (Python's hmac module, RFC 5869 with an empty salt).
func TestDeriveSecretKnownAnswers(t *testing.T) {
	k := fixedKey(t)
	tests := []struct {
		label, want string
	}{
		{"embargo evidence signing key v1", "c47d71d06d44fd70333dd83fcac3c142bd83dca98d4cacbabddb9b157cd9f26a"},
		{"other", "75a38473a19350d1ab5db418566333d66cc7f6fcf09d01e3cda07937fdf5dd02"},
	}
	for _, tc := range tests {
		got := k.DeriveSecret(tc.label)
		if diff := cmp.Diff(tc.want, hex.EncodeToString(got[:])); diff != "" {
			t.Errorf("DeriveSecret(%q) (-want +got):\n%s", tc.label, diff)
		}
	}
}

// TestDeriveSecretSeparates checks that labels and keys separate the
// derived secrets and that the instance key itself is never returned.
func TestDeriveSecretSeparates(t *testing.T) {
	k, other := NewKey(), NewKey()
	a, b := k.DeriveSecret("a"), k.DeriveSecret("b")
	if a != k.DeriveSecret("a") {
		t.Error("the same key and label gave different secrets")
	}
	if a == b {
		t.Error("two labels gave the same secret")
	}
	if a == other.DeriveSecret("a") {
		t.Error("two instance keys gave the same secret")
	}
	if a == k.secret {
		t.Error("DeriveSecret returned the instance key itself")
	}
}
