package advisory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
)

// MarkNotOperator records that the scanner finding key ("url:https://…")
// in case caseID's advisory is not an operator's system, and why (for
// example the vendor's own download site), so the gate no longer counts
// it (CN-09-2); audited (advisory.not_operator). Needs
// access.WriteAdvisories.
func (s *Service) MarkNotOperator(ctx context.Context, p *access.Principal, caseID int64, key, reason string) (Advisory, error) {
	if err := p.Require(access.WriteAdvisories); err != nil {
		return Advisory{}, err
	}
	key, reason = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(reason)
	if key == "" || reason == "" || utf8.RuneCountInString(reason) > 2000 || len(key) > 2000 {
		return Advisory{}, errs.Coded(errs.Invalid, "advisory.finding", "name the finding and give the reason it is not an operator's system")
	}
	return s.change(ctx, p, access.WriteAdvisories, caseID, "advisory.not_operator", func(tx Tx, a *Advisory) (any, error) {
		a.NotOperator = slices.DeleteFunc(a.NotOperator, func(d Dismissal) bool { return d.Key == key })
		a.NotOperator = append(a.NotOperator, Dismissal{Key: key, Reason: reason, By: p.Actor(), At: tx.Now()})
		return map[string]any{"finding": key, "reason": reason}, nil
	})
}

// SetEarly records the early-publication record of case caseID's
// advisory (RMSV Art. 9(1), CN-09-1); audited (advisory.early) with the
// record before and after. Needs access.PublishAdvisories.
func (s *Service) SetEarly(ctx context.Context, p *access.Principal, caseID int64, r disclosure.EarlyRecord) (Advisory, error) {
	if err := p.Require(access.PublishAdvisories); err != nil {
		return Advisory{}, err
	}
	for _, e := range []*disclosure.Evidence{&r.Consultation, &r.MIITReport, &r.MPSReport, &r.Assessment} {
		e.Reference, e.File, e.Text = strings.TrimSpace(e.Reference), strings.TrimSpace(e.File), strings.TrimSpace(e.Text)
		if utf8.RuneCountInString(e.Reference+e.File) > 1000 || utf8.RuneCountInString(e.Text) > 8000 {
			return Advisory{}, errs.Coded(errs.Invalid, "advisory.evidence", "evidence is a reference, a date and a file name or text of bounded size")
		}
		e.Date = e.Date.UTC()
	}
	return s.change(ctx, p, access.PublishAdvisories, caseID, "advisory.early", func(tx Tx, a *Advisory) (any, error) {
		before := a.Early
		a.Early = r
		return map[string]any{"before": before, "after": r}, nil
	})
}

// RecordConsent records MPS's consent to publish case caseID's advisory
// during blackout blackoutID (RMSV Art. 9(6), CN-09-6), with its
// reference and date; audited (advisory.mps_consent). Needs
// access.ApproveSharing (compliance officers).
func (s *Service) RecordConsent(ctx context.Context, p *access.Principal, caseID int64, c Consent) (Advisory, error) {
	if err := p.Require(access.ApproveSharing); err != nil {
		return Advisory{}, err
	}
	c.Reference = strings.TrimSpace(c.Reference)
	if c.Reference == "" || c.Date.IsZero() || utf8.RuneCountInString(c.Reference) > 1000 {
		return Advisory{}, errs.Coded(errs.Invalid, "advisory.consent", "MPS's consent needs its reference and date")
	}
	return s.change(ctx, p, access.ApproveSharing, caseID, "advisory.mps_consent", func(tx Tx, a *Advisory) (any, error) {
		bs, err := tx.Blackouts(ctx, a.OrgID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(bs, func(b disclosure.Blackout) bool { return b.ID == c.BlackoutID }) {
			return nil, errs.Coded(errs.NotFound, "blackout.not_found", "no such blackout period")
		}
		c.By, c.Date = p.Actor(), c.Date.UTC()
		a.MPSConsent = slices.DeleteFunc(a.MPSConsent, func(x Consent) bool { return x.BlackoutID == c.BlackoutID })
		a.MPSConsent = append(a.MPSConsent, c)
		return map[string]any{"blackout": c.BlackoutID, "reference": c.Reference, "date": c.Date}, nil
	})
}

// change runs fn on the advisory's records (not its content) and audits it.
func (s *Service) change(ctx context.Context, p *access.Principal, perm access.Permission, caseID int64, action string,
	fn func(Tx, *Advisory) (any, error)) (Advisory, error) {
	var out Advisory
	err := s.withAdvisory(ctx, p, perm, caseID, func(tx Tx, c casework.Case, a *Advisory) error {
		details, err := fn(tx, a)
		if err != nil {
			return err
		}
		a.UpdatedAt = tx.Now()
		out = *a
		return s.save(ctx, tx, p, c, *a, action, map[string]any{"change": details})
	})
	return out, err
}

// SweepReport says what one sweep did.
type SweepReport struct {
	Published int
	Held      int
}

// Sweep releases the scheduled advisories due at now, each after running
// the publication gate again at that moment: one that fails it (a
// blackout began, a fix was withdrawn …) does not go out, goes back to
// approved and records why (advisory.held, shown on the advisory). An
// advisory that fails otherwise is left for the next sweep, its error
// joined into the one returned.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepReport, error) {
	var rep SweepReport
	var due []Advisory
	if err := s.store.TransactAdvisories(ctx, func(tx Tx) error {
		var err error
		due, err = tx.DueAdvisories(ctx, now, 100)
		return err
	}); err != nil {
		return rep, err
	}
	var failed []error
	for _, d := range due {
		held, err := s.releaseDue(ctx, d.CaseID, now)
		switch {
		case err != nil:
			failed = append(failed, fmt.Errorf("advisory %s: %w", d.Ref, err))
		case held:
			rep.Held++
		default:
			rep.Published++
		}
	}
	return rep, errors.Join(failed...)
}

// releaseDue releases one due advisory in its own transaction.
func (s *Service) releaseDue(ctx context.Context, caseID int64, now time.Time) (held bool, err error) {
	err = s.store.TransactAdvisories(ctx, func(tx Tx) error {
		a, err := s.load(ctx, tx, caseID)
		if err != nil || a.State != Scheduled || a.ReleaseAt.After(now) {
			return err // released by someone else meanwhile
		}
		c, _, err := tx.CaseByID(ctx, caseID)
		if err != nil {
			return err
		}
		_, blocked, err := s.release(ctx, tx, access.System().Actor(), c, a, Text{}, now)
		if err != nil || blocked == nil {
			return err
		}
		held = true
		var rules []string
		for _, v := range blocked.Violations {
			rules = append(rules, v.Rule+" "+v.Message+" "+v.Detail)
		}
		a.State, a.Held, a.HeldAt, a.UpdatedAt = Approved, strings.Join(rules, "\n"), tx.Now(), tx.Now()
		if err := s.write(ctx, tx, a); err != nil {
			return err
		}
		return record(ctx, tx, access.System().Actor(), "advisory.held", c, map[string]any{"advisory": a.Ref, "violations": blocked.Violations})
	})
	return held, err
}
