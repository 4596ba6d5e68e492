package csafprovider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v3/crypto"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
)

// catalogue is a Source of n published TLP:WHITE advisories.
type catalogue []advisory.Public

func (c catalogue) Catalogue(context.Context, *access.Principal) ([]advisory.Public, error) {
	return c, nil
}
func (c catalogue) Labels(context.Context) ([]string, error) { return []string{"WHITE"}, nil }

func newCatalogue(n int) catalogue {
	out := make(catalogue, n)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		ct := advisory.Content{Title: advisory.Text{ZH: fmt.Sprintf("路由器命令注入 %d", i), EN: fmt.Sprintf("Command injection %d", i)},
			Description: advisory.Text{ZH: "管理界面把参数交给 shell。", EN: "The web interface passes a parameter to a shell."},
			Affected:    []advisory.Affected{{Product: "AX3000", Versions: "<1.0.4", Fixed: "1.0.4"}}, Grade: "high",
			CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CWE: "CWE-78",
			Remediation: advisory.Text{ZH: "升级到 1.0.4。", EN: "Upgrade to 1.0.4."}}
		out[i] = advisory.Public{Ref: fmt.Sprintf("EMB-2026-%04d-SA", i+1), OrgID: 1, CaseID: int64(i + 1), Publisher: "Acme",
			Revisions: []advisory.Revision{{Number: 1, Kind: advisory.Release, Content: ct, PublishedAt: at.Add(time.Duration(i) * time.Hour)}}}
	}
	return out
}

// signer signs with a fresh OpenPGP key, as the instance key does.
type signer struct {
	key *crypto.Key
	fpr string
}

func newSigner(b *testing.B) *signer {
	k, err := crypto.PGP().KeyGeneration().AddUserId("Embargo", "psirt@example.cn").New().GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	return &signer{key: k, fpr: k.GetFingerprint()}
}

func (s *signer) SignDetached(data []byte) ([]byte, error) {
	h, err := crypto.PGP().Sign().SigningKey(s.key).Detached().New()
	if err != nil {
		return nil, err
	}
	return h.Sign(data, crypto.Armor)
}
func (s *signer) PublicKey() string   { pub, _ := s.key.GetArmoredPublicKey(); return pub }
func (s *signer) Fingerprint() string { return s.fpr }

// BenchmarkFeedCold builds the TLP:WHITE ROLIE feed of 1,000 advisories
// from nothing: every document written, hashed and signed.
func BenchmarkFeedCold(b *testing.B) {
	src, s := newCatalogue(1000), newSigner(b)
	for b.Loop() {
		pr := New(src, s, Config{})
		if _, err := pr.Open(context.Background(), nil, "https://psirt.example.cn/", "white/"+FeedName("WHITE")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFeedWarm serves the same feed once the documents are built:
// what every later request of a downloader costs.
func BenchmarkFeedWarm(b *testing.B) {
	src := newCatalogue(1000)
	pr := New(src, newSigner(b), Config{})
	ctx := context.Background()
	if _, err := pr.Open(ctx, nil, "https://psirt.example.cn/", "white/index.txt"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		f, err := pr.Open(ctx, nil, "https://psirt.example.cn/", "white/"+FeedName("WHITE"))
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(f.Body)))
	}
}
