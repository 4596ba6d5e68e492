package exposure

import "slices"

// PutAdvisory adds an advisory, or replaces the one with the same ID: its
// matches are evaluated anew. A withdrawn advisory is held but matches
// nothing. Entries without a package (GIT ranges alone) match nothing
// either, having no name to match.
func (x *Index) PutAdvisory(a Advisory) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeAdvisory(a.ID)
	e := &advEntry{adv: a}
	x.advisories[a.ID] = e
	if !a.Withdrawn.IsZero() {
		return
	}
	for i := range a.Affected {
		af := &e.adv.Affected[i]
		if af.Package == "" || af.Ecosystem == "" {
			continue
		}
		c := compileAffected(*af)
		c.src, c.adv = af, e
		e.affected = append(e.affected, c)
		p := x.pkg(pkgKey{baseEcosystem(af.Ecosystem), NormalizePackage(af.Ecosystem, af.Package)})
		p.affected = append(p.affected, c)
		c.pkg = p
		for _, post := range p.order {
			judge(c, post)
		}
	}
}

// RemoveAdvisory removes an advisory and its matches; it reports whether
// the index held it.
func (x *Index) RemoveAdvisory(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.removeAdvisory(id)
}

func (x *Index) removeAdvisory(id string) bool {
	e, ok := x.advisories[id]
	if !ok {
		return false
	}
	delete(x.advisories, id)
	for _, c := range e.affected {
		c.pkg.affected = slices.DeleteFunc(c.pkg.affected, func(o *compiled) bool { return o == c })
		for _, p := range c.hits {
			p.hits = slices.DeleteFunc(p.hits, func(h hit) bool { return h.c == c })
			p.merged.Store(nil)
		}
		x.dropIfUnused(c.pkg)
	}
	return true
}

// PutInventory adds an inventory, or replaces the one with the same
// Source, and evaluates its components. A component is matched by its
// Ecosystem and Package, or, when those are empty, by its Purl (and the
// index's copy of the component is completed from it); a component with
// neither matches nothing.
func (x *Index) PutInventory(inv Inventory) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeInventory(inv.Source)
	id := x.newInventory(inv.Source, len(inv.Components))
	comps := x.invs[id].comps
	for i, comp := range inv.Components {
		comps[i] = -1
		if comp.Ecosystem == "" || comp.Package == "" {
			parsed, err := ParsePurl(comp.Purl)
			if err != nil {
				continue
			}
			comp.Ecosystem, comp.Package, comp.Version = parsed.Ecosystem, parsed.Package, cmpOr(comp.Version, parsed.Version)
		}
		cid := x.comps.add(comp, func() *posting {
			p := x.pkg(pkgKey{baseEcosystem(comp.Ecosystem), NormalizePackage(comp.Ecosystem, comp.Package)})
			return x.posting(p, verKey{comp.Ecosystem, comp.Version})
		})
		post := x.comps.all[cid].post
		post.refs = append(post.refs, compRef{id, cid})
		comps[i] = cid
	}
}

// newInventory registers an inventory of n components and returns its
// index in x.invs, reusing a free one if there is.
func (x *Index) newInventory(source string, n int) int32 {
	e := invEntry{source: source, comps: make([]int32, n)}
	var id int32
	if k := len(x.freeInvs); k > 0 {
		id, x.freeInvs = x.freeInvs[k-1], x.freeInvs[:k-1]
		x.invs[id] = e
	} else {
		id = int32(len(x.invs))
		x.invs = append(x.invs, e)
	}
	x.inventories[source] = id
	return id
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// posting returns the posting of a version, evaluating the package's
// advisories against it when it is new.
func (x *Index) posting(p *pkgEntry, k verKey) *posting {
	if post := p.versions[k]; post != nil {
		return post
	}
	post := &posting{pkg: p, key: k, cv: parseComponentVersion(k.eco, k.version)}
	p.versions[k] = post
	p.order = append(p.order, post)
	for _, c := range p.affected {
		judge(c, post)
	}
	return post
}

// RemoveInventory removes an inventory; it reports whether the index held
// it. Components, versions and packages nothing refers to any more are
// forgotten.
func (x *Index) RemoveInventory(source string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.removeInventory(source)
}

func (x *Index) removeInventory(source string) bool {
	id, ok := x.inventories[source]
	if !ok {
		return false
	}
	delete(x.inventories, source)
	for _, cid := range x.invs[id].comps {
		if cid < 0 {
			continue
		}
		post := x.comps.all[cid].post
		x.comps.release(cid)
		if len(post.refs) == 0 { // emptied for an earlier component
			continue
		}
		post.refs = slices.DeleteFunc(post.refs, func(r compRef) bool { return r.inv == id })
		if len(post.refs) == 0 {
			x.forget(post)
		}
	}
	x.invs[id] = invEntry{}
	x.freeInvs = append(x.freeInvs, id)
	return true
}

// forget drops a posting no component refers to any more.
func (x *Index) forget(post *posting) {
	for _, h := range post.hits {
		h.c.hits = slices.DeleteFunc(h.c.hits, func(p *posting) bool { return p == post })
	}
	post.hits = nil
	p := post.pkg
	delete(p.versions, post.key)
	p.order = slices.DeleteFunc(p.order, func(o *posting) bool { return o == post })
	x.dropIfUnused(p)
}
