package exposure

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// openCases opens or joins a case for every match in ms that no case
// knows yet (CN-07-1, CN-08-2). It runs as access.SystemFor the
// organisation owning the inventory, with s.work held:
//
//   - a match is new when no finding records it; a match that cannot be
//     evaluated (a person has to look), or that a not_affected VEX
//     statement of the organisation suppresses, opens nothing;
//   - the case is the open one that a finding or a case identifier ties
//     to the advisory's ID or one of its aliases; otherwise a new case, a
//     provider's for a product version and an operator's for an asset,
//     with T0 = now (when the match was found) and T0Source
//     "third_party:<advisory ID>", the organisation's compliance
//     officers on its access list (no person created it);
//   - the advisory's ID and aliases become the case's identifiers (those
//     casework accepts), the product version joins the affected scope,
//     and a third-party component with a supplier makes that supplier
//     the case's upstream, which raises the upstream-notice duty (CN-07-4).
//
// The matches of one advisory in one organisation are handled together:
// one case, one change of its scope with every version hit, one
// transaction for their findings. Each match is recorded as a finding once
// its case is set, so that a re-import opens nothing twice.
func (s *Service) openCases(ctx context.Context, ms []Match, sum *ImportSummary) error {
	if s.cases == nil {
		return nil
	}
	type key struct {
		org      int64
		kind     casework.Kind
		advisory string
	}
	groups := map[key][]freshMatch{}
	var order []key
	for _, m := range ms {
		if m.NotEvaluable != "" {
			continue
		}
		s.mu.RLock()
		o, ok := s.owners[m.Inventory]
		_, done := s.found[findingKey{o.org, m.Inventory, m.Advisory}]
		s.mu.RUnlock()
		if !ok || done || s.suppressor(o.org, m) != nil {
			continue
		}
		k := key{o.org, kindOf(m), m.Advisory}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], freshMatch{o, m})
	}
	var errList []error
	for _, k := range order {
		if err := s.openCase(ctx, groups[k], sum); err != nil {
			errList = append(errList, fmt.Errorf("%s in organisation %d: %w", k.advisory, k.org, err))
		}
	}
	if len(errList) > 0 {
		return fmt.Errorf("exposure: advisories stored, but cases not opened: %w", errors.Join(errList...))
	}
	return nil
}

// freshMatch is a new match with its inventory's owner.
type freshMatch struct {
	o owner
	m Match
}

// openCase opens or joins the case of one advisory's new matches in one
// organisation (all of one kind) and records them.
func (s *Service) openCase(ctx context.Context, hs []freshMatch, sum *ImportSummary) error {
	o, m := hs[0].o, hs[0].m
	p := access.SystemFor(o.org)
	now := time.Now().UTC().Truncate(time.Microsecond)
	c, err := s.caseFor(ctx, p, o.org, m)
	if err != nil {
		return err
	}
	if c.ID == 0 {
		if c, err = s.newCase(ctx, p, o, m, now); err != nil {
			return err
		}
		sum.Opened++
	} else {
		sum.Joined++
	}
	for _, id := range append([]string{m.Advisory}, m.Aliases...) {
		// Identifiers casework does not know (PYSEC-…), or that name
		// another case already, stay off this one.
		if _, err := s.cases.AddAlias(ctx, p, c.ID, id); err != nil && !errs.Is(err, errs.Invalid) && !errs.Is(err, errs.Conflict) {
			return err
		}
	}
	var versions []*ProductVersion
	var supplied *Component
	for _, h := range hs {
		if h.o.version == nil {
			continue
		}
		versions = append(versions, h.o.version)
		if supplied == nil && h.m.Component.Supplier != "" {
			supplied = &h.m.Component
		}
	}
	if err := s.scope(ctx, p, c, versions); err != nil {
		return err
	}
	if supplied != nil {
		if err := s.upstream(ctx, p, c.ID, *supplied); err != nil {
			return err
		}
	}
	fs := make([]Finding, len(hs))
	for i, h := range hs {
		fs[i] = Finding{OrgID: o.org, Inventory: h.m.Inventory, Advisory: h.m.Advisory, CaseID: c.ID, FoundAt: now}
	}
	return s.addFindings(ctx, fs, m.Aliases)
}

// caseFor returns the open case of org that already handles the
// advisory, or a zero Case.
func (s *Service) caseFor(ctx context.Context, p *access.Principal, org int64, m Match) (casework.Case, error) {
	ids := append([]string{m.Advisory}, m.Aliases...)
	for _, id := range ids {
		s.mu.RLock()
		caseID := s.caseOf[orgAdvisory{org, kindOf(m), id}]
		s.mu.RUnlock()
		if caseID == 0 {
			continue
		}
		c, err := s.cases.Get(ctx, p, caseID)
		if err == nil && open(c) && c.Kind == kindOf(m) {
			return c, nil
		}
	}
	for _, id := range ids {
		alias, err := casework.NormaliseAlias(id)
		if err != nil {
			continue
		}
		cs, err := s.cases.Search(ctx, p, casework.Filter{Query: alias, Limit: 20})
		if err != nil {
			return casework.Case{}, err
		}
		for _, c := range cs {
			if open(c) && c.Kind == kindOf(m) {
				if full, err := s.cases.Get(ctx, p, c.ID); err == nil && slices.Contains(full.Aliases, alias) {
					return full, nil
				}
			}
		}
	}
	return casework.Case{}, nil
}

