package casework

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// Supplier is an upstream provider from the product catalogue: the party
// a flaw in its component must be reported to (CN-07-4).
type Supplier struct {
	ID      int64
	Name    string
	Country string // ISO 3166-1 alpha-2: decides what may be shared (CN-09-7)
	Email   string
}

// Facts are what a case knows that decides its legal duties beyond T0,
// status and grade (internal/obligation reads them).
type Facts struct {
	// RootComponent names the component the flaw is in.
	RootComponent string
	// Upstream is the supplier when the root cause is an upstream
	// component (nil otherwise); UpstreamAt is when that was found.
	Upstream   *Supplier
	UpstreamAt time.Time
	// UserAction says users (including downstream vendors) must act,
	// such as upgrade, for the fix (CN-07-9).
	UserAction bool
	// FixAvailableAt is when a fix or mitigation became available; set
	// when the case moves to fixed, remediated or mitigated, if not before.
	FixAvailableAt time.Time
	// ExploitedAt is the awareness of active exploitation, with its
	// evidence (EU-14-1); IncidentAt the same for a severe incident.
	ExploitedAt       time.Time
	ExploitedEvidence string
	IncidentAt        time.Time
	IncidentEvidence  string
}

// FactsChange is a request to change a case's facts; a nil field is left
// as it is.
type FactsChange struct {
	RootComponent *string
	// Upstream names the supplier (by its catalogue name) when the root
	// cause is upstream, or "" when it is not.
	Upstream   *string
	UserAction *bool
	// FixAvailableAt sets (or with a zero time clears) the fix time.
	FixAvailableAt *time.Time
	// Exploited records (or with a zero time clears) awareness of active
	// exploitation; ExploitedEvidence must say what shows it.
	ExploitedAt       *time.Time
	ExploitedEvidence string
	IncidentAt        *time.Time
	IncidentEvidence  string
	// Reason says why; required to clear a flag or a time.
	Reason string
}

// FactsOf returns case id's facts, when p may see it.
func (s *Service) FactsOf(ctx context.Context, p *access.Principal, id int64) (Facts, error) {
	var f Facts
	err := s.withCase(ctx, p, access.ReadCases, id, func(tx Tx, c Case) error {
		var err error
		f, err = tx.CaseFacts(ctx, c.ID)
		return err
	})
	return f, err
}

// SetFacts changes case id's facts, audited (case.facts) with the values
// before and after. Marking the root cause upstream needs the supplier in
// the product catalogue, and raises the upstream-notice duty (CN-07-4);
// marking it exploited needs an awareness time that is not in the future
// and the evidence (EU-14-1). Needs access.WriteCases.
func (s *Service) SetFacts(ctx context.Context, p *access.Principal, id int64, ch FactsChange) (Facts, error) {
	ch.Reason = strings.TrimSpace(ch.Reason)
	ch.ExploitedEvidence, ch.IncidentEvidence = strings.TrimSpace(ch.ExploitedEvidence), strings.TrimSpace(ch.IncidentEvidence)
	if utf8.RuneCountInString(ch.Reason) > 2000 || len(ch.ExploitedEvidence) > 8000 || len(ch.IncidentEvidence) > 8000 {
		return Facts{}, errs.Coded(errs.Invalid, "case.reason", "the reason may be at most 2,000 characters")
	}
	var f Facts
	err := s.withCase(ctx, p, access.WriteCases, id, func(tx Tx, c Case) error {
		before, err := tx.CaseFacts(ctx, c.ID)
		if err != nil {
			return err
		}
		f = before
		if err := s.applyFacts(ctx, tx, c, &f, ch); err != nil {
			return err
		}
		if err := tx.PutCaseFacts(ctx, c.ID, f); err != nil {
			return err
		}
		if err := record(ctx, tx, p, "case.facts", c, map[string]any{"before": factsAudit(before),
			"after": factsAudit(f), "reason": ch.Reason}); err != nil {
			return err
		}
		return s.changed(ctx, tx, c)
	})
	return f, err
}

