package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/product"
)

// fakeExposure holds one product version (product 7, version 70) hit by
// two advisories, one of which cannot be judged, and one asset (3) hit by
// the first. The first opened case 11; the second opened none.
type fakeExposure struct{}

var (
	fakeVersion = &exposure.ProductVersion{ProductID: 7, VersionID: 70, Product: "Gateway", Model: "G1", Version: "1.0"}
	fakeAsset   = &exposure.Asset{ID: 3, Name: "db1", Host: "db1.example.cn"}
	fakeNet     = exposure.Component{Purl: "pkg:golang/golang.org/x/text@v0.3.7", Ecosystem: "Go", Package: "golang.org/x/text", Version: "v0.3.7"}
	fakeHits    = []exposure.Hit{
		{Match: exposure.Match{Inventory: "version:70", Component: fakeNet, Advisory: "GO-2022-1059", Aliases: []string{"CVE-2022-32149", "GHSA-69ch-w2m2-3vjp"},
			Range: &exposure.Range{Type: "SEMVER", Events: []exposure.Event{{Introduced: "0"}, {Fixed: "0.3.8"}}}, Fixed: []string{"0.3.8"}}, Version: fakeVersion},
		{Match: exposure.Match{Inventory: "version:70", Component: fakeNet, Advisory: "OSV-2099-1", NotEvaluable: "GIT ranges name commits, not released versions"}, Version: fakeVersion},
	}
)

func (fakeExposure) VersionMatches(_ context.Context, p *access.Principal, pid, id int64) ([]exposure.Hit, error) {
	if pid != 7 || id != 70 {
		return nil, errs.New(errs.NotFound, "no such product version or asset")
	}
	return append([]exposure.Hit(nil), fakeHits...), nil
}

func (fakeExposure) AdvisoryMatches(_ context.Context, p *access.Principal, id string) ([]exposure.Hit, error) {
	if id != "GO-2022-1059" {
		return nil, nil
	}
	onAsset := fakeHits[0]
	onAsset.Inventory, onAsset.Version, onAsset.Asset = "asset:3", nil, fakeAsset
	return []exposure.Hit{onAsset, fakeHits[0]}, nil
}

func (fakeExposure) AssetMatches(_ context.Context, p *access.Principal, id int64) ([]exposure.Hit, error) {
	onAsset := fakeHits[0]
	onAsset.Inventory, onAsset.Version, onAsset.Asset = "asset:3", nil, fakeAsset
	return []exposure.Hit{onAsset}, nil
}

// fakeRead is the service's need-to-know: case.read or product.manage.
func fakeRead(p *access.Principal) error {
	if p.Can(access.ManageProducts) {
		return nil
	}
	return p.Require(access.ReadCases)
}

func (fakeExposure) Assets(_ context.Context, p *access.Principal) ([]exposure.Asset, error) {
	if err := fakeRead(p); err != nil {
		return nil, err
	}
	return []exposure.Asset{*fakeAsset}, nil
}

func (fakeExposure) Advisory(_ context.Context, p *access.Principal, id string) (exposure.Advisory, error) {
	if err := fakeRead(p); err != nil {
		return exposure.Advisory{}, err
	}
	if id != "GO-2022-1059" {
		return exposure.Advisory{}, errs.New(errs.NotFound, "no such advisory")
	}
	return exposure.Advisory{ID: id, Aliases: fakeHits[0].Aliases, Summary: "Denial of service in golang.org/x/text/language"}, nil
}

func (fakeExposure) CaseOfHit(p *access.Principal, h exposure.Hit) int64 {
	if h.Advisory == "GO-2022-1059" {
		return 11
	}
	return 0
}

// fakeCatalogue is the catalogue of the fake's product version.
type fakeCatalogue struct{ Products }

func (fakeCatalogue) Export(_ context.Context, p *access.Principal) (product.Catalogue, error) {
	if err := fakeRead(p); err != nil {
		return product.Catalogue{}, err
	}
	return product.Catalogue{Products: []product.Product{{ID: 7, Name: "Gateway", Models: []product.Model{{ID: 8, Name: "G1",
		Versions: []product.Version{{ID: 70, Version: "1.0", Components: []product.Component{{Name: "x/text", Version: "v0.3.7",
			PURL: fakeNet.Purl, ThirdParty: true, Supplier: &product.Party{Name: "Go Project", Country: "US"}}}}}}}}}}, nil
}

// fakeCaseList finds case 11 among the reader's cases.
type fakeCaseList struct{ Cases }

func (fakeCaseList) Search(context.Context, *access.Principal, casework.Filter) ([]casework.Case, error) {
	return []casework.Case{{ID: 11, Ref: "EMB-2026-0011"}, {ID: 12, Ref: "EMB-2026-0012"}}, nil
}

