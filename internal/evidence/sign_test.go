package evidence_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/evidence/evidencetest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// instanceSigner is the signer of the fixed test instance key.
func instanceSigner() evidence.Signer {
	return evidence.SignerFromInstanceKey(evidencetest.InstanceKey())
}

// newSigner returns a signer with a fresh random key.
func newSigner(t testing.TB) evidence.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return evidence.NewSigner(priv)
}

func mustSign(t testing.TB, p evidence.Pack, signers ...evidence.Signer) []byte {
	t.Helper()
	b, err := evidence.Sign(p, signers...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEvidencePAE checks the encoding against the example of the DSSE
// specification (protocol.md).
func TestEvidencePAE(t *testing.T) {
	got := string(evidence.PAE("http://example.com/HelloWorld", []byte("hello world")))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if got != want {
		t.Errorf("PAE = %q, want %q", got, want)
	}
}

// TestEvidenceSigningKey pins the instance's evidence key: it is
// published, so its derivation must never change silently. The expected
// key was computed with OpenSSL from the HKDF output pinned in the
// keyring tests.
func TestEvidenceSigningKey(t *testing.T) {
	pub := instanceSigner().PublicKey()
	got := []string{base64.StdEncoding.EncodeToString(pub), evidence.KeyID(pub)}
	want := []string{"UJSNwLwC8IAVKzNSx1Li3xC2N1KlvygDYCiFnFZO5mE=", "aa4347fe05e86d8b"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("evidence key of the fixed instance key (-want +got):\n%s", diff)
	}
}

// TestEvidenceEnvelopeGolden pins a whole signed file (Ed25519 signatures
// are deterministic), for anyone writing their own verifier.
func TestEvidenceEnvelopeGolden(t *testing.T) {
	checkGolden(t, "envelope.json", mustSign(t, evidencetest.Pack(), instanceSigner()))
}

// TestVerifyRoundTrip signs packs with one and two keys and verifies them.
func TestVerifyRoundTrip(t *testing.T) {
	a, b := instanceSigner(), newSigner(t)
	want := evidencetest.Pack()
	tests := []struct {
		name    string
		signers []evidence.Signer
		trusted []ed25519.PublicKey
		want    evidence.Report
	}{
		{"one key, trusted", []evidence.Signer{a}, []ed25519.PublicKey{a.PublicKey()}, evidence.Report{Trusted: true,
			Signatures: []evidence.SignatureInfo{{Alg: evidence.Alg, KeyID: evidence.KeyID(a.PublicKey()), PublicKey: a.PublicKey(), Trusted: true}}}},
		{"one key, none trusted", []evidence.Signer{a}, nil, evidence.Report{
			Signatures: []evidence.SignatureInfo{{Alg: evidence.Alg, KeyID: evidence.KeyID(a.PublicKey()), PublicKey: a.PublicKey()}}}},
		{"two keys, second trusted", []evidence.Signer{a, b}, []ed25519.PublicKey{b.PublicKey()}, evidence.Report{Trusted: true,
			Signatures: []evidence.SignatureInfo{{Alg: evidence.Alg, KeyID: evidence.KeyID(a.PublicKey()), PublicKey: a.PublicKey()},
				{Alg: evidence.Alg, KeyID: evidence.KeyID(b.PublicKey()), PublicKey: b.PublicKey(), Trusted: true}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rep, err := evidence.Verify(mustSign(t, want, tc.signers...), tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("pack (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, rep); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
	if got := (evidence.Report{}).Trust(); got != "signed by an untrusted/unknown key, integrity only" {
		t.Errorf("Trust() without trusted keys = %q", got)
	}
}

// TestEvidenceSignRefuses checks that Sign never writes what Verify
// would refuse.
func TestEvidenceSignRefuses(t *testing.T) {
	p := evidencetest.Pack()
	p.Duties[0].Evidence = nil
	_, err := evidence.Sign(p, instanceSigner())
	if code, _ := errs.CodeOf(err); code != "evidence.content" {
		t.Errorf("Sign(inconsistent pack) = %v, want evidence.content", err)
	}
	if _, err := evidence.Sign(evidencetest.Pack()); err == nil {
		t.Error("Sign without a signer succeeded")
	}
}

// TestEvidenceEnvelopeShape checks the envelope's JSON members by name.
func TestEvidenceEnvelopeShape(t *testing.T) {
	var env map[string]any
	if err := json.Unmarshal(mustSign(t, evidencetest.Pack(), instanceSigner()), &env); err != nil {
		t.Fatal(err)
	}
	sig := env["signatures"].([]any)[0].(map[string]any)
	got := []any{env["payload_type"], sig["alg"], sig["key_id"], sig["public_key"]}
	want := []any{"application/vnd.embargo.evidence+json", "Ed25519", "aa4347fe05e86d8b", "UJSNwLwC8IAVKzNSx1Li3xC2N1KlvygDYCiFnFZO5mE="}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("envelope members (-want +got):\n%s", diff)
	}
}
