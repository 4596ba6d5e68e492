// Package keyring holds Embargo's keys for encryption at rest.
//
// The instance key (a key-encryption key) lives outside the database: in
// the data directory (mode 0600) or in a file named by EMBARGO_KEY_FILE. It
// never enters the database or the logs. It wraps (AES-256-GCM) data keys,
// which are stored in the database and encrypt sensitive columns (envelope
// encryption). Rotating the instance key re-wraps the data keys only; the
// data they sealed is untouched, so rotation is quick at any size.
package keyring

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// keyPrefix starts an instance key file, so that a wrong file is told
// apart from a damaged key.
const keyPrefix = "embargo-instance-key-v1:"

// Key is an instance key: 32 random bytes.
type Key struct {
	secret [32]byte
	id     string
}

// NewKey returns a fresh random instance key.
func NewKey() *Key {
	var k Key
	_, _ = rand.Read(k.secret[:]) // crypto/rand.Read never fails on supported platforms
	k.id = keyID(k.secret[:])
	return &k
}

// ID names the key without revealing it: 16 hex digits of a SHA-256 over a
// label and the key. Stored beside every data key it wraps.
func (k *Key) ID() string { return k.id }

// String never prints the secret, so that a key passed to a logger by
// mistake leaks nothing.
func (k *Key) String() string { return "instance-key(" + k.id + ")" }

// DeriveSecret returns a 32-byte secret for one purpose, named by label
// (such as "embargo evidence signing key v1"), derived from the instance
// key with HKDF-SHA256 (RFC 5869; no salt, label as info). Other keys can
// thus hang off the instance key without files of their own: the same key
// and label always give the same secret, and different labels give
// independent secrets that reveal nothing of the instance key or of each
// other. Rotating the instance key changes every derived secret.
func (k *Key) DeriveSecret(label string) [32]byte {
	// HKDF fails only when asked for more than 255 hash lengths of output.
	b, _ := hkdf.Key(sha256.New, k.secret[:], nil, label, 32)
	return [32]byte(b)
}

func keyID(secret []byte) string {
	sum := sha256.Sum256(append([]byte("embargo key id\x00"), secret...))
	return hex.EncodeToString(sum[:8])
}

// Encode returns the key file's text.
func (k *Key) Encode() []byte {
	return []byte(keyPrefix + base64.StdEncoding.EncodeToString(k.secret[:]) + "\n")
}

// ParseKey reads a key file's text.
func ParseKey(b []byte) (*Key, error) {
	s, ok := strings.CutPrefix(strings.TrimSpace(string(b)), keyPrefix)
	if !ok {
		return nil, errors.New("not an Embargo instance key (it must start with " + keyPrefix + ")")
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw) != 32 {
		return nil, errors.New("the instance key is damaged (want 32 bytes in base64)")
	}
	var k Key
	copy(k.secret[:], raw)
	k.id = keyID(raw)
	return &k, nil
}

// LoadKey reads the key file at path. It refuses a file that others may
// write, and reports whether others may read it (warn) so the caller can
// say so.
func LoadKey(path string) (k *Key, readableByOthers bool, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, fmt.Errorf("instance key %s: %w", path, err)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return nil, false, fmt.Errorf("instance key %s is writable by others (mode %04o): run chmod 600 on it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("instance key %s: %w", path, err)
	}
	k, err = ParseKey(b)
	if err != nil {
		return nil, false, fmt.Errorf("instance key %s: %w", path, err)
	}
	return k, st.Mode().Perm()&0o044 != 0, nil
}

// WriteKey writes k to path with mode 0600, atomically (a temporary file
// renamed into place), and fails if path exists.
func WriteKey(path string, k *Key) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("instance key %s already exists", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".instance-key-*")
	if err != nil {
		return fmt.Errorf("write instance key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write instance key: %w", err)
	}
	if _, err := tmp.Write(k.Encode()); err != nil {
		tmp.Close()
		return fmt.Errorf("write instance key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write instance key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write instance key: %w", err)
	}
	// Link, not rename: it fails rather than replaces when path exists.
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("write instance key: %w", err)
	}
	return nil
}

// LoadOrCreateKey loads the key at path, creating it (mode 0600) when it
// does not exist. created reports whether it did.
func LoadOrCreateKey(path string) (k *Key, created bool, err error) {
	k, _, err = LoadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	k = NewKey()
	if err := WriteKey(path, k); err != nil {
		return nil, false, err
	}
	return k, true, nil
}
