package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/cvss"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// Kind says whose duties a case carries: a provider's, for a flaw in its
// own product (RMSV Art. 7), or an operator's, for a flaw in what it runs
// (Art. 8).
type Kind string

// The kinds of case.
const (
	ProviderCase Kind = "provider"
	OperatorCase Kind = "operator"
)

// The statuses of the lifecycles (GB/T 30276). A provider's case: received
// → verifying → confirmed | rejected → remediating → fixed → published →
// closed. An operator's: detected → verifying → remediated | mitigated |
// risk accepted (until an expiry) → closed.
const (
	Confirmed    Status = "confirmed"
	Rejected     Status = "rejected"
	Remediating  Status = "remediating"
	Fixed        Status = "fixed"
	Published    Status = "published"
	Closed       Status = "closed"
	Detected     Status = "detected"
	Remediated   Status = "remediated"
	Mitigated    Status = "mitigated"
	RiskAccepted Status = "risk_accepted"
)

// transitions are the moves each kind of case may make.
var transitions = map[Kind]map[Status][]Status{
	ProviderCase: {
		Received:    {Verifying, Rejected},
		Verifying:   {Confirmed, Rejected},
		Confirmed:   {Remediating, Rejected},
		Remediating: {Fixed},
		Fixed:       {Published, Closed},
		Published:   {Closed},
		Rejected:    {Verifying, Closed},
	},
	OperatorCase: {
		Detected:     {Verifying},
		Verifying:    {Remediated, Mitigated, RiskAccepted, Rejected},
		Mitigated:    {Remediated, Closed},
		RiskAccepted: {Verifying, Remediated, Closed},
		Remediated:   {Closed},
		Rejected:     {Verifying, Closed},
	},
}

// initial is where each kind of case starts.
var initial = map[Kind]Status{ProviderCase: Received, OperatorCase: Detected}

// Next returns the statuses a case of kind k in status st may move to.
func Next(k Kind, st Status) []Status { return slices.Clone(transitions[k][st]) }

// Resolution says why a case was rejected.
type Resolution string

// The resolutions of a rejected case.
const (
	NotVulnerability Resolution = "not_vulnerability"
	DuplicateCase    Resolution = "duplicate"
	OutOfScope       Resolution = "out_of_scope"
)

// Grades are the GB/T 30279-2020 grades: 超危, 高危, 中危, 低危.
var Grades = []string{"critical", "high", "medium", "low"}

// Affected is one entry of a case's affected scope: a product, a model,
// and the versions (a list or a range).
type Affected struct {
	Product  string `json:"product"`
	Model    string `json:"model,omitempty"`
	Versions string `json:"versions"`
}

// Assessment is what confirming a case needs (CN-07-3): its grade, the
// CVSS vector it may carry, and the affected scope.
type Assessment struct {
	// Indicators are the GB/T 30279-2020 indicators; when given, the grade
	// is computed from them with the organisation's grade table (the
	// comprehensive grade when the environment factors are given, else
	// the technical one) and Grade is ignored.
	Indicators *gbt30279.Indicators
	Grade      string // one of Grades, when there are no indicators
	CVSS       string // a CVSS 3.x or 4.0 vector; optional
	Category   string // GB/T 30279 category code; derived from CWE when empty
	CWE        string // "CWE-78"; optional
	Scope      []Affected
}

// Grading is how a case's grade was reached.
type Grading struct {
	Indicators  *gbt30279.Indicators
	TableSHA256 string // the grade table used; "" for a grade given by hand
	Provisional bool   // the table is the provisional default
	Category    string
	CWE         string
}

// Transition is one move of a case through its lifecycle.
type Transition struct {
	At         time.Time
	Actor      string
	From, To   Status
	Reason     string
	Resolution Resolution
}

// Move is a request to move a case.
type Move struct {
	To     Status
	Reason string
	// Resolution is required to reject.
	Resolution Resolution
	// RiskExpiresAt is required to accept a risk: when the acceptance
	// must be looked at again.
	RiskExpiresAt time.Time
}

