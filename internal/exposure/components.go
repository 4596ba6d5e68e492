package exposure

// compTable interns the distinct components of all inventories: the same
// module at the same version, written the same way, is one entry however
// many inventories hold it.
type compTable struct {
	ids  map[Component]int32
	all  []compEntry
	free []int32 // unused indexes in all
}

// compEntry is one distinct component, the posting of its version, and
// how many inventory components refer to it.
type compEntry struct {
	c    Component
	post *posting
	refs int32
}

// add returns the ID of c, interning it if need be, and counts one more
// reference to it. post is called for a new component only.
func (t *compTable) add(c Component, post func() *posting) int32 {
	if id, ok := t.ids[c]; ok {
		t.all[id].refs++
		return id
	}
	e := compEntry{c: c, post: post(), refs: 1}
	var id int32
	if n := len(t.free); n > 0 {
		id, t.free = t.free[n-1], t.free[:n-1]
		t.all[id] = e
	} else {
		id = int32(len(t.all))
		t.all = append(t.all, e)
	}
	t.ids[c] = id
	return id
}

// release counts one reference less to component id, and forgets it when
// none is left.
func (t *compTable) release(id int32) {
	e := &t.all[id]
	if e.refs--; e.refs > 0 {
		return
	}
	delete(t.ids, e.c)
	*e = compEntry{}
	t.free = append(t.free, id)
}
