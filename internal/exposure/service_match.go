package exposure

import (
	"context"

	"github.com/embargohq/embargo/internal/access"
)

// Hit is one match with what it hits: a product version or an asset of
// the caller's organisation.
type Hit struct {
	Match
	// Exactly one of Version and Asset is set: what was hit, by name; their
	// Components are not filled in (the Match names the component hit).
	Version *ProductVersion
	Asset   *Asset
	// SuppressedBy is the organisation's not_affected VEX statement that
	// suppresses the match (CN-08-2), or nil: a suppressed match is shown,
	// with the statement's justification, but opens no case.
	SuppressedBy *VEXStatement
}

// VersionMatches returns the advisories that hit version id of product
// productID of p's organisation, with the range that matched. Needs
// access.ReadCases or access.ManageProducts; errs.NotFound for a version
// the index does not hold, of another product or of another organisation.
func (s *Service) VersionMatches(ctx context.Context, p *access.Principal, productID, id int64) ([]Hit, error) {
	if err := requireRead(p); err != nil {
		return nil, err
	}
	s.mu.RLock()
	o := s.owners[versionSource(id)]
	s.mu.RUnlock()
	if o.version == nil || o.version.ProductID != productID {
		return nil, errNoVersion
	}
	return s.inventoryMatches(p, versionSource(id))
}

// AssetMatches is VersionMatches for asset id.
func (s *Service) AssetMatches(ctx context.Context, p *access.Principal, id int64) ([]Hit, error) {
	return s.inventoryMatches(p, assetSource(id))
}

func (s *Service) inventoryMatches(p *access.Principal, src string) ([]Hit, error) {
	if err := requireRead(p); err != nil {
		return nil, err
	}
	s.mu.RLock()
	o, ok := s.owners[src]
	s.mu.RUnlock()
	if !ok || o.org != p.OrgID {
		return nil, errNoVersion
	}
	ms := s.index.MatchInventory(src)
	out := make([]Hit, len(ms))
	for i, m := range ms {
		out[i] = Hit{Match: m, Version: o.version, Asset: o.asset, SuppressedBy: s.suppressor(o.org, m)}
	}
	return out, nil
}

// AdvisoryMatches returns what advisory id hits among p's organisation's
// product versions and assets; need-to-know: never another
// organisation's. Needs access.ReadCases or access.ManageProducts. An
// unknown advisory hits nothing.
func (s *Service) AdvisoryMatches(ctx context.Context, p *access.Principal, id string) ([]Hit, error) {
	if err := requireRead(p); err != nil {
		return nil, err
	}
	ms := s.index.MatchAdvisory(id)
	var out []Hit
	for _, m := range ms {
		s.mu.RLock()
		o, ok := s.owners[m.Inventory]
		s.mu.RUnlock()
		if ok && o.org == p.OrgID {
			out = append(out, Hit{Match: m, Version: o.version, Asset: o.asset, SuppressedBy: s.suppressor(o.org, m)})
		}
	}
	return out, nil
}

// Assets returns p's organisation's assets. Needs access.ReadCases or
// access.ManageProducts.
func (s *Service) Assets(ctx context.Context, p *access.Principal) ([]Asset, error) {
	if err := requireRead(p); err != nil {
		return nil, err
	}
	return s.store.Assets(ctx, p.OrgID)
}

// Len returns the number of advisories and inventories the index holds.
func (s *Service) Len() (advisories, inventories int) { return s.index.Len() }