func newExposureHandler(t *testing.T, role access.Role) *Handler {
	t.Helper()
	return mustNew(t, Config{Identity: &fakeIdentity{role: role}, Products: fakeCatalogue{}, Cases: fakeCaseList{}, Exposure: fakeExposure{}})
}

// matchRow is what a test reads of one row of a matches table.
type matchRow struct {
	Class, First, Component, Why, Fixed, Case, CaseLink string
}

func matchRows(doc *node, table string) []matchRow {
	var rows []matchRow
	for _, tr := range doc.find(table + " tbody tr") {
		td := tr.find("td")
		if len(td) < 5 {
			continue
		}
		row := matchRow{Class: tr.attrs["class"], First: squash(td[0].textContent()), Component: squash(td[1].textContent()),
			Why: squash(td[2].textContent()), Fixed: squash(td[3].textContent()), Case: squash(td[4].textContent())}
		for _, a := range td[4].find("a") {
			row.CaseLink = a.attrs["href"]
		}
		rows = append(rows, row)
	}
	return rows
}

func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestVersionPage(t *testing.T) {
	h := newExposureHandler(t, access.Engineer)
	resp, doc := mustGetPage(t, h, signedInRequest("GET", "/products/7/versions/70", nil))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	want := []matchRow{
		{Class: "match", First: "GO-2022-1059CVE-2022-32149, GHSA-69ch-w2m2-3vjp", Component: "pkg:golang/golang.org/x/text@v0.3.7v0.3.7",
			Why: "SEMVER range (introduced 0, fixed 0.3.8) includes v0.3.7", Fixed: "0.3.8", Case: "EMB-2026-0011", CaseLink: "/cases/11"},
		{Class: "match not-evaluable", First: "OSV-2099-1", Component: "pkg:golang/golang.org/x/text@v0.3.7v0.3.7",
			Why: "Not evaluable cannot be judged: GIT ranges name commits, not released versions", Fixed: "—", Case: "—"},
	}
	if diff := cmp.Diff(want, matchRows(doc, "#version-matches")); diff != "" {
		t.Errorf("version matches (-want +got):\n%s", diff)
	}
	if got := doc.first(t, "#version-matches a.advisory").attrs["href"]; got != "/upstream/GO-2022-1059" {
		t.Errorf("advisory link %q", got)
	}
}

func TestAdvisoryPage(t *testing.T) {
	h := newExposureHandler(t, access.ComplianceOfficer)
	resp, doc := mustGetPage(t, h, signedInRequest("GET", "/upstream/GO-2022-1059", nil))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var where []string
	for _, a := range doc.find("#advisory-matches td.where a") {
		where = append(where, a.attrs["href"]+" "+a.textContent())
	}
	// Product versions come first, then assets.
	if diff := cmp.Diff([]string{"/products/7/versions/70 Gateway G1 1.0", "/assets#asset-3 db1"}, where); diff != "" {
		t.Errorf("what it hits (-want +got):\n%s", diff)
	}
	if got := squash(doc.first(t, "dd.aliases").textContent()); got != "CVE-2022-32149, GHSA-69ch-w2m2-3vjp" {
		t.Errorf("aliases %q", got)
	}
}

func TestAssetsPage(t *testing.T) {
	h := newExposureHandler(t, access.Engineer)
	_, doc := mustGetPage(t, h, signedInRequest("GET", "/assets", nil))
	rows := matchRows(doc, "section#asset-3")
	if len(rows) != 1 || rows[0].CaseLink != "/cases/11" || !strings.HasPrefix(rows[0].First, "GO-2022-1059") {
		t.Errorf("asset rows = %+v; want GO-2022-1059 with case 11", rows)
	}
}

// TestExposurePagesNeedToKnow checks who may open the pages, and that a
// version not in the reader's catalogue and an unknown advisory are 404.
func TestExposurePagesNeedToKnow(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		role       access.Role
		want       int
	}{
		{"auditor, version", "/products/7/versions/70", access.Auditor, http.StatusForbidden},
		{"auditor, advisory", "/upstream/GO-2022-1059", access.Auditor, http.StatusForbidden},
		{"auditor, assets", "/assets", access.Auditor, http.StatusForbidden},
		{"another product's version", "/products/8/versions/70", access.Engineer, http.StatusNotFound},
		{"malformed version", "/products/7/versions/x", access.Engineer, http.StatusNotFound},
		{"unknown advisory", "/upstream/GO-2099-0001", access.Engineer, http.StatusNotFound},
		{"administrator, version", "/products/7/versions/70", access.Administrator, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := serve(newExposureHandler(t, tc.role), signedInRequest("GET", tc.path, nil))
			if resp.StatusCode != tc.want {
				t.Errorf("GET %s as %s: %d, want %d", tc.path, tc.role, resp.StatusCode, tc.want)
			}
		})
	}
}
