package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/audit"
)

// Tx is one database transaction with its frozen clock reading: every
// timestamp written in a transaction is the same instant.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	now     time.Time
	// heads are the audit stream heads this transaction locked; see
	// AppendAudit.
	heads map[audit.Stream]*txHead
}

// Now returns the transaction's clock reading (UTC, microseconds).
func (tx *Tx) Now() time.Time { return tx.now }

// Transact runs fn in a transaction and commits it when fn returns nil;
// otherwise (or on panic) it rolls back. Errors from fn come back as they
// are, so callers can test their kinds.
func (db *DB) Transact(ctx context.Context, fn func(*Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return classify(fmt.Errorf("store: begin: %w", err))
	}
	tx := &Tx{tx: sqlTx, dialect: db.dialect, now: db.Now()}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
				err = errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
			}
			return
		}
		if cErr := sqlTx.Commit(); cErr != nil {
			err = classify(fmt.Errorf("store: commit: %w", cErr))
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.writeHeads(ctx)
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := tx.tx.ExecContext(ctx, query, args...)
	return res, classify(err)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, query, args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := tx.tx.QueryContext(ctx, query, args...)
	return rows, classify(err)
}
