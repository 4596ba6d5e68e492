package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
)

// CreatePostgresDatabase creates an empty UTF-8 database, named prefix and
// a random suffix, on the PostgreSQL server at serverURL (whose user may
// create databases), and returns its URL and a function that drops it. For
// tests and benchmarks that want a database of their own.
func CreatePostgresDatabase(ctx context.Context, serverURL, prefix string) (dsn string, drop func() error, err error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("store: %s: %w", RedactURL(serverURL), err)
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("store: open %s: %w", RedactURL(serverURL), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := prefix + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" ENCODING 'UTF8' TEMPLATE template0"); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("store: create database: %w", err)
	}
	drop = func() error {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			return fmt.Errorf("store: drop database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
