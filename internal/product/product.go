// Package product owns the product catalogue: an organisation's products,
// their models (型号), the versions of each model with their release lines,
// the components each version is built from (and, for third-party
// components, their suppliers), and the customers known to run each
// version. Cases scope affected versions against it (version ranges),
// upstream notices go to its suppliers (RMSV Art. 7), and affected-user
// notices to its customers; a supplier's or customer's country is its
// jurisdiction for the sharing gate (Art. 9(7), CN-09-7).
//
// A product is handled as one tree: Product reads it whole, Create, Update
// and Import write it whole, and every change is audited in the same
// transaction. Everything belongs to one organisation; another
// organisation's product does not exist for a caller (errs.NotFound).
// docs/products.md describes the model, the range syntax and the CSV and
// JSON formats.
package product

import (
	"context"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// Product is one product of an organisation with everything under it.
// Names are unique within their parent: product names within the
// organisation, model names within the product, version strings within the
// model, component names within the version, customer names within the
// version.
type Product struct {
	ID          int64
	OrgID       int64
	Name        string
	Description string
	Models      []Model
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Model is one model (型号) of a product.
type Model struct {
	ID       int64
	Name     string
	Versions []Version
}

// Version is one version of a model. Line names its release line ("2.x",
// "LTS"); a line written as a wildcard must select the version (InLine).
type Version struct {
	ID         int64
	Version    string
	Line       string
	Components []Component
	Customers  []Party // the customers known to run this version
}

// Component is one component a version is built from. A third-party
// component names its supplier, the upstream that RMSV Art. 7 says to
// notify; a first-party component has none.
type Component struct {
	ID         int64
	Name       string
	Version    string
	PURL       string // package URL, optional
	ThirdParty bool
	Supplier   *Party // set exactly when ThirdParty
}

// Party is an external organisation the catalogue names: a component's
// supplier or a version's customer. Within an organisation, one name is
// one party: the same supplier (or customer) has the same country and
// contact wherever it appears.
type Party struct {
	Name    string
	Country string // ISO 3166-1 alpha-2 (upper case): the party's jurisdiction
	Email   string // contact address, lower case; optional
}

// Catalogue is a set of product trees, as exported and imported.
type Catalogue struct {
	Products []Product
}

// Store persists the catalogue.
type Store interface {
	TransactProducts(ctx context.Context, fn func(Tx) error) error
	// ProductTrees returns org's products with everything under them, in
	// any order; productID 0 means all of them.
	ProductTrees(ctx context.Context, org, productID int64) ([]Product, error)
}

// Tx is one catalogue transaction. Every method with an org argument acts
// only on that organisation's rows, and answers errs.NotFound for rows of
// another. Unique names answer errs.Conflict.
type Tx interface {
	Now() time.Time
	ProductTrees(ctx context.Context, org, productID int64) ([]Product, error)
	// LockProduct locks a product against concurrent writers until the
	// transaction ends and returns its UpdatedAt; errs.NotFound.
	LockProduct(ctx context.Context, org, id int64) (time.Time, error)
	// ProductID returns the ID of org's product named name; errs.NotFound.
	ProductID(ctx context.Context, org int64, name string) (int64, error)
	CreateProduct(ctx context.Context, p Product) (int64, error)
	// UpdateProduct sets the name, description and UpdatedAt of p.ID.
	UpdateProduct(ctx context.Context, p Product) error
	DeleteProduct(ctx context.Context, org, id int64) error
	CreateModel(ctx context.Context, org, productID int64, m Model) (int64, error)
	UpdateModel(ctx context.Context, org int64, m Model) error
	DeleteModel(ctx context.Context, org, id int64) error
	CreateVersion(ctx context.Context, org, modelID int64, v Version) (int64, error)
	UpdateVersion(ctx context.Context, org int64, v Version) error
	DeleteVersion(ctx context.Context, org, id int64) error
	// CreateComponent and UpdateComponent link the component to supplier
	// supplierID (0: none).
	CreateComponent(ctx context.Context, org, versionID int64, c Component, supplierID int64) (int64, error)
	UpdateComponent(ctx context.Context, org int64, c Component, supplierID int64) error
	DeleteComponent(ctx context.Context, org, id int64) error
	// PutSupplier and PutCustomer store the party by name, creating it or
	// updating its country and contact, and return its ID.
	PutSupplier(ctx context.Context, org int64, s Party) (int64, error)
	PutCustomer(ctx context.Context, org int64, c Party) (int64, error)
	// SetVersionCustomers replaces the customers known to run a version.
	SetVersionCustomers(ctx context.Context, org, versionID int64, customerIDs []int64) error
	// PruneParties deletes org's suppliers and customers that nothing
	// refers to any more.
	PruneParties(ctx context.Context, org int64) error
	AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error)
}

// Service applies the catalogue's rules.
type Service struct {
	store   Store
	changed func(ctx context.Context, org int64) // nil: no one is told
	// customers keeps who runs what; nil: the customer list is off.
	customers CustomerStore
	sealer    Sealer // seals the customers' webhook and robot URLs
}

// WithChangeHook returns s calling h after every committed change to an
// organisation's catalogue (the exposure engine re-reads its versions).
func (s *Service) WithChangeHook(h func(ctx context.Context, org int64)) *Service {
	s.changed = h
	return s
}

// transact runs a write to org's catalogue, then the change hook.
func (s *Service) transact(ctx context.Context, org int64, fn func(Tx) error) error {
	if err := s.store.TransactProducts(ctx, fn); err != nil {
		return err
	}
	if s.changed != nil {
		s.changed(ctx, org)
	}
	return nil
}

// NewService returns a Service over st.
func NewService(st Store) *Service { return &Service{store: st} }

// errNoProduct is the answer for a product that does not exist and for
// another organisation's product: the two must not be told apart.
var errNoProduct = errs.Coded(errs.NotFound, "product.not_found", "no such product")

// requireRead checks that p may read the catalogue: access.ReadCases, or
// access.ManageProducts (whoever keeps the catalogue must see it).
func requireRead(p *access.Principal) error {
	if p.Can(access.ManageProducts) {
		return nil
	}
	return p.Require(access.ReadCases)
}

// requireManage checks that p may change the catalogue.
func requireManage(p *access.Principal) error {
	return p.Require(access.ManageProducts)
}

// record appends an audit event about product subject to tx.
func record(ctx context.Context, tx Tx, p *access.Principal, action, subject string, details any) error {
	ev, err := audit.New(ctx, p.Actor(), action, subject, details)
	if err != nil {
		return err
	}
	ev.OrgID = p.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}

func subject(id int64) string { return "product:" + strconv.FormatInt(id, 10) }
