package product

import (
	"cmp"
	"context"
	"slices"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// Products returns the products of p's organisation with everything under
// them, by name. Needs access.ReadCases or access.ManageProducts.
func (s *Service) Products(ctx context.Context, p *access.Principal) ([]Product, error) {
	if err := requireRead(p); err != nil {
		return nil, err
	}
	return s.trees(ctx, p.OrgID, 0)
}

// Product returns product id with everything under it. Needs
// access.ReadCases or access.ManageProducts; errs.NotFound when it does
// not exist or belongs to another organisation.
func (s *Service) Product(ctx context.Context, p *access.Principal, id int64) (Product, error) {
	if err := requireRead(p); err != nil {
		return Product{}, err
	}
	return s.tree(ctx, p.OrgID, id)
}

func (s *Service) tree(ctx context.Context, org, id int64) (Product, error) {
	if id <= 0 {
		return Product{}, errNoProduct
	}
	ps, err := s.trees(ctx, org, id)
	if err != nil {
		return Product{}, err
	}
	if len(ps) == 0 {
		return Product{}, errNoProduct
	}
	return ps[0], nil
}

func (s *Service) trees(ctx context.Context, org, id int64) ([]Product, error) {
	ps, err := s.store.ProductTrees(ctx, org, id)
	if err != nil {
		return nil, err
	}
	sortProducts(ps)
	return ps, nil
}

// Create adds product want, with everything under it, to p's
// organisation and returns it as stored. Needs access.ManageProducts.
// Errors: errs.Invalid naming the first problem; errs.Conflict when the
// organisation has a product of that name. Audited (product.create).
func (s *Service) Create(ctx context.Context, p *access.Principal, want Product) (Product, error) {
	if err := requireManage(p); err != nil {
		return Product{}, err
	}
	want = cloneProduct(want)
	clearIDs(&want)
	if err := checkProduct(&want); err != nil {
		return Product{}, err
	}
	var id int64
	err := s.transact(ctx, p.OrgID, func(tx Tx) error {
		if _, err := tx.ProductID(ctx, p.OrgID, want.Name); err == nil {
			return errExists(want.Name)
		}
		w := newWriter(ctx, tx, p.OrgID, true)
		var err error
		if id, err = w.product(nil, want); err != nil {
			return err
		}
		return record(ctx, tx, p, "product.create", subject(id), map[string]any{"name": want.Name, "changes": w.changes})
	})
	if err != nil {
		return Product{}, err
	}
	return s.tree(ctx, p.OrgID, id)
}

func errExists(name string) error {
	return errs.Coded(errs.Conflict, "product.exists", "the organisation has a product named %q already", name)
}

// Update replaces product want.ID's tree with want and returns it as
// stored: parts with an ID keep it (a rename is a rename), parts without
// one are matched by name or added, and stored parts want lacks are
// deleted. When want.UpdatedAt is set, it must equal the stored one, so
// that an edit made on a stale copy fails with errs.Conflict. Needs
// access.ManageProducts. Errors: errs.NotFound, errs.Invalid,
// errs.Conflict (a name in use). Audited (product.update) when anything
// changed.
func (s *Service) Update(ctx context.Context, p *access.Principal, want Product) (Product, error) {
	if err := requireManage(p); err != nil {
		return Product{}, err
	}
	want = cloneProduct(want)
	if err := checkProduct(&want); err != nil {
		return Product{}, err
	}
	err := s.transact(ctx, p.OrgID, func(tx Tx) error {
		have, err := lockTree(ctx, tx, p.OrgID, want.ID)
		if err != nil {
			return err
		}
		if !want.UpdatedAt.IsZero() && !want.UpdatedAt.Equal(have.UpdatedAt) {
			return errs.Coded(errs.Conflict, "product.stale", "the product was changed since you read it; reload it and try again")
		}
		if id, err := tx.ProductID(ctx, p.OrgID, want.Name); err == nil && id != want.ID {
			return errExists(want.Name)
		}
		w := newWriter(ctx, tx, p.OrgID, true)
		if _, err := w.product(&have, want); err != nil || len(w.changes) == 0 {
			return err
		}
		return record(ctx, tx, p, "product.update", subject(want.ID), map[string]any{"name": want.Name, "changes": w.changes})
	})
	if err != nil {
		return Product{}, err
	}
	return s.tree(ctx, p.OrgID, want.ID)
}

// lockTree locks org's product id and returns its stored tree;
// errNoProduct when org has no such product.
func lockTree(ctx context.Context, tx Tx, org, id int64) (Product, error) {
	if id <= 0 {
		return Product{}, errNoProduct
	}
	if _, err := tx.LockProduct(ctx, org, id); err != nil {
		if errs.Is(err, errs.NotFound) {
			return Product{}, errNoProduct
		}
		return Product{}, err
	}
	ps, err := tx.ProductTrees(ctx, org, id)
	if err != nil {
		return Product{}, err
	}
	if len(ps) == 0 {
		return Product{}, errNoProduct
	}
	return ps[0], nil
}

// Delete deletes product id with everything under it. Needs
// access.ManageProducts; errs.NotFound. Audited (product.delete).
func (s *Service) Delete(ctx context.Context, p *access.Principal, id int64) error {
	if err := requireManage(p); err != nil {
		return err
	}
	return s.transact(ctx, p.OrgID, func(tx Tx) error {
		have, err := lockTree(ctx, tx, p.OrgID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteProduct(ctx, p.OrgID, id); err != nil {
			return err
		}
		if err := tx.PruneParties(ctx, p.OrgID); err != nil {
			return err
		}
		return record(ctx, tx, p, "product.delete", subject(id), map[string]any{"name": have.Name, "models": len(have.Models)})
	})
}

// Selected is one version a range selected, with its model.
type Selected struct {
	Model   string
	Version Version
}

// SelectVersions returns the versions of product id, across its models,
// that the range expr selects (see Range), by model and version. Needs
// access.ReadCases or access.ManageProducts. Errors: errs.NotFound;
// errs.Invalid when expr is not a range.
func (s *Service) SelectVersions(ctx context.Context, p *access.Principal, id int64, expr string) ([]Selected, error) {
	if err := requireRead(p); err != nil {
		return nil, err
	}
	r, err := ParseRange(expr)
	if err != nil {
		return nil, err
	}
	prod, err := s.tree(ctx, p.OrgID, id)
	if err != nil {
		return nil, err
	}
	var out []Selected
	for _, m := range prod.Models {
		for _, v := range m.Versions {
			if r.Contains(v.Version) {
				out = append(out, Selected{Model: m.Name, Version: v})
			}
		}
	}
	return out, nil
}

// sortProducts puts trees in their canonical order: products, models,
// components and customers by name, versions by CompareVersions.
func sortProducts(ps []Product) {
	slices.SortFunc(ps, func(a, b Product) int { return cmp.Compare(a.Name, b.Name) })
	for i := range ps {
		sortTree(&ps[i])
	}
}

func sortTree(p *Product) {
	slices.SortFunc(p.Models, func(a, b Model) int { return cmp.Compare(a.Name, b.Name) })
	for _, m := range p.Models {
		slices.SortFunc(m.Versions, func(a, b Version) int { return CompareVersions(a.Version, b.Version) })
		for _, v := range m.Versions {
			slices.SortFunc(v.Components, func(a, b Component) int { return cmp.Compare(a.Name, b.Name) })
			slices.SortFunc(v.Customers, func(a, b Party) int { return cmp.Compare(a.Name, b.Name) })
		}
	}
}

// clearIDs zeroes the IDs in a tree, so that it is stored as new.
func clearIDs(p *Product) {
	p.ID = 0
	for i := range p.Models {
		m := &p.Models[i]
		m.ID = 0
		for j := range m.Versions {
			v := &m.Versions[j]
			v.ID = 0
			for k := range v.Components {
				v.Components[k].ID = 0
			}
		}
	}
}
