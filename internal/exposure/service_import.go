package exposure

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// importBatch is how many advisories one statement stores.
const importBatch = 500

// ImportSummary says what an import did.
type ImportSummary struct {
	Advisories  int // stored (new or replaced)
	Inventories int // assets stored, for an asset import
	// Opened and Joined count the cases that new matches opened, and the
	// open cases they joined.
	Opened, Joined int
}

// ImportAdvisories stores advisories, replacing those with the same IDs,
// all or nothing, and updates the index; every new match with an
// organisation's product version or asset then opens or joins a case
// (see openCases). progress, when set, is called with the number stored
// so far. Needs instance administration or access.ManageOrg (requireFeed).
// Errors: errs.Invalid for an advisory without an ID or two with the same
// one (nothing is stored). When the advisories were stored but a case
// could not be opened, the summary is returned with the error.
func (s *Service) ImportAdvisories(ctx context.Context, p *access.Principal, advs []Advisory, progress func(done, total int)) (ImportSummary, error) {
	if err := requireFeed(p); err != nil {
		return ImportSummary{}, err
	}
	if err := checkAdvisories(advs); err != nil {
		return ImportSummary{}, err
	}
	s.work.Lock()
	defer s.work.Unlock()
	err := s.store.TransactExposure(ctx, func(tx Tx) error {
		for i := 0; i < len(advs); i += importBatch {
			batch := advs[i:min(i+importBatch, len(advs))]
			if err := tx.PutAdvisories(ctx, batch); err != nil {
				return err
			}
			if progress != nil {
				progress(i+len(batch), len(advs))
			}
		}
		return record(ctx, tx, p, "advisory.import", "advisory:*", map[string]any{"count": len(advs), "first": firstIDs(advs)})
	})
	if err != nil {
		return ImportSummary{}, err
	}
	sum := ImportSummary{Advisories: len(advs)}
	var found []Match
	for _, a := range advs {
		s.index.PutAdvisory(a)
		found = append(found, s.index.MatchAdvisory(a.ID)...)
	}
	err = s.openCases(ctx, found, &sum)
	return sum, err
}

// checkAdvisories rejects advisories without IDs and repeated IDs.
func checkAdvisories(advs []Advisory) error {
	seen := make(map[string]bool, len(advs))
	for i, a := range advs {
		if strings.TrimSpace(a.ID) == "" || len(a.ID) > 200 {
			return errs.Coded(errs.Invalid, "advisory.id", "advisory %d has no ID (or one over 200 bytes)", i+1)
		}
		if seen[a.ID] {
			return errs.Coded(errs.Invalid, "advisory.duplicate", "advisory %s appears twice", a.ID)
		}
		seen[a.ID] = true
	}
	return nil
}

// firstIDs names the first advisories of an import, for its audit event.
func firstIDs(advs []Advisory) []string {
	var ids []string
	for _, a := range advs[:min(len(advs), 20)] {
		ids = append(ids, a.ID)
	}
	return ids
}

// ImportAssets stores the assets of p's organisation given as
// inventories (one per asset: its Name; a Source ending "(host NAME)",
// as internal/format/assetcsv writes it, gives the host), replacing
// assets of the same names, all or nothing; new matches open operator
// cases. Needs access.ManageProducts. Errors: errs.Invalid for an
// inventory without a name.
func (s *Service) ImportAssets(ctx context.Context, p *access.Principal, invs []Inventory) (ImportSummary, error) {
	if err := p.Require(access.ManageProducts); err != nil {
		return ImportSummary{}, err
	}
	assets := make([]Asset, len(invs))
	for i, inv := range invs {
		name := strings.TrimSpace(inv.Name)
		if name == "" || len(name) > 300 {
			return ImportSummary{}, errs.Coded(errs.Invalid, "asset.name", "asset %d has no name (or one over 300 bytes)", i+1)
		}
		assets[i] = Asset{OrgID: p.OrgID, Name: name, Host: hostOf(inv.Source), Components: inv.Components}
	}
	s.work.Lock()
	defer s.work.Unlock()
	err := s.store.TransactExposure(ctx, func(tx Tx) error {
		var names []string
		for i := range assets {
			assets[i].ImportedAt = tx.Now()
			id, err := tx.PutAsset(ctx, assets[i])
			if err != nil {
				return fmt.Errorf("asset %q: %w", assets[i].Name, err)
			}
			assets[i].ID = id
			names = append(names, assets[i].Name)
		}
		return record(ctx, tx, p, "asset.import", "asset:*", map[string]any{"assets": names})
	})
	if err != nil {
		return ImportSummary{}, err
	}
	sum := ImportSummary{Inventories: len(assets)}
	var found []Match
	for i := range assets {
		s.putAsset(&assets[i])
		found = append(found, s.index.MatchInventory(assetSource(assets[i].ID))...)
	}
	err = s.openCases(ctx, found, &sum)
	return sum, err
}

// hostOf reads the host from an assetcsv Source: "assets.csv (host db1)".
func hostOf(source string) string {
	_, rest, ok := strings.Cut(source, " (host ")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(rest, ")")
}

// CatalogueChanged re-reads organisation org's catalogue versions into the
// index after a change to its catalogue (product.Service's change hook),
// drops the versions that are gone, and opens or joins a case for every
// new match. It holds one version's components and matches at a time.
func (s *Service) CatalogueChanged(ctx context.Context, org int64) error {
	s.work.Lock()
	defer s.work.Unlock()
	keep, purls := map[string]bool{}, purlCache{}
	err := s.store.EachProductVersion(ctx, org, func(v ProductVersion) error {
		keep[versionSource(v.VersionID)] = true
		s.putVersion(&v, purls)
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	for src, o := range s.owners {
		if o.org == org && o.version != nil && !keep[src] {
			delete(s.owners, src)
			s.index.RemoveInventory(src)
		}
	}
	s.mu.Unlock()
	sources := make([]string, 0, len(keep))
	for src := range keep {
		sources = append(sources, src)
	}
	slices.Sort(sources)
	var sum ImportSummary
	for _, src := range sources {
		if err := s.openCases(ctx, s.index.MatchInventory(src), &sum); err != nil {
			return err
		}
	}
	return nil
}
