package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"
)

// migrations holds the numbered, forward-only schema changes, one folder
// per dialect: migrations/<dialect>/NNNN_name.sql. Both folders must hold
// the same numbers with the same names.
//
//go:embed migrations
var migrations embed.FS

// Migration is one schema change.
type Migration struct {
	Version   int
	Name      string
	SQL       string
	AppliedAt time.Time // zero when pending
}

// Migrations returns dialect d's migrations in order. It fails when a file
// name is malformed or a number is duplicated or missing.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", d.String())
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, err
		}
		if m.Version != len(out)+1 {
			return nil, fmt.Errorf("store: migration %s: want number %04d (numbers must run 1, 2, 3… without gaps)", e.Name(), len(out)+1)
		}
		b, err := fs.ReadFile(migrations, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", e.Name(), err)
		}
		m.SQL = string(b)
		out = append(out, m)
	}
	return out, nil
}

func parseMigrationName(name string) (Migration, error) {
	base, ok := strings.CutSuffix(name, ".sql")
	num, rest, ok2 := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || !ok2 || err != nil || len(num) != 4 || rest == "" {
		return Migration{}, fmt.Errorf("store: migration file %q: want NNNN_name.sql", name)
	}
	return Migration{Version: v, Name: rest}, nil
}

const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// Migrate applies every pending migration, each in its own transaction,
// and returns the ones it applied. It is safe to call on every start.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	status, err := db.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	var applied []Migration
	for _, m := range status {
		if !m.AppliedAt.IsZero() {
			continue
		}
		err := db.Transact(ctx, func(tx *Tx) error {
			if db.dialect == Postgres {
				// Serialise concurrent starters of several app nodes.
				if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7011412)`); err != nil {
					return err
				}
				var n int
				if err := tx.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil || n > 0 {
					return err
				}
			}
			if _, err := tx.exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, tx.Now().Format(time.RFC3339Nano))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
		m.AppliedAt = db.Now()
		applied = append(applied, m)
	}
	return applied, nil
}

// MigrationStatus returns every migration with the time it was applied
// (zero when pending). It fails when the database has a migration this
// binary does not know: the database is newer than the program.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	all, err := Migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	if _, err := db.write.ExecContext(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	rows, err := db.write.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("store: read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int
		var at string
		if err := rows.Scan(&v, &at); err != nil {
			return nil, fmt.Errorf("store: read schema_migrations: %w", err)
		}
		if v < 1 || v > len(all) {
			return nil, fmt.Errorf("store: database has migration %d, this program knows up to %d: upgrade Embargo", v, len(all))
		}
		all[v-1].AppliedAt, _ = time.Parse(time.RFC3339Nano, at)
	}
	return all, rows.Err()
}
