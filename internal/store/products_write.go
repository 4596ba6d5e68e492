package store

import (
	"context"
	"fmt"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/product"
)

// The catalogue's writes. Each acts only on rows of organisation org: a
// row of another organisation is errs.NotFound, and so is a parent of
// another organisation (the composite foreign keys refuse it). A name in
// use under the same parent is errs.Conflict.

// productWrite classifies a write's error: unique → Conflict with msg,
// foreign key → NotFound (the parent is gone or another organisation's).
func productWrite(err error, what, msg string) error {
	switch {
	case err == nil:
		return nil
	case IsConstraint(err, Unique):
		return errs.Wrap(errs.Conflict, err, "%s", msg)
	case IsConstraint(err, ForeignKey):
		return errs.Wrap(errs.NotFound, err, "the part it belongs to does not exist")
	}
	return fmt.Errorf("store: %s: %w", what, err)
}

// insertID runs an INSERT … RETURNING id.
func (tx *Tx) insertID(ctx context.Context, what, msg, query string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, query, args...).Scan(&id)
	return id, productWrite(classify(err), what, msg)
}

// execOne runs a write that must affect one row of org.
func (tx *Tx) execOne(ctx context.Context, what, msg, query string, args ...any) error {
	res, err := tx.exec(ctx, query, args...)
	if err != nil {
		return productWrite(err, what, msg)
	}
	return mustAffect(res, "no such "+what)
}

