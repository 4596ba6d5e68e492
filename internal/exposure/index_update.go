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
		}
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
	x.seq++
	inv.Components = slices.Clone(inv.Components) // filled in below
	e := &invEntry{inv: inv, seq: x.seq, postings: make([]*posting, len(inv.Components))}
	x.inventories[inv.Source] = e
	for i, comp := range inv.Components {
		if comp.Ecosystem == "" || comp.Package == "" {
			parsed, err := ParsePurl(comp.Purl)
			if err != nil {
				continue
			}
			comp.Ecosystem, comp.Package, comp.Version = parsed.Ecosystem, parsed.Package, cmpOr(comp.Version, parsed.Version)
			inv.Components[i] = comp
		}
		p := x.pkg(pkgKey{baseEcosystem(comp.Ecosystem), NormalizePackage(comp.Ecosystem, comp.Package)})
		post := x.posting(p, verKey{comp.Ecosystem, comp.Version})
		post.refs = append(post.refs, compRef{e, i})
		e.postings[i] = post
	}
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
// it. Versions no inventory holds any more are forgotten.
func (x *Index) RemoveInventory(source string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.removeInventory(source)
}

func (x *Index) removeInventory(source string) bool {
	e, ok := x.inventories[source]
	if !ok {
		return false
	}
	delete(x.inventories, source)
	for _, post := range e.postings {
		if post == nil {
			continue
		}
		post.refs = slices.DeleteFunc(post.refs, func(r compRef) bool { return r.inv == e })
		if len(post.refs) == 0 {
			forget(post)
		}
	}
	return true
}

// forget drops a posting no component refers to any more.
func forget(post *posting) {
	for _, h := range post.hits {
		h.c.hits = slices.DeleteFunc(h.c.hits, func(p *posting) bool { return p == post })
	}
	post.hits = nil
	delete(post.pkg.versions, post.key)
	post.pkg.order = slices.DeleteFunc(post.pkg.order, func(o *posting) bool { return o == post })
}