// Transition moves case id to m.To, when its lifecycle allows it, and
// records who, when and why in the case's timeline and the audit log
// (case.transition). Rejecting needs a resolution, accepting a risk a
// future expiry, and confirming a grade and an affected scope (CN-07-3).
// Needs access.WriteCases and sight of the case.
func (s *Service) Transition(ctx context.Context, p *access.Principal, id int64, m Move) (Case, error) {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return Case{}, err
	}
	m.Reason = strings.TrimSpace(m.Reason)
	if utf8.RuneCountInString(m.Reason) > 2000 {
		return Case{}, errs.Coded(errs.Invalid, "case.reason", "the reason may be at most 2,000 characters")
	}
	var c Case
	err := s.transact(ctx, func(tx Tx) error {
		var err error
		if c, err = s.visibleCase(ctx, tx, p, id); err != nil {
			return err
		}
		if !slices.Contains(transitions[c.Kind][c.Status], m.To) {
			return errs.Coded(errs.Conflict, "case.transition", "a %s case cannot move from %s to %s; it may move to: %s",
				c.Kind, c.Status, m.To, statusList(transitions[c.Kind][c.Status]))
		}
		switch m.To {
		case Rejected:
			if !slices.Contains([]Resolution{NotVulnerability, DuplicateCase, OutOfScope}, m.Resolution) {
				return errs.Coded(errs.Invalid, "case.resolution", "say why the case is rejected: not a vulnerability, a duplicate, or out of scope")
			}
		case RiskAccepted:
			if !m.RiskExpiresAt.After(tx.Now()) {
				return errs.Coded(errs.Invalid, "case.risk_expiry", "accepting a risk needs a future date when it is looked at again")
			}
			if m.Reason == "" {
				return errs.Coded(errs.Invalid, "case.reason_required", "give a reason")
			}
		case Confirmed:
			if c.Grade == "" || len(c.Scope) == 0 {
				return errs.Coded(errs.Conflict, "case.assessment_required",
					"record the grade and the affected products and versions before confirming (RMSV Art. 7(1))")
			}
		}
		if err := s.guarded(ctx, tx, c, m.To); err != nil {
			return err
		}
		from := c.Status
		c.Status, c.UpdatedAt = m.To, tx.Now()
		if m.To == Rejected {
			c.Resolution = m.Resolution
		}
		if m.To == RiskAccepted {
			c.RiskExpiresAt = m.RiskExpiresAt.UTC()
		}
		if err := tx.UpdateCaseState(ctx, c); err != nil {
			return err
		}
		t := Transition{At: tx.Now(), Actor: p.Actor(), From: from, To: m.To, Reason: m.Reason, Resolution: m.Resolution}
		if err := tx.AddTransition(ctx, c.ID, t); err != nil {
			return err
		}
		if err := record(ctx, tx, p, "case.transition", c, map[string]any{"from": from, "to": m.To, "reason": m.Reason,
			"resolution": m.Resolution, "risk_expires_at": c.RiskExpiresAt}); err != nil {
			return err
		}
		if err := fixReached(ctx, tx, c); err != nil {
			return err
		}
		return s.changed(ctx, tx, c)
	})
	return c, err
}

func statusList(sts []Status) string {
	if len(sts) == 0 {
		return "nothing (the case is closed)"
	}
	var out []string
	for _, st := range sts {
		out = append(out, string(st))
	}
	return strings.Join(out, ", ")
}

