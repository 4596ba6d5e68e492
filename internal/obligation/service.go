package obligation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// Stored is an obligation's recorded state; the clock states (pending,
// due soon, overdue) of an open one follow from the time.
type Stored string

// The recorded states.
const (
	Open         Stored = "open"
	StoredMet    Stored = "met"
	StoredNA     Stored = "not_applicable"
	StoredWithdr Stored = "withdrawn"
)

// Obligation is one duty on one case under one regime.
type Obligation struct {
	ID          int64
	OrgID       int64
	CaseID      int64
	CaseRef     string // filled by board queries
	CaseTitle   string // filled by board queries
	Regime      Regime
	PackVersion string
	Duty        string
	Requirement string
	AnchorAt    time.Time
	DueAt       time.Time
	OuterBound  time.Time
	Stored      Stored
	ClosedAt    time.Time
	ClosedBy    string
	Reason      string
	Fired       []string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Evidence    []Evidence
}

// StateAt is the obligation's state at now.
func (o Obligation) StateAt(now time.Time) State {
	switch o.Stored {
	case StoredMet:
		return Met
	case StoredNA:
		return NotApplicable
	case StoredWithdr:
		return Withdrawn
	}
	return OpenState(o.AnchorAt, o.DueAt, now)
}

// Evidence is a record that met an obligation.
type Evidence struct {
	Kind   EvidenceKind
	Ref    string // "transition:verifying", "submission:12", …
	At     time.Time
	SHA256 string
	Note   string
}

// Person is someone escalations go to.
type Person struct {
	UserID int64
	Email  string
	Role   access.Role
}

// Tx is one obligations transaction: a casework transaction (obligations
// change with their case) plus the obligations' own records.
type Tx interface {
	casework.Tx
	CaseObligations(ctx context.Context, caseID int64) ([]Obligation, error)
	InsertObligation(ctx context.Context, o Obligation) (int64, error)
	// UpdateObligation writes o's anchor, due time, outer bound, state,
	// closure, reason, fired thresholds and update time.
	UpdateObligation(ctx context.Context, o Obligation) error
	// ObligationByID returns obligation id; errs.NotFound.
	ObligationByID(ctx context.Context, id int64) (Obligation, error)
	AddEvidence(ctx context.Context, obligationID int64, e Evidence) error
	// ObligationSettings returns org's settings (zero when none).
	ObligationSettings(ctx context.Context, org int64) (OrgSettings, error)
	PutObligationSettings(ctx context.Context, org int64, s OrgSettings, by string) error
	Submissions(ctx context.Context, caseID int64) ([]Submission, error)
	AddSubmission(ctx context.Context, s Submission) (int64, error)
	// MarkDelivered records when an e-mailed submission was delivered.
	MarkDelivered(ctx context.Context, id int64, at time.Time) error
	// DutyPeople returns the active people escalations of a case go to:
	// its assignees and the organisation's compliance officers.
	DutyPeople(ctx context.Context, org, caseID int64) ([]Person, error)
	// ReportFields returns the sealed written parts of a case's report for
	// duty; nil when none were saved.
	ReportFields(ctx context.Context, caseID int64, duty string) ([]byte, error)
	// PutReportFields stores them.
	PutReportFields(ctx context.Context, caseID int64, duty string, sealed []byte, by string) error
	// OrganisationName returns org's name.
	OrganisationName(ctx context.Context, org int64) (string, error)
	disclosure.Tx
}

// Store persists obligations.
type Store interface {
	TransactObligations(ctx context.Context, fn func(Tx) error) error
	// OpenObligations lists org's open obligations with their case's
	// reference and title, soonest due first: all, or when userID is not
	// 0 only those of cases whose access list has userID.
	OpenObligations(ctx context.Context, org, userID int64, limit int) ([]Obligation, error)
	// EscalationCandidates lists open obligations, of every organisation,
	// due before the given time.
	EscalationCandidates(ctx context.Context, before time.Time) ([]Obligation, error)
	// UndeliveredNotices lists e-mailed submissions whose outbox message
	// was sent but whose delivery is not yet recorded, with the send time.
	UndeliveredNotices(ctx context.Context) ([]Submission, error)
	// AllObligations lists org's obligations (every state), oldest first,
	// for the compliance dashboard.
	AllObligations(ctx context.Context, org int64) ([]Obligation, error)
	// OpenCaseIDs lists the IDs of org's cases that are not closed.
	OpenCaseIDs(ctx context.Context, org int64) ([]int64, error)
	DashboardStore
}

