// Package caseseed fills a fresh, migrated database with a realistic case
// load for benchmarks: two organisations with their staff, cases with
// Chinese and English titles spread over the lifecycle's statuses, kinds,
// grades and scopes, access lists, identifiers (CVE, CNVD), timelines, and
// a hash-chained audit log of a chosen length.
//
// For speed it writes through the store's transaction methods (CreateCase,
// FinishCase, UpdateCaseState, AddTransition, GrantCaseAccess,
// AddCaseAlias, AppendAudit) in batches of many cases per transaction,
// instead of one casework.Service call (one transaction) per change. The
// audit events still go through the store's real append path, so the
// chain verifies. Accounts and organisations are made through the
// identity service, as an operator would.
//
// bench/cases uses it with 100,000 cases and 1,000,000 audit events; the
// Go benchmarks in internal/casework with fewer.
package caseseed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/store"
)

// Config says how much to seed.
type Config struct {
	Cases  int // in all, over both organisations
	Events int // audit events in all (at least those the cases need)
	// Batch is the number of cases per transaction (default 1,000).
	Batch int
	// Seed makes the data reproducible (default 1).
	Seed uint64
	// Progress, when set, is called after every batch.
	Progress func(cases, events int)
	// Key is the instance key that wraps the data keys sealing the
	// summaries (default: a new one, which then cannot be recovered).
	Key *keyring.Key
}

// World is what was seeded: the service over it and the people and
// values a benchmark needs.
type World struct {
	Service *casework.Service `json:"-"`
	OrgID   int64             // the large organisation, which the principals belong to
	// Compliance reads every case of the organisation (access.ReadAllCases).
	Compliance *access.Principal
	// Triager is on the access list of about a quarter of the
	// organisation's cases; Newcomer, a triager too, of about one in 100.
	Triager, Newcomer *access.Principal
	// Cases is the number of cases of the organisation; TriagerCases and
	// NewcomerCases how many of them each triager is on the list of.
	Cases, TriagerCases, NewcomerCases int
	// Aliases are CVE identifiers of the organisation's cases, for lookups.
	Aliases []string
	// Events is the number of audit events in the main stream.
	Events int64
}

// staff of the large organisation (the small one has fewer).
const (
	triagers  = 8
	engineers = 6
)

// Seed fills db, which must be freshly migrated.
func Seed(ctx context.Context, db *store.DB, cfg Config) (*World, error) {
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Key == nil {
		cfg.Key = keyring.NewKey()
	}
	kr, err := keyring.Open(ctx, cfg.Key, db)
	if err != nil {
		return nil, err
	}
	w := &World{Service: casework.NewService(db, kr, "EMB")}
	s := &seeder{db: db, kr: kr, cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 2026)), w: w, aliasNo: map[int64]int{}}
	if err := s.people(ctx); err != nil {
		return nil, err
	}
	if err := s.cases(ctx); err != nil {
		return nil, err
	}
	h, err := db.AuditHead(ctx, audit.Main)
	if err != nil {
		return nil, err
	}
	w.Events = h.Last.Seq
	return w, nil
}

// org is one seeded organisation with its staff.
type org struct {
	id        int64
	triagers  []*access.Principal
	engineers []*access.Principal
	officer   *access.Principal
}

type seeder struct {
	db   *store.DB
	kr   *keyring.Keyring
	cfg  Config
	r    *rand.Rand
	w    *World
	orgs [2]*org
	// events counts the audit events appended so far.
	events  int
	aliasNo map[int64]int // per organisation, the last CVE number given
}

