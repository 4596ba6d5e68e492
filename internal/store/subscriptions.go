package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notice"
)

// PutSubscription stores s as pending with its token hashes, or, when the
// product has the address already, returns its ID and false.
func (tx *Tx) PutSubscription(ctx context.Context, s notice.Subscription, confirmHash, unsubHash string) (int64, bool, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO notice_subscriptions (org_id, product_id, email, language, state, confirm_hash,
			unsub_hash, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7)
		ON CONFLICT (product_id, email) DO NOTHING RETURNING id`,
		s.OrgID, s.ProductID, s.Email, s.Language, confirmHash, unsubHash, s.CreatedAt).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("store: put subscription: %w", classify(err))
	}
	err = tx.queryRow(ctx, `SELECT id FROM notice_subscriptions WHERE product_id = $1 AND email = $2`, s.ProductID, s.Email).Scan(&id)
	if err != nil {
		return 0, false, fmt.Errorf("store: put subscription: %w", err)
	}
	return id, false, nil
}

const subscriptionColumns = `s.id, s.org_id, s.product_id, p.name, s.email, s.language, s.state, s.created_at,
	s.confirmed_at, s.ended_at`

const subscriptionFrom = ` FROM notice_subscriptions s JOIN products p ON p.id = s.product_id `

func (tx *Tx) subscriptions(ctx context.Context, where string, args ...any) ([]notice.Subscription, error) {
	rows, err := tx.query(ctx, `SELECT `+subscriptionColumns+subscriptionFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	var out []notice.Subscription
	for rows.Next() {
		var s notice.Subscription
		var conf, ended sql.NullTime
		if err := rows.Scan(&s.ID, &s.OrgID, &s.ProductID, &s.Product, &s.Email, &s.Language, &s.State, &s.CreatedAt,
			&conf, &ended); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: subscriptions: %w", err)
		}
		s.CreatedAt, s.ConfirmedAt, s.EndedAt = s.CreatedAt.UTC(), utcOrZero(conf), utcOrZero(ended)
		out = append(out, s)
	}
	return out, closeRows(rows)
}

// SubscriptionByHash returns the subscription whose confirm (or
// unsubscribe) token hashes to hash; errs.NotFound.
func (tx *Tx) SubscriptionByHash(ctx context.Context, hash string, unsubscribe bool) (notice.Subscription, error) {
	col := "s.confirm_hash"
	if unsubscribe {
		col = "s.unsub_hash"
	}
	ss, err := tx.subscriptions(ctx, `WHERE `+col+` = $1`, hash)
	if err != nil {
		return notice.Subscription{}, err
	}
	if len(ss) == 0 {
		return notice.Subscription{}, errs.Coded(errs.NotFound, "notice.link", "this link is not valid (any more)")
	}
	return ss[0], nil
}

// SetSubscriptionState moves subscription id to state at at.
func (tx *Tx) SetSubscriptionState(ctx context.Context, id int64, state string, at time.Time) error {
	col := "confirmed_at"
	if state == "ended" {
		col = "ended_at"
	}
	_, err := tx.exec(ctx, `UPDATE notice_subscriptions SET state = $2, `+col+` = $3 WHERE id = $1`, id, state, at)
	if err != nil {
		return fmt.Errorf("store: subscription state: %w", err)
	}
	return nil
}

// ActiveSubscriptions lists org's active subscriptions to the named
// products.
func (tx *Tx) ActiveSubscriptions(ctx context.Context, org int64, products []string) ([]notice.Subscription, error) {
	if len(products) == 0 {
		return nil, nil
	}
	args := []any{org}
	var in []string
	for _, p := range products {
		args = append(args, p)
		in = append(in, fmt.Sprintf("$%d", len(args)))
	}
	return tx.subscriptions(ctx, `WHERE s.org_id = $1 AND s.state = 'active' AND p.name IN (`+strings.Join(in, ", ")+`)
		ORDER BY s.id`, args...)
}

// ProductSubscriptions lists a product's subscriptions (every state).
func (tx *Tx) ProductSubscriptions(ctx context.Context, org, productID int64) ([]notice.Subscription, error) {
	return tx.subscriptions(ctx, `WHERE s.org_id = $1 AND s.product_id = $2 ORDER BY s.id`, org, productID)
}

// ProductByID returns the name and organisation of product id;
// errs.NotFound.
func (tx *Tx) ProductByID(ctx context.Context, id int64) (string, int64, error) {
	var name string
	var org int64
	err := tx.queryRow(ctx, `SELECT name, org_id FROM products WHERE id = $1`, id).Scan(&name, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, errs.Coded(errs.NotFound, "product.not_found", "no such product")
	}
	return name, org, err
}

var _ notice.Tx = (*Tx)(nil)
var _ notice.Store = (*DB)(nil)
