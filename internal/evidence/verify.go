package evidence

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
)

// MaxEnvelopeSize bounds an envelope. A case's pack is some kilobytes to
// a few megabytes; the bound keeps a hostile file from exhausting memory.
const MaxEnvelopeSize = 32 << 20

// Report is what Verify found besides the pack.
type Report struct {
	// Signatures lists the envelope's signatures, in order. All of them
	// verified: one that does not fails Verify.
	Signatures []SignatureInfo
	// Trusted reports whether a signature is by one of the trusted keys.
	Trusted bool
	// Warnings are findings that do not make the pack fail, such as a
	// legal mapping table overdue for review when the pack was made.
	Warnings []string
}

// SignatureInfo describes one good signature.
type SignatureInfo struct {
	// Alg is the signature's algorithm: Alg or AlgSM2.
	Alg       string
	KeyID     string
	PublicKey ed25519.PublicKey
	// Trusted reports whether PublicKey is one of the trusted keys.
	Trusted bool
}

// Trust says in words how far the signatures can be relied on.
func (r Report) Trust() string {
	if r.Trusted {
		return "trusted"
	}
	return "signed by an untrusted/unknown key, integrity only"
}

// Verify checks an evidence envelope and returns the pack inside it. In
// order, it checks that:
//
//   - the envelope parses strictly: exactly the members of Envelope and
//     Signature, each once, the payload type PayloadType, signatures of
//     a known algorithm (Alg or AlgSM2) with keys and signatures of the
//     algorithm's sizes, each key_id matching its key, no key twice, and
//     at least one Ed25519 signature, since SM2 is a co-signature only
//     (code evidence.envelope);
//   - every signature, of either algorithm, verifies over
//     PAE(payload_type, payload) (code evidence.signature);
//   - when trusted keys are given, a signature is by one of them (code
//     evidence.untrusted); with none given, Report.Trust says the
//     signature proves integrity only;
//   - the pack's format is Format (code evidence.format), and the payload
//     decodes strictly and is in the canonical form Marshal writes (code
//     evidence.payload);
//   - the content is consistent, as Pack.Problems checks (code
//     evidence.content).
//
// Trusted keys are matched by their bytes, so that trusted may hold keys
// of both algorithms: 32-byte Ed25519 keys and 65-byte SM2 points (see
// KeyAlg). Every error is errs.Invalid with a message naming what is
// wrong. On a content error the pack and the report are returned too, so
// that the caller can show what the file holds.
func Verify(envelope []byte, trusted []ed25519.PublicKey) (Pack, Report, error) {
	env, err := parseEnvelope(envelope)
	if err != nil {
		return Pack{}, Report{}, err
	}
	rep, err := checkSignatures(env, trusted)
	if err != nil {
		return Pack{}, Report{}, err
	}
	p, err := parsePayload(env.Payload)
	if err != nil {
		return Pack{}, rep, err
	}
	rep.Warnings = p.warnings()
	if probs := p.Problems(); len(probs) > 0 {
		return p, rep, contentError(probs)
	}
	return p, rep, nil
}

func envelopeError(format string, args ...any) error {
	return errs.Coded(errs.Invalid, "evidence.envelope", "not an evidence envelope: %s", fmt.Sprintf(format, args...))
}

func contentError(problems []string) error {
	return errs.Coded(errs.Invalid, "evidence.content", "the pack's content is inconsistent (%d problems): %s", len(problems), strings.Join(problems, "; "))
}

// parseEnvelope decodes b strictly into an Envelope.
func parseEnvelope(b []byte) (Envelope, error) {
	if len(b) > MaxEnvelopeSize {
		return Envelope{}, envelopeError("the file is over %d MiB", MaxEnvelopeSize>>20)
	}
	var raw struct {
		PayloadType string            `json:"payload_type"`
		Payload     []byte            `json:"payload"`
		Signatures  []json.RawMessage `json:"signatures"`
	}
	if err := strictObject(b, &raw, "payload_type", "payload", "signatures"); err != nil {
		return Envelope{}, envelopeError("%v", err)
	}
	if raw.PayloadType != PayloadType {
		return Envelope{}, envelopeError("payload_type is %q, want %q", raw.PayloadType, PayloadType)
	}
	if len(raw.Payload) == 0 {
		return Envelope{}, envelopeError("the payload is empty")
	}
	if len(raw.Signatures) == 0 {
		return Envelope{}, envelopeError("there are no signatures")
	}
	env := Envelope{PayloadType: raw.PayloadType, Payload: raw.Payload}
	for i, rs := range raw.Signatures {
		s, err := parseSignature(rs)
		if err != nil {
			return Envelope{}, envelopeError("signatures[%d]: %v", i, err)
		}
		if slices.ContainsFunc(env.Signatures, func(o Signature) bool { return o.PublicKey.Equal(s.PublicKey) }) {
			return Envelope{}, envelopeError("signatures[%d]: key %s signed twice", i, s.KeyID)
		}
		env.Signatures = append(env.Signatures, s)
	}
	if !slices.ContainsFunc(env.Signatures, func(s Signature) bool { return s.Alg == Alg }) {
		return Envelope{}, envelopeError("there is no %s signature; an %s signature is a co-signature and cannot stand alone", Alg, AlgSM2)
	}
	return env, nil
}

