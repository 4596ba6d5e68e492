package csafprovider

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/advisory"
)

// CSAF-3: the document sits in the folder of its TLP label and the year
// (UTC) of its first release, not of its last update.
func TestCSAFPath(t *testing.T) {
	rev := func(n int, at time.Time, tlp string) advisory.Revision {
		return advisory.Revision{Number: n, PublishedAt: at, Content: advisory.Content{TLP: tlp}}
	}
	newYear := time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC) // 2027-01-01 04:00 in Beijing
	tests := []struct {
		name string
		a    advisory.Public
		want string
	}{
		{"white", advisory.Public{Ref: "EMB-2026-0001-SA", Revisions: []advisory.Revision{rev(1, newYear, ""), rev(2, newYear.AddDate(1, 0, 0), "")}},
			"/.well-known/csaf/white/2026/emb-2026-0001-sa.json"},
		{"amber", advisory.Public{Ref: "EMB-2027-0002-SA", Revisions: []advisory.Revision{rev(1, newYear.AddDate(0, 1, 0), advisory.TLPAmber)}},
			"/.well-known/csaf/amber/2027/emb-2027-0002-sa.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Root + Path(tc.a); got != tc.want {
				t.Errorf("Root + Path = %q, want %q", got, tc.want)
			}
		})
	}
}

// Documents are kept for a few instance URLs at most: a client sending
// a new Host header each time cannot make the provider keep a set of
// signed documents per Host.
func TestDocumentsKeptForFewBases(t *testing.T) {
	src := catalogue(newCatalogue(3))
	pr := New(src, &countingSigner{}, Config{})
	for i := range 50 {
		if _, err := pr.Documents(context.Background(), nil, "https://host"+strconv.Itoa(i)+".example/"); err != nil {
			t.Fatal(err)
		}
	}
	pr.mu.Lock()
	n := len(pr.docs)
	pr.mu.Unlock()
	if n > maxBases {
		t.Errorf("documents kept for %d instance URLs, want at most %d", n, maxBases)
	}
	// The same URL again is served from what is kept: nothing is signed.
	s := pr.sign.(*countingSigner)
	before := s.n
	if _, err := pr.Documents(context.Background(), nil, "https://host49.example/"); err != nil {
		t.Fatal(err)
	}
	if s.n != before {
		t.Errorf("%d documents signed again for a kept URL", s.n-before)
	}
}

// countingSigner counts signatures.
type countingSigner struct{ n int }

func (s *countingSigner) SignDetached([]byte) ([]byte, error) { s.n++; return []byte("sig"), nil }
func (s *countingSigner) PublicKey() string                   { return "" }
func (s *countingSigner) Fingerprint() string                 { return "00" }
