package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
)

// testExposure round-trips advisories (replaced by ID), assets (replaced
// by organisation and name), findings (a repeat is a no-op) and the
// catalogue versions the index reads.
func testExposure(t *testing.T, d Database) {
	ctx := context.Background()
	at := time.Date(2026, 6, 1, 9, 30, 0, 123000, time.UTC)
	org := mustOrg(t, d.DB, "Acme")
	adv := exposure.Advisory{ID: "GO-2024-0001", Aliases: []string{"CVE-2024-0001"}, Source: "osv", Summary: "x",
		Modified: at, Affected: []exposure.Affected{{Ecosystem: "Go", Package: "example.com/m",
			Ranges: []exposure.Range{{Type: "SEMVER", Events: []exposure.Event{{Introduced: "0"}, {Fixed: "1.2.3"}}}}}}}
	second := adv
	second.ID, second.Aliases = "GO-2024-0002", nil
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.PutAdvisories(ctx, []exposure.Advisory{adv, second}) })
	adv.Summary = "replaced"
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.PutAdvisories(ctx, []exposure.Advisory{adv}) })
	got, err := d.DB.StoredAdvisories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]exposure.Advisory{adv, second}, got); diff != "" {
		t.Errorf("StoredAdvisories (-want +got):\n%s", diff)
	}
	if _, err := d.DB.StoredAdvisory(ctx, "GO-0000-0000"); !errs.Is(err, errs.NotFound) {
		t.Errorf("StoredAdvisory(unknown): err = %v, want NotFound", err)
	}
	testAssets(t, d, org, at)
	testFindings(t, d, org, at)
	testVEX(t, d, org, at)
	testFeedState(t, d, at)
	mustProductTree(t, d.DB, org, at)
	vs, err := d.DB.ProductVersions(ctx, 0)
	if err != nil || len(vs) != 1 || len(vs[0].Components) != 2 || vs[0].Model != "AX3000" || vs[0].OrgID != org {
		t.Errorf("ProductVersions = %+v, %v; want the one version with its two components", vs, err)
	}
	if vs, err := d.DB.ProductVersions(ctx, org+1); err != nil || len(vs) != 0 {
		t.Errorf("ProductVersions(other organisation) = %v, %v; want none", vs, err)
	}
	testEachProductVersion(t, d, at)
}

// testEachProductVersion walks versions whose components were written in
// no particular order, one version without any: each version comes once,
// in ID order, with its own components; an error from the callback stops
// the walk.
func testEachProductVersion(t *testing.T, d Database, at time.Time) {
	ctx := context.Background()
	org := mustOrg(t, d.DB, "Walker")
	var vids [3]int64
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		pid, err := tx.CreateProduct(ctx, product.Product{OrgID: org, Name: "网关", CreatedAt: at, UpdatedAt: at})
		if err != nil {
			return err
		}
		mid, err := tx.CreateModel(ctx, org, pid, product.Model{Name: "G1"})
		if err != nil {
			return err
		}
		for i := range vids {
			if vids[i], err = tx.CreateVersion(ctx, org, mid, product.Version{Version: fmt.Sprintf("1.%d", i)}); err != nil {
				return err
			}
		}
		// Interleaved: version 3's component between version 1's two.
		for _, c := range []struct {
			v    int
			name string
		}{{0, "a"}, {2, "c"}, {0, "b"}} {
			if _, err := tx.CreateComponent(ctx, org, vids[c.v], product.Component{Name: c.name, Version: "1",
				PURL: "pkg:generic/" + c.name + "@1"}, 0); err != nil {
				return err
			}
		}
		return nil
	})
	type seen struct {
		Version    string
		Components []string
	}
	var got []seen
	err := d.DB.EachProductVersion(ctx, org, func(v exposure.ProductVersion) error {
		s := seen{Version: v.Version}
		for _, c := range v.Components {
			s.Components = append(s.Components, c.Name)
		}
		got = append(got, s)
		return nil
	})
	want := []seen{{"1.0", []string{"a", "b"}}, {"1.1", nil}, {"1.2", []string{"c"}}}
	if diff := cmp.Diff(want, got); err != nil || diff != "" {
		t.Errorf("EachProductVersion: %v (-want +got):\n%s", err, diff)
	}
	stop := errors.New("enough")
	calls := 0
	err = d.DB.EachProductVersion(ctx, org, func(exposure.ProductVersion) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachProductVersion with a failing callback: %v after %d calls; want it back after 1", err, calls)
	}
}

