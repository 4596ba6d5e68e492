package casework

import (
	"context"
	"errors"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/disclosure"
)

// The sharing gate on reads (RMSV Art. 9(7), CN-09-7): a staff account or
// an API client whose jurisdiction lies outside the mainland is a foreign
// recipient. It reads a case's undisclosed content only under a recorded
// legal decision naming it (recipient "user:N" or "token:N", its country);
// without one the read is refused and the refusal audited, and lists leave
// such cases out. Every verdict on a read is audited (sharing.allowed,
// sharing.blocked).

// foreignReader reports whether p reads from outside the mainland.
func foreignReader(p *access.Principal) bool {
	return !p.Local && !p.System && p.Country != "" && !strings.EqualFold(p.Country, "CN")
}

// readerRecipient is p as a recipient of the gate.
func readerRecipient(p *access.Principal) disclosure.Recipient {
	role := disclosure.Staff
	if p.TokenID != 0 {
		role = disclosure.APIClient
	}
	return disclosure.Recipient{Name: p.Actor(), Country: p.Country, Role: role}
}

// gateRefusal carries a refused read out of its transaction, which rolls
// back; transact then records the refusal in one of its own.
type gateRefusal struct {
	c Case
	p *access.Principal
}

func (g *gateRefusal) Error() string { return "casework: sharing gate refused a foreign reader" }

func gateCaseOf(c Case) disclosure.Case {
	return disclosure.Case{ID: c.ID, OrgID: c.OrgID, Ref: c.Ref, Disclosed: c.Disclosed()}
}

// gateRead applies the gate to p reading case c in tx.
func gateRead(ctx context.Context, tx Tx, p *access.Principal, c Case) error {
	if !foreignReader(p) || c.Disclosed() {
		return nil
	}
	v, err := disclosure.Check(ctx, tx, p, gateCaseOf(c), readerRecipient(p), "case.read")
	if err != nil {
		return err
	}
	if !v.Allowed {
		return &gateRefusal{c: c, p: p}
	}
	return nil
}

// transact runs fn in a casework transaction; a read the sharing gate
// refused is recorded (sharing.blocked) after fn's transaction rolled
// back, and reported as disclosure.Blocked.
func (s *Service) transact(ctx context.Context, fn func(Tx) error) error {
	return s.AfterGate(ctx, s.store.TransactCases(ctx, fn))
}

// AfterGate finishes a transaction's error: a read the sharing gate
// refused (Visible in another service's transaction, which rolled back) is
// recorded as refused (sharing.blocked) and reported as
// disclosure.Blocked; any other error comes back as it is.
func (s *Service) AfterGate(ctx context.Context, err error) error {
	var g *gateRefusal
	if !errors.As(err, &g) {
		return err
	}
	r := readerRecipient(g.p)
	if err := s.store.TransactCases(ctx, func(tx Tx) error {
		_, err := disclosure.Check(ctx, tx, g.p, gateCaseOf(g.c), r, "case.read")
		return err
	}); err != nil {
		return err
	}
	return disclosure.Blocked(r)
}

// withholdForeign drops from cs the undisclosed cases a foreign reader
// has no legal decision for, and says how many it dropped.
func withholdForeign(ctx context.Context, tx Tx, p *access.Principal, cs []Case) ([]Case, int, error) {
	if !foreignReader(p) {
		return cs, 0, nil
	}
	r, kept := readerRecipient(p), cs[:0]
	for _, c := range cs {
		if !c.Disclosed() {
			ds, err := tx.SharingDecisions(ctx, c.ID)
			if err != nil {
				return nil, 0, err
			}
			if !disclosure.Decide(r, false, ds, tx.Now()).Allowed {
				continue
			}
		}
		kept = append(kept, c)
	}
	return kept, len(cs) - len(kept), nil
}

// Readable returns which of the cases ids p may read past the sharing
// gate: all of them for a reader in the mainland; for a foreign reader the
// disclosed ones and those a legal decision names it for. It decides
// nothing about the access list (callers list only visible cases).
func (s *Service) Readable(ctx context.Context, p *access.Principal, ids []int64) (map[int64]bool, error) {
	out := make(map[int64]bool, len(ids))
	if !foreignReader(p) {
		for _, id := range ids {
			out[id] = true
		}
		return out, nil
	}
	err := s.store.TransactCases(ctx, func(tx Tx) error {
		for _, id := range ids {
			c, _, err := tx.CaseByID(ctx, id)
			if err != nil {
				return err
			}
			kept, _, err := withholdForeign(ctx, tx, p, []Case{c})
			if err != nil {
				return err
			}
			out[id] = len(kept) == 1
		}
		return nil
	})
	return out, err
}

// Gate applies the sharing gate to p reading case c in tx, for services
// that read a case without Visible (auditors reading evidence packs); a
// refusal must pass through AfterGate.
func (s *Service) Gate(ctx context.Context, tx Tx, p *access.Principal, c Case) error {
	return gateRead(ctx, tx, p, c)
}
