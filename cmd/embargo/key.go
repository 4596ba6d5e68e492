package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/store"
)

func defaultKeyFile(c *Config) string { return filepath.Join(c.DataDir, "instance.key") }

// runKey implements `embargo key rotate`. Rotation writes the new key
// beside the old one (instance.key.new), re-wraps every data key in one
// transaction, then moves the old key to instance.key.old and the new one
// into place. A crash between the transaction and the renames is finished
// at the next start (finishKeyRotation). With EMBARGO_KEY_FILE, the new key
// goes to --new-key-file and the operator points EMBARGO_KEY_FILE at it.
func runKey(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "submitter-secret" { // the HTTP submitters' signing secret, for the receiver
		return runKeySubmitterSecret(e, args[1:])
	}
	if len(args) > 0 && args[0] == "evidence-public" { // the evidence signing key, for publication
		return runKeyEvidencePublic(e, args[1:])
	}
	if len(args) == 0 || args[0] != "rotate" {
		return fmt.Errorf("%w: embargo key rotate [--new-key-file FILE]", errUsage)
	}
	var newFile string
	c, _, err := parseConfig(e, "key rotate", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&newFile, "new-key-file", "", "where to write the new key (required with EMBARGO_KEY_FILE)")
	})
	if err != nil {
		return err
	}
	external := c.KeyFile != defaultKeyFile(c)
	if external && newFile == "" {
		return fmt.Errorf("%w: the instance key is %s (EMBARGO_KEY_FILE): give --new-key-file for the new key", errUsage, c.KeyFile)
	}
	if newFile == "" {
		newFile = c.KeyFile + ".new"
	}
	db, kr, err := openInstance(ctx, c, e)
	if err != nil {
		return err
	}
	defer db.Close()
	_ = kr // opening proves the current key is the right one
	old, err := loadInstanceKey(c, e)
	if err != nil {
		return err
	}
	next := keyring.NewKey()
	if err := keyring.WriteKey(newFile, next); err != nil {
		return err
	}
	if err := rewrapAll(ctx, db, old, next); err != nil {
		os.Remove(newFile)
		return err
	}
	if external {
		fmt.Fprintf(e.stdout, "rotated: the data keys are now wrapped by %s, written to %s.\nPoint EMBARGO_KEY_FILE at it, restart, then destroy %s.\n", next.ID(), newFile, c.KeyFile)
		return nil
	}
	if err := swapKeyFiles(c.KeyFile); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rotated: instance key %s replaces %s.\nThe old key is in %s.old: destroy it once your backups no longer need it.\n", next.ID(), old.ID(), c.KeyFile)
	return nil
}

// rewrapAll re-wraps every data key with next, in one audited transaction.
func rewrapAll(ctx context.Context, db *store.DB, old, next *keyring.Key) error {
	keys, err := db.DataKeys(ctx)
	if err != nil {
		return err
	}
	wrapped, err := keyring.Rewrap(keys, old, next)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RewrapDataKeys(ctx, wrapped, next.ID()); err != nil {
			return err
		}
		ev, err := audit.New(ctx, "cli", "key.rotate", "instance",
			map[string]any{"old_key": old.ID(), "new_key": next.ID(), "data_keys": len(wrapped)})
		if err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
}

// swapKeyFiles moves path to path.old and path.new to path.
func swapKeyFiles(path string) error {
	if err := os.Rename(path, path+".old"); err != nil {
		return fmt.Errorf("keep old key: %w", err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		return fmt.Errorf("install new key: %w", err)
	}
	return nil
}

// openKeyring opens the keyring with the instance key. When a rotation in
// the data directory was interrupted (instance.key.new is present) it
// settles it: if the database was already re-wrapped, the new key is moved
// into place; if not, the unused new key is removed.
func openKeyring(ctx context.Context, c *Config, e *env, db *store.DB) (*keyring.Keyring, error) {
	kek, err := loadInstanceKey(c, e)
	if err != nil {
		return nil, err
	}
	kr, openErr := keyring.Open(ctx, kek, db)
	pending := c.KeyFile + ".new"
	if _, err := os.Stat(pending); c.KeyFile != defaultKeyFile(c) || errors.Is(err, fs.ErrNotExist) {
		return kr, openErr
	}
	if openErr == nil {
		return kr, os.Remove(pending) // the rotation never reached the database
	}
	next, _, err := keyring.LoadKey(pending)
	if err != nil {
		return nil, openErr
	}
	kr, err = keyring.Open(ctx, next, db)
	if err != nil {
		return nil, openErr
	}
	fmt.Fprintln(e.stderr, "finishing an interrupted key rotation: installing", pending)
	return kr, swapKeyFiles(c.KeyFile)
}
