package keyring

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// memStore is an in-memory Store for unit tests; the store conformance
// suite checks the SQL one.
type memStore struct {
	mu   sync.Mutex
	keys []WrappedKey
}

func (m *memStore) DataKeys(context.Context) ([]WrappedKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]WrappedKey(nil), m.keys...), nil
}

func (m *memStore) AddDataKey(_ context.Context, kekID string, wrapped []byte) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.keys {
		m.keys[i].Active = false
	}
	id := int64(len(m.keys) + 1)
	m.keys = append(m.keys, WrappedKey{ID: id, KEKID: kekID, Wrapped: wrapped, Active: true})
	return id, nil
}

func mustOpen(t *testing.T, k *Key, st Store) *Keyring {
	t.Helper()
	kr, err := Open(context.Background(), k, st)
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func TestSealUnseal(t *testing.T) {
	kr := mustOpen(t, NewKey(), &memStore{})
	secret := []byte("PoC: 漏洞细节")
	sealed, err := kr.Seal(secret, []byte("reports.body:1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, secret) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := kr.Unseal(sealed, []byte("reports.body:1"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Unseal = %q, %v; want %q", got, err, secret)
	}
	tests := []struct {
		name   string
		sealed []byte
		aad    string
	}{
		{"moved to another row", sealed, "reports.body:2"},
		{"one byte changed", flip(sealed, len(sealed)-1), "reports.body:1"},
		{"truncated", sealed[:5], "reports.body:1"},
		{"not sealed", []byte("plain"), "reports.body:1"},
		{"unknown key", append([]byte{1, 99}, sealed[2:]...), "reports.body:1"},
	}
	for _, tc := range tests {
		if _, err := kr.Unseal(tc.sealed, []byte(tc.aad)); err == nil {
			t.Errorf("%s: Unseal succeeded, want an error", tc.name)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

func TestRotateDataKeyKeepsOldValues(t *testing.T) {
	st := &memStore{}
	kek := NewKey()
	kr := mustOpen(t, kek, st)
	old, _ := kr.Seal([]byte("old"), nil)
	if err := kr.RotateDataKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	newer, _ := kr.Seal([]byte("new"), nil)
	if old[1] == newer[1] {
		t.Errorf("sealed with data key %d after rotation, want a new key", newer[1])
	}
	// A restart loads both keys and opens both values.
	kr2 := mustOpen(t, kek, st)
	for _, v := range [][]byte{old, newer} {
		if _, err := kr2.Unseal(v, nil); err != nil {
			t.Errorf("after reopen: %v", err)
		}
	}
}

func TestWrongInstanceKeyIsRefused(t *testing.T) {
	st := &memStore{}
	mustOpen(t, NewKey(), st)
	_, err := Open(context.Background(), NewKey(), st)
	if err == nil || !strings.Contains(err.Error(), "EMBARGO_KEY_FILE") {
		t.Fatalf("Open with another key: err = %v, want a clear refusal", err)
	}
}

func TestRewrapRotatesInstanceKey(t *testing.T) {
	st := &memStore{}
	old, next := NewKey(), NewKey()
	kr := mustOpen(t, old, st)
	sealed, _ := kr.Seal([]byte("kept"), []byte("x"))
	rewrapped, err := Rewrap(st.keys, old, next)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range st.keys {
		st.keys[i].Wrapped, st.keys[i].KEKID = rewrapped[k.ID], next.ID()
	}
	if _, err := Open(context.Background(), old, st); err == nil {
		t.Error("the old instance key still opens the keyring after rotation")
	}
	got, err := mustOpen(t, next, st).Unseal(sealed, []byte("x"))
	if err != nil || string(got) != "kept" {
		t.Fatalf("after rotation Unseal = %q, %v", got, err)
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "instance.key")
	k, created, err := LoadOrCreateKey(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreateKey = %v, %v; want created", created, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", st.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKey(path)
	if err != nil || created || k2.ID() != k.ID() {
		t.Fatalf("second LoadOrCreateKey = %v, %v, %v; want the same key", k2, created, err)
	}
	if strings.Contains(k.String(), string(k.Encode())) || !strings.HasPrefix(k.String(), "instance-key(") {
		t.Errorf("String() = %q leaks or misnames the key", k.String())
	}
	if err := WriteKey(path, NewKey()); err == nil {
		t.Error("WriteKey replaced an existing key file")
	}
	_ = os.Chmod(path, 0o666)
	if _, _, err := LoadKey(path); err == nil {
		t.Error("LoadKey accepted a world-writable key file")
	}
	_ = os.WriteFile(filepath.Join(dir, "bad"), []byte("hello"), 0o600)
	if _, _, err := LoadKey(filepath.Join(dir, "bad")); err == nil || !strings.Contains(err.Error(), "not an Embargo instance key") {
		t.Errorf("LoadKey(bad) = %v", err)
	}
}

func FuzzUnseal(f *testing.F) {
	kr, err := Open(context.Background(), NewKey(), &memStore{})
	if err != nil {
		f.Fatal(err)
	}
	s, _ := kr.Seal([]byte("seed"), nil)
	f.Add(s)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = kr.Unseal(b, nil) // must not panic
	})
}

func FuzzParseKey(f *testing.F) {
	f.Add(NewKey().Encode())
	f.Add([]byte(keyPrefix + "AAAA"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := ParseKey(b); err == nil && k.ID() == "" {
			t.Fatal("parsed key without an ID")
		}
	})
}
