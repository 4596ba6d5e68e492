package casework

import (
	"context"
	"slices"

	"github.com/embargohq/embargo/internal/errs"
)

// PublishIn records in tx, for the service that owns advisories, that
// case c became public at tx.Now() through advisory ref: the case is
// disclosed from then on and, when its lifecycle allows it (a provider's
// fixed case), moves to published, with the move in its timeline and the
// audit log (case.transition, case.disclosed). A case published early
// (RMSV Art. 9(1)) is disclosed without moving. Its duties follow.
func (s *Service) PublishIn(ctx context.Context, tx Tx, actor string, c Case, ref string) (Case, error) {
	from := c.Status
	if c.DisclosedAt.IsZero() {
		c.DisclosedAt = tx.Now()
	}
	moves := slices.Contains(transitions[c.Kind][c.Status], Published)
	if moves {
		c.Status = Published
	}
	c.UpdatedAt = tx.Now()
	if err := tx.UpdateCaseState(ctx, c); err != nil {
		return Case{}, err
	}
	if err := recordAs(ctx, tx, actor, "case.disclosed", c, map[string]any{"advisory": ref, "disclosed_at": c.DisclosedAt}); err != nil {
		return Case{}, err
	}
	if moves {
		t := Transition{At: tx.Now(), Actor: actor, From: from, To: Published, Reason: "advisory " + ref + " published"}
		if err := tx.AddTransition(ctx, c.ID, t); err != nil {
			return Case{}, err
		}
		if err := recordAs(ctx, tx, actor, "case.transition", c, map[string]any{"from": from, "to": Published,
			"reason": t.Reason}); err != nil {
			return Case{}, err
		}
	}
	return c, s.changed(ctx, tx, c)
}

// HandPublishGuard refuses to move a case to published by hand: a case
// becomes published when its advisory is published (PublishIn), after
// the publication gate (RMSV Art. 9).
func HandPublishGuard(_ context.Context, _ Tx, _ Case, to Status) error {
	if to == Published {
		return errs.Coded(errs.Conflict, "case.publish_by_advisory",
			"a case is published by publishing its advisory, after the publication gate (RMSV Art. 9); open the case's advisory")
	}
	return nil
}

// Guards returns a guard that asks each of gs in turn.
func Guards(gs ...Guard) Guard {
	return func(ctx context.Context, tx Tx, c Case, to Status) error {
		for _, g := range gs {
			if err := g(ctx, tx, c, to); err != nil {
				return err
			}
		}
		return nil
	}
}