// OrgSettings are an organisation's stored obligation settings.
type OrgSettings struct {
	Regimes map[Regime]bool   `json:"regimes,omitempty"`
	Offsets map[string]string `json:"offsets,omitempty"`
	// Escalations are thresholds as "24h,4h,overdue"; "" for the default.
	Escalations string `json:"escalations,omitempty"`
	// ProductRegimes turn regimes on for the cases about named products
	// only (those sold on that market), by product name.
	ProductRegimes map[string][]Regime `json:"product_regimes,omitempty"`
	// Submitters send reports by duty: by e-mail to a mailbox, or by HTTP
	// to a platform's endpoint (signed). Manual submission needs none.
	Submitters map[string]Submitter `json:"submitters,omitempty"`
}

// Submitter is where a duty's reports are sent when not submitted by hand.
type Submitter struct {
	Channel string `json:"channel"` // "email" or "http"
	Target  string `json:"target"`  // the address, or the https URL
}

// Service applies the rules.
type Service struct {
	store  Store
	cases  *casework.Service
	sealer casework.Sealer
	packs  []Pack
	notes  *Notices
	// evidence signs evidence packs; nil: not configured.
	evidence *evidenceConfig
	// submitterSecret signs HTTP submissions; nil: HTTP submitters off.
	submitterSecret func(org int64) string
}

// Notices configures the messages the obligations engine sends.
type Notices struct {
	Notifier casework.Notifier
	BaseURL  string // ending in "/"
	// Email turns on e-mail (an SMTP relay is configured).
	Email bool
	// Channels receive every escalation (robots, webhooks).
	Channels []Target
	Wake     func()
}

// Target is a channel escalations go to.
type Target struct {
	Kind   notify.Kind
	Target string
	Secret string
}

// NewService returns a Service over the shipped packs; cases decides who
// may see which case.
func NewService(st Store, cases *casework.Service, sl casework.Sealer) *Service {
	return &Service{store: st, cases: cases, sealer: sl, packs: Packs()}
}

// WithNotices makes the service send escalations, digests and notices.
func (s *Service) WithNotices(n Notices) *Service {
	if n.Wake == nil {
		n.Wake = func() {}
	}
	s.notes = &n
	return s
}

// Packs returns the service's rule packs.
func (s *Service) Packs() []Pack { return s.packs }

func (os OrgSettings) settings() Settings {
	return Settings{Regimes: os.Regimes, Offsets: os.Offsets, ProductRegimes: os.ProductRegimes}
}

// thresholds returns the organisation's escalation thresholds.
func (os OrgSettings) thresholds() []Threshold {
	if t, err := ParseThresholds(os.Escalations); err == nil && os.Escalations != "" {
		return t
	}
	return DefaultThresholds
}

// factsOf reads what the rules need about case c in tx.
func factsOf(ctx context.Context, tx Tx, c casework.Case) (Facts, error) {
	cf, err := tx.CaseFacts(ctx, c.ID)
	if err != nil {
		return Facts{}, err
	}
	var products []string
	for _, a := range c.Scope {
		products = append(products, a.Product)
	}
	f := Facts{Kind: string(c.Kind), Products: products, Rejected: c.Status == casework.Rejected, Grade: c.Grade, T0: c.T0,
		UpstreamAt: cf.UpstreamAt, UserAction: cf.UserAction, FixAvailableAt: cf.FixAvailableAt,
		ExploitedAt: cf.ExploitedAt, IncidentAt: cf.IncidentAt}
	subs, err := tx.Submissions(ctx, c.ID)
	if err != nil {
		return Facts{}, err
	}
	for _, sub := range subs {
		if sub.Duty == "eu.incident_notification" && sub.Version == 1 {
			f.IncidentNotifiedAt = sub.SubmittedAt
		}
	}
	return f, nil
}