// Assess records a case's grade, CVSS vector and affected scope; audited
// (case.assess) with the values before and after. Needs access.WriteCases.
func (s *Service) Assess(ctx context.Context, p *access.Principal, id int64, a Assessment) (Case, error) {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return Case{}, err
	}
	g, err := s.grade(&a)
	if err != nil {
		return Case{}, err
	}
	a.CVSS = strings.TrimSpace(a.CVSS)
	if a.CVSS != "" {
		v, err := cvss.Parse(a.CVSS)
		if err != nil {
			return Case{}, err
		}
		if v.Version() == cvss.V2 {
			return Case{}, errs.Coded(errs.Invalid, "case.cvss", "give a CVSS 3.x or 4.0 vector, starting CVSS:3.1/ or CVSS:4.0/")
		}
		a.CVSS = v.String()
	}
	for i, e := range a.Scope {
		e.Product, e.Model, e.Versions = strings.TrimSpace(e.Product), strings.TrimSpace(e.Model), strings.TrimSpace(e.Versions)
		if e.Product == "" || e.Versions == "" || len(e.Product)+len(e.Model)+len(e.Versions) > 600 {
			return Case{}, errs.Coded(errs.Invalid, "case.scope", "each affected entry names a product and its versions")
		}
		a.Scope[i] = e
	}
	var c Case
	err = s.transact(ctx, func(tx Tx) error {
		var err error
		if c, err = s.visibleCase(ctx, tx, p, id); err != nil {
			return err
		}
		before := map[string]any{"grade": c.Grade, "cvss": c.CVSS, "scope": c.Scope, "grading": c.Grading}
		c.Grade, c.CVSS, c.Scope, c.Grading, c.UpdatedAt = a.Grade, a.CVSS, a.Scope, g, tx.Now()
		if err := tx.UpdateCaseState(ctx, c); err != nil {
			return err
		}
		if err := record(ctx, tx, p, "case.assess", c, map[string]any{"before": before,
			"after": map[string]any{"grade": c.Grade, "cvss": c.CVSS, "scope": c.Scope, "grading": c.Grading}}); err != nil {
			return err
		}
		return s.changed(ctx, tx, c)
	})
	return c, err
}

// grade checks a's grading and sets a.Grade: from the indicators with the
// grade table (GB-30279-2, -3), or as given by hand.
func (s *Service) grade(a *Assessment) (Grading, error) {
	var g Grading
	if a.CWE = strings.ToUpper(strings.TrimSpace(a.CWE)); a.CWE != "" {
		if !cweID.MatchString(a.CWE) {
			return g, errs.Coded(errs.Invalid, "case.cwe", "give the weakness as CWE-<number>, such as CWE-78")
		}
		g.CWE = a.CWE
	}
	if a.Category = strings.TrimSpace(a.Category); a.Category != "" {
		if _, ok := gbt30279.LookupCategory(a.Category); !ok {
			return g, errs.Coded(errs.Invalid, "case.category", "unknown GB/T 30279 category %q", a.Category)
		}
	} else if g.CWE != "" {
		if c, ok := gbt30279.CategoryForCWE(g.CWE); ok {
			a.Category = c.Code
		}
	}
	g.Category = a.Category
	if a.Indicators == nil {
		if a.Grade != "" && !slices.Contains(Grades, a.Grade) {
			return g, errs.Coded(errs.Invalid, "case.grade", "the grade is critical, high, medium or low (超危/高危/中危/低危)")
		}
		return g, nil
	}
	r, err := s.gradeTable().Grade(*a.Indicators)
	if err != nil {
		return g, err
	}
	a.Grade = string(r.Technical)
	if a.Indicators.HasEnvironment() {
		a.Grade = string(r.Comprehensive)
	}
	in := *a.Indicators
	g.Indicators, g.TableSHA256, g.Provisional = &in, r.TableSHA256, r.Provisional
	return g, nil
}

var cweID = regexp.MustCompile(`^CWE-[0-9]{1,6}$`)

// WithGradeTable grades with t instead of the provisional default
// (an organisation's table transcribed from GB/T 30279-2020).
func (s *Service) WithGradeTable(t *gbt30279.Table) *Service {
	s.table = t
	return s
}

// GradeTable returns the grade table in use.
func (s *Service) GradeTable() *gbt30279.Table { return s.gradeTable() }

func (s *Service) gradeTable() *gbt30279.Table {
	if s.table == nil {
		return gbt30279.DefaultTable()
	}
	return s.table
}

