// Package storetest is the conformance suite that every store dialect must
// pass, and the helpers that give tests a fresh database of each dialect.
//
// SQLite always runs. PostgreSQL runs when EMBARGO_TEST_POSTGRES holds a
// connection URL to a server where the user may create databases; each test
// gets a database of its own, dropped afterwards. When
// EMBARGO_REQUIRE_POSTGRES=1 (CI sets it), a missing server fails the test
// instead of skipping it, so the suite can never silently not run.
package storetest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/embargohq/embargo/internal/store"
)

// Database is a fresh, migrated test database and a raw handle to it, which
// tests use to tamper with rows behind the store's back.
type Database struct {
	DB  *store.DB
	Raw *sql.DB
	DSN string
}

// Dialects lists the dialects to test, each with a function that returns
// the DSN of a fresh, empty database. PostgreSQL is absent when not
// configured (or the test fails, when it is required).
func Dialects(t testing.TB) map[string]func(testing.TB) string {
	t.Helper()
	out := map[string]func(testing.TB) string{"sqlite": SQLiteDSN}
	if PostgresURL(t) != "" {
		out["postgres"] = PostgresDSN
	}
	return out
}

// SQLiteDSN returns the path of a new SQLite database file in a temporary
// directory.
func SQLiteDSN(t testing.TB) string {
	return filepath.Join(t.TempDir(), "embargo.db")
}

// PostgresURL returns EMBARGO_TEST_POSTGRES, or "" when it is unset; it
// fails t when it is unset but EMBARGO_REQUIRE_POSTGRES=1.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("EMBARGO_TEST_POSTGRES")
	if u == "" && os.Getenv("EMBARGO_REQUIRE_POSTGRES") == "1" {
		t.Fatal("EMBARGO_REQUIRE_POSTGRES=1 but EMBARGO_TEST_POSTGRES is not set: the PostgreSQL suite must run")
	}
	return u
}

// PostgresDSN creates a fresh database on the EMBARGO_TEST_POSTGRES server
// and returns its URL; the database is dropped when t ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	if base == "" {
		t.Skip("EMBARGO_TEST_POSTGRES is not set; skipping PostgreSQL")
	}
	dsn, drop, err := store.CreatePostgresDatabase(context.Background(), base, "embargo_test_")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return dsn
}

// Open opens and migrates the database at dsn, with a raw handle beside it.
// Both close when t ends.
func Open(t testing.TB, dsn string, opt store.Options) Database {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, opt)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	driver, rawDSN := "sqlite", dsn
	if store.IsPostgresURL(dsn) {
		driver = "pgx"
	}
	raw, err := sql.Open(driver, rawDSN)
	if err != nil {
		t.Fatalf("open raw handle: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	return Database{DB: db, Raw: raw, DSN: dsn}
}
