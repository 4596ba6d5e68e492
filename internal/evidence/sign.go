package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/embargohq/embargo/internal/errs"
)

// PayloadType is the envelope's payload_type for an evidence pack. The
// signature covers it (see PAE), so a signature over a pack cannot be
// presented as one over any other kind of document, nor the reverse.
const PayloadType = "application/vnd.embargo.evidence+json"

// Alg is the signature algorithm every envelope has at least one
// signature of. The only other one is AlgSM2, for co-signatures.
const Alg = "Ed25519"

// SigningKeyLabel is the label under which the evidence signing key is
// derived from the instance key (keyring.Key.DeriveSecret). The "v1"
// allows a new key for a new scheme without touching the instance key.
const SigningKeyLabel = "embargo evidence signing key v1"

// Envelope is the signed file: the pack's exact JSON bytes and the
// signatures over them. Its JSON form is
//
//	{"payload_type":"application/vnd.embargo.evidence+json",
//	 "payload":"<base64 of the pack JSON>",
//	 "signatures":[{"alg":"Ed25519","key_id":"…","public_key":"<base64>","sig":"<base64>"}]}
//
// in the manner of DSSE (github.com/secure-systems-lab/dsse), with the
// public key carried along so that the file names its signer. An
// instance that co-signs with SM2 adds a second signature, alg AlgSM2;
// the Ed25519 one is always there.
type Envelope struct {
	PayloadType string `json:"payload_type"`
	// Payload is the pack as Marshal wrote it; base64 (standard, padded)
	// in JSON.
	Payload    []byte      `json:"payload"`
	Signatures []Signature `json:"signatures"`
}

// Signature is one signature of an envelope.
type Signature struct {
	// Alg is Alg, or AlgSM2 for a co-signature.
	Alg string `json:"alg"`
	// KeyID is KeyID(PublicKey).
	KeyID string `json:"key_id"`
	// PublicKey is the signer's public key, base64 in JSON: 32 bytes for
	// Ed25519; for AlgSM2, the 65-byte uncompressed point (the Go type
	// is ed25519.PublicKey for either, for compatibility). It proves
	// integrity only: whether the key is trusted is the verifier's
	// decision (Verify's trusted keys).
	PublicKey ed25519.PublicKey `json:"public_key"`
	// Sig is the signature over PAE(PayloadType, Payload): 64 bytes for
	// Ed25519; for AlgSM2, ASN.1 DER of at most 72 bytes.
	Sig []byte `json:"sig"`
}

// Signer signs evidence envelopes with one Ed25519 key, or with a key of
// another algorithm when it is also an AlgSigner.
type Signer interface {
	// PublicKey returns the key that verifies the signatures.
	PublicKey() ed25519.PublicKey
	// Sign returns the Ed25519 signature of message.
	Sign(message []byte) ([]byte, error)
}

// keySigner is a Signer holding its private key in memory.
type keySigner struct{ priv ed25519.PrivateKey }

func (s keySigner) PublicKey() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

func (s keySigner) Sign(message []byte) ([]byte, error) { return ed25519.Sign(s.priv, message), nil }

// NewSigner returns a Signer for an Ed25519 private key.
func NewSigner(priv ed25519.PrivateKey) Signer { return keySigner{priv} }

// SignerFromInstanceKey returns the instance's evidence signer: an Ed25519
// key whose seed is derived from the instance key under SigningKeyLabel.
// It needs no key file of its own; rotating the instance key gives a new
// signing key (packs signed before still verify with the old public key).
func SignerFromInstanceKey(k SecretDeriver) Signer {
	seed := k.DeriveSecret(SigningKeyLabel)
	return keySigner{ed25519.NewKeyFromSeed(seed[:])}
}

// SecretDeriver derives labelled secrets from the instance key:
// *keyring.Key, or *keyring.Keyring in a running server.
type SecretDeriver interface {
	DeriveSecret(label string) [32]byte
}

// signerAlg returns the algorithm s signs with.
func signerAlg(s Signer) string {
	if a, ok := s.(AlgSigner); ok {
		return a.Alg()
	}
	return Alg
}

// KeyID names a public key, of either algorithm: the first 16 hex digits
// of the SHA-256 of its bytes as the envelope carries them.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PAE is the pre-authentication encoding that is signed, as in DSSE v1:
//
//	"DSSEv1" SP len(payloadType) SP payloadType SP len(payload) SP payload
//
// with the lengths in bytes as ASCII decimal. Binding the type and both
// lengths into the signed bytes makes type confusion and ambiguous
// concatenations impossible.
func PAE(payloadType string, payload []byte) []byte {
	b := fmt.Appendf(nil, "DSSEv1 %d %s %d ", len(payloadType), payloadType, len(payload))
	return append(b, payload...)
}

// Sign marshals p and returns the envelope, signed by every signer in
// order, as JSON. It refuses (errs.Invalid, code evidence.content) a pack
// that Verify would find inconsistent, and needs (errs.Internal) at least
// one Ed25519 signer and no signer of an unknown algorithm.
func Sign(p Pack, signers ...Signer) ([]byte, error) {
	if probs := p.Problems(); len(probs) > 0 {
		return nil, contentError(probs)
	}
	payload, err := Marshal(p)
	if err != nil {
		return nil, err
	}
	return signPayload(payload, signers)
}

// signPayload signs payload as it is.
func signPayload(payload []byte, signers []Signer) ([]byte, error) {
	if !slices.ContainsFunc(signers, func(s Signer) bool { return signerAlg(s) == Alg }) {
		return nil, errs.New(errs.Internal, "evidence: Sign needs an %s signer", Alg)
	}
	env := Envelope{PayloadType: PayloadType, Payload: payload}
	msg := PAE(PayloadType, payload)
	for _, s := range signers {
		alg := signerAlg(s)
		if alg != Alg && alg != AlgSM2 {
			return nil, errs.New(errs.Internal, "evidence: unknown signature algorithm %q", alg)
		}
		sig, err := s.Sign(msg)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "evidence: sign")
		}
		pub := s.PublicKey()
		env.Signatures = append(env.Signatures, Signature{Alg: alg, KeyID: KeyID(pub), PublicKey: pub, Sig: sig})
	}
	b, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
