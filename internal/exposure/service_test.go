package exposure_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/format/osv"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/modtest"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// world is a database with two organisations, each with a compliance
// officer and a product whose version 1.0 is built on golang.org/x/net
// v0.1.0, a third-party component.
type world struct {
	db    *store.DB
	cases *casework.Service
	svc   *exposure.Service
	p     map[string]*access.Principal
	// product and version are the IDs of Acme's product and its version.
	product, version int64
}

func newWorld(t *testing.T, dsn string) *world {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{db: d.DB, cases: casework.NewService(d.DB, kr, "EMB"), p: map[string]*access.Principal{}}
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	for _, name := range []string{"acme", "other"} {
		org, err := ids.CreateOrganisation(ctx, access.Operator(), identity.Organisation{Name: name, Kinds: []string{"provider", "operator"}, Country: "CN"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := ids.CreateUser(ctx, access.Operator(), identity.NewUser{Email: name + "@example.cn", DisplayName: name,
			Password: "tangerine rooftop lantern", OrgID: org.ID, Role: access.ComplianceOfficer})
		if err != nil {
			t.Fatal(err)
		}
		p := u.Principal(true)
		p.ConfidentialityAccepted = true
		w.p[name] = p
		pr, err := product.NewService(d.DB).Create(ctx, p, product.Product{Name: "Gateway", Models: []product.Model{{Name: "G1",
			Versions: []product.Version{{Version: "1.0", Components: []product.Component{{Name: "x/net", Version: "v0.1.0",
				PURL: "pkg:golang/golang.org/x/net@v0.1.0", ThirdParty: true, Supplier: &product.Party{Name: "Go Project", Country: "US"}}}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if name == "acme" {
			w.product, w.version = pr.ID, pr.Models[0].Versions[0].ID
		}
	}
	w.svc = exposure.NewService(d.DB, w.cases)
	if _, err := w.svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// mustVulnDB loads and converts every record of the pinned vulndb.
func mustVulnDB(tb testing.TB) []exposure.Advisory {
	tb.Helper()
	m := modtest.Download(tb, modtest.VulnDB, true)
	recs, err := osv.Load(filepath.Join(m.Dir, "data", "osv"), osv.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return exposure.AdvisoriesFromOSV(recs)
}

// TestImportOpensCases imports the vulndb records: each vulnerability of
// x/net v0.1.0 opens one provider case per organisation, with T0 from the
// feed, the version in scope and the supplier upstream; importing again
// opens nothing; each organisation sees only its own matches.
func TestImportOpensCases(t *testing.T) {
	advs := mustVulnDB(t)
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			var calls int
			sum, err := w.svc.ImportAdvisories(ctx, access.Operator(), advs, func(done, total int) { calls++ })
			if err != nil {
				t.Fatal(err)
			}
			if sum.Advisories != len(advs) || sum.Opened == 0 || calls != (len(advs)+499)/500 {
				t.Fatalf("import = %+v after %d progress calls; want every advisory, some cases, a call per batch", sum, calls)
			}
			hits, err := w.svc.VersionMatches(ctx, w.p["acme"], w.product, w.version)
			if err != nil || len(hits) == 0 {
				t.Fatalf("VersionMatches = %d hits, %v; want some", len(hits), err)
			}
			checkCase(t, w, hits[0].Advisory)
			again, err := w.svc.ImportAdvisories(ctx, access.Operator(), advs, nil)
			if err != nil || again.Opened+again.Joined != 0 {
				t.Errorf("second import = %+v, %v; want no case opened or joined", again, err)
			}
			if _, err := w.svc.VersionMatches(ctx, w.p["other"], w.product, w.version); !errs.Is(err, errs.NotFound) {
				t.Errorf("VersionMatches(another organisation's version): err = %v, want NotFound", err)
			}
			byAdv, err := w.svc.AdvisoryMatches(ctx, w.p["other"], hits[0].Advisory)
			if err != nil || len(byAdv) != 1 || byAdv[0].Version.OrgID == w.p["acme"].OrgID {
				t.Errorf("AdvisoryMatches(other) = %+v, %v; want only its own version", byAdv, err)
			}
			fresh := exposure.NewService(w.db, w.cases)
			if got, err := fresh.Load(ctx); err != nil || got.Advisories != len(advs) || got.Inventories != 2 {
				t.Errorf("Load = %+v, %v; want %d advisories, 2 inventories", got, err, len(advs))
			}
		})
	}
}

// checkCase checks the case that advisory id opened in Acme.
func checkCase(t *testing.T, w *world, id string) {
	t.Helper()
	ctx := context.Background()
	p := w.p["acme"]
	cs, err := w.cases.Search(ctx, p, casework.Filter{Source: "third_party", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var c casework.Case
	for _, x := range cs {
		if x.T0Source == "third_party:"+id {
			c = x
		}
	}
	if c.ID == 0 {
		t.Fatalf("no case with T0Source third_party:%s among %d", id, len(cs))
	}
	if c, err = w.cases.Get(ctx, p, c.ID); err != nil {
		t.Fatal(err)
	}
	want := []casework.Affected{{Product: "Gateway", Model: "G1", Versions: "1.0"}}
	if diff := cmp.Diff(want, c.Scope); diff != "" || c.Kind != casework.ProviderCase || !strings.HasPrefix(c.Title, id) {
		t.Errorf("case %s: kind %s, title %q, scope (-want +got):\n%s", c.Ref, c.Kind, c.Title, diff)
	}
	f, err := w.cases.FactsOf(ctx, p, c.ID)
	if err != nil || f.Upstream == nil || f.Upstream.Name != "Go Project" || f.RootComponent != "golang.org/x/net" {
		t.Errorf("facts = %+v, %v; want upstream Go Project, root golang.org/x/net", f, err)
	}
}

// TestImportRejects checks that advisories without IDs or with repeated
// IDs store nothing, and that the import needs an administrator.
func TestImportRejects(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, storetest.SQLiteDSN(t))
	a := exposure.Advisory{ID: "GO-2024-0001", Source: "osv"}
	tests := []struct {
		name string
		p    *access.Principal
		advs []exposure.Advisory
		want errs.Kind
	}{
		{"no ID", access.Operator(), []exposure.Advisory{a, {Source: "osv"}}, errs.Invalid},
		{"repeated ID", access.Operator(), []exposure.Advisory{a, a}, errs.Invalid},
		{"compliance officer", w.p["acme"], []exposure.Advisory{a}, errs.Forbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := w.svc.ImportAdvisories(ctx, tc.p, tc.advs, nil); !errs.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if got, err := w.db.StoredAdvisories(ctx); err != nil || len(got) != 0 {
		t.Errorf("stored %d advisories, %v; want none", len(got), err)
	}
}

// BenchmarkImportVulnDB stores the 4,789 vulndb records in a fresh SQLite
// database through the service, as POST /api/v1/advisories does once the
// body is read (target: ≤ 2 s).
func BenchmarkImportVulnDB(b *testing.B) {
	advs := mustVulnDB(b)
	for b.Loop() {
		b.StopTimer()
		d := storetest.Open(b, storetest.SQLiteDSN(b), store.Options{})
		svc := exposure.NewService(d.DB, nil)
		b.StartTimer()
		if _, err := svc.ImportAdvisories(context.Background(), access.Operator(), advs, nil); err != nil {
			b.Fatal(err)
		}
	}
}
