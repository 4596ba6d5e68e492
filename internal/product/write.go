package product

import (
	"context"
	"slices"

	"github.com/embargohq/embargo/internal/errs"
)

// writer stores a wanted product tree over the stored one, inside one
// transaction. Children are matched by ID when the wanted child has one
// (so a rename keeps the child's identity, which remediation records and
// exposure matches refer to) and otherwise by name. With prune, stored
// children the wanted tree does not have are deleted; without (Import's
// merge), they stay.
type writer struct {
	ctx     context.Context
	tx      Tx
	org     int64
	prune   bool
	changes map[string]int
	// party IDs by name, stored once per write.
	supplierIDs, customerIDs map[string]int64
}

func newWriter(ctx context.Context, tx Tx, org int64, prune bool) *writer {
	return &writer{ctx: ctx, tx: tx, org: org, prune: prune, changes: map[string]int{},
		supplierIDs: map[string]int64{}, customerIDs: map[string]int64{}}
}

func (w *writer) count(what string) { w.changes[what]++ }

// product writes want over have (nil for a new product) and returns the
// product's ID.
func (w *writer) product(have *Product, want Product) (int64, error) {
	want.OrgID, want.UpdatedAt = w.org, w.tx.Now()
	var stored []Model
	switch {
	case have == nil:
		want.CreatedAt = w.tx.Now()
		id, err := w.tx.CreateProduct(w.ctx, want)
		if err != nil {
			return 0, err
		}
		want.ID = id
		w.count("product.create")
	default:
		want.ID, stored = have.ID, have.Models
		want.Description = w.keep(want.Description, have.Description)
		if want.Name != have.Name || want.Description != have.Description {
			w.count("product.update")
		}
	}
	if err := w.models(want.ID, stored, want.Models); err != nil {
		return 0, err
	}
	if have != nil && len(w.changes) > 0 {
		if err := w.tx.UpdateProduct(w.ctx, want); err != nil {
			return 0, err
		}
	}
	return want.ID, w.tx.PruneParties(w.ctx, w.org)
}

