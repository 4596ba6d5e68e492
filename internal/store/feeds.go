package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/embargohq/embargo/internal/exposure"
)

// FeedState returns what the last import from feed url left; the zero
// state, with URL set, for a feed never imported.
func (db *DB) FeedState(ctx context.Context, url string) (exposure.FeedState, error) {
	s := exposure.FeedState{URL: url}
	err := db.read.QueryRowContext(ctx, `SELECT etag, last_modified, advisories, pulled_at FROM advisory_feeds
		WHERE url = $1`, url).Scan(&s.ETag, &s.LastModified, &s.Advisories, &s.PulledAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("store: feed state: %w", err)
	}
	s.PulledAt = s.PulledAt.UTC()
	return s, nil
}

// PutFeedState stores the state of feed s.URL, replacing the last one.
func (db *DB) PutFeedState(ctx context.Context, s exposure.FeedState) error {
	return db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO advisory_feeds (url, etag, last_modified, advisories, pulled_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
			last_modified = excluded.last_modified, advisories = excluded.advisories, pulled_at = excluded.pulled_at`,
			s.URL, s.ETag, s.LastModified, s.Advisories, s.PulledAt.UTC())
		if err != nil {
			return fmt.Errorf("store: put feed state: %w", err)
		}
		return nil
	})
}

var _ exposure.FeedStore = (*DB)(nil)
