package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/product"
)

// TransactProducts runs fn in a transaction, for product.Service.
func (db *DB) TransactProducts(ctx context.Context, fn func(product.Tx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// ProductTrees returns org's products with everything under them, by ID;
// productID 0 means all of them.
func (db *DB) ProductTrees(ctx context.Context, org, productID int64) ([]product.Product, error) {
	return productTrees(ctx, db.read.QueryContext, org, productID)
}

// ProductTrees is DB.ProductTrees inside the transaction.
func (tx *Tx) ProductTrees(ctx context.Context, org, productID int64) ([]product.Product, error) {
	return productTrees(ctx, tx.query, org, productID)
}

// scanner is a row being scanned.
type scanner interface{ Scan(dest ...any) error }

type queryFunc func(ctx context.Context, query string, args ...any) (*sql.Rows, error)

// The tree queries: each level of org's catalogue ($1), of one product or
// all ($2 = 0), in ID order.
const (
	productsQuery = `SELECT id, org_id, name, description, created_at, updated_at FROM products
		WHERE org_id = $1 AND ($2 = 0 OR id = $2) ORDER BY id`
	modelsQuery = `SELECT m.product_id, m.id, m.name FROM product_models m
		WHERE m.org_id = $1 AND ($2 = 0 OR m.product_id = $2) ORDER BY m.id`
	versionsQuery = `SELECT v.model_id, v.id, v.version, v.line FROM product_versions v
		JOIN product_models m ON m.id = v.model_id
		WHERE v.org_id = $1 AND ($2 = 0 OR m.product_id = $2) ORDER BY v.id`
	componentsQuery = `SELECT c.version_id, c.id, c.name, c.version, c.purl, c.third_party, s.name, s.country, s.email
		FROM product_components c
		JOIN product_versions v ON v.id = c.version_id
		JOIN product_models m ON m.id = v.model_id
		LEFT JOIN product_suppliers s ON s.id = c.supplier_id
		WHERE c.org_id = $1 AND ($2 = 0 OR m.product_id = $2) ORDER BY c.id`
	customersQuery = `SELECT vc.version_id, k.name, k.country, k.email FROM product_version_customers vc
		JOIN product_customers k ON k.id = vc.customer_id
		JOIN product_versions v ON v.id = vc.version_id
		JOIN product_models m ON m.id = v.model_id
		WHERE vc.org_id = $1 AND ($2 = 0 OR m.product_id = $2) ORDER BY k.id`
)

// productTrees reads the catalogue level by level and joins the levels in
// Go: five queries, whatever the size of the catalogue.
func productTrees(ctx context.Context, q queryFunc, org, id int64) ([]product.Product, error) {
	products, err := collect(ctx, q, productsQuery, org, id, func(r *sql.Rows) (product.Product, error) {
		var p product.Product
		err := r.Scan(&p.ID, &p.OrgID, &p.Name, &p.Description, &p.CreatedAt, &p.UpdatedAt)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		return p, err
	})
	if err != nil || len(products) == 0 {
		return products, err
	}
	models, err := collectByParent(ctx, q, modelsQuery, org, id, func(r scanner, m *product.Model) error {
		return r.Scan(&m.ID, &m.Name)
	})
	if err != nil {
		return nil, err
	}
	versions, err := collectByParent(ctx, q, versionsQuery, org, id, func(r scanner, v *product.Version) error {
		return r.Scan(&v.ID, &v.Version, &v.Line)
	})
	if err != nil {
		return nil, err
	}
	components, err := collectByParent(ctx, q, componentsQuery, org, id, scanComponent)
	if err != nil {
		return nil, err
	}
	customers, err := collectByParent(ctx, q, customersQuery, org, id, func(r scanner, c *product.Party) error {
		return r.Scan(&c.Name, &c.Country, &c.Email)
	})
	if err != nil {
		return nil, err
	}
	for i := range products {
		products[i].Models = models[products[i].ID]
		for j := range products[i].Models {
			m := &products[i].Models[j]
			m.Versions = versions[m.ID]
			for k := range m.Versions {
				v := &m.Versions[k]
				v.Components, v.Customers = components[v.ID], customers[v.ID]
			}
		}
	}
	return products, nil
}

func scanComponent(r scanner, c *product.Component) error {
	var third int
	var name, country, email sql.NullString
	if err := r.Scan(&c.ID, &c.Name, &c.Version, &c.PURL, &third, &name, &country, &email); err != nil {
		return err
	}
	c.ThirdParty = third == 1
	if name.Valid {
		c.Supplier = &product.Party{Name: name.String, Country: country.String, Email: email.String}
	}
	return nil
}

// collect runs a tree query and scans each row.
func collect[T any](ctx context.Context, q queryFunc, query string, org, id int64, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := q(ctx, query, org, id)
	if err != nil {
		return nil, fmt.Errorf("store: read products: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read products: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// collectByParent runs a tree query whose first column is the parent's ID
// and groups the scanned rows by it.
func collectByParent[T any](ctx context.Context, q queryFunc, query string, org, id int64, scan func(scanner, *T) error) (map[int64][]T, error) {
	type row struct {
		parent int64
		v      T
	}
	rows, err := collect(ctx, q, query, org, id, func(r *sql.Rows) (row, error) {
		var x row
		err := scan(&scanParent{Rows: r, parent: &x.parent}, &x.v)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	out := map[int64][]T{}
	for _, x := range rows {
		out[x.parent] = append(out[x.parent], x.v)
	}
	return out, nil
}

// scanParent is a *sql.Rows whose Scan puts the first column in parent.
type scanParent struct {
	*sql.Rows
	parent *int64
}

// Scan scans the parent's ID and then dest.
func (s *scanParent) Scan(dest ...any) error {
	return s.Rows.Scan(append([]any{s.parent}, dest...)...)
}

// LockProduct locks org's product id until the transaction ends and
// returns its updated_at; errs.NotFound.
func (tx *Tx) LockProduct(ctx context.Context, org, id int64) (time.Time, error) {
	var at time.Time
	err := tx.queryRow(ctx, `SELECT updated_at FROM products WHERE org_id = $1 AND id = $2`+tx.dialect.forUpdate(), org, id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return at, errs.New(errs.NotFound, "no such product")
	}
	if err != nil {
		return at, fmt.Errorf("store: lock product: %w", err)
	}
	return at.UTC(), nil
}

// ProductID returns the ID of org's product named name; errs.NotFound.
func (tx *Tx) ProductID(ctx context.Context, org int64, name string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM products WHERE org_id = $1 AND name = $2`, org, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.New(errs.NotFound, "no such product")
	}
	if err != nil {
		return 0, fmt.Errorf("store: find product: %w", err)
	}
	return id, nil
}