// Reconcile brings case c's obligations in line with its facts, in the
// transaction that changed them: it raises new duties, moves the due time
// of open ones whose anchor moved (a corrected T0), withdraws open ones
// that no longer fall on the case and reopens withdrawn ones that do
// again, and meets the duties a status change meets (verification
// started, an operator's fix). Met and not-applicable obligations never
// change. Every change is audited. It is the casework.ChangeHook.
func (s *Service) Reconcile(ctx context.Context, cwtx casework.Tx, c casework.Case) error {
	tx, ok := cwtx.(Tx)
	if !ok {
		return fmt.Errorf("obligation: the casework transaction %T does not hold obligations", cwtx)
	}
	st, err := tx.ObligationSettings(ctx, c.OrgID)
	if err != nil {
		return err
	}
	f, err := factsOf(ctx, tx, c)
	if err != nil {
		return err
	}
	have, err := tx.CaseObligations(ctx, c.ID)
	if err != nil {
		return err
	}
	want := Compute(s.packs, st.settings(), f)
	for _, d := range want {
		i := slices.IndexFunc(have, func(o Obligation) bool { return o.Regime == d.Regime && o.Duty == d.Rule.Code })
		var o Obligation
		if i < 0 {
			if o, err = s.raise(ctx, tx, c, d); err != nil {
				return err
			}
		} else if o, err = s.follow(ctx, tx, c, have[i], d); err != nil {
			return err
		}
		if err := s.meetByStatus(ctx, tx, c, o, d.Rule); err != nil {
			return err
		}
	}
	for _, o := range have {
		if o.Stored != Open || slices.ContainsFunc(want, func(d Due) bool { return d.Regime == o.Regime && d.Rule.Code == o.Duty }) {
			continue
		}
		o.Stored, o.ClosedAt, o.ClosedBy, o.UpdatedAt = StoredWithdr, tx.Now(), "system", tx.Now()
		o.Reason = "no longer falls on the case (" + string(c.Status) + ")"
		if err := tx.UpdateObligation(ctx, o); err != nil {
			return err
		}
		if err := auditObl(ctx, tx, "obligation.withdraw", c, o, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) raise(ctx context.Context, tx Tx, c casework.Case, d Due) (Obligation, error) {
	now := tx.Now()
	o := Obligation{OrgID: c.OrgID, CaseID: c.ID, Regime: d.Regime, PackVersion: d.PackVersion, Duty: d.Rule.Code,
		Requirement: d.Rule.Requirement, AnchorAt: d.AnchorAt, DueAt: d.DueAt, OuterBound: d.OuterBound, Stored: Open,
		CreatedAt: now, UpdatedAt: now}
	var err error
	if o.ID, err = tx.InsertObligation(ctx, o); err != nil {
		return o, err
	}
	return o, auditObl(ctx, tx, "obligation.raise", c, o, map[string]any{"offset": d.Offset})
}

// follow moves an open obligation to a new due time, or reopens a
// withdrawn one.
func (s *Service) follow(ctx context.Context, tx Tx, c casework.Case, o Obligation, d Due) (Obligation, error) {
	switch {
	case o.Stored == StoredWithdr:
		o.Stored, o.ClosedAt, o.ClosedBy, o.Reason = Open, time.Time{}, "", ""
	case o.Stored == Open && (!o.DueAt.Equal(d.DueAt) || !o.AnchorAt.Equal(d.AnchorAt)):
	default:
		return o, nil
	}
	before := o.DueAt
	o.AnchorAt, o.DueAt, o.OuterBound, o.PackVersion, o.UpdatedAt = d.AnchorAt, d.DueAt, d.OuterBound, d.PackVersion, tx.Now()
	if err := tx.UpdateObligation(ctx, o); err != nil {
		return o, err
	}
	return o, auditObl(ctx, tx, "obligation.reschedule", c, o, map[string]any{"due_before": before})
}

// meetByStatus meets a duty that a case's status change meets: the
// verification start when the case has left its first status, an
// operator's fix when the system is remediated or mitigated.
func (s *Service) meetByStatus(ctx context.Context, tx Tx, c casework.Case, o Obligation, r Rule) error {
	if o.Stored != Open || !slices.Contains(r.MetBy, ByTransition) {
		return nil
	}
	met := false
	switch r.Code {
	case "cn.verify":
		met = c.Status != casework.Received && c.Status != casework.Detected && c.Status != casework.Rejected
	case "cn.operator_fix":
		met = c.Status == casework.Remediated || c.Status == casework.Mitigated
	}
	if !met {
		return nil
	}
	return s.meet(ctx, tx, c, o, "system", Evidence{Kind: ByTransition, Ref: "transition:" + string(c.Status), At: tx.Now(),
		Note: "the case moved to " + string(c.Status)})
}

// meet records evidence and closes o as met.
func (s *Service) meet(ctx context.Context, tx Tx, c casework.Case, o Obligation, by string, e Evidence) error {
	if err := tx.AddEvidence(ctx, o.ID, e); err != nil {
		return err
	}
	o.Stored, o.ClosedAt, o.ClosedBy, o.UpdatedAt = StoredMet, e.At, by, tx.Now()
	if err := tx.UpdateObligation(ctx, o); err != nil {
		return err
	}
	return auditObl(ctx, tx, "obligation.met", c, o, map[string]any{"evidence": e.Ref, "sha256": e.SHA256,
		"on_time": !e.At.After(o.DueAt)})
}

func auditObl(ctx context.Context, tx Tx, action string, c casework.Case, o Obligation, extra map[string]any) error {
	d := map[string]any{"obligation": o.ID, "regime": o.Regime, "duty": o.Duty, "requirement": o.Requirement,
		"due_at": o.DueAt, "state": o.Stored}
	if o.Reason != "" {
		d["reason"] = o.Reason
	}
	for k, v := range extra {
		d[k] = v
	}
	ev, err := audit.New(ctx, "system", action, "case:"+c.Ref, d)
	if p := access.From(ctx); p != nil {
		ev.Actor = p.Actor()
	}
	if err != nil {
		return err
	}
	ev.OrgID = c.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}

// ForCase returns case id's obligations with their evidence, when p may
// see the case. Needs access.ReadCases.
func (s *Service) ForCase(ctx context.Context, p *access.Principal, id int64) ([]Obligation, error) {
	var out []Obligation
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		out, err = tx.CaseObligations(ctx, c.ID)
		return err
	})
	return out, err
}

