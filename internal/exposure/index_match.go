package exposure

import (
	"cmp"
	"slices"
)

// MatchAdvisory returns every inventory component the advisory hits,
// grouped by package version in the order versions entered the index,
// then in the order of the inventories holding them. Matches that are not
// evaluable are included, with NotEvaluable set. It returns nil for an
// unknown or withdrawn advisory. The slices in a Match are shared with
// the index and must not be modified.
func (x *Index) MatchAdvisory(id string) []Match {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e := x.advisories[id]
	if e == nil {
		return nil
	}
	n := 0
	for _, c := range e.affected {
		for _, post := range c.hits {
			n += len(post.refs)
		}
	}
	out := make([]Match, 0, n) // sized once: growing it was most of the cost
	for _, c := range e.affected {
		for _, post := range c.hits {
			m := newMatch(c, verdictOf(post, c))
			for _, r := range post.refs {
				m.Inventory, m.Component = x.invs[r.inv].source, x.comps.all[r.comp].c
				out = append(out, m)
			}
		}
	}
	return out
}

// verdictOf finds c's verdict on a posting.
func verdictOf(post *posting, c *compiled) Verdict {
	for _, h := range post.hits {
		if h.c == c {
			return h.v
		}
	}
	return Verdict{}
}

// newMatch returns c's match with verdict v, without inventory and
// component.
func newMatch(c *compiled, v Verdict) Match {
	return Match{
		Advisory:     c.adv.adv.ID,
		Aliases:      c.adv.adv.Aliases,
		Range:        v.Range,
		Fixed:        c.fixed,
		NotEvaluable: v.NotEvaluable,
	}
}

// matches returns the merged matches of a posting's hits (see
// posting.merged), computing them if need be. It needs the read lock.
func (post *posting) matches() []Match {
	if ms := post.merged.Load(); ms != nil {
		return *ms
	}
	ms := make([]Match, 0, len(post.hits))
	for _, h := range post.hits {
		ms = append(ms, newMatch(h.c, h.v))
	}
	ms = mergeAliases(ms)
	// Concurrent readers may compute it too; they compute the same.
	post.merged.Store(&ms)
	return ms
}

// MatchInventory returns the advisories that hit an inventory, in the
// order of its components, then by advisory ID; records that share an
// identifier and hit the same component count once (see Match). It
// returns nil for an unknown inventory. The slices in a Match are shared
// with the index and must not be modified.
func (x *Index) MatchInventory(source string) []Match {
	x.mu.RLock()
	defer x.mu.RUnlock()
	id, ok := x.inventories[source]
	if !ok {
		return nil
	}
	return x.matches(&x.invs[id])
}

// matches returns an inventory's matches, in a slice sized once.
func (x *Index) matches(e *invEntry) []Match {
	n := 0
	for _, cid := range e.comps {
		if cid >= 0 && len(x.comps.all[cid].post.hits) > 0 {
			n += len(x.comps.all[cid].post.matches())
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Match, 0, n)
	for _, cid := range e.comps {
		if cid < 0 || len(x.comps.all[cid].post.hits) == 0 {
			continue
		}
		ce := &x.comps.all[cid]
		for _, m := range ce.post.matches() {
			m.Inventory, m.Component = e.source, ce.c
			out = append(out, m)
		}
	}
	return out
}

// Each calls yield with every match of every inventory, one at a time,
// without building the whole result: a full re-match of a large catalogue
// holds one match at a time, not all of them. It stops when yield returns
// false. The index is read-locked while it runs, so yield must not change
// it.
func (x *Index) Each(yield func(Match) bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for src, id := range x.inventories {
		e := &x.invs[id]
		for _, cid := range e.comps {
			if cid < 0 || len(x.comps.all[cid].post.hits) == 0 {
				continue
			}
			ce := &x.comps.all[cid]
			for _, m := range ce.post.matches() {
				m.Inventory, m.Component = src, ce.c
				if !yield(m) {
					return
				}
			}
		}
	}
}

// MatchAll returns the matches of every inventory, by Source.
func (x *Index) MatchAll() map[string][]Match {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make(map[string][]Match, len(x.inventories))
	for src, id := range x.inventories {
		if ms := x.matches(&x.invs[id]); len(ms) > 0 {
			out[src] = ms
		}
	}
	return out
}

// mergeAliases merges the matches of one component whose records share
// an identifier (transitively), and sorts the result by advisory ID.
func mergeAliases(ms []Match) []Match {
	slices.SortFunc(ms, func(a, b Match) int { return cmp.Compare(a.Advisory, b.Advisory) })
	if len(ms) < 2 {
		return ms
	}
	parent := make([]int, len(ms))
	owner := map[string]int{}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	for i, m := range ms {
		parent[i] = i
		for _, name := range append([]string{m.Advisory}, m.Aliases...) {
			if j, ok := owner[name]; ok {
				a, b := find(i), find(j)
				parent[max(a, b)] = min(a, b)
			} else {
				owner[name] = i
			}
		}
	}
	groups := map[int][]Match{}
	var roots []int
	for i := range ms {
		r := find(i)
		if groups[r] == nil {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], ms[i])
	}
	if len(roots) == len(ms) {
		return ms
	}
	out := make([]Match, 0, len(roots))
	for _, r := range roots {
		out = append(out, mergeGroup(groups[r]))
	}
	return out
}

// mergeGroup makes one match of the matches of records that are one
// vulnerability: the first affected one (they are sorted by ID) leads; the
// others' IDs and aliases, and fixed versions, are added to it.
func mergeGroup(g []Match) Match {
	lead := g[0]
	for _, m := range g {
		if m.NotEvaluable == "" {
			lead = m
			break
		}
	}
	names := map[string]bool{}
	var fixed []string
	for _, m := range g {
		names[m.Advisory] = true
		for _, a := range m.Aliases {
			names[a] = true
		}
		for _, f := range m.Fixed {
			if !slices.Contains(fixed, f) {
				fixed = append(fixed, f)
			}
		}
	}
	delete(names, lead.Advisory)
	lead.Aliases = make([]string, 0, len(names))
	for n := range names {
		lead.Aliases = append(lead.Aliases, n)
	}
	slices.Sort(lead.Aliases)
	lead.Fixed = fixed
	return lead
}
