package product_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// world is a store with two organisations and staff in them.
type world struct {
	d   storetest.Database
	svc *product.Service
	p   map[string]*access.Principal
}

func newWorld(t *testing.T, dsn string) *world {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{})
	w := &world{d: d, svc: product.NewService(d.DB), p: map[string]*access.Principal{}}
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	var orgs [2]int64
	err := d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		for i, name := range []string{"Acme", "Other"} {
			if orgs[i], err = tx.CreateOrganisation(ctx, identity.Organisation{Name: name, Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		org  int64
		role access.Role
	}{
		{"engineer", orgs[0], access.Engineer}, {"triager", orgs[0], access.Triager}, {"admin", orgs[0], access.Administrator},
		{"auditor", orgs[0], access.Auditor}, {"other", orgs[1], access.Engineer}, {"compliance", orgs[0], access.ComplianceOfficer},
	} {
		user, err := ids.CreateUser(ctx, access.Operator(), identity.NewUser{Email: u.name + "@example.cn", DisplayName: u.name,
			Password: "tangerine rooftop lantern", OrgID: u.org, Role: u.role})
		if err != nil {
			t.Fatal(err)
		}
		w.p[u.name] = user.Principal(true)
	}
	return w
}

// forEachDialect runs fn on a fresh world for every dialect under test.
func forEachDialect(t *testing.T, fn func(*testing.T, *world)) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) { fn(t, newWorld(t, dsn(t))) })
	}
}

// router is a product as a person would enter it.
func router() product.Product {
	return product.Product{Name: "路由器 X", Description: "家用路由器", Models: []product.Model{
		{Name: "AX3000", Versions: []product.Version{
			{Version: "2.0.5", Line: "2.x", Components: []product.Component{
				{Name: "openssl", Version: "3.0.13", ThirdParty: true, Supplier: &product.Party{Name: "OpenSSL Project", Country: "gb"}},
			}},
			{Version: "2.1.4", Line: "2.x", Components: []product.Component{
				{Name: "openssl", Version: "3.0.14", ThirdParty: true, Supplier: &product.Party{Name: "OpenSSL Project", Country: "GB"}},
				{Name: "webui", Version: "2.1.4"},
			}, Customers: []product.Party{{Name: "某电信公司", Country: "CN", Email: "Sec@Telecom.example.cn"}}},
			{Version: "1.9.7", Line: "1.x"},
		}},
	}}
}

// ignoreIDs compares trees without the store's IDs and times.
var ignoreIDs = cmp.Options{
	cmpopts.IgnoreFields(product.Product{}, "ID", "OrgID", "CreatedAt", "UpdatedAt"),
	cmpopts.IgnoreFields(product.Model{}, "ID"),
	cmpopts.IgnoreFields(product.Version{}, "ID"),
	cmpopts.IgnoreFields(product.Component{}, "ID"),
}

func TestAccess(t *testing.T) { forEachDialect(t, testAccess) }

