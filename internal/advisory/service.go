package advisory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/remediation"
)

// Tx is one advisory transaction: a remediation transaction (the case,
// its files and its fixes) with the advisories and the blackout calendar.
type Tx interface {
	remediation.Tx
	// CreateAdvisory stores a with its working copy sealed (a.Content is
	// not stored) and returns its ID; errs.Conflict when the case has an
	// advisory already.
	CreateAdvisory(ctx context.Context, a Advisory, sealed []byte) (int64, error)
	// AdvisoryByCase returns the advisory of case caseID without its
	// content, and the content sealed; errs.NotFound.
	AdvisoryByCase(ctx context.Context, caseID int64) (Advisory, []byte, error)
	// UpdateAdvisory writes a's state and records, and its working copy
	// sealed.
	UpdateAdvisory(ctx context.Context, a Advisory, sealed []byte) error
	// AddRevision stores a published revision, frozen from then on.
	AddRevision(ctx context.Context, org int64, r Revision) error
	// Revisions returns an advisory's revisions, oldest first.
	Revisions(ctx context.Context, advisoryID int64) ([]Revision, error)
	// DueAdvisories returns up to limit scheduled advisories, of every
	// organisation, whose release time is at or before now, without their
	// content.
	DueAdvisories(ctx context.Context, now time.Time, limit int) ([]Advisory, error)
	// Blackouts returns org's blackout periods, by start.
	Blackouts(ctx context.Context, org int64) ([]disclosure.Blackout, error)
	// PutBlackout stores b (a new one when b.ID is 0) and returns its ID;
	// errs.NotFound for an ID org does not have.
	PutBlackout(ctx context.Context, org int64, b disclosure.Blackout) (int64, error)
	// DeleteBlackout removes blackout id of org; errs.NotFound.
	DeleteBlackout(ctx context.Context, org, id int64) error
}

// Store persists advisories.
type Store interface {
	TransactAdvisories(ctx context.Context, fn func(Tx) error) error
	PublicStore
}

// CreditSource returns the finders of the reports with the given
// tracking IDs who agreed to be credited by name.
type CreditSource func(ctx context.Context, tracking []string) ([]Credit, error)

// Service applies the rules.
type Service struct {
	store   Store
	cases   *casework.Service
	sealer  casework.Sealer
	credits CreditSource
	// obl records a publication as evidence of the case's duties; nil:
	// not wired.
	obl *obligation.Service
}

// NewService returns a Service; cases decides who may see which case and
// moves a case to published when its advisory is; sl seals the working
// copy at rest, which is undisclosed until published (published revisions
// are public and stored as they are).
func NewService(st Store, cases *casework.Service, sl casework.Sealer) *Service {
	return &Service{store: st, cases: cases, sealer: sl}
}

// contentAAD binds a sealed working copy to its case.
func contentAAD(caseID int64) []byte {
	return []byte("advisory-content:" + strconv.FormatInt(caseID, 10))
}

// load reads case caseID's advisory in tx with its working copy unsealed;
// errs.NotFound when there is none.
func (s *Service) load(ctx context.Context, tx Tx, caseID int64) (Advisory, error) {
	a, sealed, err := tx.AdvisoryByCase(ctx, caseID)
	if err != nil {
		return Advisory{}, err
	}
	plain, err := s.sealer.Unseal(sealed, contentAAD(caseID))
	if err != nil {
		return Advisory{}, fmt.Errorf("advisory %s: %w", a.Ref, err)
	}
	if err := json.Unmarshal(plain, &a.Content); err != nil {
		return Advisory{}, fmt.Errorf("advisory %s: content: %w", a.Ref, err)
	}
	return a, nil
}

// seal returns a's working copy sealed.
func (s *Service) seal(a Advisory) ([]byte, error) {
	b, err := json.Marshal(a.Content)
	if err != nil {
		return nil, err
	}
	return s.sealer.Seal(b, contentAAD(a.CaseID))
}

// write stores a, its working copy sealed.
func (s *Service) write(ctx context.Context, tx Tx, a Advisory) error {
	sealed, err := s.seal(a)
	if err != nil {
		return err
	}
	return tx.UpdateAdvisory(ctx, a, sealed)
}

// WithObligations makes each publication count toward the case's
// duties, in the transaction that publishes it: a published revision is
// the case's CSAF document, which the CRA's user-notice duty asks for
// beside the notice itself (EU-14-6, obligation.CRAUserNoticeDuty).
func (s *Service) WithObligations(obl *obligation.Service) *Service {
	s.obl = obl
	return s
}

// WithCredits drafts credits from the case's reports through src.
func (s *Service) WithCredits(src CreditSource) *Service {
	s.credits = src
	return s
}

// View is an advisory with its case, its revisions and the gate's
// verdict if it were published now.
type View struct {
	Advisory
	Case      casework.Case
	Revisions []Revision
	Verdict   []disclosure.Violation
	// Findings are the scanner's findings in the public text, those
	// marked as not an operator's system included.
	Findings []disclosure.Finding
}

func (s *Service) transact(ctx context.Context, fn func(Tx) error) error {
	return s.cases.AfterGate(ctx, s.store.TransactAdvisories(ctx, fn))
}

// withAdvisory runs fn on case caseID's advisory in a transaction, once p
// holds perm and may see the case; errs.NotFound when there is none.
func (s *Service) withAdvisory(ctx context.Context, p *access.Principal, perm access.Permission, caseID int64,
	fn func(Tx, casework.Case, *Advisory) error) error {
	if err := p.Require(perm); err != nil {
		return err
	}
	return s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		a, err := s.load(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		return fn(tx, c, &a)
	})
}

