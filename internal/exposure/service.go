package exposure

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/product"
)

// ProductVersion is one version of a catalogue product with its
// components: what the index needs of the catalogue. Its inventory's
// Source is "version:<VersionID>".
type ProductVersion struct {
	OrgID      int64
	ProductID  int64
	VersionID  int64
	Product    string
	Model      string
	Version    string
	Components []product.Component
}

// Asset is one of an operator's deployed systems with what it runs. Its
// inventory's Source is "asset:<ID>".
type Asset struct {
	ID         int64
	OrgID      int64
	Name       string
	Host       string
	Components []Component
	ImportedAt time.Time
}

// Finding is a match that opened or joined a case: the record that keeps
// a re-import from opening the case again.
type Finding struct {
	OrgID     int64
	Inventory string // the index's Source: "version:12", "asset:3"
	Advisory  string
	CaseID    int64
	FoundAt   time.Time
}

// Store persists what the engine needs: advisories (shared by every
// organisation), assets and findings, and reads the catalogue.
type Store interface {
	TransactExposure(ctx context.Context, fn func(Tx) error) error
	// StoredAdvisories returns every stored advisory, in any order.
	StoredAdvisories(ctx context.Context) ([]Advisory, error)
	// StoredAdvisory returns advisory id; errs.NotFound.
	StoredAdvisory(ctx context.Context, id string) (Advisory, error)
	// EachProductVersion calls fn with each of org's catalogue versions
	// (every organisation's when org is 0) and its components, one at a
	// time; an error from fn stops it.
	EachProductVersion(ctx context.Context, org int64, fn func(ProductVersion) error) error
	// Assets returns org's assets (every organisation's when org is 0).
	Assets(ctx context.Context, org int64) ([]Asset, error)
	// Findings returns every finding.
	Findings(ctx context.Context) ([]Finding, error)
	// ComplianceOfficers returns the IDs of org's active compliance
	// officers.
	ComplianceOfficers(ctx context.Context, org int64) ([]int64, error)
	// VEXStatements returns org's VEX statements (every organisation's
	// when org is 0), in any order.
	VEXStatements(ctx context.Context, org int64) ([]StoredVEX, error)
}

// Tx is one exposure transaction.
type Tx interface {
	Now() time.Time
	// PutAdvisories stores advisories, replacing those with the same IDs.
	PutAdvisories(ctx context.Context, advs []Advisory) error
	// PutAsset stores an asset by its organisation and name, replacing
	// the one of that name, and returns its ID.
	PutAsset(ctx context.Context, a Asset) (int64, error)
	// AddFinding records a finding; a repeat is a no-op.
	AddFinding(ctx context.Context, f Finding) error
	// PutVEXStatements stores VEX statements, replacing those of the same
	// organisation and VEXStatement.Key.
	PutVEXStatements(ctx context.Context, vs []StoredVEX) error
	AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error)
}

// Cases is the part of casework.Service the engine opens and joins cases
// with; every call is made as access.SystemFor the organisation.
type Cases interface {
	Create(ctx context.Context, p *access.Principal, nc casework.NewCase) (casework.Case, error)
	Get(ctx context.Context, p *access.Principal, id int64) (casework.Case, error)
	Search(ctx context.Context, p *access.Principal, f casework.Filter) ([]casework.Case, error)
	AddAlias(ctx context.Context, p *access.Principal, id int64, alias string) (string, error)
	Assess(ctx context.Context, p *access.Principal, id int64, a casework.Assessment) (casework.Case, error)
	FactsOf(ctx context.Context, p *access.Principal, id int64) (casework.Facts, error)
	SetFacts(ctx context.Context, p *access.Principal, id int64, ch casework.FactsChange) (casework.Facts, error)
}

// Service is the exposure engine: it stores advisories and assets, keeps
// the index of them and of the catalogue's versions, answers which of an
// organisation's inventories an advisory hits, and opens a case for every
// new hit (CN-07-1 for a provider's product version, CN-08-2 for an
// operator's asset).
type Service struct {
	store Store
	cases Cases
	index *Index

	// work serialises the changes to the index and the cases they open,
	// so that one new match opens one case.
	work sync.Mutex

	mu     sync.RWMutex
	owners map[string]owner     // inventory Source → whose it is
	found  map[findingKey]int64 // findings → case
	caseOf map[orgAdvisory]int64
	vex    map[int64][]StoredVEX // organisation → its VEX statements
}

// owner says whose an inventory is: a product version or an asset.
type owner struct {
	org     int64
	version *ProductVersion
	asset   *Asset
}

type findingKey struct {
	org                 int64
	inventory, advisory string
}

// orgAdvisory names the case of one kind that handles an advisory in an
// organisation.
type orgAdvisory struct {
	org      int64
	kind     casework.Kind
	advisory string
}

// NewService returns a Service over st that opens cases through cases
// (nil: none are opened). Load fills its index.
func NewService(st Store, cases Cases) *Service {
	return &Service{store: st, cases: cases, index: NewIndex(), owners: map[string]owner{},
		found: map[findingKey]int64{}, caseOf: map[orgAdvisory]int64{}, vex: map[int64][]StoredVEX{}}
}

// LoadSummary says what Load read.
type LoadSummary struct {
	Advisories, Inventories int
	Took                    time.Duration
}

