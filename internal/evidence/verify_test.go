package evidence_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/evidence/evidencetest"
)

// testKey is a fixed Ed25519 key for envelopes built by hand.
var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))

// handSigned builds an envelope around payload without the package's
// signing code, so that the tests also check the format against the
// documentation: Ed25519 over PAE(payloadType, payload).
func handSigned(t testing.TB, payloadType string, payload []byte) []byte {
	t.Helper()
	pub := testKey.Public().(ed25519.PublicKey)
	env := map[string]any{
		"payload_type": evidence.PayloadType,
		"payload":      base64.StdEncoding.EncodeToString(payload),
		"signatures": []any{map[string]any{"alg": "Ed25519", "key_id": evidence.KeyID(pub),
			"public_key": base64.StdEncoding.EncodeToString(pub),
			"sig":        base64.StdEncoding.EncodeToString(ed25519.Sign(testKey, evidence.PAE(payloadType, payload)))}},
	}
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit decodes an envelope, lets change alter it, and encodes it again.
func edit(t testing.TB, envelope []byte, change func(env, sig map[string]any)) []byte {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(envelope, &env); err != nil {
		t.Fatal(err)
	}
	change(env, env["signatures"].([]any)[0].(map[string]any))
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// flipBase64 flips one bit of the i-th decoded byte of a base64 string
// (counting from the end when i < 0).
func flipBase64(s any, i int) string {
	b, _ := base64.StdEncoding.DecodeString(s.(string))
	if i < 0 {
		i += len(b)
	}
	b[i] ^= 1
	return base64.StdEncoding.EncodeToString(b)
}

// TestVerifyRefuses tampers with each part of a good envelope and checks
// the error's code and message.
func TestVerifyRefuses(t *testing.T) {
	good := mustSign(t, evidencetest.Pack(), instanceSigner())
	payload := mustMarshal(t, evidencetest.Pack())
	other := newSigner(t).PublicKey()
	inconsistent := evidencetest.Pack()
	inconsistent.Duties[2].Evidence = nil
	tests := []struct {
		name      string
		envelope  []byte
		trusted   []ed25519.PublicKey
		code, msg string
	}{
		{"payload byte changed", edit(t, good, func(env, _ map[string]any) { env["payload"] = flipBase64(env["payload"], 100) }),
			nil, "evidence.signature", "signature 1 (key aa4347fe05e86d8b) does not verify"},
		{"signature byte changed", edit(t, good, func(_, sig map[string]any) { sig["sig"] = flipBase64(sig["sig"], -1) }),
			nil, "evidence.signature", "does not verify"},
		{"another public key", edit(t, good, func(_, sig map[string]any) {
			sig["public_key"], sig["key_id"] = base64.StdEncoding.EncodeToString(other), evidence.KeyID(other)
		}), nil, "evidence.signature", "does not verify"},
		{"key_id not the key's", edit(t, good, func(_, sig map[string]any) { sig["key_id"] = "0000000000000000" }),
			nil, "evidence.envelope", `signatures[0]: key_id "0000000000000000" does not name its public key (aa4347fe05e86d8b)`},
		{"payload type changed", edit(t, good, func(env, _ map[string]any) { env["payload_type"] = "application/json" }),
			nil, "evidence.envelope", `payload_type is "application/json"`},
		{"signed as another type", handSigned(t, "application/vnd.in-toto+json", payload),
			nil, "evidence.signature", "does not verify"},
		{"unknown member", edit(t, good, func(env, _ map[string]any) { env["comment"] = "x" }),
			nil, "evidence.envelope", `unknown member "comment"`},
		{"member spelt differently", bytes.Replace(good, []byte(`"payload":`), []byte(`"Payload":`), 1),
			nil, "evidence.envelope", `unknown member "Payload"`},
		{"member twice", bytes.Replace(good, []byte(`"payload_type":`), []byte(`"payload_type": "x", "payload_type":`), 1),
			nil, "evidence.envelope", `member "payload_type" appears twice`},
		{"unknown signature member", edit(t, good, func(_, sig map[string]any) { sig["cert"] = "x" }),
			nil, "evidence.envelope", `signatures[0]: unknown member "cert"`},
		{"no signatures", edit(t, good, func(env, _ map[string]any) { env["signatures"] = []any{} }),
			nil, "evidence.envelope", "there are no signatures"},
		{"other algorithm", edit(t, good, func(_, sig map[string]any) { sig["alg"] = "ES256" }),
			nil, "evidence.envelope", `alg is "ES256"`},
		{"short signature", edit(t, good, func(_, sig map[string]any) { sig["sig"] = "AAAA" }),
			nil, "evidence.envelope", "sig is 3 bytes, want 64"},
		{"same key twice", edit(t, good, func(env, sig map[string]any) { env["signatures"] = []any{sig, sig} }),
			nil, "evidence.envelope", "key aa4347fe05e86d8b signed twice"},
		{"not JSON", []byte("PK\x03\x04"), nil, "evidence.envelope", "not a JSON object"},
		{"data after the object", append(bytes.Clone(good), "{}"...), nil, "evidence.envelope", "data after the JSON object"},
		{"untrusted signer", good, []ed25519.PublicKey{other},
			"evidence.untrusted", "the signatures are good but by key aa4347fe05e86d8b, none of the trusted keys (" + evidence.KeyID(other) + ")"},
		{"unknown format", handSigned(t, evidence.PayloadType, bytes.Replace(payload, []byte(evidence.Format), []byte("embargo-evidence/2"), 1)),
			nil, "evidence.format", `the pack's format is "embargo-evidence/2"`},
		{"unknown pack field", handSigned(t, evidence.PayloadType, bytes.Replace(payload, []byte(`"instance":`), []byte(`"extra": 1, "instance":`), 1)),
			nil, "evidence.payload", `unknown field "extra"`},
		{"not canonical", handSigned(t, evidence.PayloadType, compact(t, payload)),
			nil, "evidence.payload", "not in the canonical form"},
		{"inconsistent content", handSigned(t, evidence.PayloadType, mustMarshal(t, inconsistent)),
			nil, "evidence.content", "(1 problems): duties[2] (cn.nvdb_report): state met but no evidence"},
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

func compact(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestVerifyHandSigned checks that an envelope made by hand from the
// documentation verifies, returning the pack even when its content is
// inconsistent, and that warnings are reported.
func TestVerifyHandSigned(t *testing.T) {
	p := evidencetest.Pack()
	p.LegalMapping.ReviewedOn = "2024-01-01"
	got, rep, err := evidence.Verify(handSigned(t, evidence.PayloadType, mustMarshal(t, p)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Case.Ref != "EMB-2026-0001" || rep.Trusted || len(rep.Signatures) != 1 {
		t.Errorf("Verify = %s, %+v", got.Case.Ref, rep)
	}
	want := "the legal mapping table was last reviewed on 2024-01-01, more than 12 months before the pack was made (CN-12-1 asks for a yearly review)"
	if len(rep.Warnings) != 1 || rep.Warnings[0] != want {
		t.Errorf("warnings = %q, want [%q]", rep.Warnings, want)
	}

	p.Duties[0].Evidence = nil
	got, _, err = evidence.Verify(handSigned(t, evidence.PayloadType, mustMarshal(t, p)), nil)
	if err == nil || got.Case.Ref != "EMB-2026-0001" {
		t.Errorf("Verify(inconsistent) = %q, %v; want the pack and an error", got.Case.Ref, err)
	}
}
