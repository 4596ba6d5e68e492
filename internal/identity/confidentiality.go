package identity

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// Statement returns the principal's organisation with its confidentiality
// statement (CN-11-2). Org.Statement "" means the built-in default text,
// which the UI shows from its catalogue.
func (s *Service) Statement(ctx context.Context, p *access.Principal) (Organisation, error) {
	if p == nil || p.TokenID != 0 || p.Local {
		return Organisation{}, errs.New(errs.Forbidden, "only a signed-in person accepts the confidentiality statement")
	}
	return s.store.Organisation(ctx, p.OrgID)
}

// AcceptStatement records that p accepted version v of the statement. A
// stale version (the statement changed while they read it) is refused with
// errs.Conflict, so that nobody accepts a text they did not see.
func (s *Service) AcceptStatement(ctx context.Context, p *access.Principal, v int) error {
	org, err := s.Statement(ctx, p)
	if err != nil {
		return err
	}
	if v != org.StatementVersion {
		return errs.Coded(errs.Conflict, "confidentiality.stale", "the statement changed while you read it; read it again")
	}
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.SetAckVersion(ctx, p.UserID, v); err != nil {
			return err
		}
		return record(ctx, tx, p.OrgID, p.Actor(), "confidentiality.accept", userSubject(p.UserID), map[string]int{"version": v})
	})
}

// SetStatement replaces the organisation's statement; every member must
// accept the new version before their next access to cases. Needs
// access.ManageOrg.
func (s *Service) SetStatement(ctx context.Context, p *access.Principal, text string) (int, error) {
	if err := p.Require(access.ManageOrg); err != nil {
		return 0, err
	}
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n < 20 || n > 20000 {
		return 0, errs.Coded(errs.Invalid, "confidentiality.length", "the statement must be 20 to 20,000 characters long")
	}
	var v int
	err := s.store.TransactIdentity(ctx, func(tx Tx) (err error) {
		if v, err = tx.SetStatement(ctx, p.OrgID, text); err != nil {
			return err
		}
		return record(ctx, tx, p.OrgID, p.Actor(), "confidentiality.change", "org:"+itoa(p.OrgID), map[string]int{"version": v})
	})
	return v, err
}
