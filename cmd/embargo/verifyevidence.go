package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/i18n"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/obligation"
)

const verifyEvidenceUsage = "embargo verify evidence FILE [--public-key BASE64]... [--key-file PATH] [--html OUT [--lang zh-CN|en]]"

// runVerifyEvidence implements `embargo verify evidence FILE`: it checks
// an evidence pack's signatures and content (RMSV CN-12-1) and prints one
// line, or fails naming what is wrong. It needs no database and no
// configuration, so anyone given the file and the published key can run
// it. --public-key (repeatable) and --key-file name the trusted keys;
// without them the signature proves integrity only.
func runVerifyEvidence(e *env, args []string) error {
	var trusted []ed25519.PublicKey
	var htmlOut, lang string
	fs := flag.NewFlagSet("embargo verify evidence", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Func("public-key", "a trusted evidence public key, in base64 (repeatable)", func(s string) error {
		k, err := parsePublicKey(s)
		if err == nil {
			trusted = append(trusted, k)
		}
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
	return p, nil
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

// parsePublicKey decodes a base64 Ed25519 public key.
func parsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("want a 32-byte Ed25519 public key in base64, as `embargo key evidence-public` prints it")
	}
	return ed25519.PublicKey(b), nil
}

// readTrustedKeys reads the trusted keys in path: an instance key file
// (its evidence key is trusted), or base64 public keys, one a line.
func readTrustedKeys(path string) ([]ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if k, err := keyring.ParseKey(b); err == nil {
		return []ed25519.PublicKey{evidence.SignerFromInstanceKey(k).PublicKey()}, nil
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

// runKeyEvidencePublic implements `embargo key evidence-public`: it prints
// the instance's evidence signing public key in base64, for publication
// (a security page, a letter to the regulator), so that recipients of
// evidence packs can verify them. The key is derived from the instance
// key; the command reads that key but never creates it.
func runKeyEvidencePublic(e *env, args []string) error {
	c, rest, err := parseConfig(e, "key evidence-public", args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: embargo key evidence-public [flags]", errUsage)
	}
	k, readable, err := keyring.LoadKey(c.KeyFile)
	if err != nil {
		return err
	}
	if readable {
		fmt.Fprintf(e.stderr, "warning: instance key %s is readable by other users; chmod 600 it\n", c.KeyFile)
	}
	pub := evidence.SignerFromInstanceKey(k).PublicKey()
	fmt.Fprintln(e.stdout, base64.StdEncoding.EncodeToString(pub))
	fmt.Fprintf(e.stderr, "evidence signing key %s (Ed25519), derived from instance key %s; it changes when the instance key is rotated.\n"+
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