func (s *Service) applyFacts(ctx context.Context, tx Tx, c Case, f *Facts, ch FactsChange) error {
	now := tx.Now()
	clearing := (ch.Upstream != nil && *ch.Upstream == "" && f.Upstream != nil) ||
		(ch.FixAvailableAt != nil && ch.FixAvailableAt.IsZero() && !f.FixAvailableAt.IsZero()) ||
		(ch.ExploitedAt != nil && ch.ExploitedAt.IsZero() && !f.ExploitedAt.IsZero()) ||
		(ch.IncidentAt != nil && ch.IncidentAt.IsZero() && !f.IncidentAt.IsZero())
	if clearing && ch.Reason == "" {
		return errs.Coded(errs.Invalid, "case.reason_required", "give a reason")
	}
	if ch.RootComponent != nil {
		f.RootComponent = strings.TrimSpace(*ch.RootComponent)
		if utf8.RuneCountInString(f.RootComponent) > 200 {
			return errs.Coded(errs.Invalid, "case.component", "the component name may be at most 200 characters")
		}
	}
	if ch.Upstream != nil {
		switch name := strings.TrimSpace(*ch.Upstream); {
		case name == "":
			f.Upstream, f.UpstreamAt = nil, time.Time{}
		case f.Upstream == nil || f.Upstream.Name != name:
			sup, err := tx.SupplierByName(ctx, c.OrgID, name)
			if errs.Is(err, errs.NotFound) {
				return errs.Coded(errs.Invalid, "case.supplier_unknown",
					"add the supplier %q to the product catalogue first: its country decides what may be shared with it", name)
			}
			if err != nil {
				return err
			}
			f.Upstream, f.UpstreamAt = &sup, now
		}
	}
	if ch.UserAction != nil {
		f.UserAction = *ch.UserAction
	}
	if ch.FixAvailableAt != nil {
		if ch.FixAvailableAt.After(now) {
			return errs.Coded(errs.Invalid, "case.time_future", "the time may not be in the future")
		}
		f.FixAvailableAt = ch.FixAvailableAt.UTC()
	}
	var err error
	if ch.ExploitedAt != nil {
		f.ExploitedAt, f.ExploitedEvidence, err = awareness(*ch.ExploitedAt, ch.ExploitedEvidence, now)
	}
	if err == nil && ch.IncidentAt != nil {
		f.IncidentAt, f.IncidentEvidence, err = awareness(*ch.IncidentAt, ch.IncidentEvidence, now)
	}
	return err
}

// awareness checks an awareness time and its evidence (EU-14-1).
func awareness(at time.Time, evidence string, now time.Time) (time.Time, string, error) {
	if at.IsZero() {
		return time.Time{}, "", nil
	}
	if at.After(now) {
		return at, evidence, errs.Coded(errs.Invalid, "case.time_future", "the time may not be in the future")
	}
	if evidence == "" {
		return at, evidence, errs.Coded(errs.Invalid, "case.exploited_evidence",
			"say what shows the exploitation or incident, and when you became aware of it (EU CRA Art. 14)")
	}
	return at.UTC(), evidence, nil
}

func factsAudit(f Facts) map[string]any {
	m := map[string]any{"root_component": f.RootComponent, "user_action": f.UserAction,
		"fix_available_at": f.FixAvailableAt, "exploited_at": f.ExploitedAt, "incident_at": f.IncidentAt}
	if f.Upstream != nil {
		m["upstream"] = map[string]any{"supplier": f.Upstream.Name, "country": f.Upstream.Country, "at": f.UpstreamAt}
	}
	return m
}

// fixReached notes, in tx, that a fix or mitigation exists once a case
// reaches a status that says so, unless a time was recorded already.
func fixReached(ctx context.Context, tx Tx, c Case) error {
	if c.Status != Fixed && c.Status != Remediated && c.Status != Mitigated {
		return nil
	}
	f, err := tx.CaseFacts(ctx, c.ID)
	if err != nil || !f.FixAvailableAt.IsZero() {
		return err
	}
	f.FixAvailableAt = tx.Now()
	return tx.PutCaseFacts(ctx, c.ID, f)
}

// ChangeHook runs in the transaction of every change to a case that may
// change its duties (internal/obligation reconciles them there), with the
// case as it now is.
type ChangeHook func(ctx context.Context, tx Tx, c Case) error

// WithChangeHook returns s calling h after every such change.
func (s *Service) WithChangeHook(h ChangeHook) *Service {
	s.hook = h
	return s
}

func (s *Service) changed(ctx context.Context, tx Tx, c Case) error {
	if s.hook == nil {
		return nil
	}
	return s.hook(ctx, tx, c)
}

// Visible returns case id read in tx, when p may see it; errs.NotFound
// otherwise. Other domain services that work on cases (obligations) use it
// so that need-to-know is decided in one place.
func (s *Service) Visible(ctx context.Context, tx Tx, p *access.Principal, id int64) (Case, error) {
	if err := s.requireReader(p, access.ReadCases); err != nil {
		return Case{}, err
	}
	return s.visibleCase(ctx, tx, p, id)
}