// CorrectT0 changes a case's T0, the earliest of internal discovery, the
// first report's receipt or awareness from a third party (CN-07-1). T0 is
// set when the case opens and changes only here, with a reason, audited
// (case.t0_correct) with the value before; it may not lie in the future.
// Needs access.WriteCases.
func (s *Service) CorrectT0(ctx context.Context, p *access.Principal, id int64, t0 time.Time, source, reason string) (Case, error) {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return Case{}, err
	}
	reason, source = strings.TrimSpace(reason), strings.TrimSpace(source)
	if reason == "" || utf8.RuneCountInString(reason) > 2000 {
		return Case{}, errs.Coded(errs.Invalid, "case.reason_required", "give a reason")
	}
	if source == "" || len(source) > 200 {
		return Case{}, errs.Coded(errs.Invalid, "case.t0_source", "say where T0 comes from: internal discovery, a report, or a third party")
	}
	var c Case
	err := s.transact(ctx, func(tx Tx) error {
		var err error
		if c, err = s.visibleCase(ctx, tx, p, id); err != nil {
			return err
		}
		if t0.IsZero() || t0.After(tx.Now()) {
			return errs.Coded(errs.Invalid, "case.t0", "T0 is a time in the past")
		}
		before := map[string]any{"t0": c.T0, "source": c.T0Source}
		c.T0, c.T0Source, c.UpdatedAt = t0.UTC(), source, tx.Now()
		if err := tx.UpdateCaseState(ctx, c); err != nil {
			return err
		}
		if err := record(ctx, tx, p, "case.t0_correct", c, map[string]any{"before": before, "t0": c.T0, "source": source, "reason": reason}); err != nil {
			return err
		}
		return s.changed(ctx, tx, c)
	})
	return c, err
}

