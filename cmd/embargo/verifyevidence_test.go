package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/evidence/evidencetest"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/google/go-cmp/cmp"
)

// writeFile writes b to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tamper flips one bit of the decoded base64 member of the envelope's
// top level (member "payload") or of its first signature ("sig").
func tamper(t *testing.T, envelope []byte, member string) []byte {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(envelope, &env); err != nil {
		t.Fatal(err)
	}
	obj := env
	if member == "sig" {
		obj = env["signatures"].([]any)[0].(map[string]any)
	}
	b, _ := base64.StdEncoding.DecodeString(obj[member].(string))
	b[len(b)/2] ^= 0x20
	obj[member] = base64.StdEncoding.EncodeToString(b)
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// signByHand signs payload as the documentation describes, bypassing
// evidence.Sign's refusal of inconsistent packs.
func signByHand(t *testing.T, priv ed25519.PrivateKey, payload []byte) []byte {
	t.Helper()
	pub := priv.Public().(ed25519.PublicKey)
	b, err := json.Marshal(evidence.Envelope{PayloadType: evidence.PayloadType, Payload: payload,
		Signatures: []evidence.Signature{{Alg: evidence.Alg, KeyID: evidence.KeyID(pub), PublicKey: pub,
			Sig: ed25519.Sign(priv, evidence.PAE(evidence.PayloadType, payload))}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVerifyEvidence runs `embargo verify evidence` on good, tampered and
// inconsistent packs with and without trusted keys. No database and no
// configuration are involved.
func TestVerifyEvidence(t *testing.T) {
	dir := t.TempDir()
	signer := evidence.SignerFromInstanceKey(evidencetest.InstanceKey())
	pub := base64.StdEncoding.EncodeToString(signer.PublicKey())
	good, err := evidence.Sign(evidencetest.Pack(), signer)
	if err != nil {
		t.Fatal(err)
	}
	otherPub, otherPriv, _ := ed25519.GenerateKey(nil)
	inconsistent := evidencetest.Pack()
	inconsistent.Duties[2].Evidence = nil
	payload, err := evidence.Marshal(inconsistent)
	if err != nil {
		t.Fatal(err)
	}
	goodFile := writeFile(t, dir, "good.json", good)
	keyList := writeFile(t, dir, "keys.txt", []byte("# published keys\n"+base64.StdEncoding.EncodeToString(otherPub)+"\n"+pub+"\n"))
	instanceKey := writeFile(t, dir, "instance.key", evidencetest.InstanceKey().Encode())
	const summary = "evidence EMB-2026-0001: signature good (key aa4347fe05e86d8b, trusted), 8 duties, 3 met, content consistent\n"
	tests := []struct {
		name          string
		args          []string
		wantOut       string // stdout, exactly
		wantErr       string // "" for success
		wantOutSubstr string // for failures: a part of stdout
	}{
		{"good, trusted key after the file", []string{goodFile, "--public-key", pub}, summary, "", ""},
		{"good, trusted key before the file", []string{"--public-key", pub, goodFile}, summary, "", ""},
		{"good, key list", []string{goodFile, "--key-file", keyList}, summary, "", ""},
		{"good, instance key file", []string{goodFile, "--key-file", instanceKey}, summary, "", ""},
		{"good, no trusted key", []string{goodFile},
			"evidence EMB-2026-0001: signature good (key aa4347fe05e86d8b, signed by an untrusted/unknown key, integrity only), 8 duties, 3 met, content consistent\n", "", ""},
		{"tampered payload", []string{writeFile(t, dir, "payload.json", tamper(t, good, "payload")), "--public-key", pub},
			"", "signature 1 (key aa4347fe05e86d8b) does not verify", "FAILED"},
		{"tampered signature", []string{writeFile(t, dir, "sig.json", tamper(t, good, "sig")), "--public-key", pub},
			"", "does not verify: the pack or the signature was changed after signing", "FAILED"},
		{"wrong trusted key", []string{goodFile, "--public-key", base64.StdEncoding.EncodeToString(otherPub)},
			"", "the signatures are good but by key aa4347fe05e86d8b, none of the trusted keys (" + evidence.KeyID(otherPub) + ")", "FAILED"},
		{"inconsistent content", []string{writeFile(t, dir, "inconsistent.json", signByHand(t, otherPriv, payload))},
			"", "evidence EMB-2026-0001: the content is inconsistent (1 problems, listed above)",
			"content INCONSISTENT:\n  - duties[2] (cn.nvdb_report): state met but no evidence\n"},
		{"not an envelope", []string{instanceKey}, "", "not an evidence envelope", "FAILED"},
		{"no such file", []string{filepath.Join(dir, "missing.json")}, "", "no such file", ""},
		{"bad public key", []string{goodFile, "--public-key", "c2hvcnQ="}, "", "want a 32-byte Ed25519 or 65-byte SM2 public key", ""},
		{"no file", []string{"--public-key", pub}, "", "usage: embargo verify evidence FILE", ""},
		{"two files", []string{goodFile, goodFile}, "", "usage: embargo verify evidence FILE", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, append([]string{"verify", "evidence"}, tc.args...)...)
			if tc.wantErr == "" {
				if err != nil || out != tc.wantOut {
					t.Fatalf("verify evidence = %q, %v; want %q", out, err, tc.wantOut)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("verify evidence error = %v, want %q", err, tc.wantErr)
			}
			if !strings.Contains(out, tc.wantOutSubstr) {
				t.Errorf("verify evidence printed %q, want %q in it", out, tc.wantOutSubstr)
			}
		})
	}
}

// TestVerifyEvidenceHTML checks that a verified pack can be written out
// as the readable page, and that an unverified one is not.
func TestVerifyEvidenceHTML(t *testing.T) {
	dir := t.TempDir()
	good, err := evidence.Sign(evidencetest.Pack(), evidence.SignerFromInstanceKey(evidencetest.InstanceKey()))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "pack.html")
	if _, err := runCLI(t, "verify", "evidence", writeFile(t, dir, "good.json", good), "--html", page, "--lang", "en"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(page)
	if err != nil || !bytes.Contains(b, []byte(`<html lang="en">`)) || !bytes.Contains(b, []byte("cn.nvdb_report")) {
		t.Fatalf("page = %.200q, %v", b, err)
	}
	bad := filepath.Join(dir, "bad.html")
	if _, err := runCLI(t, "verify", "evidence", writeFile(t, dir, "bad.json", tamper(t, good, "payload")), "--html", bad); err == nil {
		t.Fatal("a tampered pack verified")
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("the page of a tampered pack was written")
	}
}

// TestKeyEvidencePublic checks that `embargo key evidence-public` prints
// the key that verifies the instance's packs, and creates no key.
func TestKeyEvidencePublic(t *testing.T) {
	data := t.TempDir()
	out, err := runCLI(t, "key", "evidence-public", "--data", data)
	if err == nil {
		t.Fatalf("key evidence-public without an instance key = %q, want an error", out)
	}
	if _, err := os.Stat(filepath.Join(data, "instance.key")); err == nil {
		t.Fatal("key evidence-public created an instance key")
	}
	if err := keyring.WriteKey(filepath.Join(data, "instance.key"), evidencetest.InstanceKey()); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, "key", "evidence-public", "--data", data)
	if want := "UJSNwLwC8IAVKzNSx1Li3xC2N1KlvygDYCiFnFZO5mE=\n"; err != nil || out != want {
		t.Fatalf("key evidence-public = %q, %v; want %q", out, err, want)
	}
	sm2Out, err := runCLI(t, "key", "evidence-public", "--alg", "sm2", "--data", data)
	if want := testSM2Key + "\n"; err != nil || sm2Out != want {
		t.Fatalf("key evidence-public --alg sm2 = %q, %v; want %q", sm2Out, err, want)
	}
	if out, err := runCLI(t, "key", "evidence-public", "--alg", "rsa", "--data", data); !errors.Is(err, errUsage) {
		t.Errorf("key evidence-public --alg rsa = %q, %v; want a usage error", out, err)
	}
	good, err := evidence.Sign(evidencetest.Pack(), evidence.SignerFromInstanceKey(evidencetest.InstanceKey()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "verify", "evidence", writeFile(t, data, "pack.json", good), "--public-key", strings.TrimSpace(out)); err != nil {
		t.Errorf("the printed key does not verify the instance's pack: %v", err)
	}
}

// TestKeySubmitterSecret checks that `embargo key submitter-secret` prints
// the secret the server signs an organisation's HTTP submissions with.
func TestKeySubmitterSecret(t *testing.T) {
	data := t.TempDir()
	if err := keyring.WriteKey(filepath.Join(data, "instance.key"), evidencetest.InstanceKey()); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, "key", "submitter-secret", "--data", data); err == nil {
		t.Fatalf("without --org = %q, want a usage error", out)
	}
	out, err := runCLI(t, "key", "submitter-secret", "--org", "3", "--data", data)
	if want := obligation.SubmitterSecret(evidencetest.InstanceKey(), 3) + "\n"; err != nil || out != want || len(out) != 65 {
		t.Fatalf("key submitter-secret = %q, %v; want %q", out, err, want)
	}
	if other := obligation.SubmitterSecret(evidencetest.InstanceKey(), 4); other+"\n" == out {
		t.Error("two organisations share a submitter secret")
	}
}

// testSM2Key is the SM2 co-signing key of evidencetest.InstanceKey(), as
// internal/evidence pins it.
const testSM2Key = "BJVeX2Ol69yLaE+cUiQezYvSTJZqqIRPH01vZ1avBp4DJRdFx0pi8zM0t28UIb8K2BJS9TmNw/8AzMsja4GhUeA="

// sm2Signers returns the Ed25519 signer and SM2 co-signer of instance
// key k, as a server with --evidence-sm2 true has them.
func sm2Signers(t *testing.T, k evidence.SecretDeriver) []evidence.Signer {
	t.Helper()
	signers, err := evidenceSigners(&Config{EvidenceSM2: true}, slog.New(slog.DiscardHandler), k)
	if err != nil || len(signers) != 2 {
		t.Fatalf("evidenceSigners = %d signers, %v; want 2", len(signers), err)
	}
	return signers
}

// TestVerifyEvidenceSM2 runs `embargo verify evidence` on a pack co-signed
// with Ed25519 and SM2, trusting either key, both or neither.
func TestVerifyEvidenceSM2(t *testing.T) {
	dir := t.TempDir()
	good, err := evidence.Sign(evidencetest.Pack(), sm2Signers(t, evidencetest.InstanceKey())...)
	if err != nil {
		t.Fatal(err)
	}
	ed := "UJSNwLwC8IAVKzNSx1Li3xC2N1KlvygDYCiFnFZO5mE="
	other := base64.StdEncoding.EncodeToString(sm2Signers(t, keyring.NewKey())[1].PublicKey())
	var env map[string]any
	if err := json.Unmarshal(good, &env); err != nil {
		t.Fatal(err)
	}
	env["signatures"] = env["signatures"].([]any)[1:]
	sm2Only, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	goodFile := writeFile(t, dir, "good.json", good)
	keyList := writeFile(t, dir, "keys.txt", []byte("# Ed25519\n"+ed+"\n# SM2\n"+testSM2Key+"\n"))
	instanceKey := writeFile(t, dir, "instance.key", evidencetest.InstanceKey().Encode())
	head := "evidence EMB-2026-0001: signatures good (keys aa4347fe05e86d8b, f125f539d85427f3, %s), 8 duties, 3 met, content consistent\n"
	both := fmt.Sprintf(head, "trusted") +
		"  signature 1: Ed25519, key aa4347fe05e86d8b, trusted\n  signature 2: SM2-SM3, key f125f539d85427f3, trusted\n"
	tests := []struct {
		name          string
		args          []string
		wantOut       string // stdout, exactly
		wantErr       string // "" for success
		wantOutSubstr string // for failures: a part of stdout
	}{
		{"both keys, repeated flag", []string{goodFile, "--public-key", ed, "--public-key", testSM2Key}, both, "", ""},
		{"both keys, comma list", []string{goodFile, "--public-key", ed + "," + testSM2Key}, both, "", ""},
		{"both keys, key list", []string{goodFile, "--key-file", keyList}, both, "", ""},
		{"both keys, instance key file", []string{goodFile, "--key-file", instanceKey}, both, "", ""},
		{"SM2 key only", []string{goodFile, "--public-key", testSM2Key}, fmt.Sprintf(head, "trusted") +
			"  signature 1: Ed25519, key aa4347fe05e86d8b, not one of the trusted keys\n  signature 2: SM2-SM3, key f125f539d85427f3, trusted\n", "", ""},
		{"no trusted key", []string{goodFile}, fmt.Sprintf(head, "signed by an untrusted/unknown key, integrity only") +
			"  signature 1: Ed25519, key aa4347fe05e86d8b, untrusted/unknown key\n  signature 2: SM2-SM3, key f125f539d85427f3, untrusted/unknown key\n", "", ""},
		{"wrong SM2 key", []string{goodFile, "--public-key", other}, "",
			"none of the trusted keys (" + evidence.KeyID(mustBase64(t, other)) + ")", "FAILED"},
		{"tampered payload", []string{writeFile(t, dir, "payload.json", tamper(t, good, "payload")), "--public-key", testSM2Key},
			"", "signature 1 (key aa4347fe05e86d8b) does not verify", "FAILED"},
		{"SM2 signature alone", []string{writeFile(t, dir, "sm2only.json", sm2Only), "--public-key", testSM2Key},
			"", "there is no Ed25519 signature", "FAILED"},
		{"SM2 key off the curve", []string{goodFile, "--public-key", "BA" + testSM2Key[2:]}, "", "not a point on the SM2 curve", ""},
		{"empty comma list", []string{goodFile, "--public-key", ","}, "", "no public key given", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, append([]string{"verify", "evidence"}, tc.args...)...)
			if tc.wantErr == "" {
				if err != nil || out != tc.wantOut {
					t.Fatalf("verify evidence = %q, %v; want %q", out, err, tc.wantOut)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("verify evidence error = %v, want %q", err, tc.wantErr)
			}
			if !strings.Contains(out, tc.wantOutSubstr) {
				t.Errorf("verify evidence printed %q, want %q in it", out, tc.wantOutSubstr)
			}
		})
	}
}

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEvidenceSigners checks the server's signers with and without
// --evidence-sm2: Ed25519 always, SM2 only when asked.
func TestEvidenceSigners(t *testing.T) {
	for _, sm2 := range []bool{false, true} {
		signers, err := evidenceSigners(&Config{EvidenceSM2: sm2}, slog.New(slog.DiscardHandler), evidencetest.InstanceKey())
		if err != nil {
			t.Fatal(err)
		}
		env, err := evidence.Sign(evidencetest.Pack(), signers...)
		if err != nil {
			t.Fatal(err)
		}
		_, rep, err := evidence.Verify(env, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range rep.Signatures {
			got = append(got, s.Alg+" "+base64.StdEncoding.EncodeToString(s.PublicKey))
		}
		want := []string{"Ed25519 UJSNwLwC8IAVKzNSx1Li3xC2N1KlvygDYCiFnFZO5mE="}
		if sm2 {
			want = append(want, "SM2-SM3 "+testSM2Key)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("--evidence-sm2 %v: signatures (-want +got):\n%s", sm2, diff)
		}
	}
}
