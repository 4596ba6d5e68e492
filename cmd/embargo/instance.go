package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/store"
)

// openInstance opens and migrates the database and loads the instance key
// and keyring: what every command that touches data needs.
func openInstance(ctx context.Context, c *Config, e *env) (*store.DB, *keyring.Keyring, error) {
	// The data directory holds the instance key even when the database is
	// PostgreSQL; only its owner may enter it.
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create data directory: %w", err)
	}
	db, err := store.Open(ctx, c.DatabaseURL, store.Options{})
	if err != nil {
		return nil, nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	kr, err := openKeyring(ctx, c, e, db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, kr, nil
}

// openExisting opens a database that must already exist: commands that
// inspect an instance must not create an empty one by mistake.
func openExisting(ctx context.Context, c *Config) (*store.DB, error) {
	if !store.IsPostgresURL(c.DatabaseURL) {
		if _, err := os.Stat(c.DatabaseURL); err != nil {
			return nil, fmt.Errorf("no database at %s: is --data (or EMBARGO_DATA) the instance's data directory?", c.DatabaseURL)
		}
	}
	return store.Open(ctx, c.DatabaseURL, store.Options{})
}

// loadInstanceKey reads the instance key. The key in the data directory is
// created on first start; a key named by EMBARGO_KEY_FILE must exist.
func loadInstanceKey(c *Config, e *env) (*keyring.Key, error) {
	external := c.KeyFile != defaultKeyFile(c)
	if external {
		k, readable, err := keyring.LoadKey(c.KeyFile)
		if err == nil && readable {
			fmt.Fprintf(e.stderr, "warning: instance key %s is readable by other users; chmod 600 it\n", c.KeyFile)
		}
		return k, err
	}
	k, _, err := keyring.LoadOrCreateKey(c.KeyFile)
	return k, err
}

// setupTokenTTL is how long a setup link works.
const setupTokenTTL = 24 * time.Hour

// bootstrap makes sure the instance row exists (writing the instance.init
// audit event on first start) and, while no administrator exists, issues a
// fresh one-time setup token; it returns that token or "".
func bootstrap(ctx context.Context, db *store.DB) (setupToken string, err error) {
	err = db.Transact(ctx, func(tx *store.Tx) error {
		ev, err := audit.New(ctx, "system", "instance.init", "instance", nil)
		if err != nil {
			return err
		}
		if err := tx.CreateInstance(ctx, store.Instance{CreatedAt: tx.Now()}); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
	// A conflict means this is not the first start. The transaction must
	// roll back then: PostgreSQL refuses to commit one in which a statement
	// failed.
	if err != nil && !errs.Is(err, errs.Conflict) {
		return "", err
	}
	admins, err := db.CountAdministrators(ctx)
	if err != nil || admins > 0 {
		return "", err
	}
	return issueSetupToken(ctx, db)
}

// issueSetupToken replaces any earlier setup token with a new one; only
// its hash is stored.
func issueSetupToken(ctx context.Context, db *store.DB) (string, error) {
	var b [32]byte
	_, _ = rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(token))
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetupToken(ctx, hex.EncodeToString(sum[:]), tx.Now().Add(setupTokenTTL)); err != nil {
			return err
		}
		ev, err := audit.New(ctx, "system", "setup.token.issue", "instance", map[string]any{"expires_in": setupTokenTTL.String()})
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
	return token, err
}
