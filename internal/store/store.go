// Package store is Embargo's one persistence layer for two SQL dialects:
// SQLite (modernc.org/sqlite, pure Go, the default) and PostgreSQL (pgx).
//
// Queries are hand-written, with one SQL text for both dialects wherever
// possible: both drivers bind $1, $2… by number. Differences live in
// dialect.go and in the per-dialect migration files. The store only
// persists; rules and authorization belong to the domain packages, which
// the conformance suite in storetest checks against both dialects.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// DB is an open Embargo database.
type DB struct {
	dialect Dialect
	// write runs transactions. On SQLite it holds a single connection, so
	// writers queue in Go instead of spinning on SQLITE_BUSY; on PostgreSQL
	// write and read are the same pool.
	write *sql.DB
	read  *sql.DB
	// now is the clock; tests replace it to freeze or move time.
	now func() time.Time
}

// Options tune Open. The zero value is fine.
type Options struct {
	// Now replaces the wall clock (tests).
	Now func() time.Time
	// MaxReadConns caps the read pool (default 8 on SQLite, 16 on PostgreSQL).
	MaxReadConns int
}

// Open opens the database named by dsn: a "postgres://" or "postgresql://"
// URL for PostgreSQL, otherwise a path (or "sqlite://" URL) to an SQLite
// file, created when missing. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	db := &DB{now: opt.Now}
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	if IsPostgresURL(dsn) {
		err = db.openPostgres(ctx, dsn, opt)
	} else {
		err = db.openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite://"), opt)
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}

// IsPostgresURL reports whether dsn names a PostgreSQL database.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func (db *DB) openPostgres(ctx context.Context, dsn string, opt Options) error {
	db.dialect = Postgres
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("store: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(max(opt.MaxReadConns, 16))
	pool.SetMaxIdleConns(max(opt.MaxReadConns, 16))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return fmt.Errorf("store: connect to postgres %s: %w", RedactURL(dsn), err)
	}
	db.write, db.read = pool, pool
	return nil
}

// sqlitePragmas are set on every SQLite connection. WAL lets readers run
// beside the writer; synchronous=FULL syncs the WAL at every commit, so a
// committed transaction (an acknowledged report, a receipt) survives an OS
// crash or a power loss too, not only a process crash; with the intake's
// group commit that is one sync per batch (bench/README.md). Foreign keys
// are off by default in SQLite and must be turned on.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
	"&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_time_format=sqlite"

func (db *DB) openSQLite(ctx context.Context, path string, opt Options) error {
	db.dialect = SQLite
	if path == "" || strings.Contains(path, "?") {
		return fmt.Errorf("store: sqlite path %q: want a plain file path", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store: create database directory: %w", err)
	}
	w, err := sql.Open("sqlite", path+"?"+sqlitePragmas+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", path+"?"+sqlitePragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	n := opt.MaxReadConns
	if n == 0 {
		n = 8
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.write, db.read = w, r
	// Restrict the database and its WAL files to the owner: they hold
	// undisclosed vulnerability information.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Chmod(path+suffix, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store: restrict database file: %w", err)
		}
	}
	return nil
}

// Dialect returns the database's SQL dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Now returns the store's clock reading, truncated to microseconds (the
// precision both dialects keep) and in UTC.
func (db *DB) Now() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// Ping checks that the database answers; it backs /readyz.
func (db *DB) Ping(ctx context.Context) error {
	return db.read.PingContext(ctx)
}

// Close closes the database. On SQLite it checkpoints the WAL into the main
// file first, so a cleanly stopped instance leaves one self-contained file.
func (db *DB) Close() error {
	var errsOut []error
	if db.dialect == SQLite {
		if _, err := db.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			errsOut = append(errsOut, fmt.Errorf("store: checkpoint: %w", err))
		}
	}
	if db.read != db.write {
		errsOut = append(errsOut, db.read.Close())
	}
	errsOut = append(errsOut, db.write.Close())
	return errors.Join(errsOut...)
}

// RedactURL returns dsn with any password replaced by "xxxxx", for logs and
// `embargo config`.
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn
	}
	if _, ok := u.User.Password(); ok { // Password is nil-safe
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
