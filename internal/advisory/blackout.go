package advisory

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"

	_ "time/tzdata" // release and blackout zones are IANA names wherever Embargo runs
)

// Blackouts returns the blackout calendar of p's organisation: the
// periods of major national events (RMSV Art. 9(6)). Needs
// access.ReadCases (staff who work on advisories) or
// access.ApproveSharing.
func (s *Service) Blackouts(ctx context.Context, p *access.Principal) ([]disclosure.Blackout, error) {
	if !p.Can(access.ReadCases) && !p.Can(access.ApproveSharing) {
		return nil, errs.Coded(errs.Forbidden, "blackout.forbidden", "you may not see the blackout calendar")
	}
	var out []disclosure.Blackout
	err := s.store.TransactAdvisories(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Blackouts(ctx, p.OrgID)
		return err
	})
	return out, err
}

// PutBlackout adds (b.ID 0) or changes a blackout period of p's
// organisation; Start and End are read in b.Zone. Audited
// (blackout.put) with the period before and after. Needs
// access.ApproveSharing (compliance officers).
func (s *Service) PutBlackout(ctx context.Context, p *access.Principal, b disclosure.Blackout) (disclosure.Blackout, error) {
	if err := p.Require(access.ApproveSharing); err != nil {
		return b, err
	}
	b.NameZH, b.NameEN, b.Zone = strings.TrimSpace(b.NameZH), strings.TrimSpace(b.NameEN), strings.TrimSpace(b.Zone)
	if b.Zone == "" {
		b.Zone = "Asia/Shanghai"
	}
	if _, err := time.LoadLocation(b.Zone); err != nil {
		return b, errs.Coded(errs.Invalid, "advisory.zone", "give the release time's zone as an IANA name, e.g. Asia/Shanghai")
	}
	if b.NameZH == "" || b.NameEN == "" || utf8.RuneCountInString(b.NameZH+b.NameEN) > 400 {
		return b, errs.Coded(errs.Invalid, "blackout.name", "name the event in Chinese and English")
	}
	if b.Start.IsZero() || !b.End.After(b.Start) || b.End.Sub(b.Start) > 366*24*time.Hour {
		return b, errs.Coded(errs.Invalid, "blackout.period", "a blackout ends after it starts, within a year")
	}
	b.Start, b.End = b.Start.UTC(), b.End.UTC()
	err := s.store.TransactAdvisories(ctx, func(tx Tx) error {
		var before any
		if b.ID != 0 {
			bs, err := tx.Blackouts(ctx, p.OrgID)
			if err != nil {
				return err
			}
			for _, x := range bs {
				if x.ID == b.ID {
					before = x
				}
			}
		}
		var err error
		if b.ID, err = tx.PutBlackout(ctx, p.OrgID, b); err != nil {
			return err
		}
		return recordOrg(ctx, tx, p, "blackout.put", b.ID, map[string]any{"before": before, "after": b})
	})
	return b, err
}

// DeleteBlackout removes blackout id of p's organisation; audited
// (blackout.delete). Needs access.ApproveSharing; errs.NotFound.
func (s *Service) DeleteBlackout(ctx context.Context, p *access.Principal, id int64) error {
	if err := p.Require(access.ApproveSharing); err != nil {
		return err
	}
	return s.store.TransactAdvisories(ctx, func(tx Tx) error {
		if err := tx.DeleteBlackout(ctx, p.OrgID, id); err != nil {
			return err
		}
		return recordOrg(ctx, tx, p, "blackout.delete", id, map[string]any{"blackout": id})
	})
}

func recordOrg(ctx context.Context, tx Tx, p *access.Principal, action string, id int64, details any) error {
	ev, err := audit.New(ctx, p.Actor(), action, "blackout:"+strconv.FormatInt(id, 10), details)
	if err != nil {
		return err
	}
	ev.OrgID = p.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}