// aliasFormats are the identifier schemes a case may carry, by prefix.
var aliasFormats = []struct {
	prefix string
	re     *regexp.Regexp
}{
	{"CVE-", regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,}$`)},
	{"CNVD-", regexp.MustCompile(`^CNVD-[0-9]{4}-[0-9]{5}$`)},
	{"CNNVD-", regexp.MustCompile(`^CNNVD-[0-9]{6}-[0-9]{3,}$`)},
	{"GHSA-", regexp.MustCompile(`^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$`)},
	{"GO-", regexp.MustCompile(`^GO-[0-9]{4}-[0-9]{4,}$`)},
}

// NormaliseAlias checks an identifier's format (CVE, CNVD, CNNVD, GHSA,
// GO) and returns it in its canonical case.
func NormaliseAlias(a string) (string, error) {
	a = strings.TrimSpace(a)
	up := strings.ToUpper(a)
	for _, f := range aliasFormats {
		if !strings.HasPrefix(up, f.prefix) {
			continue
		}
		canon := up
		if f.prefix == "GHSA-" {
			canon = "GHSA-" + strings.ToLower(a[5:])
		}
		if f.re.MatchString(canon) {
			return canon, nil
		}
		return "", errs.Coded(errs.Invalid, "case.alias", "%q is not a well-formed %s identifier", a, strings.TrimSuffix(f.prefix, "-"))
	}
	return "", errs.Coded(errs.Invalid, "case.alias", "%q is not a CVE, CNVD, CNNVD, GHSA or GO identifier", a)
}

// AddAlias gives case id another identifier; within an organisation an
// identifier names one case (errs.Conflict). Audited (case.alias_add).
// Needs access.WriteCases.
func (s *Service) AddAlias(ctx context.Context, p *access.Principal, id int64, alias string) (string, error) {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return "", err
	}
	alias, err := NormaliseAlias(alias)
	if err != nil {
		return "", err
	}
	err = s.transact(ctx, func(tx Tx) error {
		c, err := s.visibleCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := tx.AddCaseAlias(ctx, c.OrgID, c.ID, alias, p.Actor()); err != nil {
			return err
		}
		return record(ctx, tx, p, "case.alias_add", c, map[string]any{"alias": alias})
	})
	return alias, err
}

// Merge folds case dup into case into: both the same vulnerability. dup
// is rejected as a duplicate (its lifecycle must allow rejection), its
// reports and identifiers move to into, and if dup's T0 is earlier, into's
// T0 moves back to it (CN-07-1). Audited on both cases (case.merge).
// Needs access.WriteCases and sight of both.
func (s *Service) Merge(ctx context.Context, p *access.Principal, dup, into int64, reason string) (Case, error) {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return Case{}, err
	}
	if dup == into {
		return Case{}, errs.Coded(errs.Invalid, "case.merge_self", "a case cannot be merged into itself")
	}
	var target Case
	err := s.transact(ctx, func(tx Tx) error {
		d, err := s.visibleCase(ctx, tx, p, dup)
		if err != nil {
			return err
		}
		if target, err = s.visibleCase(ctx, tx, p, into); err != nil {
			return err
		}
		if !slices.Contains(transitions[d.Kind][d.Status], Rejected) {
			return errs.Coded(errs.Conflict, "case.transition", "a %s case cannot move from %s to %s; it may move to: %s",
				d.Kind, d.Status, Rejected, statusList(transitions[d.Kind][d.Status]))
		}
		now := tx.Now()
		from := d.Status
		d.Status, d.Resolution, d.UpdatedAt = Rejected, DuplicateCase, now
		if err := tx.UpdateCaseState(ctx, d); err != nil {
			return err
		}
		why := strings.TrimSpace("merged into " + target.Ref + ". " + strings.TrimSpace(reason))
		if err := tx.AddTransition(ctx, d.ID, Transition{At: now, Actor: p.Actor(), From: from, To: Rejected, Reason: why,
			Resolution: DuplicateCase}); err != nil {
			return err
		}
		if err := tx.MoveCaseLinks(ctx, d.ID, target.ID); err != nil {
			return err
		}
		if d.T0.Before(target.T0) {
			before := target.T0
			target.T0, target.T0Source, target.UpdatedAt = d.T0, d.T0Source, now
			if err := tx.UpdateCaseState(ctx, target); err != nil {
				return err
			}
			if err := record(ctx, tx, p, "case.t0_correct", target, map[string]any{"before": map[string]any{"t0": before},
				"t0": target.T0, "source": target.T0Source, "reason": "merged with " + d.Ref}); err != nil {
				return err
			}
		}
		if err := record(ctx, tx, p, "case.merge", d, map[string]any{"into": target.Ref, "reason": reason}); err != nil {
			return err
		}
		if err := record(ctx, tx, p, "case.merge", target, map[string]any{"from": d.Ref, "reason": reason}); err != nil {
			return err
		}
		if err := s.changed(ctx, tx, d); err != nil {
			return err
		}
		return s.changed(ctx, tx, target)
	})
	return target, err
}

// Timeline returns case id's transitions, oldest first. Needs
// access.ReadCases and sight of the case.
func (s *Service) Timeline(ctx context.Context, p *access.Principal, id int64) ([]Transition, error) {
	var out []Transition
	err := s.withCase(ctx, p, access.ReadCases, id, func(tx Tx, c Case) (err error) {
		out, err = tx.CaseTransitions(ctx, c.ID)
		return err
	})
	return out, err
}

// withCase runs fn in a transaction on case id, once p holds perm (and has
// accepted the confidentiality statement) and may see the case.
func (s *Service) withCase(ctx context.Context, p *access.Principal, perm access.Permission, id int64, fn func(Tx, Case) error) error {
	if err := s.requireReader(p, perm); err != nil {
		return err
	}
	return s.transact(ctx, func(tx Tx) error {
		c, err := s.visibleCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		return fn(tx, c)
	})
}

// visibleCase reads case id in tx, or errNoCase when p may not see it.
func (s *Service) visibleCase(ctx context.Context, tx Tx, p *access.Principal, id int64) (Case, error) {
	c, _, err := tx.CaseByID(ctx, id)
	if err != nil {
		return Case{}, errNoCase
	}
	if err := s.checkVisible(ctx, tx, p, c); err != nil {
		return Case{}, err
	}
	return c, nil
}

// ParseScope reads a stored scope.
func ParseScope(s string) ([]Affected, error) {
	if s == "" {
		return nil, nil
	}
	var out []Affected
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("casework: scope: %w", err)
	}
	return out, nil
}

// ScopeJSON returns sc as stored: JSON, or "" for none.
func ScopeJSON(sc []Affected) string {
	if len(sc) == 0 {
		return ""
	}
	b, _ := json.Marshal(sc) // plain strings: cannot fail
	return string(b)
}
