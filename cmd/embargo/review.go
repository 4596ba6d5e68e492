package main

import (
	"context"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
)

// reviewer adapts casework's access review to the web surface, with the
// store and the clock.
type reviewer struct {
	cases *casework.Service
	store casework.ReviewStore
}

// AccessReview implements web.AccessReviewer.
func (r reviewer) AccessReview(ctx context.Context, p *access.Principal) (casework.Review, error) {
	return r.cases.AccessReview(ctx, p, r.store, time.Now())
}
