// Package pgp holds the instance's OpenPGP key: the key reporters encrypt
// vulnerability reports to (published at /.well-known/openpgp-key.asc and
// in security.txt's Encryption field), and that signs what the instance
// publishes (security.txt's cleartext signature).
//
// The key pair is generated at first use with a modern profile (Ed25519
// signing key, Curve25519 encryption subkey, OpenPGP v4 packets that every
// current implementation reads) and stored in the database. The private key
// never sits there in clear: it is sealed by the instance keyring, bound to
// its fingerprint. When several nodes start at once, each may generate a
// key, but the store keeps only the first; the others adopt it.
package pgp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/gopenpgp/v3/crypto"
	"github.com/ProtonMail/gopenpgp/v3/profile"
)

// MaxPlaintext bounds what Decrypt returns, in bytes. OpenPGP messages may
// be compressed, so a small ciphertext could otherwise expand without
// limit.
const MaxPlaintext = 64 << 20

// Identity names the key's owner in its user ID, as in
// "Embargo security intake <security@example.com>".
type Identity struct {
	Name  string
	Email string
}

// StoredKey is a key pair as the store keeps it.
type StoredKey struct {
	// Fingerprint is the primary key's fingerprint, upper-case hex.
	Fingerprint string
	// PublicKey is the armored transferable public key.
	PublicKey string
	// SealedPrivate is the binary private key, sealed by the instance
	// keyring with the AAD returned by PrivateKeyAAD.
	SealedPrivate []byte
	// CreatedAt is when the key was stored (UTC); the store sets it.
	CreatedAt time.Time
	// Active marks the key in use; at most one key is active.
	Active bool
}

// Store persists key pairs.
type Store interface {
	// OpenPGPKeys returns every stored key, oldest first.
	OpenPGPKeys(ctx context.Context) ([]StoredKey, error)
	// AddOpenPGPKey stores k as the active key unless a key is active
	// already, atomically, and reports whether it stored k.
	AddOpenPGPKey(ctx context.Context, k StoredKey) (bool, error)
}

// Sealer encrypts values bound to where they are stored; *keyring.Keyring
// is one.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Unseal(ciphertext, aad []byte) ([]byte, error)
}

// PrivateKeyAAD is the additional data that binds a sealed private key to
// its fingerprint, so that a sealed key copied to another row does not open.
func PrivateKeyAAD(fingerprint string) []byte {
	return []byte("openpgp_keys.private_key:" + fingerprint)
}

// Key is the instance's OpenPGP key. It is safe for concurrent use.
type Key struct {
	handle  *crypto.PGPHandle
	active  *crypto.Key
	all     *crypto.KeyRing // every stored key, so old mail still decrypts
	fpr     string
	armored string
}

// Open loads the instance's key, generating and storing one for id when
// there is none. It fails when a stored private key does not unseal (the
// wrong instance key was loaded) or does not match its fingerprint.
func Open(ctx context.Context, st Store, sl Sealer, id Identity) (*Key, error) {
	keys, err := st.OpenPGPKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgp: %w", err)
	}
	if activeOf(keys) == nil {
		if err := generate(ctx, st, sl, id); err != nil {
			return nil, err
		}
		if keys, err = st.OpenPGPKeys(ctx); err != nil {
			return nil, fmt.Errorf("pgp: %w", err)
		}
	}
	return load(keys, sl)
}

func activeOf(keys []StoredKey) *StoredKey {
	for i := range keys {
		if keys[i].Active {
			return &keys[i]
		}
	}
	return nil
}

// generate makes a new key pair and offers it to the store, which keeps it
// only when no other node stored one first.
func generate(ctx context.Context, st Store, sl Sealer, id Identity) error {
	if id.Email == "" {
		return errors.New("pgp: generate key: the identity needs an e-mail address")
	}
	handle := crypto.PGPWithProfile(profile.Default())
	k, err := handle.KeyGeneration().AddUserId(id.Name, id.Email).New().GenerateKey()
	if err != nil {
		return fmt.Errorf("pgp: generate key: %w", err)
	}
	defer k.ClearPrivateParams()
	sk, err := seal(k, sl)
	if err != nil {
		return err
	}
	if _, err := st.AddOpenPGPKey(ctx, sk); err != nil {
		return fmt.Errorf("pgp: store key: %w", err)
	}
	return nil
}

func seal(k *crypto.Key, sl Sealer) (StoredKey, error) {
	fpr := strings.ToUpper(k.GetFingerprint())
	pub, err := k.GetArmoredPublicKey()
	if err != nil {
		return StoredKey{}, fmt.Errorf("pgp: armor public key: %w", err)
	}
	priv, err := k.Serialize()
	if err != nil {
		return StoredKey{}, fmt.Errorf("pgp: serialize private key: %w", err)
	}
	sealed, err := sl.Seal(priv, PrivateKeyAAD(fpr))
	clear(priv)
	if err != nil {
		return StoredKey{}, fmt.Errorf("pgp: seal private key: %w", err)
	}
	return StoredKey{Fingerprint: fpr, PublicKey: pub, SealedPrivate: sealed, Active: true}, nil
}

