package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
)

// reviewer adapts casework's access review to the web surface and the
// API, with the store and the clock.
type reviewer struct {
	cases *casework.Service
	store casework.ReviewStore
}

// AccessReview implements web.AccessReviewer.
func (r reviewer) AccessReview(ctx context.Context, p *access.Principal) (casework.Review, error) {
	return r.cases.AccessReview(ctx, p, r.store, time.Now())
}

// RecordedReviews implements web.AccessReviewer.
func (r reviewer) RecordedReviews(ctx context.Context, p *access.Principal) ([]casework.RecordedReview, error) {
	return r.cases.RecordedReviews(ctx, p, r.store)
}

// RecordedReview implements web.AccessReviewer.
func (r reviewer) RecordedReview(ctx context.Context, p *access.Principal, id int64) (casework.RecordedReview, error) {
	return r.cases.RecordedReview(ctx, p, id)
}

// SignReview implements web.AccessReviewer.
func (r reviewer) SignReview(ctx context.Context, p *access.Principal, id int64, note string) error {
	return r.cases.SignReview(ctx, p, id, note)
}

// recordReviews records every organisation's access review for the
// current quarter (CN-11-2); a quarter already recorded is left alone, so
// the first run after a quarter begins (in CST) records it.
func recordReviews(log *slog.Logger, r reviewer) func(context.Context) {
	return func(ctx context.Context) {
		recs, err := r.cases.RecordQuarterlyReviews(ctx, access.System(), r.store, time.Now())
		if err != nil {
			log.Error("quarterly access review failed", "err", err)
		}
		for _, rec := range recs {
			log.Info("quarterly access review recorded", "org", rec.OrgID, "quarter", rec.Quarter, "people", rec.People, "sha256", rec.SHA256)
		}
	}
}