func testAssets(t *testing.T, d Database, org int64, at time.Time) {
	ctx := context.Background()
	a := exposure.Asset{OrgID: org, Name: "db1", Host: "h1", ImportedAt: at,
		Components: []exposure.Component{{Purl: "pkg:golang/example.com/m@v1.0.0", Ecosystem: "Go", Package: "example.com/m", Version: "v1.0.0"}}}
	var id1, id2 int64
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) { id1, err = tx.PutAsset(ctx, a); return err })
	a.Host = "h2"
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) { id2, err = tx.PutAsset(ctx, a); return err })
	if id1 != id2 {
		t.Errorf("PutAsset of the same name: IDs %d, %d; want the same", id1, id2)
	}
	a.ID = id1
	got, err := d.DB.Assets(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]exposure.Asset{a}, got); diff != "" {
		t.Errorf("Assets (-want +got):\n%s", diff)
	}
}

func testFindings(t *testing.T, d Database, org int64, at time.Time) {
	ctx := context.Background()
	var caseID int64
	err := d.Raw.QueryRowContext(ctx, `INSERT INTO cases (org_id, ref, title, status, created_at, kind, t0, t0_source, updated_at)
		VALUES ($1, 'EMB-1', 't', 'received', $2, 'provider', $2, 'internal', $2) RETURNING id`, org, at).Scan(&caseID)
	if err != nil {
		t.Fatal(err)
	}
	f := exposure.Finding{OrgID: org, Inventory: "version:1", Advisory: "GO-2024-0001", CaseID: caseID, FoundAt: at}
	for range 2 {
		mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.AddFinding(ctx, f) })
	}
	got, err := d.DB.Findings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]exposure.Finding{f}, got); diff != "" {
		t.Errorf("Findings (-want +got):\n%s", diff)
	}
}

// testVEX round-trips VEX statements: a statement with the same key
// replaces the stored one; each organisation reads only its own.
func testVEX(t *testing.T, d Database, org int64, at time.Time) {
	ctx := context.Background()
	st := exposure.VEXStatement{Vulnerability: exposure.VEXVulnerability{ID: "CVE-2022-41723", Aliases: []string{"GO-2023-1571"}},
		Product: exposure.VEXProduct{Purl: "pkg:golang/golang.org/x/net@v0.1.0"}, Status: exposure.VEXNotAffected,
		Justification: exposure.JustVulnerableCodeNotInExecutePath, Timestamp: at, Author: "Acme PSIRT"}
	other := st
	other.Product.Purl = "pkg:golang/golang.org/x/text@v0.3.7"
	first := exposure.StoredVEX{OrgID: org, Statement: st, Format: "openvex", ImportedAt: at, ImportedBy: "user:1"}
	second := exposure.StoredVEX{OrgID: org, Statement: other, Format: "csaf", ImportedAt: at, ImportedBy: "user:1"}
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.PutVEXStatements(ctx, []exposure.StoredVEX{first, second}) })
	first.Statement.Justification, first.Statement.ImpactStatement = "", "Only the client is used."
	first.Format, first.ImportedBy = "cyclonedx", "user:2"
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.PutVEXStatements(ctx, []exposure.StoredVEX{first}) })
	got, err := d.DB.VEXStatements(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]exposure.StoredVEX{first, second}, got); diff != "" {
		t.Errorf("VEXStatements (-want +got):\n%s", diff)
	}
	if got, err := d.DB.VEXStatements(ctx, org+1); err != nil || len(got) != 0 {
		t.Errorf("VEXStatements(other organisation) = %v, %v; want none", got, err)
	}
}

// testFeedState round-trips a feed's validators: none before the first
// import, the last one's after.
func testFeedState(t *testing.T, d Database, at time.Time) {
	ctx := context.Background()
	const url = "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip"
	if got, err := d.DB.FeedState(ctx, url); err != nil || got != (exposure.FeedState{URL: url}) {
		t.Errorf("FeedState before any pull = %+v, %v; want the zero state", got, err)
	}
	want := exposure.FeedState{URL: url, ETag: `"v1"`, LastModified: "Mon, 01 Jun 2026 08:00:00 GMT", Advisories: 4789, PulledAt: at}
	for _, s := range []exposure.FeedState{{URL: url, ETag: `"v0"`, PulledAt: at}, want} {
		if err := d.DB.PutFeedState(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.DB.FeedState(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FeedState (-want +got):\n%s", diff)
	}
}
