package store_test

import (
	"context"
	"testing"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// FuzzSearchCases sends any query and filter text to the case search on
// SQLite: the trigram MATCH, LIKE patterns and identifiers must take every
// string as data, never as syntax.
func FuzzSearchCases(f *testing.F) {
	ctx := context.Background()
	d := storetest.Open(f, storetest.SQLiteDSN(f), store.Options{})
	var org int64
	err := d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		if org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme", Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()}); err != nil {
			return err
		}
		_, err = tx.CreateCase(ctx, casework.Case{OrgID: org, Ref: "EMB-2026-0001", Title: `路由器 "命令" 注入 100%_x`,
			Status: casework.Received, Kind: casework.ProviderCase, CreatedAt: tx.Now(), T0: tx.Now(), T0Source: "internal"})
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, q := range []string{"命令", `"命令"`, "100%_", `a" OR title MATCH "x`, "NEAR(a b)", "*", "'); DROP TABLE cases; --", "\x00"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, filter := range []casework.Filter{{Query: q}, {Product: q, Source: q, Grade: q, Status: casework.Status(q)}} {
			if _, err := d.DB.SearchCases(ctx, org, 0, filter); err != nil {
				t.Fatalf("SearchCases(%+v): %v", filter, err)
			}
		}
	})
}
