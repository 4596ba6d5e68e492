package store

import (
	"context"
	"fmt"

	"github.com/embargohq/embargo/internal/pgp"
)

// OpenPGPKeys returns every stored OpenPGP key pair of the instance, oldest
// first, with the private key as sealed.
func (db *DB) OpenPGPKeys(ctx context.Context) ([]pgp.StoredKey, error) {
	rows, err := db.read.QueryContext(ctx, `
		SELECT fingerprint, public_key, private_key, created_at, active
		FROM openpgp_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: read openpgp keys: %w", err)
	}
	defer rows.Close()
	var out []pgp.StoredKey
	for rows.Next() {
		var k pgp.StoredKey
		var active int
		if err := rows.Scan(&k.Fingerprint, &k.PublicKey, &k.SealedPrivate, &k.CreatedAt, &active); err != nil {
			return nil, fmt.Errorf("store: read openpgp keys: %w", err)
		}
		k.CreatedAt, k.Active = k.CreatedAt.UTC(), active == 1
		out = append(out, k)
	}
	return out, rows.Err()
}

// AddOpenPGPKey stores k as the active key, stamped with the transaction's
// time, unless a key is active already (or has k's fingerprint); it
// reports whether it stored k. The check and the insert are one statement
// against a unique index, so of several nodes generating a key at once
// exactly one succeeds.
func (db *DB) AddOpenPGPKey(ctx context.Context, k pgp.StoredKey) (stored bool, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `
			INSERT INTO openpgp_keys (fingerprint, public_key, private_key, created_at, active)
			VALUES ($1, $2, $3, $4, 1)
			ON CONFLICT DO NOTHING`, k.Fingerprint, k.PublicKey, k.SealedPrivate, tx.now)
		if err != nil {
			return fmt.Errorf("store: add openpgp key: %w", err)
		}
		n, err := res.RowsAffected()
		stored = n == 1
		return err
	})
	return stored, err
}