// open reports whether a case is still being handled.
func open(c casework.Case) bool {
	return c.Status != casework.Closed && c.Status != casework.Rejected
}

// kindOf is the kind of case a match opens.
func kindOf(m Match) casework.Kind { return kindOfSource(m.Inventory) }

// kindOfSource is the kind of case a match on inventory source opens.
func kindOfSource(source string) casework.Kind {
	if strings.HasPrefix(source, "asset:") {
		return casework.OperatorCase
	}
	return casework.ProviderCase
}

// newCase opens the case of a match.
func (s *Service) newCase(ctx context.Context, p *access.Principal, o owner, m Match, now time.Time) (casework.Case, error) {
	officers, err := s.store.ComplianceOfficers(ctx, o.org)
	if err != nil {
		return casework.Case{}, err
	}
	adv, err := s.store.StoredAdvisory(ctx, m.Advisory)
	if err != nil {
		return casework.Case{}, err
	}
	title := m.Advisory
	if adv.Summary != "" {
		title += ": " + adv.Summary
	}
	if utf8.RuneCountInString(title) > 300 {
		title = string([]rune(title)[:299]) + "…"
	}
	return s.cases.Create(ctx, p, casework.NewCase{Title: title, Summary: caseSummary(o, m), Kind: kindOf(m),
		T0: now, T0Source: "third_party:" + m.Advisory, Access: officers})
}

// caseSummary says what was found, where, and why.
func caseSummary(o owner, m Match) string {
	where := ""
	switch {
	case o.version != nil:
		where = fmt.Sprintf("%s %s %s", o.version.Product, o.version.Model, o.version.Version)
	case o.asset != nil:
		where = o.asset.Name
		if o.asset.Host != "" {
			where += " on " + o.asset.Host
		}
	}
	why := "its list of affected versions names " + m.Component.Version
	if m.Range != nil {
		why = "the range " + describeRange(*m.Range) + " includes " + m.Component.Version
	}
	return fmt.Sprintf("Advisory %s affects %s in %s: %s.", m.Advisory, m.Component.Purl, where, why)
}

// describeRange writes a range as its events: "SEMVER introduced 0, fixed 1.2.3".
func describeRange(r Range) string {
	var parts []string
	for _, e := range r.Events {
		switch {
		case e.Introduced != "":
			parts = append(parts, "introduced "+e.Introduced)
		case e.Fixed != "":
			parts = append(parts, "fixed "+e.Fixed)
		case e.LastAffected != "":
			parts = append(parts, "last affected "+e.LastAffected)
		case e.Limit != "":
			parts = append(parts, "limit "+e.Limit)
		}
	}
	return r.Type + " " + strings.Join(parts, ", ")
}

// scope adds product versions to a case's affected scope, keeping its
// assessment: one change for all of them, none when every one is there.
func (s *Service) scope(ctx context.Context, p *access.Principal, c casework.Case, vs []*ProductVersion) error {
	scope := slices.Clone(c.Scope)
	for _, v := range vs {
		e := casework.Affected{Product: v.Product, Model: v.Model, Versions: v.Version}
		if !slices.Contains(scope, e) {
			scope = append(scope, e)
		}
	}
	if len(scope) == len(c.Scope) {
		return nil
	}
	a := casework.Assessment{Indicators: c.Grading.Indicators, CVSS: c.CVSS, Category: c.Grading.Category,
		CWE: c.Grading.CWE, Scope: scope}
	if a.Indicators == nil {
		a.Grade = c.Grade
	}
	_, err := s.cases.Assess(ctx, p, c.ID, a)
	return err
}

// upstream makes a third-party component's supplier the case's upstream,
// unless the case names one already.
func (s *Service) upstream(ctx context.Context, p *access.Principal, caseID int64, comp Component) error {
	if comp.Supplier == "" {
		return nil
	}
	f, err := s.cases.FactsOf(ctx, p, caseID)
	if err != nil || f.Upstream != nil {
		return err
	}
	root, sup := comp.Package, comp.Supplier
	_, err = s.cases.SetFacts(ctx, p, caseID, casework.FactsChange{Upstream: &sup, RootComponent: &root})
	return err
}

// addFindings records findings of one case, in one transaction, then in
// memory.
func (s *Service) addFindings(ctx context.Context, fs []Finding, aliases []string) error {
	err := s.store.TransactExposure(ctx, func(tx Tx) error {
		for _, f := range fs {
			if err := tx.AddFinding(ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range fs {
		s.remember(f)
		for _, a := range aliases {
			s.caseOf[orgAdvisory{f.OrgID, kindOfSource(f.Inventory), a}] = f.CaseID
		}
	}
	return nil
}