func testAccess(t *testing.T, w *world) {
	ctx := context.Background()
	created, err := w.svc.Create(ctx, w.p["engineer"], router())
	if err != nil {
		t.Fatal(err)
	}
	id := created.ID
	tests := []struct {
		who, op string
		want    errs.Kind // Internal stands for success
	}{
		{"engineer", "read", errs.Internal},
		{"triager", "read", errs.Internal},    // case.read
		{"admin", "read", errs.Internal},      // product.manage
		{"auditor", "read", errs.Forbidden},   // neither
		{"other", "read", errs.NotFound},      // another organisation's product does not exist
		{"triager", "create", errs.Forbidden}, // reads, may not change
		{"auditor", "delete", errs.Forbidden}, // changes nothing
		{"other", "update", errs.NotFound},    // may change its own catalogue only
		{"other", "delete", errs.NotFound},
		{"other", "select", errs.NotFound},
		{"admin", "update", errs.Internal},      // product.manage
		{"compliance", "update", errs.Internal}, // product.manage
	}
	ops := map[string]func(p *access.Principal) error{
		"read": func(p *access.Principal) error { _, err := w.svc.Product(ctx, p, id); return err },
		"create": func(p *access.Principal) error {
			_, err := w.svc.Create(ctx, p, product.Product{Name: "New"})
			return err
		},
		"update": func(p *access.Principal) error {
			prod := withoutStamp(created)
			prod.Description = "by " + p.Email
			_, err := w.svc.Update(ctx, p, prod)
			return err
		},
		"delete": func(p *access.Principal) error { return w.svc.Delete(ctx, p, id) },
		"select": func(p *access.Principal) error { _, err := w.svc.SelectVersions(ctx, p, id, "2.x"); return err },
	}
	for _, tc := range tests {
		err := ops[tc.op](w.p[tc.who])
		if got := errs.KindOf(err); (err == nil) != (tc.want == errs.Internal) || (err != nil && got != tc.want) {
			t.Errorf("%s %s: err = %v, want %v", tc.who, tc.op, err, tc.want)
		}
	}
	if ps, err := w.svc.Products(ctx, w.p["other"]); err != nil || len(ps) != 0 {
		t.Errorf("other organisation lists %d products, %v; want none", len(ps), err)
	}
	token := *w.p["engineer"]
	token.TokenID, token.Scopes = 9, []access.Permission{access.ReadCases}
	if _, err := w.svc.Create(ctx, &token, product.Product{Name: "Scoped"}); !errs.Is(err, errs.Forbidden) {
		t.Errorf("token without product.manage scope: err = %v, want Forbidden", err)
	}
}

// withoutStamp drops UpdatedAt, so that Update does not check staleness.
func withoutStamp(p product.Product) product.Product {
	p.UpdatedAt = time.Time{}
	return p
}

func TestCreateUpdateDelete(t *testing.T) { forEachDialect(t, testCreateUpdateDelete) }