// load unseals the stored keys into a Key.
func load(keys []StoredKey, sl Sealer) (*Key, error) {
	active := activeOf(keys)
	if active == nil {
		return nil, errors.New("pgp: no active key")
	}
	out := &Key{handle: crypto.PGPWithProfile(profile.Default()), fpr: active.Fingerprint, armored: active.PublicKey}
	out.all, _ = crypto.NewKeyRing(nil)
	for _, sk := range keys {
		k, err := unseal(sk, sl)
		if err != nil {
			return nil, err
		}
		if err := out.all.AddKey(k); err != nil {
			return nil, fmt.Errorf("pgp: key %s: %w", sk.Fingerprint, err)
		}
		if sk.Active {
			out.active = k
		}
	}
	return out, nil
}

func unseal(sk StoredKey, sl Sealer) (*crypto.Key, error) {
	bin, err := sl.Unseal(sk.SealedPrivate, PrivateKeyAAD(sk.Fingerprint))
	if err != nil {
		return nil, fmt.Errorf("pgp: unseal key %s: %w", sk.Fingerprint, err)
	}
	defer clear(bin)
	k, err := crypto.NewKey(bin)
	if err != nil {
		return nil, fmt.Errorf("pgp: read key %s: %w", sk.Fingerprint, err)
	}
	if got := strings.ToUpper(k.GetFingerprint()); got != sk.Fingerprint || !k.IsPrivate() {
		return nil, fmt.Errorf("pgp: key stored as %s is %s or has no private part", sk.Fingerprint, got)
	}
	return k, nil
}

// Fingerprint returns the active key's fingerprint, upper-case hex.
func (k *Key) Fingerprint() string { return k.fpr }

// PublicKey returns the active key's armored public key, for
// /.well-known/openpgp-key.asc and security.txt's Encryption field.
func (k *Key) PublicKey() string { return k.armored }

// Decrypt decrypts an OpenPGP message, armored or binary, encrypted to any
// of the instance's keys, and returns at most MaxPlaintext bytes of
// plaintext. Signatures in the message are not checked: reporters' keys are
// unknown here.
func (k *Key) Decrypt(ciphertext []byte) ([]byte, error) {
	if k == nil {
		return nil, errors.New("pgp: decrypt: no key")
	}
	dec, err := k.handle.Decryption().DecryptionKeys(k.all).MaxDecompressedMessageSize(MaxPlaintext).New()
	if err != nil {
		return nil, fmt.Errorf("pgp: decrypt: %w", err)
	}
	res, err := dec.Decrypt(ciphertext, crypto.Auto)
	if err != nil {
		return nil, fmt.Errorf("pgp: decrypt: %w", err)
	}
	return res.Bytes(), nil
}

// SignCleartext returns text with a cleartext signature by the active key
// (RFC 9580 §7), the form security.txt is signed in (RFC 9116 §2.3).
func (k *Key) SignCleartext(text []byte) ([]byte, error) {
	s, err := k.handle.Sign().SigningKey(k.active).ArmorHeader("", "").New()
	if err != nil {
		return nil, fmt.Errorf("pgp: sign: %w", err)
	}
	out, err := s.SignCleartext(text)
	if err != nil {
		return nil, fmt.Errorf("pgp: sign: %w", err)
	}
	return out, nil
}

// SignDetached returns an armored detached signature of data by the active
// key.
func (k *Key) SignDetached(data []byte) ([]byte, error) {
	s, err := k.handle.Sign().SigningKey(k.active).Detached().ArmorHeader("", "").New()
	if err != nil {
		return nil, fmt.Errorf("pgp: sign: %w", err)
	}
	out, err := s.Sign(data, crypto.Armor)
	if err != nil {
		return nil, fmt.Errorf("pgp: sign: %w", err)
	}
	return out, nil
}

// Encrypt encrypts plaintext to the armored public key, as a reporter's
// OpenPGP tool would: armored text, or binary packets (a .gpg file).
func Encrypt(publicKey string, plaintext []byte, armor bool) ([]byte, error) {
	pub, err := crypto.NewKeyFromArmored(publicKey)
	if err != nil {
		return nil, fmt.Errorf("pgp: encrypt: %w", err)
	}
	enc, err := crypto.PGP().Encryption().Recipient(pub).New()
	if err != nil {
		return nil, fmt.Errorf("pgp: encrypt: %w", err)
	}
	msg, err := enc.Encrypt(plaintext)
	if err != nil {
		return nil, fmt.Errorf("pgp: encrypt: %w", err)
	}
	if !armor {
		return msg.Bytes(), nil
	}
	a, err := msg.Armor()
	return []byte(a), err
}
