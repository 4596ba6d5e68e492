package csafprovider

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/errs"
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

// FuzzOpen: whatever path a client asks for under /.well-known/csaf/,
// the provider answers with a file or a not-found / sign-in error, and
// never hands an anonymous caller anything from a restricted folder
// (CSAF-3).
func FuzzOpen(f *testing.F) {
	src := newCatalogue(3)
	src[2].Revisions[0].Content.TLP = advisory.TLPAmber
	pr := New(src, &countingSigner{}, Config{})
	for _, s := range []string{"white/index.txt", "white/changes.csv", "white/csaf-feed-tlp-white.json", "white/2026/emb-2026-0001-sa.json",
		"white/2026/emb-2026-0001-sa.json.sha512", "amber/2026/emb-2026-0003-sa.json", "amber/index.txt", "../white/index.txt",
		"white//index.txt", "WHITE/index.txt", "", "/", "white/2026/emb-2026-0001-sa.json.asc.asc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		file, err := pr.Open(context.Background(), nil, "https://psirt.example.cn/", path)
		if err != nil {
			if k := errs.KindOf(err); k != errs.NotFound && k != errs.Unauthenticated {
				t.Fatalf("Open(%q): %v", path, err)
			}
			return
		}
		if folder, _, _ := strings.Cut(path, "/"); folder != "white" || strings.Contains(string(file.Body), "EMB-2026-0003-SA") {
			t.Fatalf("Open(%q) served %d bytes anonymously: %.80s", path, len(file.Body), file.Body)
		}
	})
}

// A request for one document's file builds and signs that document only,
// not the whole folder.
func TestOpenBuildsOneDocument(t *testing.T) {
	s := &countingSigner{}
	pr := New(newCatalogue(20), s, Config{})
	f, err := pr.Open(context.Background(), nil, "https://psirt.example.cn/", "white/2026/emb-2026-0007-sa.json.sha256")
	if err != nil || !strings.HasSuffix(string(f.Body), "  emb-2026-0007-sa.json\n") {
		t.Fatalf("Open: %q, %v", f.Body, err)
	}
	if s.n != 1 {
		t.Errorf("%d documents signed for one document's hash, want 1", s.n)
	}
}
