package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
)

// testProducts round-trips a product tree, and checks names unique within
// their parents, the tenant walls, cascading deletes and party upserts.
func testProducts(t *testing.T, d Database) {
	ctx := context.Background()
	at := time.Date(2026, 6, 1, 9, 30, 0, 123000, time.UTC)
	var orgs [2]int64
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
		for i, name := range []string{"Acme", "Other"} {
			if orgs[i], err = tx.CreateOrganisation(ctx, identity.Organisation{Name: name, Kinds: []string{"provider"}, Country: "CN", CreatedAt: at}); err != nil {
				return err
			}
		}
		return nil
	})
	want := mustProductTree(t, d.DB, orgs[0], at)
	got, err := d.DB.ProductTrees(ctx, orgs[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]product.Product{want}, got); diff != "" {
		t.Errorf("ProductTrees (-want +got):\n%s", diff)
	}
	if got, err := d.DB.ProductTrees(ctx, orgs[1], 0); err != nil || len(got) != 0 {
		t.Errorf("ProductTrees(other organisation) = %v, %v; want none", got, err)
	}
	testProductConstraints(t, d, orgs, want)
	testProductDelete(t, d, orgs[0], want)
}

// mustProductTree stores a product with two models, a version with a
// third-party and a first-party component and two customers, and returns
// it as ProductTrees should read it.
func mustProductTree(t *testing.T, db *store.DB, org int64, at time.Time) product.Product {
	t.Helper()
	ctx := context.Background()
	gb := product.Party{Name: "OpenSSL Project", Country: "GB", Email: "openssl-security@openssl.org"}
	p := product.Product{OrgID: org, Name: "路由器 X", Description: "家用路由器", CreatedAt: at, UpdatedAt: at,
		Models: []product.Model{{Name: "AX3000", Versions: []product.Version{{Version: "2.1.4", Line: "2.x",
			Components: []product.Component{
				{Name: "openssl", Version: "3.0.13", PURL: "pkg:generic/openssl@3.0.13", ThirdParty: true, Supplier: &gb},
				{Name: "webui", Version: "2.1.4"},
			},
			Customers: []product.Party{{Name: "某电信公司", Country: "CN", Email: "sec@telecom.example.cn"}, {Name: "Globex", Country: "DE"}},
		}}}, {Name: "AX6000"}}}
	mustTransact(t, db, func(tx *store.Tx) (err error) {
		if p.ID, err = tx.CreateProduct(ctx, p); err != nil {
			return err
		}
		for i := range p.Models {
			m := &p.Models[i]
			if m.ID, err = tx.CreateModel(ctx, org, p.ID, *m); err != nil {
				return err
			}
			for j := range m.Versions {
				if err := storeVersion(ctx, tx, org, m.ID, &m.Versions[j]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return p
}

func storeVersion(ctx context.Context, tx *store.Tx, org, modelID int64, v *product.Version) (err error) {
	if v.ID, err = tx.CreateVersion(ctx, org, modelID, *v); err != nil {
		return err
	}
	for i := range v.Components {
		c := &v.Components[i]
		var supplier int64
		if c.Supplier != nil {
			if supplier, err = tx.PutSupplier(ctx, org, *c.Supplier); err != nil {
				return err
			}
		}
		if c.ID, err = tx.CreateComponent(ctx, org, v.ID, *c, supplier); err != nil {
			return err
		}
	}
	var ids []int64
	for _, c := range v.Customers {
		id, err := tx.PutCustomer(ctx, org, c)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	return tx.SetVersionCustomers(ctx, org, v.ID, ids)
}

// testProductConstraints checks the errors each write gives.
func testProductConstraints(t *testing.T, d Database, orgs [2]int64, p product.Product) {
	ctx := context.Background()
	acme, other := orgs[0], orgs[1]
	m, v := p.Models[0], p.Models[0].Versions[0]
	tests := []struct {
		name string
		fn   func(tx *store.Tx) error
		want errs.Kind
	}{
		{"product name taken", func(tx *store.Tx) error {
			_, err := tx.CreateProduct(ctx, product.Product{OrgID: acme, Name: p.Name, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})
			return err
		}, errs.Conflict},
		{"same name in another organisation", func(tx *store.Tx) error {
			_, err := tx.CreateProduct(ctx, product.Product{OrgID: other, Name: p.Name, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})
			return err
		}, errs.Internal},
		{"model name taken", func(tx *store.Tx) error {
			return tx.UpdateModel(ctx, acme, product.Model{ID: p.Models[1].ID, Name: m.Name})
		}, errs.Conflict},
		{"version taken", func(tx *store.Tx) error {
			_, err := tx.CreateVersion(ctx, acme, m.ID, product.Version{Version: v.Version})
			return err
		}, errs.Conflict},
		{"component name taken", func(tx *store.Tx) error {
			_, err := tx.CreateComponent(ctx, acme, v.ID, product.Component{Name: "webui", Version: "1"}, 0)
			return err
		}, errs.Conflict},
		{"model under another organisation's product", func(tx *store.Tx) error {
			_, err := tx.CreateModel(ctx, other, p.ID, product.Model{Name: "intruder"})
			return err
		}, errs.NotFound},
		{"customer of another organisation", func(tx *store.Tx) error {
			id, err := tx.PutCustomer(ctx, other, product.Party{Name: "Initech", Country: "US"})
			if err != nil {
				return err
			}
			return tx.SetVersionCustomers(ctx, acme, v.ID, []int64{id})
		}, errs.NotFound},
		{"rename another organisation's model", func(tx *store.Tx) error { return tx.UpdateModel(ctx, other, product.Model{ID: m.ID, Name: "x"}) }, errs.NotFound},
		{"delete another organisation's product", func(tx *store.Tx) error { return tx.DeleteProduct(ctx, other, p.ID) }, errs.NotFound},
		{"lock another organisation's product", func(tx *store.Tx) error { _, err := tx.LockProduct(ctx, other, p.ID); return err }, errs.NotFound},
		{"find another organisation's product", func(tx *store.Tx) error { _, err := tx.ProductID(ctx, other, "路由器 X"); return err }, errs.NotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.DB.Transact(ctx, func(tx *store.Tx) error {
				if err := tc.fn(tx); err != nil {
					return err
				}
				return errRollback
			})
			if err == errRollback {
				err = nil
			}
			if got := errs.KindOf(err); (err == nil) != (tc.want == errs.Internal) || (err != nil && got != tc.want) {
				t.Errorf("err = %v (%v), want %v", err, got, tc.want)
			}
		})
	}
	err := d.DB.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.CreateComponent(ctx, acme, v.ID, product.Component{Name: "libfoo", Version: "1", ThirdParty: true}, 0)
		return err
	})
	if !store.IsConstraint(err, store.Check) {
		t.Errorf("third-party component without supplier: err = %v, want a check violation", err)
	}
}

// errRollback ends a test transaction without keeping its writes.
var errRollback = errs.New(errs.Internal, "rollback")

// testProductDelete updates a party, then deletes the product: everything
// under it goes, and PruneParties removes the suppliers and customers
// nothing refers to.
func testProductDelete(t *testing.T, d Database, org int64, p product.Product) {
	ctx := context.Background()
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		_, err := tx.PutSupplier(ctx, org, product.Party{Name: "OpenSSL Project", Country: "US"})
		return err
	})
	got, _ := d.DB.ProductTrees(ctx, org, p.ID)
	if s := got[0].Models[0].Versions[0].Components[0].Supplier; s == nil || s.Country != "US" || s.Email != "" {
		t.Errorf("after PutSupplier, supplier = %+v, want country US, no e-mail", s)
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		if err := tx.DeleteProduct(ctx, org, p.ID); err != nil {
			return err
		}
		return tx.PruneParties(ctx, org)
	})
	for _, table := range []string{"product_models", "product_versions", "product_components", "product_version_customers",
		"product_suppliers", "product_customers"} {
		var n int
		if err := d.Raw.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE org_id = $1`, org).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after delete: %d rows, %v; want 0", table, n, err)
		}
	}
}