// Get returns case caseID's advisory with the gate's verdict for a
// publication now; the read of an undisclosed case's advisory is audited
// (advisory.read). Needs access.ReadCases and sight of the case;
// errs.NotFound when the case has no advisory.
func (s *Service) Get(ctx context.Context, p *access.Principal, caseID int64) (View, error) {
	var v View
	err := s.withAdvisory(ctx, p, access.ReadCases, caseID, func(tx Tx, c casework.Case, a *Advisory) error {
		var err error
		if v, err = s.view(ctx, tx, c, *a); err != nil || c.Disclosed() {
			return err
		}
		return record(ctx, tx, p.Actor(), "advisory.read", c, map[string]any{"advisory": a.Ref})
	})
	return v, err
}

func (s *Service) view(ctx context.Context, tx Tx, c casework.Case, a Advisory) (View, error) {
	v := View{Advisory: a, Case: c}
	var err error
	if v.Revisions, err = tx.Revisions(ctx, a.ID); err != nil {
		return View{}, err
	}
	in, err := gather(ctx, tx, c, a, tx.Now())
	if err != nil {
		return View{}, err
	}
	v.Verdict = disclosure.Evaluate(in)
	for _, f := range in.Public {
		for _, fd := range disclosure.ScanOperatorSystems(f.Text) {
			if !slices.Contains(v.Findings, fd) {
				v.Findings = append(v.Findings, fd)
			}
		}
	}
	return v, nil
}

// Create drafts case caseID's advisory from its assessment, scope,
// remediation and the credits its reporters agreed to; audited
// (advisory.create). Needs access.WriteAdvisories and sight of the case;
// errs.Conflict (advisory.exists) when the case has one.
func (s *Service) Create(ctx context.Context, p *access.Principal, caseID int64) (Advisory, error) {
	if err := p.Require(access.WriteAdvisories); err != nil {
		return Advisory{}, err
	}
	// The case as its readers see it (an audited read): its summary
	// unsealed, its identifiers and reports.
	full, err := s.cases.Get(ctx, p, caseID)
	if err != nil {
		return Advisory{}, err
	}
	tracking := full.Reports
	var credits []Credit
	if s.credits != nil && len(tracking) > 0 {
		var err error
		if credits, err = s.credits(ctx, tracking); err != nil {
			return Advisory{}, err
		}
	}
	var a Advisory
	err = s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if _, _, err := tx.AdvisoryByCase(ctx, c.ID); err == nil {
			return errs.Coded(errs.Conflict, "advisory.exists", "the case has an advisory already; edit it")
		}
		c.Summary, c.Aliases = full.Summary, full.Aliases
		rows, err := remediation.Plan(ctx, tx, c)
		if err != nil {
			return err
		}
		a = Advisory{OrgID: c.OrgID, CaseID: c.ID, CaseRef: c.Ref, Ref: c.Ref + "-SA", State: Draft,
			Content: FromCase(c, rows, credits), Editors: []string{p.Actor()}, CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		sealed, err := s.seal(a)
		if err != nil {
			return err
		}
		if a.ID, err = tx.CreateAdvisory(ctx, a, sealed); err != nil {
			return err
		}
		return record(ctx, tx, p.Actor(), "advisory.create", c, map[string]any{"advisory": a.Ref, "after": fingerprint(a.Content)})
	})
	return a, err
}

// Edit replaces the working copy of case caseID's advisory with ct; the
// advisory goes back to draft, its approval and schedule void, and p
// becomes one of its editors. Audited (advisory.edit) with the fields
// changed and the content's fingerprint before and after. Needs
// access.WriteAdvisories.
func (s *Service) Edit(ctx context.Context, p *access.Principal, caseID int64, ct Content) (Advisory, error) {
	if err := p.Require(access.WriteAdvisories); err != nil {
		return Advisory{}, err
	}
	if err := ct.Check(); err != nil {
		return Advisory{}, err
	}
	var out Advisory
	err := s.withAdvisory(ctx, p, access.WriteAdvisories, caseID, func(tx Tx, c casework.Case, a *Advisory) error {
		before := a.Content
		a.Content, a.State, a.ApprovedBy, a.ApprovedAt = ct, Draft, "", time.Time{}
		a.ReleaseAt, a.ReleaseZone, a.UpdatedAt = time.Time{}, "", tx.Now()
		if !slices.Contains(a.Editors, p.Actor()) {
			a.Editors = append(a.Editors, p.Actor())
		}
		out = *a
		return s.save(ctx, tx, p, c, *a, "advisory.edit", map[string]any{"changed": changed(before, ct),
			"before": fingerprint(before), "after": fingerprint(ct)})
	})
	return out, err
}

// save writes a and its audit event.
func (s *Service) save(ctx context.Context, tx Tx, p *access.Principal, c casework.Case, a Advisory, action string, details map[string]any) error {
	if err := s.write(ctx, tx, a); err != nil {
		return err
	}
	details["advisory"] = a.Ref
	details["state"] = a.State
	return record(ctx, tx, p.Actor(), action, c, details)
}

// fingerprint is the SHA-256 of ct's JSON.
func fingerprint(ct Content) string {
	b, _ := json.Marshal(ct) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// changed names the top-level fields that differ between a and b.
func changed(a, b Content) []string {
	var am, bm map[string]json.RawMessage
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	_ = json.Unmarshal(ja, &am)
	_ = json.Unmarshal(jb, &bm)
	var out []string
	for k, v := range bm {
		if string(am[k]) != string(v) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func record(ctx context.Context, tx Tx, actor, action string, c casework.Case, details any) error {
	ev, err := audit.New(ctx, actor, action, "case:"+c.Ref, details)
	if err != nil {
		return err
	}
	ev.OrgID = c.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}
