package identity

import (
	"context"
	"slices"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// OrgKinds are the roles an organisation plays under RMSV Art. 2: it
// provides network products, operates networks, or runs a vulnerability
// collection platform.
var OrgKinds = []string{"provider", "operator", "platform"}

// checkOrganisation validates and normalises o's name, kinds and
// country (the jurisdiction where it is registered, CN-09-7).
func checkOrganisation(o Organisation) (Organisation, error) {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" || len([]rune(o.Name)) > 200 {
		return o, errs.Coded(errs.Invalid, "name.invalid", "give a name of 1 to 200 characters")
	}
	var kinds []string
	for _, k := range o.Kinds {
		k = strings.ToLower(strings.TrimSpace(k))
		if !slices.Contains(OrgKinds, k) {
			return o, errs.Coded(errs.Invalid, "org.kind", "an organisation is a provider, operator or platform, not %q", k)
		}
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return o, errs.Coded(errs.Invalid, "org.kind", "an organisation is a provider, operator or platform, not %q", "")
	}
	o.Kinds = kinds
	o.Country = strings.ToUpper(strings.TrimSpace(o.Country))
	if !countryCode.MatchString(o.Country) {
		return o, errs.Coded(errs.Invalid, "country.invalid", "give the country as a two-letter ISO 3166 code, such as CN")
	}
	return o, nil
}

// CreateOrganisation adds a tenant; only an instance administrator may.
// Audited (org.create).
func (s *Service) CreateOrganisation(ctx context.Context, p *access.Principal, o Organisation) (Organisation, error) {
	if !p.InstanceAdmin {
		return o, errs.New(errs.Forbidden, "only an instance administrator adds organisations")
	}
	o, err := checkOrganisation(o)
	if err != nil {
		return o, err
	}
	err = s.store.TransactIdentity(ctx, func(tx Tx) error {
		o.CreatedAt = tx.Now()
		if o.ID, err = tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		return record(ctx, tx, o.ID, p.Actor(), "org.create", "org:"+itoa(o.ID),
			map[string]any{"name": o.Name, "kinds": o.Kinds, "country": o.Country})
	})
	return o, err
}

// UpdateOrganisation changes an organisation's name, kinds and country.
// An instance administrator may change any; an organisation's own
// administrator (access.ManageOrg) theirs. Audited (org.update) with the
// values before and after, since the country decides what may be shared
// abroad (CN-09-7).
func (s *Service) UpdateOrganisation(ctx context.Context, p *access.Principal, o Organisation) error {
	if !p.InstanceAdmin && (p.OrgID != o.ID || !p.Can(access.ManageOrg)) {
		if p.OrgID != o.ID {
			return errs.New(errs.NotFound, "no such organisation")
		}
		return errs.New(errs.Forbidden, "only an administrator changes the organisation")
	}
	o, err := checkOrganisation(o)
	if err != nil {
		return err
	}
	before, err := s.store.Organisation(ctx, o.ID)
	if err != nil {
		return err
	}
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.UpdateOrganisation(ctx, o); err != nil {
			return err
		}
		return record(ctx, tx, o.ID, p.Actor(), "org.update", "org:"+itoa(o.ID), map[string]any{
			"before": map[string]any{"name": before.Name, "kinds": before.Kinds, "country": before.Country},
			"after":  map[string]any{"name": o.Name, "kinds": o.Kinds, "country": o.Country}})
	})
}

// Organisations lists every organisation for an instance administrator,
// and the principal's own for anyone else.
func (s *Service) Organisations(ctx context.Context, p *access.Principal) ([]Organisation, error) {
	if p == nil {
		return nil, errs.New(errs.Unauthenticated, "sign in first")
	}
	if !p.InstanceAdmin {
		o, err := s.store.Organisation(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		return []Organisation{o}, nil
	}
	return s.store.Organisations(ctx)
}
