package exposure

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Each yields exactly the matches MatchAll returns, and stops when asked.
func TestIndexEach(t *testing.T) {
	x := NewIndex()
	x.PutAdvisory(Advisory{ID: "GO-TEST-1", Aliases: []string{"CVE-2026-1"}, Affected: []Affected{{Ecosystem: "Go",
		Package: "golang.org/x/text", Ranges: []Range{{Type: "SEMVER", Events: []Event{{Introduced: "0"}, {Fixed: "0.3.8"}}}}}}})
	for _, src := range []string{"a", "b", "c"} {
		x.PutInventory(Inventory{Source: src, Components: []Component{
			{Purl: "pkg:golang/golang.org/x/text@v0.3.7", Ecosystem: "Go", Package: "golang.org/x/text", Version: "v0.3.7"},
			{Purl: "pkg:golang/golang.org/x/net@v0.1.0", Ecosystem: "Go", Package: "golang.org/x/net", Version: "v0.1.0"}}})
	}
	want := map[string]int{}
	for src, ms := range x.MatchAll() {
		want[src] = len(ms)
	}
	got := map[string]int{}
	x.Each(func(m Match) bool { got[m.Inventory]++; return true })
	if diff := cmp.Diff(want, got); diff != "" || len(got) != 3 {
		t.Errorf("Each (-MatchAll +Each):\n%s", diff)
	}
	n := 0
	x.Each(func(Match) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("Each went on after yield returned false: %d calls", n)
	}
}
