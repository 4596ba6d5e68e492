package advisory

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/obligation"
)

// Submit asks for approval of case caseID's advisory: draft → in review;
// audited (advisory.submit). Needs access.WriteAdvisories.
func (s *Service) Submit(ctx context.Context, p *access.Principal, caseID int64) (Advisory, error) {
	return s.step(ctx, p, access.WriteAdvisories, caseID, "advisory.submit", func(tx Tx, a *Advisory) error {
		if a.State != Draft {
			return errs.Coded(errs.Conflict, "advisory.state", "the advisory is %s; only a draft goes to review", a.State)
		}
		a.State = InReview
		return nil
	})
}

// Approve approves the working copy of case caseID's advisory, in review,
// with any severity override it carries; audited (advisory.approve).
// Four-eyes (CN-09-P): errs.Forbidden (advisory.four_eyes) when p wrote
// it. Needs access.PublishAdvisories.
func (s *Service) Approve(ctx context.Context, p *access.Principal, caseID int64) (Advisory, error) {
	return s.step(ctx, p, access.PublishAdvisories, caseID, "advisory.approve", func(tx Tx, a *Advisory) error {
		if a.State != InReview {
			return errs.Coded(errs.Conflict, "advisory.state", "the advisory is %s; submit it for review first", a.State)
		}
		for _, e := range a.Editors {
			if e == p.Actor() {
				return errs.Coded(errs.Forbidden, "advisory.four_eyes",
					"you wrote this advisory; someone who did not write it must approve it (RMSV CN-09-P)")
			}
		}
		a.State, a.ApprovedBy, a.ApprovedAt = Approved, p.Actor(), tx.Now()
		return nil
	})
}

// Schedule sets the release of case caseID's approved advisory to at,
// given in zone (an IANA name such as Asia/Shanghai); the gate runs again
// at that moment. A zero at cancels the schedule. Audited
// (advisory.schedule). Needs access.PublishAdvisories.
func (s *Service) Schedule(ctx context.Context, p *access.Principal, caseID int64, at time.Time, zone string) (Advisory, error) {
	return s.step(ctx, p, access.PublishAdvisories, caseID, "advisory.schedule", func(tx Tx, a *Advisory) error {
		if a.State != Approved && a.State != Scheduled {
			return errs.Coded(errs.Conflict, "advisory.state", "the advisory is %s; only an approved advisory is scheduled", a.State)
		}
		if at.IsZero() {
			a.State, a.ReleaseAt, a.ReleaseZone = Approved, time.Time{}, ""
			return nil
		}
		if _, err := time.LoadLocation(zone); err != nil || zone == "" {
			return errs.Coded(errs.Invalid, "advisory.zone", "give the release time's zone as an IANA name, e.g. Asia/Shanghai")
		}
		if !at.After(tx.Now()) {
			return errs.Coded(errs.Invalid, "advisory.release_past", "the release time must be in the future")
		}
		a.State, a.ReleaseAt, a.ReleaseZone, a.Held, a.HeldAt = Scheduled, at.UTC(), zone, "", time.Time{}
		return nil
	})
}

// step runs one change of state on case caseID's advisory and audits it.
func (s *Service) step(ctx context.Context, p *access.Principal, perm access.Permission, caseID int64, action string,
	fn func(Tx, *Advisory) error) (Advisory, error) {
	var out Advisory
	err := s.withAdvisory(ctx, p, perm, caseID, func(tx Tx, c casework.Case, a *Advisory) error {
		before := a.State
		if err := fn(tx, a); err != nil {
			return err
		}
		a.UpdatedAt = tx.Now()
		out = *a
		return s.save(ctx, tx, p, c, *a, action, map[string]any{"before": before, "release_at": a.ReleaseAt,
			"release_zone": a.ReleaseZone})
	})
	return out, err
}

// Publish publishes case caseID's approved advisory now, after the
// publication gate (RMSV Art. 9): a new frozen revision, note saying what
// changed (for an update). The case becomes public and, when fixed, moves
// to published. A refusal is audited (advisory.blocked) and returned as
// *Blocked (errs.Conflict, advisory.blocked). Needs
// access.PublishAdvisories.
func (s *Service) Publish(ctx context.Context, p *access.Principal, caseID int64, note Text) (Advisory, error) {
	if err := p.Require(access.PublishAdvisories); err != nil {
		return Advisory{}, err
	}
	var out Advisory
	var blocked *Blocked
	err := s.withAdvisory(ctx, p, access.PublishAdvisories, caseID, func(tx Tx, c casework.Case, a *Advisory) error {
		if a.State != Approved && a.State != Scheduled {
			return errs.Coded(errs.Conflict, "advisory.state", "the advisory is %s; it needs approval first", a.State)
		}
		var err error
		out, blocked, err = s.release(ctx, tx, p.Actor(), c, *a, note, tx.Now())
		return err
	})
	if err == nil && blocked != nil {
		return out, blocked
	}
	return out, err
}

