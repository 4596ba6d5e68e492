package store

import (
	"context"
	"fmt"

	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/product"
)

// TransactCustomers runs fn in a transaction, for the customer list.
func (db *DB) TransactCustomers(ctx context.Context, fn func(product.CustomerTx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// Customers returns org's customers with the versions they run, by name.
func (tx *Tx) Customers(ctx context.Context, org int64) ([]product.Customer, error) {
	return customers(ctx, tx.query, org)
}

// Customers returns org's customers outside a transaction.
func (db *DB) Customers(ctx context.Context, org int64) ([]product.Customer, error) {
	return customers(ctx, db.read.QueryContext, org)
}

func customers(ctx context.Context, q queryFunc, org int64) ([]product.Customer, error) {
	rows, err := q(ctx, `SELECT id, name, country, email, kind, language, webhook_url, robot_kind, robot_url
		FROM product_customers WHERE org_id = $1 ORDER BY name`, org)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	var out []product.Customer
	byID := map[int64]int{}
	for rows.Next() {
		var c product.Customer
		var robot string
		if err := rows.Scan(&c.ID, &c.Name, &c.Country, &c.Email, &c.Kind, &c.Language, &c.WebhookURL, &robot, &c.RobotURL); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: customers: %w", err)
		}
		c.RobotKind = notify.Kind(robot)
		byID[c.ID] = len(out)
		out = append(out, c)
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	rows, err = q(ctx, `SELECT vc.customer_id, p.name, m.name, v.version
		FROM product_version_customers vc
		JOIN product_versions v ON v.id = vc.version_id
		JOIN product_models m ON m.id = v.model_id
		JOIN products p ON p.id = m.product_id
		WHERE vc.org_id = $1 ORDER BY p.name, m.name, v.version`, org)
	if err != nil {
		return nil, fmt.Errorf("store: customer runs: %w", err)
	}
	for rows.Next() {
		var id int64
		var r product.Run
		if err := rows.Scan(&id, &r.Product, &r.Model, &r.Version); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: customer runs: %w", err)
		}
		if i, ok := byID[id]; ok {
			out[i].Runs = append(out[i].Runs, r)
		}
	}
	return out, closeRows(rows)
}

// PutCustomerContacts stores c's party, kind, language and contacts by
// name and returns its ID.
func (tx *Tx) PutCustomerContacts(ctx context.Context, org int64, c product.Customer) (int64, error) {
	return tx.insertID(ctx, "customer", "", `INSERT INTO product_customers (org_id, name, country, email, kind, language,
			webhook_url, robot_kind, robot_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (org_id, name) DO UPDATE SET country = excluded.country, email = excluded.email, kind = excluded.kind,
			language = excluded.language, webhook_url = excluded.webhook_url, robot_kind = excluded.robot_kind,
			robot_url = excluded.robot_url
		RETURNING id`,
		org, c.Name, c.Country, c.Email, string(c.Kind), c.Language, c.WebhookURL, string(c.RobotKind), c.RobotURL)
}

// SetCustomerVersions replaces the versions customer id runs.
func (tx *Tx) SetCustomerVersions(ctx context.Context, org, id int64, versionIDs []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM product_version_customers WHERE org_id = $1 AND customer_id = $2`, org, id); err != nil {
		return fmt.Errorf("store: set customer versions: %w", err)
	}
	for _, v := range versionIDs {
		_, err := tx.exec(ctx, `INSERT INTO product_version_customers (org_id, version_id, customer_id) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, org, v, id)
		if err != nil {
			return productWrite(err, "set customer versions", "")
		}
	}
	return nil
}

// DeleteCustomer deletes org's customer id and its runs; errs.NotFound.
func (tx *Tx) DeleteCustomer(ctx context.Context, org, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM product_version_customers WHERE org_id = $1 AND customer_id = $2`, org, id); err != nil {
		return fmt.Errorf("store: delete customer: %w", err)
	}
	return tx.execOne(ctx, "customer", "", `DELETE FROM product_customers WHERE org_id = $1 AND id = $2`, org, id)
}

var _ product.CustomerTx = (*Tx)(nil)
var _ product.CustomerStore = (*DB)(nil)
