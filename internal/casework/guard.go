package casework

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// Guard decides, in the transaction of a move, whether case c may move to
// status to; an error refuses the move (internal/remediation refuses to
// close a case, or call a provider's case fixed, while an affected
// version has neither a fix nor a mitigation, CN-07-8).
type Guard func(ctx context.Context, tx Tx, c Case, to Status) error

// WithGuard returns s asking g before every move of a case.
func (s *Service) WithGuard(g Guard) *Service {
	s.guard = g
	return s
}

func (s *Service) guarded(ctx context.Context, tx Tx, c Case, to Status) error {
	if s.guard == nil {
		return nil
	}
	return s.guard(ctx, tx, c, to)
}

// FixAvailableIn records in tx, for a service that owns remediation, that
// a fix or mitigation for case c became available at at (zero: none is
// available any more), when that differs from the case's facts; audited
// (case.facts) with the times before and after and why, and the case's
// duties follow (the CRA final report is due 14 days after it).
func (s *Service) FixAvailableIn(ctx context.Context, tx Tx, actor string, c Case, at time.Time, why string) error {
	f, err := tx.CaseFacts(ctx, c.ID)
	if err != nil || f.FixAvailableAt.Equal(at) {
		return err
	}
	before := f.FixAvailableAt
	f.FixAvailableAt = at.UTC()
	if at.IsZero() {
		f.FixAvailableAt = time.Time{}
	}
	if err := tx.PutCaseFacts(ctx, c.ID, f); err != nil {
		return err
	}
	if err := recordAs(ctx, tx, actor, "case.facts", c, map[string]any{"before": map[string]any{"fix_available_at": before},
		"after": map[string]any{"fix_available_at": f.FixAvailableAt}, "reason": why}); err != nil {
		return err
	}
	return s.changed(ctx, tx, c)
}

// CommentIn writes a comment by someone outside the organisation (a
// notice recipient's reply, "recipient:Name") on case c in tx, sealed at
// rest like every comment and audited (case.comment) without its text.
func (s *Service) CommentIn(ctx context.Context, tx Tx, c Case, author, body string) (Comment, error) {
	body = strings.TrimSpace(strings.ToValidUTF8(body, "\uFFFD"))
	if body == "" || utf8.RuneCountInString(body) > MaxComment {
		return Comment{}, errs.Coded(errs.Invalid, "case.comment", "write a comment of 1 to %d characters", MaxComment)
	}
	cm := Comment{At: tx.Now(), Author: author, Body: body}
	var err error
	if cm.ID, err = tx.AddCaseComment(ctx, c.ID, cm, func(commentID int64) ([]byte, error) {
		return s.sealer.Seal([]byte(body), commentAAD(c.ID, commentID))
	}); err != nil {
		return Comment{}, err
	}
	return cm, recordAs(ctx, tx, author, "case.comment", c, map[string]any{"comment": cm.ID})
}

// recordAs appends an audit event by actor about case c.
func recordAs(ctx context.Context, tx Tx, actor, action string, c Case, details any) error {
	ev, err := audit.New(ctx, actor, action, "case:"+c.Ref, details)
	if err != nil {
		return err
	}
	ev.OrgID = c.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}