// people creates the two organisations and their staff.
func (s *seeder) people(ctx context.Context) error {
	ids := identity.NewService(s.db, identity.DefaultPolicy, nil)
	op := access.Operator()
	for i, name := range []string{"华睿网络 PSIRT", "Yunling Industrial PSIRT"} {
		o, err := ids.CreateOrganisation(ctx, op, identity.Organisation{Name: name, Kinds: []string{"provider", "operator"}, Country: "CN"})
		if err != nil {
			return err
		}
		g := &org{id: o.ID}
		s.orgs[i] = g
		nt, ne := triagers, engineers
		if i == 1 {
			nt, ne = 2, 1
		}
		user := func(name string, role access.Role) (*access.Principal, error) {
			u, err := ids.CreateUser(ctx, op, identity.NewUser{Email: fmt.Sprintf("%s@org%d.example.cn", name, i+1),
				DisplayName: name, Password: "tangerine rooftop lantern", OrgID: o.ID, Role: role})
			if err != nil {
				return nil, err
			}
			p := u.Principal(true)
			p.ConfidentialityAccepted = true
			return p, nil
		}
		for n := range nt {
			p, err := user(fmt.Sprintf("triager%d", n+1), access.Triager)
			if err != nil {
				return err
			}
			g.triagers = append(g.triagers, p)
		}
		for n := range ne {
			p, err := user(fmt.Sprintf("engineer%d", n+1), access.Engineer)
			if err != nil {
				return err
			}
			g.engineers = append(g.engineers, p)
		}
		if g.officer, err = user("compliance", access.ComplianceOfficer); err != nil {
			return err
		}
	}
	a := s.orgs[0]
	s.w.OrgID, s.w.Compliance = a.id, a.officer
	// The last triager is new: on few lists (see grants).
	s.w.Triager, s.w.Newcomer = a.triagers[0], a.triagers[len(a.triagers)-1]
	h, err := s.db.AuditHead(ctx, audit.Main)
	s.events = int(h.Last.Seq)
	return err
}

