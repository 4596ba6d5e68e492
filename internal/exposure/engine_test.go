package exposure_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/modtest"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// engine is the server's wiring of the exposure engine, as serve.go does
// it: cases raise their legal duties, and every catalogue change is
// re-matched. Two organisations each have a compliance officer and a
// product "Gateway" whose version 1.0 is built on a first-party module
// that no advisory names.
type engine struct {
	cases    *casework.Service
	duties   *obligation.Service
	products *product.Service
	svc      *exposure.Service
	p        map[string]*access.Principal
	gateway  map[string]product.Product
}

func newEngine(t *testing.T, dsn string) *engine {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	e := &engine{cases: casework.NewService(d.DB, kr, "EMB"), p: map[string]*access.Principal{}, gateway: map[string]product.Product{}}
	e.duties = obligation.NewService(d.DB, e.cases, kr)
	e.cases.WithChangeHook(e.duties.Reconcile)
	e.svc = exposure.NewService(d.DB, e.cases)
	if _, err := e.svc.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.products = product.NewService(d.DB).WithChangeHook(func(ctx context.Context, org int64) {
		if err := e.svc.CatalogueChanged(ctx, org); err != nil {
			t.Errorf("CatalogueChanged(%d): %v", org, err)
		}
	})
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
		e.p[name] = p
		pr, err := e.products.Create(ctx, p, product.Product{Name: "Gateway", Models: []product.Model{{Name: "G1",
			Versions: []product.Version{{Version: "1.0", Components: []product.Component{{Name: "gw-core", Version: "v1.0.0",
				PURL: "pkg:golang/example.cn/gw/core@v1.0.0"}}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		e.gateway[name] = pr
	}
	return e
}

// mustTextRecords returns the real vulndb record GO-2022-1059 (golang.org/x/text
// before 0.3.8, aliases CVE-2022-32149 and GHSA-69ch-w2m2-3vjp) and the
// GHSA record that shares its aliases, as GitHub publishes it: its own
// ID, the CVE as alias, the same package and range. (The GHSA database
// is not a Go module, so the GHSA record is derived from the GO one.)
func mustTextRecords(tb testing.TB) (goRec, ghsa exposure.Advisory) {
	tb.Helper()
	m := modtest.Download(tb, modtest.VulnDB, true)
	advs, err := exposure.ReadAdvisoryPath(filepath.Join(m.Dir, "data", "osv", "GO-2022-1059.json"))
	if err != nil || len(advs) != 1 {
		tb.Fatalf("GO-2022-1059: %d records, %v", len(advs), err)
	}
	goRec = advs[0]
	ghsa = goRec
	ghsa.ID, ghsa.Aliases = "GHSA-69ch-w2m2-3vjp", []string{"CVE-2022-32149"}
	return goRec, ghsa
}

// xtext is golang.org/x/text v0.3.7, which GO-2022-1059 affects, as a
// third-party catalogue component supplied by the Go project.
var xtext = product.Component{Name: "x/text", Version: "v0.3.7", PURL: "pkg:golang/golang.org/x/text@v0.3.7",
	ThirdParty: true, Supplier: &product.Party{Name: "Go Project", Country: "US"}}

// engineCases returns the cases the engine opened in org, as p sees them.
func (e *engine) engineCases(t *testing.T, p *access.Principal) []casework.Case {
	t.Helper()
	cs, err := e.cases.Search(context.Background(), p, casework.Filter{Source: "third_party", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// duty returns case id's obligation of code, and whether it is raised.
func (e *engine) duty(t *testing.T, p *access.Principal, id int64, code string) (obligation.Obligation, bool) {
	t.Helper()
	os, err := e.duties.ForCase(context.Background(), p, id)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(os, func(o obligation.Obligation) bool { return o.Duty == code })
	if i < 0 {
		return obligation.Obligation{}, false
	}
	return os[i], true
}

// TestCatalogueChangeOpensCase: the advisory is known first and hits
// nothing; a new version built on a vulnerable third-party component
// opens one provider case, the version in its scope, the supplier its
// upstream, which raises the upstream-notice duty (CN-07-4). Changing the
// catalogue again, or importing the advisory again, opens nothing.
func TestCatalogueChangeOpensCase(t *testing.T) {
	goRec, _ := mustTextRecords(t)
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e := newEngine(t, dsn(t))
			acme := e.p["acme"]
			if sum, err := e.svc.ImportAdvisories(ctx, access.Operator(), []exposure.Advisory{goRec}, nil); err != nil || sum.Opened+sum.Joined != 0 {
				t.Fatalf("import before the catalogue names x/text = %+v, %v; want no case", sum, err)
			}
			gw := e.gateway["acme"]
			gw.Models[0].Versions = append(gw.Models[0].Versions, product.Version{Version: "1.1", Components: []product.Component{xtext}})
			gw, err := e.products.Update(ctx, acme, gw)
			if err != nil {
				t.Fatal(err)
			}
			cs := e.engineCases(t, acme)
			if len(cs) != 1 {
				t.Fatalf("%d cases after the catalogue change, want 1", len(cs))
			}
			c, err := e.cases.Get(ctx, acme, cs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			want := []casework.Affected{{Product: "Gateway", Model: "G1", Versions: "1.1"}}
			if diff := cmp.Diff(want, c.Scope); diff != "" || c.Kind != casework.ProviderCase || c.T0Source != "third_party:GO-2022-1059" {
				t.Errorf("case %s: kind %s, T0 source %q, scope (-want +got):\n%s", c.Ref, c.Kind, c.T0Source, diff)
			}
			f, err := e.cases.FactsOf(ctx, acme, c.ID)
			if err != nil || f.Upstream == nil || f.Upstream.Name != "Go Project" || f.RootComponent != "golang.org/x/text" {
				t.Errorf("facts = %+v, %v; want upstream Go Project, root golang.org/x/text", f, err)
			}
			if _, ok := e.duty(t, acme, c.ID, "cn.upstream_notice"); !ok {
				t.Error("no upstream-notice duty raised")
			}
			// The version's page shows the match, and the case it opened.
			hits, err := e.svc.VersionMatches(ctx, acme, gw.ID, gw.Models[0].Versions[1].ID)
			if err != nil || len(hits) != 1 || e.svc.CaseOfHit(acme, hits[0]) != c.ID {
				t.Errorf("VersionMatches = %+v, %v; want GO-2022-1059 with case %d", hits, err, c.ID)
			}
			// Nothing opens twice: the same catalogue again, the advisory again.
			if _, err := e.products.Update(ctx, acme, gw); err != nil {
				t.Fatal(err)
			}
			if sum, err := e.svc.ImportAdvisories(ctx, access.Operator(), []exposure.Advisory{goRec}, nil); err != nil || sum.Opened+sum.Joined != 0 {
				t.Errorf("re-import = %+v, %v; want nothing opened or joined", sum, err)
			}
			if got := e.engineCases(t, acme); len(got) != 1 {
				t.Errorf("%d cases after the repeats, want 1", len(got))
			}
		})
	}
}

// TestAliasesJoinOneCase: the GO record and the GHSA record that share
// their aliases are one vulnerability, and open one case, whether they
// come in one import or one after the other.
func TestAliasesJoinOneCase(t *testing.T) {
	goRec, ghsa := mustTextRecords(t)
	for name, dsn := range storetest.Dialects(t) {
		for _, order := range []string{"together", "GO then GHSA", "GHSA then GO"} {
			t.Run(name+"/"+order, func(t *testing.T) {
				ctx := context.Background()
				e := newEngine(t, dsn(t))
				acme := e.p["acme"]
				gw := e.gateway["acme"]
				gw.Models[0].Versions[0].Components = append(gw.Models[0].Versions[0].Components, xtext)
				if _, err := e.products.Update(ctx, acme, gw); err != nil {
					t.Fatal(err)
				}
				batches := map[string][][]exposure.Advisory{"together": {{goRec, ghsa}},
					"GO then GHSA": {{goRec}, {ghsa}}, "GHSA then GO": {{ghsa}, {goRec}}}[order]
				for i, b := range batches {
					// Each record is a finding: the first opens the case, the
					// other joins it.
					sum, err := e.svc.ImportAdvisories(ctx, access.Operator(), b, nil)
					if err != nil || sum.Opened != max(0, 1-i) || sum.Opened+sum.Joined != len(b) {
						t.Fatalf("import %d = %+v, %v; want the first record to open a case, the other to join it", i+1, sum, err)
					}
				}
				cs := e.engineCases(t, acme)
				if len(cs) != 1 {
					t.Fatalf("%d cases, want 1: %+v", len(cs), cs)
				}
				c, err := e.cases.Get(ctx, acme, cs[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range []string{"CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"} {
					if !slices.Contains(c.Aliases, id) {
						t.Errorf("case %s aliases %v lack %s", c.Ref, c.Aliases, id)
					}
				}
			})
		}
	}
}

// TestAssetOpensOperatorCase: a match on an operator's asset opens an
// operator case (CN-08-2), whose remediation deadline (cn.operator_fix,
// CN-08-1) is raised once the case is graded, from T0 by the grade; a
// re-import of the asset opens nothing; the other organisation sees none
// of it.
func TestAssetOpensOperatorCase(t *testing.T) {
	goRec, _ := mustTextRecords(t)
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e := newEngine(t, dsn(t))
			acme, other := e.p["acme"], e.p["other"]
			if _, err := e.svc.ImportAdvisories(ctx, access.Operator(), []exposure.Advisory{goRec}, nil); err != nil {
				t.Fatal(err)
			}
			comp, err := exposure.PurlComponent(xtext.PURL, xtext.Version)
			if err != nil {
				t.Fatal(err)
			}
			inv := []exposure.Inventory{{Source: "assets.csv (host db1.acme.cn)", Name: "billing", Components: []exposure.Component{comp}}}
			sum, err := e.svc.ImportAssets(ctx, acme, inv)
			if err != nil || sum.Opened != 1 {
				t.Fatalf("ImportAssets = %+v, %v; want one case opened", sum, err)
			}
			cs := e.engineCases(t, acme)
			if len(cs) != 1 || cs[0].Kind != casework.OperatorCase || cs[0].T0Source != "third_party:GO-2022-1059" {
				t.Fatalf("cases = %+v; want one operator case from GO-2022-1059", cs)
			}
			c := cs[0]
			if _, ok := e.duty(t, acme, c.ID, "cn.operator_fix"); ok {
				t.Error("remediation duty raised before the case is graded")
			}
			if _, err := e.cases.Assess(ctx, acme, c.ID, casework.Assessment{Grade: "high"}); err != nil {
				t.Fatal(err)
			}
			fix, ok := e.duty(t, acme, c.ID, "cn.operator_fix")
			if !ok || !fix.DueAt.Equal(c.T0.Add(168*time.Hour)) {
				t.Errorf("cn.operator_fix = %+v (raised %v); want due 168 h after T0 %s", fix, ok, c.T0)
			}
			if _, ok := e.duty(t, acme, c.ID, "cn.upstream_notice"); ok {
				t.Error("an operator case raised the upstream-notice duty")
			}
			if sum, err := e.svc.ImportAssets(ctx, acme, inv); err != nil || sum.Opened+sum.Joined != 0 {
				t.Errorf("asset re-import = %+v, %v; want nothing opened or joined", sum, err)
			}

			// Need-to-know: the other organisation sees none of it.
			as, err := e.svc.Assets(ctx, acme)
			if err != nil || len(as) != 1 || as[0].Host != "db1.acme.cn" {
				t.Fatalf("Assets(acme) = %+v, %v", as, err)
			}
			if got := e.engineCases(t, other); len(got) != 0 {
				t.Errorf("the other organisation sees %d cases", len(got))
			}
			if got, err := e.svc.Assets(ctx, other); err != nil || len(got) != 0 {
				t.Errorf("Assets(other) = %+v, %v; want none", got, err)
			}
			if _, err := e.svc.AssetMatches(ctx, other, as[0].ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("AssetMatches(other, acme's asset): err = %v, want NotFound", err)
			}
			if got, err := e.svc.AdvisoryMatches(ctx, other, goRec.ID); err != nil || len(got) != 0 {
				t.Errorf("AdvisoryMatches(other) = %+v, %v; want none", got, err)
			}
			hits, err := e.svc.AssetMatches(ctx, acme, as[0].ID)
			if err != nil || len(hits) != 1 {
				t.Fatalf("AssetMatches(acme) = %+v, %v", hits, err)
			}
			if got := e.svc.CaseOfHit(other, hits[0]); got != 0 {
				t.Errorf("CaseOfHit(other, acme's hit) = %d, want 0", got)
			}
			if _, err := e.cases.Get(ctx, other, c.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("Get(other, acme's case): err = %v, want NotFound", err)
			}
		})
	}
}
