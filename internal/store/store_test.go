package store_test

import (
	"testing"

	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// TestConformance runs the store suite on SQLite, and on PostgreSQL when
// EMBARGO_TEST_POSTGRES is set (required when EMBARGO_REQUIRE_POSTGRES=1).
func TestConformance(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) { storetest.Run(t, dsn) })
	}
}

// TestMigrationsMatch checks that both dialects have the same numbered
// migrations with the same names, without gaps.
func TestMigrationsMatch(t *testing.T) {
	names := map[store.Dialect][]string{}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		ms, err := store.Migrations(d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		for _, m := range ms {
			names[d] = append(names[d], m.Name)
		}
	}
	if diff := cmp.Diff(names[store.SQLite], names[store.Postgres]); diff != "" {
		t.Errorf("migrations differ (-sqlite +postgres):\n%s", diff)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://u:secret@h:5432/db?sslmode=disable", "postgres://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgres://h/db?password=secret", "postgres://h/db?password=xxxxx"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"/var/lib/embargo/embargo.db", "/var/lib/embargo/embargo.db"},
	}
	for _, tc := range tests {
		if got := store.RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