// release runs the gate on a at at and publishes it when it
// passes; a refusal is audited and returned, not an error, so that the
// audit event commits.
func (s *Service) release(ctx context.Context, tx Tx, actor string, c casework.Case, a Advisory, note Text, at time.Time) (Advisory, *Blocked, error) {
	in, err := gather(ctx, tx, c, a, at)
	if err != nil {
		return a, nil, err
	}
	if vs := disclosure.Evaluate(in); len(vs) > 0 {
		return a, &Blocked{Violations: vs}, record(ctx, tx, actor, "advisory.blocked", c, map[string]any{"advisory": a.Ref,
			"violations": vs})
	}
	revs, err := tx.Revisions(ctx, a.ID)
	if err != nil {
		return a, nil, err
	}
	r := Revision{AdvisoryID: a.ID, Number: len(revs) + 1, Kind: Update, Content: a.Content, Note: note,
		SHA256: fingerprint(a.Content), PublishedAt: tx.Now(), PublishedBy: actor, ApprovedBy: a.ApprovedBy}
	if a.Live == 0 && !hasRelease(revs) {
		r.Kind = Release
		if r.Note == (Text{}) {
			r.Note = Text{ZH: "首次发布", EN: "Initial release"}
		}
	}
	if err := tx.AddRevision(ctx, a.OrgID, r); err != nil {
		return a, nil, err
	}
	a.Live, a.State, a.Editors, a.Held, a.HeldAt, a.UpdatedAt = r.Number, Published, nil, "", time.Time{}, tx.Now()
	if a.PublishedAt.IsZero() {
		a.PublishedAt = tx.Now()
	}
	if err := s.write(ctx, tx, a); err != nil {
		return a, nil, err
	}
	if _, err := s.cases.PublishIn(ctx, tx, actor, c, a.Ref); err != nil {
		return a, nil, err
	}
	if err := s.counted(ctx, tx, c, a, r); err != nil {
		return a, nil, err
	}
	return a, nil, record(ctx, tx, actor, "advisory.publish", c, map[string]any{"advisory": a.Ref, "revision": r.Number,
		"kind": r.Kind, "sha256": r.SHA256, "approved_by": a.ApprovedBy})
}

// counted records revision r of a, just published, as evidence of case
// c's duties in tx: with it the affected users are told of the risk and
// the fix (cn.user_notice, CN-07-9) and the case has a public CSAF 2.0
// document, half of the CRA's user-notice duty (EU-14-6). Only a
// TLP:WHITE revision counts: a restricted one reaches no users.
func (s *Service) counted(ctx context.Context, tx Tx, c casework.Case, a Advisory, r Revision) error {
	if s.obl == nil || Restricted(r.Content.Label()) {
		return nil
	}
	return s.obl.AdvisoryPublished(ctx, tx, c.ID, obligation.Evidence{Ref: fmt.Sprintf("advisory:%s/%d", a.Ref, r.Number),
		At: r.PublishedAt, SHA256: r.SHA256, Note: fmt.Sprintf("advisory %s revision %d (%s) published, its CSAF 2.0 document with it",
			a.Ref, r.Number, r.Kind)})
}

func hasRelease(revs []Revision) bool {
	for _, r := range revs {
		if r.Kind == Release {
			return true
		}
	}
	return false
}

// Withdraw takes case caseID's published advisory back, with the reason
// as a withdrawal revision in its history; audited (advisory.withdraw).
// Needs access.PublishAdvisories.
func (s *Service) Withdraw(ctx context.Context, p *access.Principal, caseID int64, reason Text) (Advisory, error) {
	if err := p.Require(access.PublishAdvisories); err != nil {
		return Advisory{}, err
	}
	reason.ZH, reason.EN = strings.TrimSpace(reason.ZH), strings.TrimSpace(reason.EN)
	if (reason.ZH == "" && reason.EN == "") || utf8.RuneCountInString(reason.ZH+reason.EN) > 4000 {
		return Advisory{}, errs.Coded(errs.Invalid, "advisory.reason", "give the reason for the withdrawal (at most 4,000 characters)")
	}
	var out Advisory
	err := s.withAdvisory(ctx, p, access.PublishAdvisories, caseID, func(tx Tx, c casework.Case, a *Advisory) error {
		if a.Live == 0 || a.State == Withdrawn {
			return errs.Coded(errs.Conflict, "advisory.state", "the advisory is %s; only a published advisory is withdrawn", a.State)
		}
		revs, err := tx.Revisions(ctx, a.ID)
		if err != nil {
			return err
		}
		// The withdrawal repeats the live revision's content, never the
		// working copy, which may hold unreviewed edits.
		live := a.Content
		for _, r := range revs {
			if r.Number == a.Live {
				live = r.Content
			}
		}
		r := Revision{AdvisoryID: a.ID, Number: len(revs) + 1, Kind: Withdrawal, Content: live, Note: reason,
			SHA256: fingerprint(live), PublishedAt: tx.Now(), PublishedBy: p.Actor()}
		if err := tx.AddRevision(ctx, a.OrgID, r); err != nil {
			return err
		}
		a.State, a.Live, a.UpdatedAt = Withdrawn, 0, tx.Now()
		out = *a
		return s.save(ctx, tx, p, c, *a, "advisory.withdraw", map[string]any{"revision": r.Number, "reason": reason})
	})
	return out, err
}