func (w *writer) models(productID int64, have, want []Model) error {
	pairs, gone, err := match(have, want, func(m Model) (int64, string) { return m.ID, m.Name })
	if err != nil {
		return err
	}
	for _, i := range w.pruned(gone) {
		if err := w.tx.DeleteModel(w.ctx, w.org, have[i].ID); err != nil {
			return err
		}
		w.count("model.delete")
	}
	for i, m := range want {
		var stored []Version
		if j := pairs[i]; j >= 0 {
			m.ID, stored = have[j].ID, have[j].Versions
			if m.Name != have[j].Name {
				if err := w.tx.UpdateModel(w.ctx, w.org, m); err != nil {
					return err
				}
				w.count("model.update")
			}
		} else {
			if m.ID, err = w.tx.CreateModel(w.ctx, w.org, productID, m); err != nil {
				return err
			}
			w.count("model.create")
		}
		if err := w.versions(m.ID, stored, m.Versions); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) versions(modelID int64, have, want []Version) error {
	pairs, gone, err := match(have, want, func(v Version) (int64, string) { return v.ID, v.Version })
	if err != nil {
		return err
	}
	for _, i := range w.pruned(gone) {
		if err := w.tx.DeleteVersion(w.ctx, w.org, have[i].ID); err != nil {
			return err
		}
		w.count("version.delete")
	}
	for i, v := range want {
		var stored Version
		if j := pairs[i]; j >= 0 {
			v.ID, stored = have[j].ID, have[j]
			v.Line = w.keep(v.Line, stored.Line)
			if v.Version != stored.Version || v.Line != stored.Line {
				if err := w.tx.UpdateVersion(w.ctx, w.org, v); err != nil {
					return err
				}
				w.count("version.update")
			}
		} else {
			if v.ID, err = w.tx.CreateVersion(w.ctx, w.org, modelID, v); err != nil {
				return err
			}
			w.count("version.create")
		}
		if err := w.components(v.ID, stored.Components, v.Components); err != nil {
			return err
		}
		if err := w.customers(v.ID, stored.Customers, v.Customers); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) components(versionID int64, have, want []Component) error {
	pairs, gone, err := match(have, want, func(c Component) (int64, string) { return c.ID, c.Name })
	if err != nil {
		return err
	}
	for _, i := range w.pruned(gone) {
		if err := w.tx.DeleteComponent(w.ctx, w.org, have[i].ID); err != nil {
			return err
		}
		w.count("component.delete")
	}
	for i, c := range want {
		supplier, err := w.supplier(c.Supplier)
		if err != nil {
			return err
		}
		j := pairs[i]
		if j >= 0 {
			c.PURL = w.keep(c.PURL, have[j].PURL)
		}
		switch {
		case j < 0:
			if _, err := w.tx.CreateComponent(w.ctx, w.org, versionID, c, supplier); err != nil {
				return err
			}
			w.count("component.create")
		case !sameComponent(have[j], c):
			c.ID = have[j].ID
			if err := w.tx.UpdateComponent(w.ctx, w.org, c, supplier); err != nil {
				return err
			}
			w.count("component.update")
		}
	}
	return nil
}

func sameComponent(a, b Component) bool {
	return a.Name == b.Name && a.Version == b.Version && a.PURL == b.PURL && a.ThirdParty == b.ThirdParty &&
		(a.Supplier == nil) == (b.Supplier == nil) && (a.Supplier == nil || *a.Supplier == *b.Supplier)
}

// supplier stores s (once per write) and returns its ID; 0 for nil.
func (w *writer) supplier(s *Party) (int64, error) {
	if s == nil {
		return 0, nil
	}
	if id, ok := w.supplierIDs[s.Name]; ok {
		return id, nil
	}
	id, err := w.tx.PutSupplier(w.ctx, w.org, *s)
	w.supplierIDs[s.Name] = id
	return id, err
}

// customers sets the version's customers: want, plus (without prune) the
// ones stored already.
func (w *writer) customers(versionID int64, have, want []Party) error {
	final := slices.Clone(want)
	for _, h := range have {
		if !w.prune && !slices.ContainsFunc(want, func(c Party) bool { return c.Name == h.Name }) {
			final = append(final, h)
		}
	}
	var ids []int64
	for _, c := range final {
		id, ok := w.customerIDs[c.Name]
		if !ok {
			var err error
			if id, err = w.tx.PutCustomer(w.ctx, w.org, c); err != nil {
				return err
			}
			w.customerIDs[c.Name] = id
		}
		ids = append(ids, id)
	}
	if sameParties(have, final) {
		return nil
	}
	w.count("customers.update")
	return w.tx.SetVersionCustomers(w.ctx, w.org, versionID, ids)
}

// sameParties reports whether a and b hold the same parties, in any order.
func sameParties(a, b []Party) bool {
	if len(a) != len(b) {
		return false
	}
	for _, p := range a {
		if !slices.Contains(b, p) {
			return false
		}
	}
	return true
}

// keep returns the stored value of an attribute the wanted tree leaves
// empty when merging (an import that does not repeat a description does
// not clear it), and the wanted value otherwise.
func (w *writer) keep(want, stored string) string {
	if want == "" && !w.prune {
		return stored
	}
	return want
}

// pruned returns the stored children to delete: gone with prune, none
// without.
func (w *writer) pruned(gone []int) []int {
	if w.prune {
		return gone
	}
	return nil
}

// match pairs each wanted child with the stored child it stands for, by ID
// when it has one and otherwise by name among the stored children left. It
// returns, for each wanted child, the stored index or -1, and the stored
// children left over. A wanted ID that is not a stored child
// is errs.Invalid.
func match[T any](have, want []T, key func(T) (int64, string)) (pairs, gone []int, err error) {
	used := make([]bool, len(have))
	pairs = make([]int, len(want))
	byID, byName := map[int64]int{}, map[string]int{}
	for i, h := range have {
		id, name := key(h)
		byID[id], byName[name] = i, i
	}
	for i, x := range want {
		pairs[i] = -1
		if id, _ := key(x); id != 0 {
			j, ok := byID[id]
			if !ok {
				return nil, nil, errs.Coded(errs.Invalid, "product.unknown_id",
					"the tree names a part (ID %d) that is not in this product; reload it and try again", id)
			}
			pairs[i], used[j] = j, true
		}
	}
	for i, x := range want {
		if id, name := key(x); id == 0 {
			if j, ok := byName[name]; ok && !used[j] {
				pairs[i], used[j] = j, true
			}
		}
	}
	for j := range have {
		if !used[j] {
			gone = append(gone, j)
		}
	}
	return pairs, gone, nil
}
