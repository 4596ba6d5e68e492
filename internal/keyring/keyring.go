package keyring

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
)

// WrappedKey is a data key as stored: wrapped by the instance key KEKID.
type WrappedKey struct {
	ID        int64
	KEKID     string
	Wrapped   []byte
	CreatedAt time.Time
	Active    bool
}

// Store persists wrapped data keys.
type Store interface {
	DataKeys(ctx context.Context) ([]WrappedKey, error)
	// AddDataKey stores a new wrapped key, makes it the active one and
	// returns its ID.
	AddDataKey(ctx context.Context, kekID string, wrapped []byte) (int64, error)
}

// Keyring seals and opens sensitive values with the data keys, which it
// holds unwrapped in memory. It is safe for concurrent use.
type Keyring struct {
	kek   *Key
	store Store

	mu     sync.RWMutex
	aeads  map[int64]cipher.AEAD
	active int64
}

// DeriveSecret derives a labelled secret from the instance key (see
// Key.DeriveSecret), without handing the instance key out.
func (kr *Keyring) DeriveSecret(label string) [32]byte { return kr.kek.DeriveSecret(label) }

// Open unwraps every stored data key with kek, creating the first data key
// when there is none. It fails, naming both keys, when a data key was
// wrapped by a different instance key (the wrong key file was given).
func Open(ctx context.Context, kek *Key, st Store) (*Keyring, error) {
	kr := &Keyring{kek: kek, store: st, aeads: map[int64]cipher.AEAD{}}
	keys, err := st.DataKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	for _, w := range keys {
		if err := kr.add(w); err != nil {
			return nil, err
		}
	}
	if len(keys) == 0 {
		if err := kr.RotateDataKey(ctx); err != nil {
			return nil, err
		}
	}
	return kr, nil
}

func (kr *Keyring) add(w WrappedKey) error {
	if w.KEKID != kr.kek.ID() {
		return fmt.Errorf("keyring: data key %d is wrapped by instance key %s, but the loaded instance key is %s: is EMBARGO_KEY_FILE (or the data directory) the right one?", w.ID, w.KEKID, kr.kek.ID())
	}
	dek, err := unwrap(kr.kek, w.Wrapped, w.ID)
	if err != nil {
		return err
	}
	aead, err := newAEAD(dek)
	if err != nil {
		return err
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	kr.aeads[w.ID] = aead
	if w.Active || w.ID > kr.active {
		kr.active = w.ID
	}
	return nil
}

// RotateDataKey makes a new data key the active one: values sealed from
// now on use it; older values still open with their own keys.
func (kr *Keyring) RotateDataKey(ctx context.Context) error {
	dek := make([]byte, 32)
	_, _ = rand.Read(dek)
	wrapped, err := wrap(kr.kek, dek)
	if err != nil {
		return err
	}
	id, err := kr.store.AddDataKey(ctx, kr.kek.ID(), wrapped)
	if err != nil {
		return fmt.Errorf("keyring: store data key: %w", err)
	}
	return kr.add(WrappedKey{ID: id, KEKID: kr.kek.ID(), Wrapped: wrapped, Active: true})
}

// sealVersion is the first byte of every sealed value.
const sealVersion = 1

// Seal encrypts plaintext with the active data key. aad binds the value
// to where it is stored (e.g. "reports.body:42"), so that a ciphertext
// copied to another row or column does not open.
func (kr *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	kr.mu.RLock()
	id, aead := kr.active, kr.aeads[kr.active]
	kr.mu.RUnlock()
	if aead == nil {
		return nil, errors.New("keyring: no active data key")
	}
	out := []byte{sealVersion}
	out = binary.AppendUvarint(out, uint64(id))
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, aad), nil
}

// Unseal decrypts a value made by Seal with the same aad. It fails when
// the value was altered, moved (another aad) or sealed by an unknown key.
func (kr *Keyring) Unseal(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 2 || sealed[0] != sealVersion {
		return nil, errors.New("keyring: not a sealed value")
	}
	id, n := binary.Uvarint(sealed[1:])
	if n <= 0 {
		return nil, errors.New("keyring: damaged sealed value")
	}
	kr.mu.RLock()
	aead := kr.aeads[int64(id)]
	kr.mu.RUnlock()
	if aead == nil {
		return nil, fmt.Errorf("keyring: sealed with unknown data key %d", id)
	}
	rest := sealed[1+n:]
	if len(rest) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("keyring: damaged sealed value")
	}
	pt, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], aad)
	if err != nil {
		return nil, errors.New("keyring: sealed value does not open (altered, moved, or another key)")
	}
	return pt, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return cipher.NewGCM(block)
}

// wrapAAD binds a wrapped data key to the instance key that wrapped it.
func wrapAAD(kek *Key) []byte { return []byte("embargo data key\x00" + kek.ID()) }

func wrap(kek *Key, dek []byte) ([]byte, error) {
	aead, err := newAEAD(kek.secret[:])
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, dek, wrapAAD(kek)), nil
}

func unwrap(kek *Key, wrapped []byte, id int64) ([]byte, error) {
	aead, err := newAEAD(kek.secret[:])
	if err != nil {
		return nil, err
	}
	if len(wrapped) < aead.NonceSize() {
		return nil, fmt.Errorf("keyring: data key %d is damaged", id)
	}
	dek, err := aead.Open(nil, wrapped[:aead.NonceSize()], wrapped[aead.NonceSize():], wrapAAD(kek))
	if err != nil || len(dek) != 32 {
		return nil, fmt.Errorf("keyring: data key %d does not unwrap with instance key %s", id, kek.ID())
	}
	return dek, nil
}

// Rewrap unwraps each data key with old and wraps it with new, returning
// the new wrapped forms by ID: the database half of rotating the instance
// key. The caller stores them in one transaction and then swaps key files.
func Rewrap(keys []WrappedKey, old, new *Key) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(keys))
	for _, w := range keys {
		if w.KEKID == new.ID() {
			continue // already rewrapped by an interrupted rotation
		}
		dek, err := unwrap(old, w.Wrapped, w.ID)
		if err != nil {
			return nil, err
		}
		if out[w.ID], err = wrap(new, dek); err != nil {
			return nil, err
		}
	}
	return out, nil
}
