package evidence_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/evidence/evidencetest"
	"github.com/google/go-cmp/cmp"
)

// sm2KeyBase64 is the SM2 public key of the fixed test instance key. It
// was computed with OpenSSL 3.0 (openssl kdf HKDF, then openssl ec
// -pubout on the resulting scalar), independently of the Go code.
const (
	sm2KeyBase64 = "BJVeX2Ol69yLaE+cUiQezYvSTJZqqIRPH01vZ1avBp4DJRdFx0pi8zM0t28UIb8K2BJS9TmNw/8AzMsja4GhUeA="
	sm2KeyID     = "f125f539d85427f3"
)

// derivation is a fake evidence.SecretDeriver: the SHA-256 of its name
// and the label.
type derivation string

func (d derivation) DeriveSecret(label string) [32]byte {
	return sha256.Sum256([]byte(string(d) + "\x00" + label))
}

// fixedSecrets is a fake evidence.SecretDeriver answering from a table,
// and zero for labels not in it.
type fixedSecrets map[string][32]byte

func (f fixedSecrets) DeriveSecret(label string) [32]byte { return f[label] }

func mustSM2Signer(t testing.TB, k evidence.SecretDeriver) evidence.Signer {
	t.Helper()
	s, err := evidence.SM2SignerFromInstanceKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// instanceSM2Signer is the SM2 co-signer of the fixed test instance key.
func instanceSM2Signer(t testing.TB) evidence.Signer {
	return mustSM2Signer(t, evidencetest.InstanceKey())
}

// TestEvidenceSM2Key pins the instance's SM2 key, published like the
// Ed25519 one, and the derivation's fall-back labels.
func TestEvidenceSM2Key(t *testing.T) {
	pub := instanceSM2Signer(t).PublicKey()
	got := []string{base64.StdEncoding.EncodeToString(pub), evidence.KeyID(pub), signerAlg(instanceSM2Signer(t))}
	want := []string{sm2KeyBase64, sm2KeyID, evidence.AlgSM2}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SM2 key of the fixed instance key (-want +got):\n%s", diff)
	}

	// Candidates out of [1, n-2] are passed over: all ones is over n, zero
	// is zero; the third candidate, 1, gives the base point G.
	var ones, one [32]byte
	for i := range ones {
		ones[i] = 0xff
	}
	one[31] = 1
	k := fixedSecrets{evidence.SM2KeyLabel: ones, evidence.SM2KeyLabel + " #2": one}
	g := "04" + "32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7" +
		"bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0"
	if got := hex.EncodeToString(mustSM2Signer(t, k).PublicKey()); got != g {
		t.Errorf("SM2 key from the third candidate 1 = %s, want G = %s", got, g)
	}
	if _, err := evidence.SM2SignerFromInstanceKey(fixedSecrets{}); !errs.Is(err, errs.Internal) {
		t.Errorf("SM2SignerFromInstanceKey(only zero candidates) = %v, want an internal error", err)
	}
}

func signerAlg(s evidence.Signer) string {
	if a, ok := s.(evidence.AlgSigner); ok {
		return a.Alg()
	}
	return evidence.Alg
}

