package casework

import (
	"context"
	"strconv"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// errNoCase is the answer for a case that does not exist and for one the
// reader may not see: the two must not be told apart.
var errNoCase = errs.Coded(errs.NotFound, "case.not_found", "no such case")

// Get returns case id with its content, when p may see it, and audits the
// read of undisclosed content (CN-11-1) in the same transaction. Errors:
// errs.NotFound when it does not exist or p may not see it.
func (s *Service) Get(ctx context.Context, p *access.Principal, id int64) (Case, error) {
	if err := s.requireReader(p, access.ReadCases); err != nil {
		return Case{}, err
	}
	var c Case
	err := s.transact(ctx, func(tx Tx) error {
		var sealed []byte
		var err error
		if c, sealed, err = tx.CaseByID(ctx, id); err != nil {
			return errNoCase
		}
		if err := s.checkVisible(ctx, tx, p, c); err != nil {
			return err
		}
		if c.Summary, err = s.open(c, sealed); err != nil {
			return err
		}
		if c.Aliases, err = tx.CaseAliases(ctx, c.ID); err != nil {
			return err
		}
		if c.Reports, err = tx.CaseReports(ctx, c.ID); err != nil {
			return err
		}
		if c.Disclosed() {
			return nil
		}
		return record(ctx, tx, p, "case.read", c, nil)
	})
	return c, err
}

// checkVisible returns errNoCase unless p may see c, and applies the
// sharing gate to a foreign reader (foreign.go).
func (s *Service) checkVisible(ctx context.Context, tx Tx, p *access.Principal, c Case) error {
	if c.OrgID != p.OrgID {
		return errNoCase
	}
	if !p.Can(access.ReadAllCases) {
		ok, err := tx.HasCaseAccess(ctx, c.ID, p.UserID)
		if err != nil {
			return err
		}
		if !ok {
			return errNoCase
		}
	}
	return gateRead(ctx, tx, p, c)
}

// List returns the cases p may see, newest first, and audits the listing
// (titles of undisclosed cases are themselves sensitive).
func (s *Service) List(ctx context.Context, p *access.Principal) ([]Case, error) {
	if err := s.requireReader(p, access.ReadCases); err != nil {
		return nil, err
	}
	userID := p.UserID
	if p.Can(access.ReadAllCases) {
		userID = 0
	}
	cases, err := s.store.CasesVisibleTo(ctx, p.OrgID, userID, 500)
	if err != nil {
		return nil, err
	}
	err = s.transact(ctx, func(tx Tx) error {
		var withheld int
		var err error
		if cases, withheld, err = withholdForeign(ctx, tx, p, cases); err != nil {
			return err
		}
		return record(ctx, tx, p, "case.list", Case{Ref: "*"}, map[string]int{"cases": len(cases), "withheld": withheld})
	})
	return cases, err
}

// Filter selects cases: every field is optional.
type Filter struct {
	// Query matches the title (full text, Chinese included), the
	// reference or an identifier (CVE-…, CNVD-…).
	Query   string
	Status  Status
	Kind    Kind
	Grade   string
	Product string // a product named in the affected scope
	Source  string // how T0 came: "internal", "report", "third_party"
	// Assignee selects the cases assigned to this user.
	Assignee int64
	Before   int64 // only cases with a smaller ID (the next page)
	Limit    int   // at most 500; 0 means 100
}

// Search returns the cases p may see that match f, newest first, and
// audits the search (titles of undisclosed cases are themselves
// sensitive).
func (s *Service) Search(ctx context.Context, p *access.Principal, f Filter) ([]Case, error) {
	if err := s.requireReader(p, access.ReadCases); err != nil {
		return nil, err
	}
	if len(f.Query) > 200 {
		return nil, errs.Coded(errs.Invalid, "case.query", "search for at most 200 characters")
	}
	userID := p.UserID
	if p.Can(access.ReadAllCases) {
		userID = 0
	}
	cases, err := s.store.SearchCases(ctx, p.OrgID, userID, f)
	if err != nil {
		return nil, err
	}
	err = s.transact(ctx, func(tx Tx) error {
		var withheld int
		var err error
		if cases, withheld, err = withholdForeign(ctx, tx, p, cases); err != nil {
			return err
		}
		return record(ctx, tx, p, "case.list", Case{Ref: "*"}, map[string]any{"cases": len(cases), "query": f.Query,
			"status": f.Status, "grade": f.Grade, "product": f.Product, "withheld": withheld})
	})
	return cases, err
}

// GrantAccess puts userID on case id's access list. Needs
// access.WriteCases and sight of the case; the user must belong to the
// case's organisation (errs.Invalid otherwise).
func (s *Service) GrantAccess(ctx context.Context, p *access.Principal, id, userID int64) error {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return err
	}
	return s.transact(ctx, func(tx Tx) error {
		c, _, err := tx.CaseByID(ctx, id)
		if err != nil {
			return errNoCase
		}
		if err := s.checkVisible(ctx, tx, p, c); err != nil {
			return err
		}
		if org, err := tx.UserOrg(ctx, userID); err != nil || org != c.OrgID {
			return errs.Coded(errs.Invalid, "case.grant_user", "only members of the case's organisation can be given access")
		}
		if err := tx.GrantCaseAccess(ctx, id, Grant{UserID: userID, GrantedAt: tx.Now(), GrantedBy: p.Actor()}); err != nil {
			return err
		}
		return record(ctx, tx, p, "case.access_grant", c, map[string]any{"user": "user:" + strconv.FormatInt(userID, 10)})
	})
}

// open unseals a summary, which is bound to its case.
func (s *Service) open(c Case, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	pt, err := s.sealer.Unseal(sealed, summaryAAD(c.ID))
	return string(pt), err
}

func summaryAAD(id int64) []byte { return []byte("cases.summary:" + itoa(id)) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
