-- The product catalogue (internal/product): products, their models (型号),
-- the versions of each model, the components of each version and the
-- customers known to run it; a third-party component names its supplier.
-- Every row carries its organisation, and composite foreign keys on
-- (id, org_id) keep a child in its parent's organisation. Names are unique
-- within their parent. Deleting a product deletes everything under it;
-- suppliers and customers are the organisation's, shared by its products.
CREATE TABLE products (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id      INTEGER NOT NULL REFERENCES organisations (id),
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	UNIQUE (org_id, name),
	UNIQUE (id, org_id)
);

CREATE TABLE product_models (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id     INTEGER NOT NULL,
	product_id INTEGER NOT NULL,
	name       TEXT NOT NULL,
	UNIQUE (product_id, name),
	UNIQUE (id, org_id),
	FOREIGN KEY (product_id, org_id) REFERENCES products (id, org_id) ON DELETE CASCADE
);

CREATE TABLE product_versions (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id   INTEGER NOT NULL,
	model_id INTEGER NOT NULL,
	version  TEXT NOT NULL,
	line     TEXT NOT NULL DEFAULT '',
	UNIQUE (model_id, version),
	UNIQUE (id, org_id),
	FOREIGN KEY (model_id, org_id) REFERENCES product_models (id, org_id) ON DELETE CASCADE
);

-- Suppliers and customers: external parties, by name within the
-- organisation; country is their jurisdiction (RMSV Art. 9(7)).
CREATE TABLE product_suppliers (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id  INTEGER NOT NULL REFERENCES organisations (id),
	name    TEXT NOT NULL,
	country TEXT NOT NULL,
	email   TEXT NOT NULL DEFAULT '',
	UNIQUE (org_id, name),
	UNIQUE (id, org_id)
);

CREATE TABLE product_customers (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id  INTEGER NOT NULL REFERENCES organisations (id),
	name    TEXT NOT NULL,
	country TEXT NOT NULL,
	email   TEXT NOT NULL DEFAULT '',
	UNIQUE (org_id, name),
	UNIQUE (id, org_id)
);

-- A component has a supplier exactly when it is third-party.
CREATE TABLE product_components (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id      INTEGER NOT NULL,
	version_id  INTEGER NOT NULL,
	name        TEXT NOT NULL,
	version     TEXT NOT NULL,
	purl        TEXT NOT NULL DEFAULT '',
	third_party INTEGER NOT NULL DEFAULT 0 CHECK (third_party IN (0, 1)),
	supplier_id INTEGER,
	UNIQUE (version_id, name),
	CHECK ((third_party = 1) = (supplier_id IS NOT NULL)),
	FOREIGN KEY (version_id, org_id) REFERENCES product_versions (id, org_id) ON DELETE CASCADE,
	FOREIGN KEY (supplier_id, org_id) REFERENCES product_suppliers (id, org_id)
);
CREATE INDEX product_components_supplier ON product_components (supplier_id);

CREATE TABLE product_version_customers (
	org_id      INTEGER NOT NULL,
	version_id  INTEGER NOT NULL,
	customer_id INTEGER NOT NULL,
	PRIMARY KEY (version_id, customer_id),
	FOREIGN KEY (version_id, org_id) REFERENCES product_versions (id, org_id) ON DELETE CASCADE,
	FOREIGN KEY (customer_id, org_id) REFERENCES product_customers (id, org_id)
);
CREATE INDEX product_version_customers_customer ON product_version_customers (customer_id);
