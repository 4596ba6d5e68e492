package exposure

import (
	"strings"
	"sync"
	"sync/atomic"
)

// Index holds advisories and inventories in memory and matches them both
// ways: which advisories hit an inventory, which inventories an advisory
// hits. It is updated incrementally, and every update is evaluated at once:
// adding an advisory evaluates it against every version of its packages
// that some inventory holds; adding an inventory evaluates each new
// version against the advisories of its package. A query then only reads
// the verdicts, so both directions cost what their answer costs.
//
// Versions are shared: a package version held by many inventories is
// parsed and evaluated once, and the matches of its advisories are merged
// once. Components are interned: an inventory is a list of small integer
// IDs, and the postings that lead from a version to the inventories
// holding it are integer pairs, so that millions of components cost the
// garbage collector nothing to scan. An Index is safe for concurrent use.
type Index struct {
	mu          sync.RWMutex
	advisories  map[string]*advEntry
	inventories map[string]int32 // Source → index in invs
	invs        []invEntry
	freeInvs    []int32 // unused indexes in invs
	comps       compTable
	packages    map[pkgKey]*pkgEntry
}

// Match is one component that one advisory hits.
type Match struct {
	// Inventory is the Source of the inventory the component belongs to.
	Inventory string
	// Component is the component as the inventory gave it: its purl, and
	// its package and version as written.
	Component Component
	// Advisory is the record's ID, Aliases its other identifiers. When
	// several records sharing an identifier hit the same component (a GO-
	// record and the GHSA it aliases), MatchInventory reports them as one
	// match: the smallest ID, and the others' IDs among the aliases.
	Advisory string
	Aliases  []string
	// Range is the advisory's range that includes the version (the "why");
	// nil when the advisory's list of versions names it, or when the match
	// is not evaluable.
	Range *Range
	// Fixed lists the versions the advisory says fix the package, in the
	// advisory's order and notation.
	Fixed []string
	// NotEvaluable is set for a component the advisory names but whose
	// version it cannot judge (only GIT ranges, an unparsable version):
	// it may or may not be affected, and a person has to look.
	NotEvaluable string
}

// pkgKey names a package: its ecosystem without release, and its name in
// the ecosystem's normal form.
type pkgKey struct{ eco, name string }

// pkgEntry is everything the index knows of one package.
type pkgEntry struct {
	key      pkgKey
	affected []*compiled         // advisory entries naming the package
	versions map[verKey]*posting // versions that inventories hold
	order    []*posting          // the same, in insertion order
}

type verKey struct{ eco, version string }

// posting is one version of a package (in one ecosystem release) with the
// inventory components that hold it and the advisory entries that hit it.
type posting struct {
	pkg  *pkgEntry
	key  verKey
	cv   *componentVersion
	refs []compRef // in the order inventories were put
	hits []hit
	// merged caches the matches of hits, merged by alias (mergeAliases),
	// without Inventory and Component: every component of this version
	// has the same. Nil when not computed since hits last changed;
	// queries fill it under the read lock, hence atomic.
	merged atomic.Pointer[[]Match]
}

// compRef is one inventory's component: indexes in Index.invs and in the
// component table. It holds no pointer, for the collector's sake.
type compRef struct{ inv, comp int32 }

type hit struct {
	c *compiled
	v Verdict
}

type advEntry struct {
	adv      Advisory
	affected []*compiled // none when withdrawn
}

// invEntry is one inventory: its Source and, per component, its ID in the
// component table (-1 for a component that names no package).
type invEntry struct {
	source string
	comps  []int32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		advisories:  map[string]*advEntry{},
		inventories: map[string]int32{},
		comps:       compTable{ids: map[Component]int32{}},
		packages:    map[pkgKey]*pkgEntry{},
	}
}

// Len returns the number of advisories and inventories held.
func (x *Index) Len() (advisories, inventories int) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.advisories), len(x.inventories)
}

func (x *Index) pkg(k pkgKey) *pkgEntry {
	p := x.packages[k]
	if p == nil {
		p = &pkgEntry{key: k, versions: map[verKey]*posting{}}
		x.packages[k] = p
	}
	return p
}

// dropIfUnused forgets a package no advisory and no inventory names.
func (x *Index) dropIfUnused(p *pkgEntry) {
	if len(p.affected) == 0 && len(p.versions) == 0 && x.packages[p.key] == p {
		delete(x.packages, p.key)
	}
}

// compatible reports whether an advisory for ecosystem adv can hit a
// component of ecosystem comp of the same base: "Debian:12" hits
// "Debian:12" and a "Debian" component of unknown release, not
// "Debian:11".
func compatible(adv, comp string) bool {
	return adv == comp || !strings.Contains(adv, ":") || !strings.Contains(comp, ":")
}

// judge evaluates c against p and records a hit both ways when the
// version is affected or cannot be judged.
func judge(c *compiled, p *posting) {
	if !compatible(c.ecosystem, p.key.eco) {
		return
	}
	v := c.evaluate(p.cv)
	if !v.Affected && v.NotEvaluable == "" {
		return
	}
	p.hits = append(p.hits, hit{c, v})
	p.merged.Store(nil)
	c.hits = append(c.hits, p)
}
