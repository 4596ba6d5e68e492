package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/i18n"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/obligation"
)

const verifyEvidenceUsage = "embargo verify evidence FILE [--public-key BASE64[,BASE64]]... [--key-file PATH] [--html OUT [--lang zh-CN|en]]"

// runVerifyEvidence implements `embargo verify evidence FILE`: it checks
// an evidence pack's signatures and content (RMSV CN-12-1) and prints one
// line, or fails naming what is wrong. It needs no database and no
// configuration, so anyone given the file and the published key can run
// it. --public-key (repeatable, or a comma list) and --key-file name the
// trusted keys, Ed25519 or SM2; without them the signature proves
// integrity only.
func runVerifyEvidence(e *env, args []string) error {
	var trusted []ed25519.PublicKey
	var htmlOut, lang string
	fs := flag.NewFlagSet("embargo verify evidence", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Func("public-key", "trusted evidence public keys, Ed25519 or SM2, in base64 (repeatable, or comma-separated)", func(s string) error {
		ks, err := parsePublicKeys(s)
		trusted = append(trusted, ks...)
		return err
	})
	fs.Func("key-file", "a file of trusted public keys in base64, one a line (# comments), or an instance key file", func(path string) error {
		ks, err := readTrustedKeys(path)
		trusted = append(trusted, ks...)
		return err
	})
	fs.StringVar(&htmlOut, "html", "", "after verifying, write the pack as a readable HTML page to this file")
	fs.StringVar(&lang, "lang", "zh-CN", "the HTML page's first language: zh-CN or en")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return fmt.Errorf("%w: %s", errUsage, verifyEvidenceUsage)
	}
	p, err := verifyEvidenceFile(e, files[0], trusted)
	if err != nil || htmlOut == "" {
		return err
	}
	return writeEvidenceHTML(htmlOut, p, lang)
}

// verifyEvidenceFile verifies the envelope in file and prints the outcome.
func verifyEvidenceFile(e *env, file string, trusted []ed25519.PublicKey) (evidence.Pack, error) {
	b, err := readEnvelope(file)
	if err != nil {
		return evidence.Pack{}, err
	}
	p, rep, err := evidence.Verify(b, trusted)
	if code, _ := errs.CodeOf(err); code == "evidence.content" {
		probs := p.Problems()
		fmt.Fprintf(e.stdout, "evidence %s: %s, content INCONSISTENT:\n", p.Case.Ref, signatureSummary(rep))
		for _, prob := range probs {
			fmt.Fprintf(e.stdout, "  - %s\n", prob)
		}
		return p, fmt.Errorf("evidence %s: the content is inconsistent (%d problems, listed above)", p.Case.Ref, len(probs))
	}
	if err != nil {
		fmt.Fprintf(e.stdout, "evidence %s: FAILED\n", file)
		return p, fmt.Errorf("evidence %s: %s", file, errs.Message(err))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	met := 0
	for _, d := range p.Duties {
		if d.State == evidence.Met {
			met++
		}
	}
	fmt.Fprintf(e.stdout, "evidence %s: %s, %d duties, %d met, content consistent\n", p.Case.Ref, signatureSummary(rep), len(p.Duties), met)
	printSignatures(e.stdout, rep, len(trusted) > 0)
	return p, nil
}

// printSignatures lists a co-signed envelope's signatures, one a line,
// with each one's algorithm and trust: "  signature 2: SM2-SM3, key
// f125…, trusted". A lone signature is always Ed25519 (an SM2 signature
// cannot stand alone), so the summary line says all there is to say.
func printSignatures(w io.Writer, rep evidence.Report, trustedGiven bool) {
	if len(rep.Signatures) < 2 {
		return
	}
	for i, s := range rep.Signatures {
		trust := "untrusted/unknown key"
		switch {
		case s.Trusted:
			trust = "trusted"
		case trustedGiven:
			trust = "not one of the trusted keys"
		}
		fmt.Fprintf(w, "  signature %d: %s, key %s, %s\n", i+1, s.Alg, s.KeyID, trust)
	}
}

// signatureSummary says which keys signed and how far they are trusted:
// "signature good (key 1a2b…, trusted)".
func signatureSummary(rep evidence.Report) string {
	var ids []string
	for _, s := range rep.Signatures {
		ids = append(ids, s.KeyID)
	}
	noun := "signature good (key"
	if len(ids) > 1 {
		noun = "signatures good (keys"
	}
	return fmt.Sprintf("%s %s, %s)", noun, strings.Join(ids, ", "), rep.Trust())
}

// readEnvelope reads file, refusing one over evidence.MaxEnvelopeSize.
func readEnvelope(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, evidence.MaxEnvelopeSize+1))
	if err != nil {
		return nil, fmt.Errorf("evidence %s: %w", file, err)
	}
	if len(b) > evidence.MaxEnvelopeSize {
		return nil, fmt.Errorf("evidence %s: larger than %d MiB, not an evidence pack", file, evidence.MaxEnvelopeSize>>20)
	}
	return b, nil
}

// parsePublicKeys decodes a comma-separated list of public keys.
func parsePublicKeys(s string) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	for _, item := range splitList(s) {
		k, err := parsePublicKey(item)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no public key given")
	}
	return keys, nil
}

// parsePublicKey decodes a base64 evidence public key: 32 bytes of
// Ed25519, or an SM2 point of 65 bytes (evidence.KeyAlg). The evidence
// package keeps both kinds in an ed25519.PublicKey.
func parsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err == nil {
		_, err = evidence.KeyAlg(b)
	}
	if err != nil {
		return nil, fmt.Errorf("want a 32-byte Ed25519 or 65-byte SM2 public key in base64, as `embargo key evidence-public [--alg sm2]` prints it (%v)", err)
	}
	return ed25519.PublicKey(b), nil
}