func testCreateUpdateDelete(t *testing.T, w *world) {
	ctx := context.Background()
	eng := w.p["engineer"]
	in := router()
	got, err := w.svc.Create(ctx, eng, in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(router(), in); diff != "" {
		t.Errorf("Create changed its argument (-before +after):\n%s", diff)
	}
	want := router()
	want.Models[0].Versions = []product.Version{want.Models[0].Versions[2], want.Models[0].Versions[0], want.Models[0].Versions[1]}
	want.Models[0].Versions[1].Components[0].Supplier.Country = "GB"
	want.Models[0].Versions[2].Customers[0].Email = "sec@telecom.example.cn"
	if diff := cmp.Diff(want, got, ignoreIDs); diff != "" {
		t.Errorf("Create returned (-want +got):\n%s", diff)
	}
	if _, err := w.svc.Create(ctx, eng, router()); !errs.Is(err, errs.Conflict) {
		t.Errorf("second product of the same name: err = %v, want Conflict", err)
	}

	// Rename the model by ID, drop a version, change a component: the
	// kept version keeps its ID.
	edit := got
	v214 := edit.Models[0].Versions[2]
	edit.Models[0].Name = "AX3000 Pro"
	edit.Models[0].Versions = []product.Version{v214}
	edit.Models[0].Versions[0].Components = []product.Component{{Name: "webui", Version: "2.1.5"}}
	updated, err := w.svc.Update(ctx, eng, edit)
	if err != nil {
		t.Fatal(err)
	}
	m := updated.Models[0]
	if m.ID != got.Models[0].ID || m.Name != "AX3000 Pro" || len(m.Versions) != 1 || m.Versions[0].ID != v214.ID {
		t.Errorf("after Update, model = %+v", m)
	}
	if diff := cmp.Diff([]product.Component{{Name: "webui", Version: "2.1.5"}}, m.Versions[0].Components, ignoreIDs); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	if _, err := w.svc.Update(ctx, eng, edit); !errs.Is(err, errs.Conflict) {
		t.Errorf("update from a stale copy: err = %v, want Conflict", err)
	}
	if err := w.svc.Delete(ctx, eng, got.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Product(ctx, eng, got.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("after Delete: err = %v, want NotFound", err)
	}
	wantActions := []string{"product.create", "product.update", "product.delete"}
	if diff := cmp.Diff(wantActions, productActions(t, w)); diff != "" {
		t.Errorf("audit events (-want +got):\n%s", diff)
	}
}

// productActions returns the product.* actions in the audit log, in order.
func productActions(t *testing.T, w *world) []string {
	t.Helper()
	events, err := w.d.DB.AuditEvents(context.Background(), audit.Main, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		if len(e.Action) > 8 && e.Action[:8] == "product." {
			out = append(out, e.Action)
		}
	}
	return out
}

func TestValidation(t *testing.T) {
	w := newWorld(t, storetest.SQLiteDSN(t))
	tests := []struct {
		name string
		edit func(*product.Product)
		code string
	}{
		{"no name", func(p *product.Product) { p.Name = "  " }, "product.name"},
		{"duplicate model", func(p *product.Product) { p.Models = append(p.Models, product.Model{Name: "AX3000"}) }, "product.duplicate"},
		{"version with space", func(p *product.Product) { p.Models[0].Versions[0].Version = "2.0 5" }, "product.version"},
		{"line not selecting", func(p *product.Product) { p.Models[0].Versions[0].Line = "3.x" }, "product.line"},
		{"supplier country", func(p *product.Product) { p.Models[0].Versions[0].Components[0].Supplier.Country = "GBR" }, "product.country"},
		{"third party without supplier", func(p *product.Product) { p.Models[0].Versions[0].Components[0].Supplier = nil }, "product.supplier_missing"},
		{"first party with supplier", func(p *product.Product) { p.Models[0].Versions[0].Components[0].ThirdParty = false }, "product.supplier_first_party"},
		{"purl", func(p *product.Product) { p.Models[0].Versions[0].Components[0].PURL = "openssl" }, "product.purl"},
		{"customer e-mail", func(p *product.Product) { p.Models[0].Versions[1].Customers[0].Email = "nobody" }, "product.email"},
		{"one name one party", func(p *product.Product) { p.Models[0].Versions[1].Components[0].Supplier.Email = "x@openssl.org" }, "product.party_mismatch"},
	}
	for _, tc := range tests {
		p := router()
		tc.edit(&p)
		_, err := w.svc.Create(context.Background(), w.p["engineer"], p)
		if code, _ := errs.CodeOf(err); !errs.Is(err, errs.Invalid) || code != tc.code {
			t.Errorf("%s: err = %v, want Invalid %s", tc.name, err, tc.code)
		}
	}
}

func TestSelectVersions(t *testing.T) { forEachDialect(t, testSelectVersions) }

func testSelectVersions(t *testing.T, w *world) {
	ctx := context.Background()
	p, err := w.svc.Create(ctx, w.p["engineer"], router())
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.SelectVersions(ctx, w.p["triager"], p.ID, ">=2.0.0 <2.1.4 || 1.9.7")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got {
		names = append(names, s.Model+" "+s.Version.Version)
	}
	if diff := cmp.Diff([]string{"AX3000 1.9.7", "AX3000 2.0.5"}, names); diff != "" {
		t.Errorf("selected (-want +got):\n%s", diff)
	}
	if _, err := w.svc.SelectVersions(ctx, w.p["triager"], p.ID, ">=x"); !errs.Is(err, errs.Invalid) {
		t.Errorf("bad range: err = %v, want Invalid", err)
	}
}

func TestImportRoundTrip(t *testing.T) { forEachDialect(t, testImportRoundTrip) }

// testImportRoundTrip exports a catalogue in both formats and imports each
// into an empty organisation: what it exports then is byte for byte the
// same. Importing it again changes nothing.
func testImportRoundTrip(t *testing.T, w *world) {
	ctx := context.Background()
	for _, p := range []product.Product{router(), {Name: "Empty"}, {Name: "Camera", Models: []product.Model{{Name: "Z1"}}}} {
		if _, err := w.svc.Create(ctx, w.p["engineer"], p); err != nil {
			t.Fatal(err)
		}
	}
	want, err := w.svc.Export(ctx, w.p["engineer"])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer, product.Catalogue) error
		parse func(*bytes.Buffer) (product.Catalogue, error)
	}{
		{"csv", func(b *bytes.Buffer, c product.Catalogue) error { return product.WriteCSV(b, c) }, func(b *bytes.Buffer) (product.Catalogue, error) { return product.ParseCSV(b) }},
		{"json", func(b *bytes.Buffer, c product.Catalogue) error { return product.WriteJSON(b, c) }, func(b *bytes.Buffer) (product.Catalogue, error) { return product.ParseJSON(b) }},
	} {
		t.Run(f.name, func(t *testing.T) {
			other := newWorld(t, freshDSN(t, w))
			var file bytes.Buffer
			if err := f.write(&file, want); err != nil {
				t.Fatal(err)
			}
			exported := file.String()
			c, err := f.parse(&file)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := other.svc.Import(ctx, other.p["engineer"], c, product.ImportOptions{})
			if err != nil || sum != (product.ImportSummary{Created: 3}) {
				t.Fatalf("Import = %+v, %v; want 3 created", sum, err)
			}
			got, err := other.svc.Export(ctx, other.p["engineer"])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, ignoreIDs); diff != "" {
				t.Errorf("import(export(x)) (-x +got):\n%s", diff)
			}
			var again bytes.Buffer
			if err := f.write(&again, got); err != nil || again.String() != exported {
				t.Errorf("export after import differs from the file imported (%v):\n%s\nwant:\n%s", err, again.String(), exported)
			}
			sum, err = other.svc.Import(ctx, other.p["engineer"], got, product.ImportOptions{Replace: true})
			if err != nil || sum != (product.ImportSummary{Unchanged: 3}) {
				t.Errorf("second Import = %+v, %v; want 3 unchanged", sum, err)
			}
		})
	}
}

