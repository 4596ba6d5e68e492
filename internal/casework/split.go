package casework

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// Split takes report tracking off case id into a new case of its own: the
// report turned out to describe another vulnerability. The new case has
// the same kind, the given title, the report's receipt as its T0
// (CN-07-1) and the same access list. If the old case's T0 came from that
// report, it moves to the earliest report it keeps, through the audited
// correction. Audited on both cases (case.split). Needs access.WriteCases
// and sight of the case; the case must keep at least one report.
func (s *Service) Split(ctx context.Context, p *access.Principal, id int64, tracking, title, reason string) (Case, error) {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return Case{}, err
	}
	title, reason = strings.TrimSpace(title), strings.TrimSpace(reason)
	if title == "" || utf8.RuneCountInString(title) > 300 {
		return Case{}, errs.Coded(errs.Invalid, "case.title", "give the case a title of 1 to 300 characters")
	}
	if utf8.RuneCountInString(reason) > 2000 {
		return Case{}, errs.Coded(errs.Invalid, "case.reason", "the reason may be at most 2,000 characters")
	}
	var nc Case
	err := s.withCase(ctx, p, access.WriteCases, id, func(tx Tx, c Case) error {
		reports, err := tx.CaseReports(ctx, c.ID)
		if err != nil {
			return err
		}
		if !slices.Contains(reports, tracking) {
			return errs.Coded(errs.NotFound, "report.not_found", "no such report on this case")
		}
		if len(reports) == 1 {
			return errs.Coded(errs.Conflict, "case.split_last", "a case keeps at least one report: open a new case by hand instead")
		}
		received, err := tx.MoveCaseReport(ctx, tracking, c.ID, 0)
		if err != nil {
			return err
		}
		if nc, err = s.createIn(ctx, tx, p, NewCase{Title: title, Kind: c.Kind, T0: received, T0Source: "report:" + tracking}, title); err != nil {
			return err
		}
		if _, err := tx.MoveCaseReport(ctx, tracking, 0, nc.ID); err != nil {
			return err
		}
		grants, err := tx.CaseAccessList(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, g := range grants {
			if g.UserID != p.UserID {
				if err := tx.GrantCaseAccess(ctx, nc.ID, Grant{UserID: g.UserID, GrantedAt: tx.Now(), GrantedBy: p.Actor()}); err != nil {
					return err
				}
			}
		}
		if err := record(ctx, tx, p, "case.split", c, map[string]any{"report": tracking, "into": nc.Ref, "reason": reason}); err != nil {
			return err
		}
		if err := record(ctx, tx, p, "case.split", nc, map[string]any{"report": tracking, "from": c.Ref, "reason": reason}); err != nil {
			return err
		}
		if c.T0Source == "report:"+tracking {
			return s.t0FromReports(ctx, tx, p, c)
		}
		return nil
	})
	return nc, err
}

// t0FromReports moves c's T0 to the earliest receipt among its reports,
// audited as a correction (case.t0_correct), after the report that gave it
// its T0 left.
func (s *Service) t0FromReports(ctx context.Context, tx Tx, p *access.Principal, c Case) error {
	tracking, at, err := tx.EarliestCaseReport(ctx, c.ID)
	if err != nil {
		return err
	}
	before := c.T0
	c.T0, c.T0Source, c.UpdatedAt = at, "report:"+tracking, tx.Now()
	if err := tx.UpdateCaseState(ctx, c); err != nil {
		return err
	}
	if err := record(ctx, tx, p, "case.t0_correct", c, map[string]any{"before": before, "t0": c.T0, "source": c.T0Source,
		"reason": "the report that gave T0 was split off into another case"}); err != nil {
		return err
	}
	return s.changed(ctx, tx, c)
}
