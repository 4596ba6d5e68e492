package remediation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// Put records the fix f for case caseID: for f's version, or, when f
// names a release line and no version, for every affected version of that
// line. Each change is audited (remediation.put) with the fix before and
// after; the earliest availability of the case's fixes becomes its fix
// time. Needs access.WriteRemediation and sight of the case. Errors:
// errs.NotFound; errs.Invalid (remediation.version) for a version the
// case's scope does not select, and for an incomplete fix.
func (s *Service) Put(ctx context.Context, p *access.Principal, caseID int64, f Fix) ([]Fix, error) {
	if err := p.Require(access.WriteRemediation); err != nil {
		return nil, err
	}
	var out []Fix
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := check(&f, tx.Now()); err != nil {
			return err
		}
		rows, err := Plan(ctx, tx, c)
		if err != nil {
			return err
		}
		targets := slices.DeleteFunc(rows, func(r Row) bool { return !f.selects(r.Version) })
		if len(targets) == 0 {
			return errs.Coded(errs.Invalid, "remediation.version", "the case's scope selects no version %s", f.Version.String())
		}
		for _, r := range targets {
			g, err := s.put(ctx, tx, p, c, r, f)
			if err != nil {
				return err
			}
			out = append(out, g)
		}
		return s.fixTime(ctx, tx, p, c)
	})
	return out, err
}

// selects reports whether the fix as given applies to affected version v.
func (f Fix) selects(v Version) bool {
	if f.Version.Version == "" && f.Line != "" {
		return v.Line == f.Line && (f.Product == "" || f.Product == v.Product) && (f.Model == "" || f.Model == v.Model)
	}
	return sameVersion(f.Version, v)
}

func (s *Service) put(ctx context.Context, tx Tx, p *access.Principal, c casework.Case, r Row, f Fix) (Fix, error) {
	before := r.Fix
	f.CaseID, f.Version, f.UpdatedAt, f.UpdatedBy = c.ID, r.Version, tx.Now(), p.Actor()
	var err error
	if f.ID, err = tx.PutFix(ctx, c.OrgID, f); err != nil {
		return Fix{}, err
	}
	var was any
	if before.ID != 0 {
		was = fixAudit(before)
	}
	return f, record(ctx, tx, p.Actor(), "remediation.put", c, map[string]any{"version": r.Version.String(),
		"before": was, "after": fixAudit(f)})
}

func fixAudit(f Fix) map[string]any {
	return map[string]any{"status": f.Status, "fixed_version": f.FixedVersion, "patch": f.Patch,
		"workaround": f.Workaround != "", "available_at": f.AvailableAt, "note": f.Note != ""}
}

// fixTime makes the earliest availability of case c's fixes its fix time.
func (s *Service) fixTime(ctx context.Context, tx Tx, p *access.Principal, c casework.Case) error {
	fixes, err := tx.CaseFixes(ctx, c.ID)
	if err != nil {
		return err
	}
	var first time.Time
	for _, f := range fixes {
		if f.Covers() && (first.IsZero() || f.AvailableAt.Before(first)) {
			first = f.AvailableAt
		}
	}
	if first.IsZero() {
		return nil
	}
	return s.cases.FixAvailableIn(ctx, tx, p.Actor(), c, first, "the earliest fix or mitigation recorded for an affected version")
}

// Guard is the casework.Guard of remediation (CN-07-8): a provider's case
// moves to fixed, or is closed (unless it was rejected), only when every
// affected version has an available fix or documented mitigation. Returns
// errs.Conflict (remediation.incomplete) naming the versions still open.
func Guard(ctx context.Context, cwtx casework.Tx, c casework.Case, to casework.Status) error {
	if c.Kind != casework.ProviderCase || (to != casework.Fixed && to != casework.Closed) || c.Status == casework.Rejected {
		return nil
	}
	tx, ok := cwtx.(Tx)
	if !ok {
		return fmt.Errorf("remediation: the casework transaction %T does not hold fixes", cwtx)
	}
	rows, err := Plan(ctx, tx, c)
	if err != nil {
		return err
	}
	var open []string
	for _, r := range rows {
		if !r.Fix.Covers() {
			open = append(open, r.Version.String())
		}
	}
	if len(open) == 0 && len(rows) > 0 {
		return nil
	}
	if len(rows) == 0 {
		open = []string{"(the case has no affected scope)"}
	}
	return errs.Coded(errs.Conflict, "remediation.incomplete",
		"record an available fix or a documented mitigation for every affected version first (RMSV Art. 7(3)); still open: %s",
		strings.Join(open, ", "))
}