// CreateProduct stores a product without its models and returns its ID.
func (tx *Tx) CreateProduct(ctx context.Context, p product.Product) (int64, error) {
	return tx.insertID(ctx, "product", "the organisation has a product of this name",
		`INSERT INTO products (org_id, name, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		p.OrgID, p.Name, p.Description, p.CreatedAt, p.UpdatedAt)
}

// UpdateProduct sets the name, description and updated_at of product p.ID
// of organisation p.OrgID.
func (tx *Tx) UpdateProduct(ctx context.Context, p product.Product) error {
	return tx.execOne(ctx, "product", "the organisation has a product of this name",
		`UPDATE products SET name = $3, description = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`,
		p.OrgID, p.ID, p.Name, p.Description, p.UpdatedAt)
}

// DeleteProduct deletes a product and everything under it.
func (tx *Tx) DeleteProduct(ctx context.Context, org, id int64) error {
	return tx.execOne(ctx, "product", "", `DELETE FROM products WHERE org_id = $1 AND id = $2`, org, id)
}

// CreateModel stores a model of product productID without its versions.
func (tx *Tx) CreateModel(ctx context.Context, org, productID int64, m product.Model) (int64, error) {
	return tx.insertID(ctx, "model", "the product has a model of this name",
		`INSERT INTO product_models (org_id, product_id, name) VALUES ($1, $2, $3) RETURNING id`, org, productID, m.Name)
}

// UpdateModel renames model m.ID.
func (tx *Tx) UpdateModel(ctx context.Context, org int64, m product.Model) error {
	return tx.execOne(ctx, "model", "the product has a model of this name",
		`UPDATE product_models SET name = $3 WHERE org_id = $1 AND id = $2`, org, m.ID, m.Name)
}

// DeleteModel deletes a model and everything under it.
func (tx *Tx) DeleteModel(ctx context.Context, org, id int64) error {
	return tx.execOne(ctx, "model", "", `DELETE FROM product_models WHERE org_id = $1 AND id = $2`, org, id)
}

// CreateVersion stores a version of model modelID without its components
// and customers.
func (tx *Tx) CreateVersion(ctx context.Context, org, modelID int64, v product.Version) (int64, error) {
	return tx.insertID(ctx, "version", "the model has this version already",
		`INSERT INTO product_versions (org_id, model_id, version, line) VALUES ($1, $2, $3, $4) RETURNING id`,
		org, modelID, v.Version, v.Line)
}

// UpdateVersion sets the version string and line of version v.ID.
func (tx *Tx) UpdateVersion(ctx context.Context, org int64, v product.Version) error {
	return tx.execOne(ctx, "version", "the model has this version already",
		`UPDATE product_versions SET version = $3, line = $4 WHERE org_id = $1 AND id = $2`, org, v.ID, v.Version, v.Line)
}

// DeleteVersion deletes a version with its components and customer links.
func (tx *Tx) DeleteVersion(ctx context.Context, org, id int64) error {
	return tx.execOne(ctx, "version", "", `DELETE FROM product_versions WHERE org_id = $1 AND id = $2`, org, id)
}

// CreateComponent stores a component of version versionID, supplied by
// supplierID (0: none).
func (tx *Tx) CreateComponent(ctx context.Context, org, versionID int64, c product.Component, supplierID int64) (int64, error) {
	return tx.insertID(ctx, "component", "the version has a component of this name",
		`INSERT INTO product_components (org_id, version_id, name, version, purl, third_party, supplier_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		org, versionID, c.Name, c.Version, c.PURL, boolInt(c.ThirdParty), nullID(supplierID))
}

// UpdateComponent sets every field of component c.ID.
func (tx *Tx) UpdateComponent(ctx context.Context, org int64, c product.Component, supplierID int64) error {
	return tx.execOne(ctx, "component", "the version has a component of this name",
		`UPDATE product_components SET name = $3, version = $4, purl = $5, third_party = $6, supplier_id = $7
		WHERE org_id = $1 AND id = $2`,
		org, c.ID, c.Name, c.Version, c.PURL, boolInt(c.ThirdParty), nullID(supplierID))
}

// DeleteComponent deletes a component.
func (tx *Tx) DeleteComponent(ctx context.Context, org, id int64) error {
	return tx.execOne(ctx, "component", "", `DELETE FROM product_components WHERE org_id = $1 AND id = $2`, org, id)
}

// PutSupplier stores org's supplier s by name (creating it, or updating its
// country and contact) and returns its ID.
func (tx *Tx) PutSupplier(ctx context.Context, org int64, s product.Party) (int64, error) {
	return tx.putParty(ctx, "product_suppliers", org, s)
}

// PutCustomer stores org's customer c by name and returns its ID.
func (tx *Tx) PutCustomer(ctx context.Context, org int64, c product.Party) (int64, error) {
	return tx.putParty(ctx, "product_customers", org, c)
}

func (tx *Tx) putParty(ctx context.Context, table string, org int64, p product.Party) (int64, error) {
	return tx.insertID(ctx, table, "", `INSERT INTO `+table+` (org_id, name, country, email) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, name) DO UPDATE SET country = excluded.country, email = excluded.email RETURNING id`,
		org, p.Name, p.Country, p.Email)
}

// SetVersionCustomers replaces the customers linked to version versionID.
func (tx *Tx) SetVersionCustomers(ctx context.Context, org, versionID int64, customerIDs []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM product_version_customers WHERE org_id = $1 AND version_id = $2`, org, versionID); err != nil {
		return fmt.Errorf("store: set version customers: %w", err)
	}
	for _, id := range customerIDs {
		_, err := tx.exec(ctx, `INSERT INTO product_version_customers (org_id, version_id, customer_id) VALUES ($1, $2, $3)`,
			org, versionID, id)
		if err != nil {
			return productWrite(err, "set version customers", "a customer is linked twice")
		}
	}
	return nil
}

// PruneParties deletes org's suppliers and customers nothing refers to.
func (tx *Tx) PruneParties(ctx context.Context, org int64) error {
	for _, q := range []string{
		`DELETE FROM product_suppliers WHERE org_id = $1
			AND NOT EXISTS (SELECT 1 FROM product_components c WHERE c.supplier_id = product_suppliers.id)`,
		`DELETE FROM product_customers WHERE org_id = $1
			AND NOT EXISTS (SELECT 1 FROM product_version_customers vc WHERE vc.customer_id = product_customers.id)`,
	} {
		if _, err := tx.exec(ctx, q, org); err != nil {
			return fmt.Errorf("store: prune suppliers and customers: %w", err)
		}
	}
	return nil
}

var _ product.Tx = (*Tx)(nil)
var _ product.Store = (*DB)(nil)
