package casework_test

import (
	"context"
	"testing"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/casework/caseseed"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// BenchmarkSearch times Service.Search (the case list and search, with
// its audit event) on 10,000 seeded cases and 100,000 audit events, on
// SQLite and, when EMBARGO_TEST_POSTGRES is set, PostgreSQL. Seeding takes
// a few seconds per dialect. bench/cases measures the same at 100,000
// cases; bench/README.md has the figures.
//
//	go test ./internal/casework -run '^$' -bench Search
func BenchmarkSearch(b *testing.B) {
	for name, dsn := range storetest.Dialects(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			d := storetest.Open(b, dsn(b), store.Options{})
			w, err := caseseed.Seed(ctx, d.DB, caseseed.Config{Cases: 10_000, Events: 100_000})
			if err != nil {
				b.Fatal(err)
			}
			for _, bc := range []struct {
				name string
				f    casework.Filter
				all  bool // as the compliance officer, who reads every case
			}{
				{"list/all", casework.Filter{}, true},
				{"list/need-to-know", casework.Filter{}, false},
				{"filter/status+grade", casework.Filter{Status: casework.Remediating, Grade: "high"}, true},
				{"query/trigram", casework.Filter{Query: "命令注入"}, true},
				{"query/trigram-rare", casework.Filter{Query: "天枢防火墙"}, true},
				{"query/2-chars", casework.Filter{Query: "溢出"}, true},
				{"query/2-chars-none", casework.Filter{Query: "量子"}, true},
				{"query/cve", casework.Filter{Query: w.Aliases[0]}, true},
			} {
				p := w.Triager
				if bc.all {
					p = w.Compliance
				}
				b.Run(bc.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := w.Service.Search(ctx, p, bc.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
