package exposure

import (
	"context"

	"github.com/embargohq/embargo/internal/access"
)

// CaseOfHit returns the ID of the case that h opened or joined in p's
// organisation, or 0 when it opened none (a match that cannot be
// evaluated, one of another organisation, or one found while no cases
// were opened). It reads only what the engine recorded: whether p may see
// the case is for casework to say.
func (s *Service) CaseOfHit(p *access.Principal, h Hit) int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	// The finding was recorded under the ID the match carried then; when
	// records sharing an alias merged since, that ID is among the aliases.
	for _, id := range append([]string{h.Advisory}, h.Aliases...) {
		if c := s.found[findingKey{p.OrgID, h.Inventory, id}]; c != 0 {
			return c
		}
	}
	return 0
}

// Advisory returns stored advisory id, the record itself: feed records
// are public data, shared by every organisation. Needs access.ReadCases
// or access.ManageProducts; errs.NotFound for an advisory not stored.
func (s *Service) Advisory(ctx context.Context, p *access.Principal, id string) (Advisory, error) {
	if err := requireRead(p); err != nil {
		return Advisory{}, err
	}
	return s.store.StoredAdvisory(ctx, id)
}
