package exposure

import (
	"cmp"
	"slices"
)

// MatchAdvisory returns every inventory component the advisory hits,
// grouped by package version in the order versions entered the index,
// then in the order of the inventories holding them. Matches that are not
// evaluable are included, with NotEvaluable set. It returns nil for an
// unknown or withdrawn advisory.
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
			v := verdictOf(post, c)
			for _, r := range post.refs {
				out = append(out, newMatch(r, c, v))
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

func newMatch(r compRef, c *compiled, v Verdict) Match {
	return Match{
		Inventory:    r.inv.inv.Source,
		Component:    r.inv.inv.Components[r.i],
		Advisory:     c.adv.adv.ID,
		Aliases:      c.adv.adv.Aliases,
		Range:        v.Range,
		Fixed:        c.fixed,
		NotEvaluable: v.NotEvaluable,
	}
}

// MatchInventory returns the advisories that hit an inventory, in the
// order of its components, then by advisory ID; records that share an
// identifier and hit the same component count once (see Match). It
// returns nil for an unknown inventory. The slices in a Match are shared
// with the index and must not be modified.
func (x *Index) MatchInventory(source string) []Match {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e := x.inventories[source]
	if e == nil {
		return nil
	}
	return e.matches()
}

func (e *invEntry) matches() []Match {
	var out []Match
	for i, post := range e.postings {
		if post == nil || len(post.hits) == 0 {
			continue
		}
		ms := make([]Match, 0, len(post.hits))
		for _, h := range post.hits {
			ms = append(ms, newMatch(compRef{e, i}, h.c, h.v))
		}
		out = append(out, mergeAliases(ms)...)
	}
	return out
}

// MatchAll returns the matches of every inventory, by Source.
func (x *Index) MatchAll() map[string][]Match {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make(map[string][]Match, len(x.inventories))
	for src, e := range x.inventories {
		if ms := e.matches(); len(ms) > 0 {
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
