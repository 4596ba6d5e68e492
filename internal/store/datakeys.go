package store

import (
	"context"
	"fmt"

	"github.com/embargohq/embargo/internal/keyring"
)

// AddDataKey stores a new wrapped data key in its own transaction, makes it
// the active one and returns its ID.
func (db *DB) AddDataKey(ctx context.Context, kekID string, wrapped []byte) (id int64, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		id, err = tx.CreateDataKey(ctx, kekID, wrapped)
		return err
	})
	return id, err
}

// CreateDataKey stores a new wrapped data key, makes it the active one and
// returns its ID.
func (tx *Tx) CreateDataKey(ctx context.Context, kekID string, wrapped []byte) (int64, error) {
	if _, err := tx.exec(ctx, `UPDATE data_keys SET active = 0 WHERE active = 1`); err != nil {
		return 0, fmt.Errorf("store: retire data keys: %w", err)
	}
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO data_keys (kek_id, wrapped, created_at, active) VALUES ($1, $2, $3, 1)
		RETURNING id`, kekID, wrapped, tx.now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create data key: %w", classify(err))
	}
	return id, nil
}

// DataKeys returns every wrapped data key, oldest first. Only the newest is
// active: new values are sealed with it; older keys open what they sealed.
func (db *DB) DataKeys(ctx context.Context) ([]keyring.WrappedKey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kek_id, wrapped, created_at, active FROM data_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: read data keys: %w", err)
	}
	defer rows.Close()
	var out []keyring.WrappedKey
	for rows.Next() {
		var k keyring.WrappedKey
		var active int
		if err := rows.Scan(&k.ID, &k.KEKID, &k.Wrapped, &k.CreatedAt, &active); err != nil {
			return nil, fmt.Errorf("store: read data keys: %w", err)
		}
		k.CreatedAt, k.Active = k.CreatedAt.UTC(), active == 1
		out = append(out, k)
	}
	return out, rows.Err()
}

// RewrapDataKeys replaces the wrapped form of each key in wrapped (by ID)
// and records the new instance key's ID: the key-rotation step. The data
// keys themselves, and so the data they sealed, do not change.
func (tx *Tx) RewrapDataKeys(ctx context.Context, wrapped map[int64][]byte, kekID string) error {
	for id, w := range wrapped {
		res, err := tx.exec(ctx, `UPDATE data_keys SET wrapped = $1, kek_id = $2 WHERE id = $3`, w, kekID, id)
		if err != nil {
			return fmt.Errorf("store: rewrap data key %d: %w", id, err)
		}
		if err := mustAffect(res, fmt.Sprintf("data key %d does not exist", id)); err != nil {
			return err
		}
	}
	return nil
}