// TestEvidenceSM2KnownAnswer verifies testdata/envelope-sm2.json, a pack
// co-signed once by the test instance's keys. SM2 signatures are
// randomised, so the file is not compared with a fresh signature: its
// stored SM2 signature must verify under the pinned key, and its Ed25519
// signature must be the deterministic one. -update re-signs it only when
// the pack changed.
func TestEvidenceSM2KnownAnswer(t *testing.T) {
	path := filepath.Join("testdata", "envelope-sm2.json")
	edOnly := decodeEnvelope(t, mustSign(t, evidencetest.Pack(), instanceSigner()))
	b, err := os.ReadFile(path)
	if *update && (err != nil || !bytes.Equal(decodeEnvelope(t, b).Payload, edOnly.Payload)) {
		b = mustSign(t, evidencetest.Pack(), instanceSigner(), instanceSM2Signer(t))
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	sm2Key, _ := base64.StdEncoding.DecodeString(sm2KeyBase64)
	_, rep, err := evidence.Verify(b, []ed25519.PublicKey{sm2Key})
	if err != nil {
		t.Fatal(err)
	}
	env := decodeEnvelope(t, b)
	got := []any{env.Payload, env.Signatures[0], len(env.Signatures), rep.Signatures[1]}
	want := []any{edOnly.Payload, edOnly.Signatures[0], 2,
		evidence.SignatureInfo{Alg: evidence.AlgSM2, KeyID: sm2KeyID, PublicKey: sm2Key, Trusted: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got; go test -update re-signs it):\n%s", path, diff)
	}
}

func decodeEnvelope(t testing.TB, b []byte) evidence.Envelope {
	t.Helper()
	var env evidence.Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	return env
}

// TestVerifySM2 co-signs a pack with Ed25519 and SM2 and checks what
// Verify reports and trusts.
func TestVerifySM2(t *testing.T) {
	ed, sm := instanceSigner(), instanceSM2Signer(t)
	wrongSM2 := mustSM2Signer(t, derivation("another instance")).PublicKey()
	edInfo := evidence.SignatureInfo{Alg: evidence.Alg, KeyID: evidence.KeyID(ed.PublicKey()), PublicKey: ed.PublicKey()}
	smInfo := evidence.SignatureInfo{Alg: evidence.AlgSM2, KeyID: sm2KeyID, PublicKey: sm.PublicKey()}
	trusted := func(i evidence.SignatureInfo) evidence.SignatureInfo { i.Trusted = true; return i }
	tests := []struct {
		name    string
		signers []evidence.Signer
		trusted []ed25519.PublicKey
		want    evidence.Report
	}{
		{"both trusted", []evidence.Signer{ed, sm}, []ed25519.PublicKey{ed.PublicKey(), sm.PublicKey()},
			evidence.Report{Trusted: true, Signatures: []evidence.SignatureInfo{trusted(edInfo), trusted(smInfo)}}},
		{"only SM2 trusted", []evidence.Signer{ed, sm}, []ed25519.PublicKey{sm.PublicKey()},
			evidence.Report{Trusted: true, Signatures: []evidence.SignatureInfo{edInfo, trusted(smInfo)}}},
		{"Ed25519 and a wrong SM2 key trusted", []evidence.Signer{ed, sm}, []ed25519.PublicKey{ed.PublicKey(), wrongSM2},
			evidence.Report{Trusted: true, Signatures: []evidence.SignatureInfo{trusted(edInfo), smInfo}}},
		{"none trusted", []evidence.Signer{ed, sm}, nil, evidence.Report{Signatures: []evidence.SignatureInfo{edInfo, smInfo}}},
		{"SM2 first", []evidence.Signer{sm, ed}, nil, evidence.Report{Signatures: []evidence.SignatureInfo{smInfo, edInfo}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rep, err := evidence.Verify(mustSign(t, evidencetest.Pack(), tc.signers...), tc.trusted)
			if err != nil {
				t.Fatal(err)
			}
			if got.Case.Ref != "EMB-2026-0001" {
				t.Errorf("pack %q, want EMB-2026-0001", got.Case.Ref)
			}
			if diff := cmp.Diff(tc.want, rep); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// secondSig returns the envelope's second signature, for edit.
func secondSig(env map[string]any) map[string]any {
	return env["signatures"].([]any)[1].(map[string]any)
}

// TestVerifySM2Refuses tampers with a co-signed envelope.
func TestVerifySM2Refuses(t *testing.T) {
	good := mustSign(t, evidencetest.Pack(), instanceSigner(), instanceSM2Signer(t))
	tampered := edit(t, good, func(env, _ map[string]any) { env["payload"] = flipBase64(env["payload"], 100) })
	wrongSM2 := mustSM2Signer(t, derivation("another instance")).PublicKey()
	swap := func(env, _ map[string]any) { s := env["signatures"].([]any); s[0], s[1] = s[1], s[0] }
	tests := []struct {
		name      string
		envelope  []byte
		trusted   []ed25519.PublicKey
		code, msg string
	}{
		{"payload changed: Ed25519 fails", tampered, nil, "evidence.signature", "signature 1 (key aa4347fe05e86d8b) does not verify"},
		{"payload changed: SM2 fails", edit(t, tampered, swap), nil, "evidence.signature", "signature 1 (key " + sm2KeyID + ") does not verify"},
		{"SM2 signature changed", edit(t, good, func(env, _ map[string]any) { secondSig(env)["sig"] = flipBase64(secondSig(env)["sig"], -1) }),
			nil, "evidence.signature", "signature 2 (key " + sm2KeyID + ") does not verify"},
		{"Ed25519 signature dropped", edit(t, good, func(env, _ map[string]any) { env["signatures"] = []any{secondSig(env)} }),
			nil, "evidence.envelope", "there is no Ed25519 signature; an SM2-SM3 signature is a co-signature and cannot stand alone"},
		{"wrong trusted SM2 key", good, []ed25519.PublicKey{wrongSM2},
			"evidence.untrusted", "the signatures are good but by key aa4347fe05e86d8b, " + sm2KeyID + ", none of the trusted keys (" + evidence.KeyID(wrongSM2) + ")"},
		{"Ed25519 key labelled SM2", edit(t, good, func(_, sig map[string]any) { sig["alg"] = evidence.AlgSM2 }),
			nil, "evidence.envelope", "signatures[0]: public_key is 32 bytes, want 65"},
		{"SM2 key labelled Ed25519", edit(t, good, func(env, _ map[string]any) { secondSig(env)["alg"] = evidence.Alg }),
			nil, "evidence.envelope", "signatures[1]: public_key is 65 bytes, want 32"},
		{"SM2 key off the curve", edit(t, good, func(env, _ map[string]any) {
			secondSig(env)["public_key"] = flipBase64(secondSig(env)["public_key"], -1)
		}), nil, "evidence.envelope", "signatures[1]: public_key is not an uncompressed point on the SM2 curve"},
		{"SM2 sig not DER", edit(t, good, func(env, _ map[string]any) { secondSig(env)["sig"] = "AAAA" }),
			nil, "evidence.envelope", "signatures[1]: sig is not a DER SEQUENCE"},
		{"SM2 sig too long", edit(t, good, func(env, _ map[string]any) {
			secondSig(env)["sig"] = base64.StdEncoding.EncodeToString(make([]byte, 73))
		}), nil, "evidence.envelope", "signatures[1]: sig is 73 bytes, want at most 72"},
		{"SM2 key_id not the key's", edit(t, good, func(env, _ map[string]any) { secondSig(env)["key_id"] = "aa4347fe05e86d8b" }),
			nil, "evidence.envelope", `signatures[1]: key_id "aa4347fe05e86d8b" does not name its public key (` + sm2KeyID + ")"},
		{"SM2 key twice", edit(t, good, func(env, _ map[string]any) {
			s := env["signatures"].([]any)
			env["signatures"] = append(s, s[1])
		}), nil, "evidence.envelope", "signatures[2]: key " + sm2KeyID + " signed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := evidence.Verify(tc.envelope, tc.trusted)
			code, _ := errs.CodeOf(err)
			if err == nil || code != tc.code || !strings.Contains(errs.Message(err), tc.msg) || !errs.Is(err, errs.Invalid) {
				t.Errorf("Verify = %v (code %q), want code %s with %q", err, code, tc.code, tc.msg)
			}
		})
	}
}

// TestEvidenceSignSM2Refuses checks that Sign never writes an envelope
// without an Ed25519 signature.
func TestEvidenceSignSM2Refuses(t *testing.T) {
	if b, err := evidence.Sign(evidencetest.Pack(), instanceSM2Signer(t)); !errs.Is(err, errs.Internal) {
		t.Errorf("Sign(SM2 signer only) = %.40q, %v; want an internal error", b, err)
	}
}

// TestEvidenceKeyAlg checks how public keys are told apart.
func TestEvidenceKeyAlg(t *testing.T) {
	sm2Key, _ := base64.StdEncoding.DecodeString(sm2KeyBase64)
	offCurve := bytes.Clone(sm2Key)
	offCurve[64] ^= 1
	tests := []struct {
		name, want, err string
		key             []byte
	}{
		{"Ed25519", evidence.Alg, "", instanceSigner().PublicKey()},
		{"SM2", evidence.AlgSM2, "", sm2Key},
		{"SM2 off the curve", "", "not a point on the SM2 curve", offCurve},
		{"SM2 compressed", "", "33 bytes, want 32 (Ed25519) or 65 (SM2)", append([]byte{2}, sm2Key[1:33]...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := evidence.KeyAlg(tc.key)
			if got != tc.want || (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
				t.Errorf("KeyAlg = %q, %v; want %q, %q", got, err, tc.want, tc.err)
			}
		})
	}
}
