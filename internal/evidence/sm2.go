package evidence

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// AlgSM2 is the co-signature algorithm: an SM2 digital signature
// (GB/T 32918.2-2016) computed with the SM3 hash (GB/T 32905-2016) and
// the default distinguishing identifier "1234567812345678" of
// GB/T 35276-2017, encoded in ASN.1 DER as SEQUENCE { r INTEGER, s
// INTEGER }. It signs the same PAE bytes as the Ed25519 signature, but
// never alone: an envelope needs an Ed25519 signature too.
const AlgSM2 = "SM2-SM3"

// SM2KeyLabel is the label under which the SM2 co-signing key is derived
// from the instance key (see SM2SignerFromInstanceKey).
const SM2KeyLabel = "embargo evidence sm2 key v1"

const (
	// sm2PublicKeySize is an uncompressed point: 0x04, then X and Y of
	// 32 bytes each.
	sm2PublicKeySize = 65
	// sm2MaxSigSize is the longest DER signature: a SEQUENCE header of
	// two bytes and two INTEGERs of two header bytes and 33 bytes (a
	// leading zero before a 32-byte value with the high bit set).
	sm2MaxSigSize = 72
	// sm2KeyTries bounds the key derivation's candidates. One is refused
	// with a probability below 2^-32, so sixteen always suffice.
	sm2KeyTries = 16
)

// AlgSigner is a Signer of an algorithm other than Ed25519. Sign records
// Alg() as the signature's alg and PublicKey() as its public_key, whose
// bytes are then that algorithm's encoding (for AlgSM2, the 65-byte
// uncompressed point) despite the ed25519.PublicKey type. A Signer
// without the method signs with Ed25519.
type AlgSigner interface {
	Signer
	// Alg returns the signature algorithm: AlgSM2.
	Alg() string
}

// sm2Signer is an AlgSigner holding an SM2 private key in memory.
type sm2Signer struct {
	priv *sm2.PrivateKey
	pub  []byte // the uncompressed point
}

func (s sm2Signer) Alg() string { return AlgSM2 }

func (s sm2Signer) PublicKey() ed25519.PublicKey { return bytes.Clone(s.pub) }

// Sign signs message as AlgSM2 describes. SM2 signatures are randomised:
// two signatures of one message differ, and both verify.
func (s sm2Signer) Sign(message []byte) ([]byte, error) {
	return sm2.SignASN1(rand.Reader, s.priv, message, sm2.DefaultSM2SignerOpts)
}

// SM2SignerFromInstanceKey returns the instance's SM2 co-signer. Its
// private key is the first of the 32-byte secrets derived from the
// instance key under SM2KeyLabel, then SM2KeyLabel+" #1", " #2" and so
// on, that read as a big-endian integer lies in [1, n-2], the range
// GB/T 32918.1-2016 allows (n is the order of the SM2 curve). The first
// candidate is almost always taken, and rejecting rather than reducing
// keeps the key uniform. The error (errs.Internal) cannot happen in
// practice.
func SM2SignerFromInstanceKey(k SecretDeriver) (Signer, error) {
	for i := range sm2KeyTries {
		label := SM2KeyLabel
		if i > 0 {
			label = fmt.Sprintf("%s #%d", SM2KeyLabel, i)
		}
		d := k.DeriveSecret(label)
		if priv, err := sm2.NewPrivateKey(d[:]); err == nil {
			return sm2Signer{priv: priv, pub: sm2Point(&priv.PublicKey)}, nil
		}
	}
	return nil, errs.New(errs.Internal, "evidence: no SM2 key in %d derived candidates", sm2KeyTries)
}

// sm2Point encodes a public key as an uncompressed point.
func sm2Point(pub *ecdsa.PublicKey) []byte {
	b := make([]byte, sm2PublicKeySize)
	b[0] = 4
	pub.X.FillBytes(b[1:33])
	pub.Y.FillBytes(b[33:])
	return b
}

// KeyAlg returns the algorithm of a public key as the envelope and Verify
// take it: Alg for 32 bytes, AlgSM2 for an uncompressed point on the SM2
// curve. Anything else is an error.
func KeyAlg(pub []byte) (string, error) {
	switch len(pub) {
	case ed25519.PublicKeySize:
		return Alg, nil
	case sm2PublicKeySize:
		if _, err := sm2.NewPublicKey(pub); err != nil {
			return "", errors.New("not a point on the SM2 curve")
		}
		return AlgSM2, nil
	}
	return "", fmt.Errorf("%d bytes, want %d (Ed25519) or %d (SM2)", len(pub), ed25519.PublicKeySize, sm2PublicKeySize)
}

// checkSM2Shape checks an AlgSM2 signature's key and DER encoding, so
// that a malformed one is an envelope error rather than a bad signature.
func checkSM2Shape(s Signature) error {
	if len(s.PublicKey) != sm2PublicKeySize {
		return fmt.Errorf("public_key is %d bytes, want %d", len(s.PublicKey), sm2PublicKeySize)
	}
	if _, err := sm2.NewPublicKey(s.PublicKey); err != nil {
		return errors.New("public_key is not an uncompressed point on the SM2 curve")
	}
	if len(s.Sig) > sm2MaxSigSize {
		return fmt.Errorf("sig is %d bytes, want at most %d", len(s.Sig), sm2MaxSigSize)
	}
	var r, v []byte
	var seq cryptobyte.String
	in := cryptobyte.String(s.Sig)
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1Integer(&r) || !seq.ReadASN1Integer(&v) || !seq.Empty() {
		return errors.New("sig is not a DER SEQUENCE of two non-negative INTEGERs")
	}
	return nil
}

// verifySM2 reports whether sig is a good AlgSM2 signature of msg by pub.
func verifySM2(pub, msg, sig []byte) bool {
	k, err := sm2.NewPublicKey(pub)
	return err == nil && sm2.VerifyASN1WithSM2(k, nil, msg, sig)
}