// readTrustedKeys reads the trusted keys in path: an instance key file
// (its Ed25519 and SM2 evidence keys are trusted), or base64 public keys
// of either kind, one a line.
func readTrustedKeys(path string) ([]ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if k, err := keyring.ParseKey(b); err == nil {
		return instanceEvidenceKeys(k)
	}
	var keys []ed25519.PublicKey
	for i, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, err := parsePublicKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s holds no public key", path)
	}
	return keys, nil
}

// instanceEvidenceKeys returns the public keys of an instance key's
// evidence signers: Ed25519, then SM2.
func instanceEvidenceKeys(k evidence.SecretDeriver) ([]ed25519.PublicKey, error) {
	sm, err := evidence.SM2SignerFromInstanceKey(k)
	if err != nil {
		return nil, err
	}
	return []ed25519.PublicKey{evidence.SignerFromInstanceKey(k).PublicKey(), sm.PublicKey()}, nil
}

// evidenceSigners returns the signers of the server's evidence packs: the
// instance's Ed25519 key and, with --evidence-sm2, its SM2 key as a
// co-signer.
func evidenceSigners(c *Config, log *slog.Logger, k evidence.SecretDeriver) ([]evidence.Signer, error) {
	signers := []evidence.Signer{evidence.SignerFromInstanceKey(k)}
	if !c.EvidenceSM2 {
		return signers, nil
	}
	sm, err := evidence.SM2SignerFromInstanceKey(k)
	if err != nil {
		return nil, err
	}
	log.Info("evidence packs are co-signed with SM2-SM3", "key_id", evidence.KeyID(sm.PublicKey()))
	return append(signers, sm), nil
}

// parseInterleaved parses flags that may come before or after the
// positional arguments ("FILE --public-key K" as well as "--public-key K
// FILE"), which flag.Parse alone does not allow; it returns the
// positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// writeEvidenceHTML renders a verified pack to the file out.
func writeEvidenceHTML(out string, p evidence.Pack, lang string) error {
	tag, ok := i18n.Lookup(lang)
	if !ok {
		return fmt.Errorf("%w: --lang %q: want zh-CN or en", errUsage, lang)
	}
	var b bytes.Buffer
	if err := evidence.RenderHTML(&b, p, tag); err != nil {
		return err
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}

// runKeyEvidencePublic implements `embargo key evidence-public [--alg
// ed25519|sm2]`: it prints the instance's evidence signing public key in
// base64, for publication (a security page, a letter to the regulator),
// so that recipients of evidence packs can verify them; --alg sm2 prints
// the SM2 co-signing key (--evidence-sm2) instead. The keys are derived
// from the instance key; the command reads that key but never creates it.
func runKeyEvidencePublic(e *env, args []string) error {
	const usage = "embargo key evidence-public [--alg ed25519|sm2] [flags]"
	var alg string
	c, rest, err := parseConfig(e, "key evidence-public", args, func(fs *flag.FlagSet) {
		fs.StringVar(&alg, "alg", "ed25519", "which key: ed25519, the signing key, or sm2, the co-signing key of --evidence-sm2")
	})
	if err != nil {
		return err
	}
	alg = strings.ToLower(alg)
	if len(rest) > 0 || alg != "ed25519" && alg != "sm2" {
		return fmt.Errorf("%w: %s", errUsage, usage)
	}
	k, readable, err := keyring.LoadKey(c.KeyFile)
	if err != nil {
		return err
	}
	if readable {
		fmt.Fprintf(e.stderr, "warning: instance key %s is readable by other users; chmod 600 it\n", c.KeyFile)
	}
	keys, err := instanceEvidenceKeys(k)
	if err != nil {
		return err
	}
	pub, note := keys[0], "evidence signing key %s (Ed25519)"
	if alg == "sm2" {
		pub, note = keys[1], "evidence co-signing key %s (SM2-SM3, used with --evidence-sm2)"
	}
	fmt.Fprintln(e.stdout, base64.StdEncoding.EncodeToString(pub))
	fmt.Fprintf(e.stderr, note+", derived from instance key %s; it changes when the instance key is rotated.\n"+
		"Publish it; recipients check a pack with: embargo verify evidence FILE --public-key KEY\n", evidence.KeyID(pub), k.ID())
	return nil
}

// runKeySubmitterSecret implements `embargo key submitter-secret --org N`:
// it prints the secret with which the server signs organisation N's HTTP
// submissions (X-Embargo-Signature), for the receiving platform to check
// them. The secret is derived from the instance key, which the command
// reads but never creates.
func runKeySubmitterSecret(e *env, args []string) error {
	var org int64
	c, rest, err := parseConfig(e, "key submitter-secret", args, func(fs *flag.FlagSet) {
		fs.Int64Var(&org, "org", 0, "the organisation's ID (embargo org list)")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 || org <= 0 {
		return fmt.Errorf("%w: embargo key submitter-secret --org N [flags]", errUsage)
	}
	k, readable, err := keyring.LoadKey(c.KeyFile)
	if err != nil {
		return err
	}
	if readable {
		fmt.Fprintf(e.stderr, "warning: instance key %s is readable by other users; chmod 600 it\n", c.KeyFile)
	}
	fmt.Fprintln(e.stdout, obligation.SubmitterSecret(k, org))
	fmt.Fprintf(e.stderr, "HMAC-SHA256 secret of organisation %d's HTTP submissions (docs/notifications.md, X-Embargo-Signature); "+
		"give it to the receiving platform only. It changes when the instance key is rotated.\n", org)
	return nil
}
