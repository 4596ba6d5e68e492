package exposure

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func goAdv(id string, aliases []string, pkg, fixed string) Advisory {
	return Advisory{ID: id, Aliases: aliases, Affected: []Affected{{
		Ecosystem: "Go", Package: pkg,
		Ranges: []Range{{Type: "SEMVER", Events: []Event{{Introduced: "0"}, {Fixed: fixed}}}},
	}}}
}

func goComp(pkg, version string) Component {
	return Component{Purl: "pkg:golang/" + pkg + "@" + version, Ecosystem: "Go", Package: pkg, Version: version}
}

// brief is a Match reduced to what the tests compare.
type brief struct {
	Inv, Pkg, Version, Adv string
	Aliases, Fixed         []string
	NotEvaluable           bool
}

func briefs(ms []Match) []brief {
	var out []brief
	for _, m := range ms {
		out = append(out, brief{m.Inventory, m.Component.Package, m.Component.Version, m.Advisory, m.Aliases, m.Fixed, m.NotEvaluable != ""})
	}
	return out
}

func TestIndexBothWays(t *testing.T) {
	x := NewIndex()
	x.PutInventory(Inventory{Source: "a", Components: []Component{
		goComp("github.com/Azure/azure-sdk-for-go/sdk/azidentity", "v1.1.0"),
		goComp("golang.org/x/text", "v0.3.7"),
	}})
	x.PutInventory(Inventory{Source: "b", Components: []Component{
		goComp("github.com/azure/azure-sdk-for-go/sdk/azidentity", "v1.1.0"), // another module
		goComp("golang.org/x/text", "v0.3.8"),
		{Purl: "pkg:golang/golang.org/x/text@v0.3.6"}, // by purl alone
	}})
	x.PutAdvisory(goAdv("GO-2024-2918", []string{"CVE-2024-35255"}, "github.com/Azure/azure-sdk-for-go/sdk/azidentity", "1.6.0"))
	x.PutAdvisory(goAdv("GO-2022-1059", []string{"CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"}, "golang.org/x/text", "0.3.8"))
	// The GHSA of the same flaw, as another feed would give it.
	x.PutAdvisory(goAdv("GHSA-69ch-w2m2-3vjp", []string{"CVE-2022-32149"}, "golang.org/x/text", "0.3.8"))

	azid := []string{"CVE-2024-35255"}
	merged := []string{"CVE-2022-32149", "GO-2022-1059"}
	tests := []struct {
		name string
		got  []Match
		want []brief
	}{
		{"inventory a", x.MatchInventory("a"), []brief{
			{"a", "github.com/Azure/azure-sdk-for-go/sdk/azidentity", "v1.1.0", "GO-2024-2918", azid, []string{"1.6.0"}, false},
			{"a", "golang.org/x/text", "v0.3.7", "GHSA-69ch-w2m2-3vjp", merged, []string{"0.3.8"}, false},
		}},
		{"inventory b: lower-case path and fixed version do not match", x.MatchInventory("b"), []brief{
			{"b", "golang.org/x/text", "v0.3.6", "GHSA-69ch-w2m2-3vjp", merged, []string{"0.3.8"}, false},
		}},
		{"advisory", x.MatchAdvisory("GO-2022-1059"), []brief{
			{"a", "golang.org/x/text", "v0.3.7", "GO-2022-1059", []string{"CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"}, []string{"0.3.8"}, false},
			{"b", "golang.org/x/text", "v0.3.6", "GO-2022-1059", []string{"CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"}, []string{"0.3.8"}, false},
		}},
		{"unknown", x.MatchAdvisory("nope"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, briefs(tc.got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if m := x.MatchInventory("a")[0]; m.Range == nil || m.Range.Events[1].Fixed != "1.6.0" {
		t.Errorf("match has no range saying why: %+v", m)
	}
}

func TestIndexUpdates(t *testing.T) {
	x := NewIndex()
	x.PutInventory(Inventory{Source: "a", Components: []Component{goComp("example.com/m", "v1.2.0")}})
	x.PutInventory(Inventory{Source: "b", Components: []Component{goComp("example.com/m", "v1.4.0")}})
	adv := goAdv("X-1", nil, "example.com/m", "1.3.0")
	x.PutAdvisory(adv)
	step := func(name string, want ...string) {
		t.Helper()
		var got []string
		for _, m := range x.MatchAdvisory("X-1") {
			got = append(got, m.Inventory+"@"+m.Component.Version)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: matches (-want +got):\n%s", name, diff)
		}
	}
	step("first", "a@v1.2.0")
	adv.Affected[0].Ranges[0].Events[1].Fixed = "1.5.0"
	x.PutAdvisory(adv)
	step("advisory replaced with a later fix", "a@v1.2.0", "b@v1.4.0")
	x.PutInventory(Inventory{Source: "a", Components: []Component{goComp("example.com/m", "v1.5.0")}})
	step("inventory a upgraded", "b@v1.4.0")
	x.PutInventory(Inventory{Source: "c", Components: []Component{goComp("example.com/m", "v1.4.0"), goComp("example.com/m", "v1.0.0")}})
	step("inventory c added", "b@v1.4.0", "c@v1.4.0", "c@v1.0.0")
	x.RemoveInventory("b")
	step("inventory b removed", "c@v1.4.0", "c@v1.0.0")
	withdrawn := adv
	withdrawn.Withdrawn = time.Now()
	x.PutAdvisory(withdrawn)
	step("withdrawn")
	if got := x.MatchInventory("c"); got != nil {
		t.Errorf("withdrawn advisory still hits c: %v", briefs(got))
	}
	x.PutAdvisory(adv)
	if !x.RemoveAdvisory("X-1") || x.RemoveAdvisory("X-1") {
		t.Error("RemoveAdvisory did not report its work")
	}
	step("removed")
	if got := x.MatchAll(); len(got) != 0 {
		t.Errorf("MatchAll after removal = %v", got)
	}
	if a, i := x.Len(); a != 0 || i != 2 {
		t.Errorf("Len = %d, %d; want 0, 2", a, i)
	}
}

func TestIndexEcosystems(t *testing.T) {
	x := NewIndex()
	mk := func(purl string) Component {
		c, err := ParsePurl(purl)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	x.PutInventory(Inventory{Source: "img", Components: []Component{
		mk("pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-12"),
		mk("pkg:deb/debian/openssl@3.0.11-1~deb12u1?distro=debian-11"),
		mk("pkg:pypi/Django_Rest_Framework@3.14.0"),
		mk("pkg:golang/example.com/git@v1.0.0"),
	}})
	x.PutAdvisory(Advisory{ID: "DSA-1", Affected: []Affected{{Ecosystem: "Debian:12", Package: "openssl",
		Ranges: []Range{{Type: "ECOSYSTEM", Events: []Event{{Introduced: "0"}, {Fixed: "3.0.11-1~deb12u2"}}}}}}})
	x.PutAdvisory(Advisory{ID: "PYSEC-1", Affected: []Affected{{Ecosystem: "PyPI", Package: "django-rest-framework",
		Versions: []string{"3.14.0"}}}})
	x.PutAdvisory(Advisory{ID: "GIT-1", Affected: []Affected{{Ecosystem: "Go", Package: "example.com/git",
		Ranges: []Range{{Type: "GIT", Events: []Event{{Introduced: "abc"}}}}}}})
	want := []brief{
		{"img", "openssl", "3.0.11-1~deb12u1", "DSA-1", nil, []string{"3.0.11-1~deb12u2"}, false},
		{"img", "django-rest-framework", "3.14.0", "PYSEC-1", nil, nil, false},
		{"img", "example.com/git", "v1.0.0", "GIT-1", nil, nil, true},
	}
	if diff := cmp.Diff(want, briefs(x.MatchInventory("img"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestIndexConcurrent exercises the lock under the race detector.
func TestIndexConcurrent(t *testing.T) {
	x := NewIndex()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 50 {
				src := fmt.Sprint(i, "-", j%5)
				x.PutInventory(Inventory{Source: src, Components: []Component{goComp("example.com/m", fmt.Sprintf("v1.%d.0", j))}})
				x.PutAdvisory(goAdv(fmt.Sprint("X-", j%7), nil, "example.com/m", "1.20.0"))
				_ = x.MatchInventory(src)
				_ = x.MatchAdvisory("X-3")
				if j%3 == 0 {
					x.RemoveInventory(src)
				}
			}
		})
	}
	wg.Wait()
	_ = x.MatchAll()
}

// TestIndexVulnDB matches the vulndb records against the go.mod files of
// real projects, fetched from the module proxy, and checks known answers.
func TestIndexVulnDB(t *testing.T) {
	advs := mustVulnDB(t)
	x := NewIndex()
	mods := []string{
		"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob@v1.0.0", // upper-case paths
		"github.com/gin-gonic/gin@v1.7.0",
		"github.com/prometheus/client_golang@v1.11.0",
	}
	for _, m := range mods {
		x.PutInventory(mustGoModInventory(t, m))
	}
	// A copy of azblob's requirements with the paths lower-cased: other
	// modules, that no advisory names.
	lower := mustGoModInventory(t, mods[0])
	lower.Source = "lower-case"
	for i := range lower.Components {
		c := &lower.Components[i]
		c.Package = strings.ToLower(c.Package)
	}
	x.PutInventory(lower)
	for _, a := range advs {
		x.PutAdvisory(a)
	}
	all := x.MatchAll()
	has := func(src, pkg, version, id string) bool {
		return slices.ContainsFunc(all[src], func(m Match) bool {
			return m.Component.Package == pkg && m.Component.Version == version &&
				(m.Advisory == id || slices.Contains(m.Aliases, id))
		})
	}
	known := []struct {
		src, pkg, version, id string
		want                  bool
	}{
		{mods[0], "github.com/Azure/azure-sdk-for-go/sdk/azidentity", "v1.1.0", "GO-2024-2918", true},
		{mods[0], "golang.org/x/text", "v0.3.7", "GO-2022-1059", true},
		{mods[0], "gopkg.in/yaml.v3", "v3.0.0-20210107192922-496545a6307b", "GO-2022-0603", true},
		{mods[1], "gopkg.in/yaml.v2", "v2.2.8", "GO-2022-0603", false}, // yaml.v3's, not v2's
		{"lower-case", "github.com/azure/azure-sdk-for-go/sdk/azidentity", "v1.1.0", "GO-2024-2918", false},
		{"lower-case", "golang.org/x/text", "v0.3.7", "GO-2022-1059", true},
	}
	for _, k := range known {
		if got := has(k.src, k.pkg, k.version, k.id); got != k.want {
			t.Errorf("%s: %s@%s hit by %s = %v, want %v", k.src, k.pkg, k.version, k.id, got, k.want)
		}
	}
	// The fixed versions are not affected.
	x.PutInventory(Inventory{Source: "fixed", Components: []Component{
		goComp("github.com/Azure/azure-sdk-for-go/sdk/azidentity", "v1.6.0"),
		goComp("golang.org/x/text", "v0.3.8"),
		goComp("gopkg.in/yaml.v3", "v3.0.0-20220521103104-8f96da9f5d5e"),
	}})
	for _, m := range x.MatchInventory("fixed") {
		if slices.Contains([]string{"GO-2024-2918", "GO-2022-1059", "GO-2022-0603"}, m.Advisory) {
			t.Errorf("fixed version matched: %+v", m)
		}
	}
	// Both directions agree.
	n := 0
	for _, ms := range all {
		n += len(ms)
	}
	back := 0
	for _, a := range advs {
		back += len(x.MatchAdvisory(a.ID))
	}
	if back < n || n == 0 {
		t.Errorf("%d matches by inventory, %d by advisory", n, back)
	}
	t.Logf("%d matches over %d inventories", n, len(all))
}

// TestIndexRemovalFrees checks that removing everything leaves nothing
// behind: no package, version or component entry, and that the slots of
// removed inventories and components are reused.
func TestIndexRemovalFrees(t *testing.T) {
	x := NewIndex()
	put := func() {
		x.PutInventory(Inventory{Source: "a", Components: []Component{
			goComp("example.com/m", "v1.2.0"), goComp("example.com/m", "v1.2.0"), // twice
			goComp("example.com/n", "v0.1.0"), {Purl: "not a purl"},
		}})
		x.PutInventory(Inventory{Source: "b", Components: []Component{goComp("example.com/m", "v1.2.0")}})
		x.PutAdvisory(goAdv("X-1", nil, "example.com/m", "1.3.0"))
		x.PutAdvisory(goAdv("X-2", nil, "example.com/other", "1.0.0"))
	}
	put()
	if got := len(x.MatchInventory("a")); got != 2 {
		t.Fatalf("inventory a has %d matches, want 2", got)
	}
	invSlots, compSlots := len(x.invs), len(x.comps.all)
	x.RemoveInventory("a")
	if got := briefs(x.MatchAdvisory("X-1")); len(got) != 1 || got[0].Inv != "b" {
		t.Errorf("after removing a, X-1 matches %v, want b alone", got)
	}
	x.RemoveInventory("b")
	x.RemoveAdvisory("X-1")
	x.RemoveAdvisory("X-2")
	type sizes struct{ Packages, Components, Inventories, Advisories int }
	got := sizes{len(x.packages), len(x.comps.ids), len(x.inventories), len(x.advisories)}
	if diff := cmp.Diff(sizes{}, got); diff != "" {
		t.Errorf("entries left after removing everything (-want +got):\n%s", diff)
	}
	put()
	if len(x.invs) != invSlots || len(x.comps.all) != compSlots {
		t.Errorf("slots not reused: %d inventories, %d components; want %d, %d", len(x.invs), len(x.comps.all), invSlots, compSlots)
	}
	if got := len(x.MatchInventory("a")); got != 2 {
		t.Errorf("inventory a put again has %d matches, want 2", got)
	}
}