// Load builds the index from the database: every advisory, every
// organisation's product versions and assets, the findings already
// recorded and the VEX statements. It opens no cases: matches found while loading were either
// recorded before or are left to the next change.
func (s *Service) Load(ctx context.Context) (LoadSummary, error) {
	start := time.Now()
	s.work.Lock()
	defer s.work.Unlock()
	advs, err := s.store.StoredAdvisories(ctx)
	if err != nil {
		return LoadSummary{}, err
	}
	for _, a := range advs {
		s.index.PutAdvisory(a)
	}
	versions, purls := 0, purlCache{}
	err = s.store.EachProductVersion(ctx, 0, func(v ProductVersion) error {
		s.putVersion(&v, purls)
		versions++
		return nil
	})
	if err != nil {
		return LoadSummary{}, err
	}
	assets, err := s.store.Assets(ctx, 0)
	if err != nil {
		return LoadSummary{}, err
	}
	fs, err := s.store.Findings(ctx)
	if err != nil {
		return LoadSummary{}, err
	}
	vex, err := s.store.VEXStatements(ctx, 0)
	if err != nil {
		return LoadSummary{}, err
	}
	s.putVEX(vex)
	for i := range assets {
		s.putAsset(&assets[i])
	}
	s.mu.Lock()
	for _, f := range fs {
		s.remember(f)
	}
	s.mu.Unlock()
	sum := LoadSummary{Advisories: len(advs), Inventories: versions + len(assets), Took: time.Since(start)}
	return sum, nil
}

// remember records f in memory; s.mu is held.
func (s *Service) remember(f Finding) {
	s.found[findingKey{f.OrgID, f.Inventory, f.Advisory}] = f.CaseID
	s.caseOf[orgAdvisory{f.OrgID, kindOfSource(f.Inventory), f.Advisory}] = f.CaseID
}

// putVersion puts a catalogue version into the index; purls caches the
// parsed purls of a walk over many versions.
func (s *Service) putVersion(v *ProductVersion, purls purlCache) {
	src := versionSource(v.VersionID)
	inv := versionInventory(v, purls)
	// The owner keeps the version's names, not its components: the index
	// holds those, interned, and a copy per version would cost more
	// memory than the index (2 million components).
	kept := *v
	kept.Components = nil
	s.mu.Lock()
	s.owners[src] = owner{org: v.OrgID, version: &kept}
	s.mu.Unlock()
	s.index.PutInventory(inv)
}

// putAsset puts an asset into the index.
func (s *Service) putAsset(a *Asset) {
	src := assetSource(a.ID)
	inv := Inventory{Source: src, Name: a.Name, Components: a.Components}
	kept := *a
	kept.Components = nil // the index holds them (see putVersion)
	s.mu.Lock()
	s.owners[src] = owner{org: a.OrgID, asset: &kept}
	s.mu.Unlock()
	s.index.PutInventory(inv)
}

// purlCache maps a catalogue component's purl and version to its parsed
// component (ok false: it cannot be matched). Catalogues repeat the same
// components across versions: 2 million components may hold 7,000
// distinct purls, and parsing each once saves most of a load's time.
type purlCache map[[2]string]cachedPurl

type cachedPurl struct {
	c  Component
	ok bool
}

// component returns PurlComponent(purl, version), parsed once.
func (pc purlCache) component(purl, version string) (Component, bool) {
	k := [2]string{purl, version}
	if r, hit := pc[k]; hit {
		return r.c, r.ok
	}
	c, err := PurlComponent(purl, version)
	pc[k] = cachedPurl{c, err == nil}
	return c, err == nil
}

// versionInventory turns a catalogue version into an inventory: one
// component per catalogue component with a purl (a component without one
// cannot be matched), its supplier named when it is third-party.
func versionInventory(v *ProductVersion, purls purlCache) Inventory {
	inv := Inventory{Source: versionSource(v.VersionID), Name: v.Product, Version: v.Version}
	for _, c := range v.Components {
		if c.PURL == "" {
			continue
		}
		comp, ok := purls.component(c.PURL, c.Version)
		if !ok {
			continue // the catalogue checked it; an unknown type matches nothing
		}
		if c.ThirdParty && c.Supplier != nil {
			comp.Supplier = c.Supplier.Name
		}
		inv.Components = append(inv.Components, comp)
	}
	return inv
}

func versionSource(id int64) string { return "version:" + strconv.FormatInt(id, 10) }
func assetSource(id int64) string   { return "asset:" + strconv.FormatInt(id, 10) }

// requireRead checks that p may see matches: access.ReadCases, or
// access.ManageProducts (whoever keeps the catalogue and the assets).
func requireRead(p *access.Principal) error {
	if p.Can(access.ManageProducts) {
		return nil
	}
	return p.Require(access.ReadCases)
}

// requireFeed checks that p may import advisories. Feed records are
// public data shared by every organisation of the instance, so instance
// administrators and organisation administrators (access.ManageOrg) may
// import them; the audit log names who did.
func requireFeed(p *access.Principal) error {
	if p != nil && p.InstanceAdmin {
		return nil
	}
	return p.Require(access.ManageOrg)
}

// record appends an audit event about subject.
func record(ctx context.Context, tx Tx, p *access.Principal, action, subject string, details any) error {
	ev, err := audit.New(ctx, p.Actor(), action, subject, details)
	if err != nil {
		return err
	}
	ev.OrgID = p.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}

var errNoVersion = errs.Coded(errs.NotFound, "exposure.not_found", "no such product version or asset")