// parseSignature decodes one signature strictly and checks its shape.
func parseSignature(b []byte) (Signature, error) {
	var s Signature
	if err := strictObject(b, &s, "alg", "key_id", "public_key", "sig"); err != nil {
		return s, err
	}
	var err error
	switch s.Alg {
	case Alg:
		err = checkEd25519Shape(s)
	case AlgSM2:
		err = checkSM2Shape(s)
	default:
		err = fmt.Errorf("alg is %q, want %q or %q", s.Alg, Alg, AlgSM2)
	}
	if err == nil && s.KeyID != KeyID(s.PublicKey) {
		err = fmt.Errorf("key_id %q does not name its public key (%s)", s.KeyID, KeyID(s.PublicKey))
	}
	return s, err
}

// checkEd25519Shape checks the sizes of an Ed25519 signature and its key.
func checkEd25519Shape(s Signature) error {
	switch {
	case len(s.PublicKey) != ed25519.PublicKeySize:
		return fmt.Errorf("public_key is %d bytes, want %d", len(s.PublicKey), ed25519.PublicKeySize)
	case len(s.Sig) != ed25519.SignatureSize:
		return fmt.Errorf("sig is %d bytes, want %d", len(s.Sig), ed25519.SignatureSize)
	}
	return nil
}

// strictObject decodes b, one JSON object, into v after checking that its
// members are exactly names, each once. encoding/json alone would accept
// unknown members, "Payload" for "payload", and the last of two equal
// names; a signed file must mean one thing to every reader.
func strictObject(b []byte, v any, names ...string) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		switch {
		case !slices.Contains(names, name):
			return fmt.Errorf("unknown member %q", name)
		case seen[name]:
			return fmt.Errorf("member %q appears twice", name)
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	for _, n := range names {
		if !seen[n] {
			return fmt.Errorf("member %q is missing", n)
		}
	}
	return json.Unmarshal(b, v)
}

// checkSignatures verifies every signature and decides trust.
func checkSignatures(env Envelope, trusted []ed25519.PublicKey) (Report, error) {
	var rep Report
	msg := PAE(env.PayloadType, env.Payload)
	var ids []string
	for i, s := range env.Signatures {
		if !verifySignature(s, msg) {
			return Report{}, errs.Coded(errs.Invalid, "evidence.signature",
				"signature %d (key %s) does not verify: the pack or the signature was changed after signing", i+1, s.KeyID)
		}
		ok := slices.ContainsFunc(trusted, func(k ed25519.PublicKey) bool { return bytes.Equal(k, s.PublicKey) })
		rep.Signatures = append(rep.Signatures, SignatureInfo{Alg: s.Alg, KeyID: s.KeyID, PublicKey: s.PublicKey, Trusted: ok})
		rep.Trusted = rep.Trusted || ok
		ids = append(ids, s.KeyID)
	}
	if len(trusted) > 0 && !rep.Trusted {
		var want []string
		for _, k := range trusted {
			want = append(want, KeyID(k))
		}
		return Report{}, errs.Coded(errs.Invalid, "evidence.untrusted",
			"the signatures are good but by key %s, none of the trusted keys (%s)", strings.Join(ids, ", "), strings.Join(want, ", "))
	}
	return rep, nil
}

// verifySignature reports whether s, whose shape parseSignature checked,
// is a good signature of msg.
func verifySignature(s Signature, msg []byte) bool {
	if s.Alg == AlgSM2 {
		return verifySM2(s.PublicKey, msg, s.Sig)
	}
	return ed25519.Verify(s.PublicKey, msg, s.Sig)
}

// parsePayload decodes the pack: its format first, so that a newer
// format gets a clear message rather than "unknown field", then strictly.
func parsePayload(payload []byte) (Pack, error) {
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		return Pack{}, payloadError("not JSON: %v", err)
	}
	if head.Format != Format {
		return Pack{}, errs.Coded(errs.Invalid, "evidence.format", "the pack's format is %q; this version of Embargo reads %q", head.Format, Format)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var p Pack
	if err := dec.Decode(&p); err != nil {
		return Pack{}, payloadError("%v", err)
	}
	again, err := Marshal(p)
	if err != nil || !bytes.Equal(again, payload) {
		return Pack{}, payloadError("it is not in the canonical form that evidence.Marshal writes (a field spelt differently, a duplicate field, a time not in UTC, or spacing changed)")
	}
	return p, nil
}

func payloadError(format string, args ...any) error {
	return errs.Coded(errs.Invalid, "evidence.payload", "the pack in the envelope is malformed: %s", fmt.Sprintf(format, args...))
}

// warnings lists findings that do not fail the pack.
func (p Pack) warnings() []string {
	var w []string
	if p.LegalMapping.ReviewDue(p.GeneratedAt) {
		w = append(w, fmt.Sprintf("the legal mapping table was last reviewed on %s, more than 12 months before the pack was made (CN-12-1 asks for a yearly review)", p.LegalMapping.ReviewedOn))
	}
	for i, d := range p.Duties {
		if _, ok := p.LegalMapping.Row(d.Requirement); d.Regime == "CN-RMSV" && !ok {
			w = append(w, fmt.Sprintf("duties[%d] (%s): requirement %s is not in the legal mapping table", i, d.Code, d.Requirement))
		}
	}
	return w
}