// freshDSN returns an empty database of w's dialect.
func freshDSN(t *testing.T, w *world) string {
	if store.IsPostgresURL(w.d.DSN) {
		return storetest.PostgresDSN(t)
	}
	return storetest.SQLiteDSN(t)
}

func TestImportMergeAndReplace(t *testing.T) { forEachDialect(t, testImportMergeAndReplace) }

func testImportMergeAndReplace(t *testing.T, w *world) {
	ctx := context.Background()
	eng := w.p["engineer"]
	if _, err := w.svc.Create(ctx, eng, router()); err != nil {
		t.Fatal(err)
	}
	// The file knows one new version and one changed customer contact, and
	// nothing else of the product.
	file := product.Catalogue{Products: []product.Product{{Name: "路由器 X", Models: []product.Model{{Name: "AX3000",
		Versions: []product.Version{{Version: "2.2.0", Line: "2.x", Customers: []product.Party{{Name: "某电信公司", Country: "CN", Email: "psirt@telecom.example.cn"}}}}}}}}}
	sum, err := w.svc.Import(ctx, eng, file, product.ImportOptions{})
	if err != nil || sum != (product.ImportSummary{Updated: 1}) {
		t.Fatalf("merge Import = %+v, %v", sum, err)
	}
	got := mustVersions(t, w)
	if diff := cmp.Diff([]string{"1.9.7", "2.0.5", "2.1.4", "2.2.0"}, got); diff != "" {
		t.Errorf("versions after merge (-want +got):\n%s", diff)
	}
	ps, _ := w.svc.Products(ctx, eng)
	if ps[0].Description != "家用路由器" {
		t.Errorf("description after merging a file without one = %q, want it kept", ps[0].Description)
	}
	if c := ps[0].Models[0].Versions[2].Customers[0]; c.Email != "psirt@telecom.example.cn" {
		t.Errorf("customer of 2.1.4 after merge = %+v; one name is one party, so its contact changed too", c)
	}
	if _, err := w.svc.Import(ctx, eng, file, product.ImportOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2.2.0"}, mustVersions(t, w)); diff != "" {
		t.Errorf("versions after replace (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"product.create", "product.import", "product.import"}, productActions(t, w)); diff != "" {
		t.Errorf("audit events (-want +got):\n%s", diff)
	}
}

func mustVersions(t *testing.T, w *world) []string {
	t.Helper()
	ps, err := w.svc.Products(context.Background(), w.p["engineer"])
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range ps[0].Models[0].Versions {
		out = append(out, v.Version)
	}
	return out
}

func TestImportAllOrNothing(t *testing.T) { forEachDialect(t, testImportAllOrNothing) }

// testImportAllOrNothing fails an import half-way, inside the store, and
// checks that nothing of it stayed: no product, no party, no audit event.
func testImportAllOrNothing(t *testing.T, w *world) {
	ctx := context.Background()
	svc := product.NewService(failingStore{DB: w.d.DB, failOn: "B-lib"})
	c := product.Catalogue{Products: []product.Product{
		{Name: "A", Models: []product.Model{{Name: "M", Versions: []product.Version{{Version: "1", Components: []product.Component{
			{Name: "A-lib", Version: "1", ThirdParty: true, Supplier: &product.Party{Name: "S", Country: "US"}}}}}}}},
		{Name: "B", Models: []product.Model{{Name: "M", Versions: []product.Version{{Version: "1", Components: []product.Component{
			{Name: "B-lib", Version: "1"}}}}}}},
	}}
	_, err := svc.Import(ctx, w.p["engineer"], c, product.ImportOptions{})
	if !errors.Is(err, errInjected) {
		t.Fatalf("Import err = %v, want the injected failure", err)
	}
	if ps, err := w.svc.Products(ctx, w.p["engineer"]); err != nil || len(ps) != 0 {
		t.Errorf("after a failed import: %d products, %v; want none", len(ps), err)
	}
	var n int
	if err := w.d.Raw.QueryRowContext(ctx, `SELECT count(*) FROM product_suppliers`).Scan(&n); err != nil || n != 0 {
		t.Errorf("suppliers after a failed import: %d, %v", n, err)
	}
	if got := productActions(t, w); len(got) != 0 {
		t.Errorf("audit events after a failed import: %v", got)
	}
	// A problem in the input stops the import before it starts.
	c.Products[1].Models[0].Versions[0].Components[0].Version = ""
	_, err = w.svc.Import(ctx, w.p["engineer"], c, product.ImportOptions{})
	var ie *product.ImportError
	if !errs.Is(err, errs.Invalid) || !errors.As(err, &ie) || ie.Problems[0].Field != "products[1].models[0].versions[0].components[0].version" {
		t.Errorf("Import of a bad catalogue: err = %v, want Invalid naming the component's version", err)
	}
}

var errInjected = errors.New("injected failure")

// failingStore fails creating the component named failOn.
type failingStore struct {
	*store.DB
	failOn string
}

func (s failingStore) TransactProducts(ctx context.Context, fn func(product.Tx) error) error {
	return s.DB.TransactProducts(ctx, func(tx product.Tx) error { return fn(failingTx{Tx: tx, failOn: s.failOn}) })
}

type failingTx struct {
	product.Tx
	failOn string
}

func (tx failingTx) CreateComponent(ctx context.Context, org, versionID int64, c product.Component, supplierID int64) (int64, error) {
	if c.Name == tx.failOn {
		return 0, errInjected
	}
	return tx.Tx.CreateComponent(ctx, org, versionID, c, supplierID)
}
