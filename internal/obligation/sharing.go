package obligation

import (
	"context"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/disclosure"
)

// RecordDecision records a legal decision that lets case caseID's
// undisclosed information go to one foreign recipient until it expires
// (RMSV Art. 9(7), EU-14-8): the sharing gate then lets reports to that
// recipient through. It is disclosure.Record in a transaction of its own,
// on a case p may see; audited (sharing.decision). Needs
// access.ApproveSharing; errs.NotFound when p may not see the case, and
// errs.Invalid (sharing.recipient, sharing.basis, sharing.expiry) for a
// decision without a recipient and country, a basis, or an expiry within
// a year.
func (s *Service) RecordDecision(ctx context.Context, p *access.Principal, caseID int64, nd disclosure.NewDecision) (disclosure.Decision, error) {
	// Refuse those who may not decide before looking the case up, as
	// Submit and NotApplicable do.
	if err := p.Require(access.ApproveSharing); err != nil {
		return disclosure.Decision{}, err
	}
	var d disclosure.Decision
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		d, err = disclosure.Record(ctx, tx, p, gateCase(c), nd)
		return err
	})
	return d, err
}

// Decisions returns the legal decisions recorded on case caseID, oldest
// first, expired ones included. Needs access.ReadCases and sight of the
// case (errs.NotFound otherwise).
func (s *Service) Decisions(ctx context.Context, p *access.Principal, caseID int64) ([]disclosure.Decision, error) {
	var out []disclosure.Decision
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		out, err = tx.SharingDecisions(ctx, c.ID)
		return err
	})
	return out, err
}
