package evidence_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/evidence/evidencetest"
)

// FuzzVerify feeds Verify arbitrary files, seeded with an Ed25519-only and
// a co-signed (Ed25519 and SM2) envelope. It must never panic, and a pack
// it accepts must be the one in the payload: Marshal gives the payload
// back, so two readers cannot see two different packs.
func FuzzVerify(f *testing.F) {
	good, err := os.ReadFile(filepath.Join("testdata", "envelope.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	cosigned, err := os.ReadFile(filepath.Join("testdata", "envelope-sm2.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cosigned)
	f.Add(handSigned(f, evidence.PayloadType, []byte(`{"format":"embargo-evidence/1"}`)))
	f.Add([]byte(`{"payload_type":"application/vnd.embargo.evidence+json","payload":"e30=","signatures":[]}`))
	f.Add([]byte(`{"payload_type":1,"payload":null,"signatures":[{"alg":"Ed25519"}]}`))
	f.Add([]byte(`[]`))
	trusted := []ed25519.PublicKey{evidence.SignerFromInstanceKey(evidencetest.InstanceKey()).PublicKey(), instanceSM2Signer(f).PublicKey()}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, rep, err := evidence.Verify(b, trusted)
		if err != nil {
			return
		}
		if !rep.Trusted || len(rep.Signatures) == 0 {
			t.Fatalf("accepted without a trusted signature: %+v", rep)
		}
		payload, err := evidence.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var env evidence.Envelope
		if err := json.Unmarshal(b, &env); err != nil || !bytes.Equal(env.Payload, payload) {
			t.Fatalf("the accepted pack is not the envelope's payload (%v)", err)
		}
	})
}