// Board lists the open obligations of the cases p may see, soonest due
// first: the clock board. Needs access.ReadCases.
func (s *Service) Board(ctx context.Context, p *access.Principal) ([]Obligation, error) {
	if err := p.Require(access.ReadCases); err != nil {
		return nil, err
	}
	if !p.ConfidentialityAccepted {
		return nil, errs.Coded(errs.Forbidden, "confidentiality.required",
			"accept your organisation's confidentiality statement before working on cases")
	}
	user := p.UserID
	if p.Can(access.ReadAllCases) {
		user = 0
	}
	os, err := s.store.OpenObligations(ctx, p.OrgID, user, 1000)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, o := range os {
		ids = append(ids, o.CaseID)
	}
	readable, err := s.cases.Readable(ctx, p, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(os, func(o Obligation) bool { return !readable[o.CaseID] }), nil
}

// transact runs fn in an obligations transaction; a read of a case the
// sharing gate refused is recorded and reported as such (casework).
func (s *Service) transact(ctx context.Context, fn func(Tx) error) error {
	return s.cases.AfterGate(ctx, s.store.TransactObligations(ctx, fn))
}

// NotApplicable closes obligation id as not applicable, with the reason
// and p as the approver; audited (obligation.not_applicable). Needs
// access.ManageObligations and sight of the case.
func (s *Service) NotApplicable(ctx context.Context, p *access.Principal, id int64, reason string) (Obligation, error) {
	if err := p.Require(access.ManageObligations); err != nil {
		return Obligation{}, err
	}
	reason = strings.TrimSpace(reason)
	var o Obligation
	err := s.transact(ctx, func(tx Tx) error {
		var err error
		if o, err = tx.ObligationByID(ctx, id); err != nil {
			return err
		}
		c, err := s.cases.Visible(ctx, tx, p, o.CaseID)
		if err != nil {
			return errs.Coded(errs.NotFound, "obligation.not_found", "no such obligation")
		}
		if o.Stored != Open {
			return errs.Coded(errs.Conflict, "obligation.closed", "this duty is %s already", o.Stored)
		}
		if reason == "" || utf8.RuneCountInString(reason) > 2000 {
			return errs.Coded(errs.Invalid, "obligation.reason", "say why the duty does not apply (at most 2,000 characters)")
		}
		o.Stored, o.ClosedAt, o.ClosedBy, o.Reason, o.UpdatedAt = StoredNA, tx.Now(), p.Actor(), reason, tx.Now()
		if err := tx.UpdateObligation(ctx, o); err != nil {
			return err
		}
		return auditObl(access.WithPrincipal(ctx, p), tx, "obligation.not_applicable", c, o, nil)
	})
	return o, err
}

// Settings returns the principal's organisation's obligation settings.
func (s *Service) Settings(ctx context.Context, p *access.Principal) (OrgSettings, error) {
	if err := p.Require(access.ReadCases); err != nil {
		return OrgSettings{}, err
	}
	var st OrgSettings
	err := s.transact(ctx, func(tx Tx) error {
		var err error
		st, err = tx.ObligationSettings(ctx, p.OrgID)
		return err
	})
	return st, err
}

// SetSettings replaces the organisation's settings, after checking them;
// audited (obligation.settings) with before and after, and brings the
// duties of the organisation's open cases in line (ReconcileOrg). Needs
// access.ManageObligations.
func (s *Service) SetSettings(ctx context.Context, p *access.Principal, st OrgSettings) error {
	if err := p.Require(access.ManageObligations); err != nil {
		return err
	}
	for r := range st.Regimes {
		if !slices.ContainsFunc(s.packs, func(p Pack) bool { return p.Regime == r }) {
			return errs.Coded(errs.Invalid, "obligation.regime", "there is no regime %q", r)
		}
	}
	for _, rs := range st.ProductRegimes {
		for _, r := range rs {
			if !slices.ContainsFunc(s.packs, func(p Pack) bool { return p.Regime == r }) {
				return errs.Coded(errs.Invalid, "obligation.regime", "there is no regime %q", r)
			}
		}
	}
	for k, v := range st.Offsets {
		code, _, _ := strings.Cut(k, ":")
		ok := false
		for _, p := range s.packs {
			for _, r := range p.Duties {
				ok = ok || (r.Code == code && r.Configurable)
			}
		}
		if _, err := ParseOffset(v); err != nil || !ok {
			return errs.Coded(errs.Invalid, "obligation.offset", "%s: give a configurable duty and a time such as 24h", k)
		}
	}
	for duty, sub := range st.Submitters {
		if err := s.checkSubmitter(duty, sub); err != nil {
			return err
		}
	}
	if st.Escalations != "" {
		if _, err := ParseThresholds(st.Escalations); err != nil {
			return errs.Coded(errs.Invalid, "obligation.thresholds", "give escalation thresholds such as 24h,4h,overdue")
		}
	}
	err := s.transact(ctx, func(tx Tx) error {
		before, err := tx.ObligationSettings(ctx, p.OrgID)
		if err != nil {
			return err
		}
		if err := tx.PutObligationSettings(ctx, p.OrgID, st, p.Actor()); err != nil {
			return err
		}
		ev, err := audit.New(ctx, p.Actor(), "obligation.settings", fmt.Sprintf("org:%d", p.OrgID),
			map[string]any{"before": before, "after": st})
		if err != nil {
			return err
		}
		ev.OrgID = p.OrgID
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
	if err != nil {
		return err
	}
	return s.ReconcileOrg(ctx, p.OrgID)
}

// ReconcileOrg brings the duties of every case of org that is not closed
// in line with the settings, fifty cases a transaction. It is idempotent:
// a run cut short is finished by the next one, or by each case's next
// change.
func (s *Service) ReconcileOrg(ctx context.Context, org int64) error {
	ids, err := s.store.OpenCaseIDs(ctx, org)
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(50, len(ids))
		batch := ids[:n]
		ids = ids[n:]
		if err := s.store.TransactObligations(ctx, func(tx Tx) error {
			for _, id := range batch {
				c, _, err := tx.CaseByID(ctx, id)
				if err != nil {
					return err
				}
				if err := s.Reconcile(ctx, tx, c); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}