// cases seeds the cases in batches, each in one transaction, and between
// them the reads and listings that fill the audit log up to cfg.Events.
func (s *seeder) cases(ctx context.Context) error {
	end := s.db.Now().Add(-24 * time.Hour)
	start := end.AddDate(-3, 0, 0)
	step := end.Sub(start) / time.Duration(max(s.cfg.Cases, 1))
	for done := 0; done < s.cfg.Cases; {
		n := min(s.cfg.Batch, s.cfg.Cases-done)
		err := s.db.Transact(ctx, func(tx *store.Tx) error {
			for i := range n {
				at := start.Add(time.Duration(done+i) * step)
				if err := s.oneCase(ctx, tx, at); err != nil {
					return err
				}
			}
			// Fill the log in proportion, with the batch's time span.
			want := int(int64(s.cfg.Events) * int64(done+n) / int64(s.cfg.Cases))
			for s.events < want {
				at := start.Add(time.Duration(done+s.r.IntN(n)) * step).Add(time.Duration(s.r.IntN(1e6)) * time.Millisecond)
				if err := s.filler(ctx, tx, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += n
		if s.cfg.Progress != nil {
			s.cfg.Progress(done, s.events)
		}
	}
	return nil
}

// The statuses seeded, with their weights: a three-year-old backlog is
// mostly closed.
var (
	providerMix = []struct {
		st casework.Status
		w  int
	}{{casework.Received, 5}, {casework.Verifying, 8}, {casework.Confirmed, 5}, {casework.Remediating, 10},
		{casework.Fixed, 8}, {casework.Published, 12}, {casework.Closed, 45}, {casework.Rejected, 7}}
	operatorMix = []struct {
		st casework.Status
		w  int
	}{{casework.Detected, 7}, {casework.Verifying, 10}, {casework.Remediated, 15}, {casework.Mitigated, 10},
		{casework.RiskAccepted, 5}, {casework.Closed, 50}, {casework.Rejected, 3}}
	// paths lead from the initial status to each seeded one.
	paths = map[casework.Kind]map[casework.Status][]casework.Status{
		casework.ProviderCase: {
			casework.Received:    nil,
			casework.Verifying:   {casework.Verifying},
			casework.Confirmed:   {casework.Verifying, casework.Confirmed},
			casework.Remediating: {casework.Verifying, casework.Confirmed, casework.Remediating},
			casework.Fixed:       {casework.Verifying, casework.Confirmed, casework.Remediating, casework.Fixed},
			casework.Published:   {casework.Verifying, casework.Confirmed, casework.Remediating, casework.Fixed, casework.Published},
			casework.Closed:      {casework.Verifying, casework.Confirmed, casework.Remediating, casework.Fixed, casework.Published, casework.Closed},
			casework.Rejected:    {casework.Verifying, casework.Rejected},
		},
		casework.OperatorCase: {
			casework.Detected:     nil,
			casework.Verifying:    {casework.Verifying},
			casework.Remediated:   {casework.Verifying, casework.Remediated},
			casework.Mitigated:    {casework.Verifying, casework.Mitigated},
			casework.RiskAccepted: {casework.Verifying, casework.RiskAccepted},
			casework.Closed:       {casework.Verifying, casework.Remediated, casework.Closed},
			casework.Rejected:     {casework.Verifying, casework.Rejected},
		},
	}
	gradeMix = []string{"critical", "high", "high", "high", "high", "high", "medium", "medium", "medium", "medium",
		"medium", "medium", "medium", "medium", "medium", "medium", "low", "low", "low", "low"}
)

// oneCase creates one case as the service would have over its life:
// created by a triager (on its access list), others granted, assessed,
// moved along its lifecycle, given identifiers, each step audited.
func (s *seeder) oneCase(ctx context.Context, tx *store.Tx, at time.Time) error {
	r := s.r
	g := s.orgs[0]
	if r.IntN(20) == 0 {
		g = s.orgs[1]
	}
	creator := g.triagers[r.IntN(len(g.triagers))]
	if g == s.orgs[0] && creator == s.w.Newcomer && r.IntN(25) != 0 {
		creator = g.triagers[0] // the newcomer rarely creates cases
	}
	t := newTitle(r)
	kind := casework.ProviderCase
	if r.IntN(100) < 15 {
		kind = casework.OperatorCase
	}
	var status casework.Status
	if kind == casework.ProviderCase {
		status = pick(r, providerMix)
	} else {
		status = pick(r, operatorMix)
	}
	c := casework.Case{OrgID: g.id, Title: t.text, Status: casework.Received, Kind: kind, CreatedAt: at, CreatedBy: creator.UserID,
		Ref: fmt.Sprintf("new-%x", r.Uint64()), T0: at.Add(-time.Duration(r.IntN(72*60)) * time.Minute), UpdatedAt: at}
	if kind == casework.OperatorCase {
		c.Status = casework.Detected
	}
	switch n := r.IntN(100); {
	case n < 30:
		c.T0Source = "internal"
	case n < 85:
		c.T0Source = fmt.Sprintf("report:R-%08X", r.Uint32())
	default:
		c.T0Source = "third_party:" + []string{"CNVD", "CNNVD", "customer", "researcher"}[r.IntN(4)]
	}
	var err error
	if c.ID, err = tx.CreateCase(ctx, c); err != nil {
		return err
	}
	c.Ref = fmt.Sprintf("EMB-%d-%04d", at.Year(), c.ID)
	sealed, err := s.kr.Seal([]byte(summary(r, t)), []byte(fmt.Sprintf("cases.summary:%d", c.ID)))
	if err != nil {
		return err
	}
	if err := tx.FinishCase(ctx, c.ID, c.Ref, sealed); err != nil {
		return err
	}
	if err := tx.GrantCaseAccess(ctx, c.ID, casework.Grant{UserID: creator.UserID, GrantedAt: at, GrantedBy: creator.Actor()}); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, creator, "case.create", c.Ref, at, nil); err != nil {
		return err
	}
	// Others on the list: usually an engineer, sometimes a second triager,
	// and now and then the newcomer.
	var others []*access.Principal
	if r.IntN(100) < 60 {
		others = append(others, g.engineers[r.IntN(len(g.engineers))])
	}
	if r.IntN(100) < 20 {
		others = append(others, g.triagers[r.IntN(len(g.triagers)-1)])
	}
	if g == s.orgs[0] && r.IntN(200) == 0 {
		others = append(others, s.w.Newcomer)
	}
	for _, o := range others {
		if o == creator {
			continue
		}
		if err := tx.GrantCaseAccess(ctx, c.ID, casework.Grant{UserID: o.UserID, GrantedAt: at, GrantedBy: creator.Actor()}); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, creator, "case.access_grant", c.Ref, at, map[string]any{"user": fmt.Sprintf("user:%d", o.UserID)}); err != nil {
			return err
		}
	}
	// The assessment, once verification is under way.
	path := paths[kind][status]
	if len(path) > 1 || (len(path) == 1 && r.IntN(3) == 0) {
		c.Grade = gradeMix[r.IntN(len(gradeMix))]
		if r.IntN(2) == 0 {
			c.CVSS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
		}
		c.Scope = []casework.Affected{{Product: t.product, Model: t.model, Versions: "<= " + t.version}}
		if err := s.audit(ctx, tx, creator, "case.assess", c.Ref, at.Add(time.Hour),
			map[string]any{"after": map[string]any{"grade": c.Grade, "cvss": c.CVSS, "scope": c.Scope}}); err != nil {
			return err
		}
	}
	when := at
	for _, to := range path {
		when = when.Add(time.Duration(1+r.IntN(14*24)) * time.Hour)
		tr := casework.Transition{At: when, Actor: creator.Actor(), From: c.Status, To: to, Reason: "按流程推进"}
		if to == casework.Rejected {
			tr.Resolution = []casework.Resolution{casework.NotVulnerability, casework.DuplicateCase, casework.OutOfScope}[r.IntN(3)]
			c.Resolution = tr.Resolution
		}
		if to == casework.RiskAccepted {
			c.RiskExpiresAt = when.AddDate(0, 6, 0)
		}
		if err := tx.AddTransition(ctx, c.ID, tr); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, creator, "case.transition", c.Ref, when, map[string]any{"from": tr.From, "to": to,
			"reason": tr.Reason, "resolution": tr.Resolution, "risk_expires_at": c.RiskExpiresAt}); err != nil {
			return err
		}
		c.Status = to
	}
	c.UpdatedAt = when
	if err := tx.UpdateCaseState(ctx, c); err != nil {
		return err
	}
	// Identifiers, for flaws fixed in the vendor's product.
	if kind == casework.ProviderCase && (status == casework.Fixed || status == casework.Published || status == casework.Closed) {
		if r.IntN(100) < 40 {
			s.aliasNo[g.id]++
			alias := fmt.Sprintf("CVE-%d-%d", when.Year(), 10000+s.aliasNo[g.id])
			if err := s.alias(ctx, tx, g, creator, c, alias, when); err != nil {
				return err
			}
			if g == s.orgs[0] && len(s.w.Aliases) < 1000 && r.IntN(10) == 0 {
				s.w.Aliases = append(s.w.Aliases, alias)
			}
		}
		if r.IntN(100) < 20 {
			if err := s.alias(ctx, tx, g, creator, c, fmt.Sprintf("CNVD-%d-%05d", when.Year(), c.ID), when); err != nil {
				return err
			}
		}
	}
	if g == s.orgs[0] {
		s.w.Cases++
		for _, p := range append(others, creator) {
			switch p {
			case s.w.Triager:
				s.w.TriagerCases++
			case s.w.Newcomer:
				s.w.NewcomerCases++
			}
		}
	}
	return nil
}

func (s *seeder) alias(ctx context.Context, tx *store.Tx, g *org, by *access.Principal, c casework.Case, alias string, at time.Time) error {
	if err := tx.AddCaseAlias(ctx, g.id, c.ID, alias, by.Actor()); err != nil {
		return err
	}
	return s.audit(ctx, tx, by, "case.alias_add", c.Ref, at, map[string]any{"alias": alias})
}

// filler appends one of the everyday events that make up most of a log:
// reads of cases and listings.
func (s *seeder) filler(ctx context.Context, tx *store.Tx, at time.Time) error {
	g := s.orgs[s.r.IntN(20)/19]
	p := g.triagers[s.r.IntN(len(g.triagers))]
	if s.r.IntN(4) == 0 {
		p = g.officer
	}
	if s.r.IntN(3) == 0 {
		return s.audit(ctx, tx, p, "case.list", "*", at, map[string]any{"cases": 100, "query": "", "status": "", "grade": "", "product": ""})
	}
	return s.audit(ctx, tx, p, "case.read", fmt.Sprintf("EMB-%d-%04d", at.Year(), 1+s.r.IntN(max(s.w.Cases, 1))), at, nil)
}

// audit appends an event through the store's real append path (which
// seals it after the head of the chain), at the time given.
func (s *seeder) audit(ctx context.Context, tx *store.Tx, p *access.Principal, action, ref string, at time.Time, details any) error {
	ev, err := audit.New(ctx, p.Actor(), action, "case:"+ref, details)
	if err != nil {
		return err
	}
	ev.OrgID, ev.At = p.OrgID, at
	if _, err := tx.AppendAudit(ctx, ev); err != nil {
		return err
	}
	s.events++
	return nil
}

func pick(r *rand.Rand, mix []struct {
	st casework.Status
	w  int
}) casework.Status {
	total := 0
	for _, m := range mix {
		total += m.w
	}
	n := r.IntN(total)
	for _, m := range mix {
		if n < m.w {
			return m.st
		}
		n -= m.w
	}
	return mix[0].st
}
