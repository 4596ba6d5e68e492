// Package casework owns cases: one vulnerability under handling, from the
// first report to publication. This is the core that the case-handling
// work builds on: the case record, its need-to-know access list, and the
// rule that every read of undisclosed case content is audited.
//
// Need-to-know (RMSV Art. 11, CN-11-1): a staff member whose role can read
// cases sees a case of their organisation only when they are on its access
// list, unless their role reads every case of the organisation
// (access.ReadAllCases). A case a reader may not see does not exist for
// them: errs.NotFound, never errs.Forbidden, on every surface. Staff must
// have accepted their organisation's confidentiality statement first
// (CN-11-2).
package casework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// Status is where a case is in its lifecycle (GB/T 30276).
type Status string

// The first statuses of every case; lifecycle.go has the rest.
const (
	Received  Status = "received"
	Verifying Status = "verifying"
)

// Case is one vulnerability under handling.
type Case struct {
	ID          int64
	OrgID       int64
	Ref         string // EMB-2026-0001
	Title       string
	Summary     string // undisclosed content: sealed at rest
	Status      Status
	DisclosedAt time.Time // zero while undisclosed
	CreatedAt   time.Time
	CreatedBy   int64
	Kind        Kind
	// T0 is the earliest of internal discovery, the first report's receipt
	// or awareness from a third party (CN-07-1); T0Source says which
	// ("internal", "report:R-…", "third_party:…").
	T0       time.Time
	T0Source string
	// The assessment (CN-07-3).
	Grade   string
	Grading Grading
	CVSS    string
	Scope   []Affected
	// Resolution says why a rejected case was rejected.
	Resolution Resolution
	// RiskExpiresAt is when an accepted risk is looked at again.
	RiskExpiresAt time.Time
	UpdatedAt     time.Time
	// Aliases are its other identifiers (CVE, CNVD, …); filled by Get.
	Aliases []string
	// Reports are the tracking IDs of the reports it came from (their
	// threads with the reporters live there); filled by Get.
	Reports []string
}

// Disclosed reports whether the case's content is public.
func (c Case) Disclosed() bool { return !c.DisclosedAt.IsZero() }

// Grant is one entry of a case's access list.
type Grant struct {
	UserID    int64
	GrantedAt time.Time
	GrantedBy string
}

// Store persists cases. Reads that return undisclosed content happen in a
// transaction together with their audit event.
type Store interface {
	TransactCases(ctx context.Context, fn func(Tx) error) error
	// CasesVisibleTo lists the cases of org, newest first: all of them, or
	// when userID is not 0 only those whose access list has userID.
	CasesVisibleTo(ctx context.Context, org, userID int64, limit int) ([]Case, error)
	// SearchCases lists the cases of org matching f, newest first: all,
	// or when userID is not 0 only those whose access list has userID.
	SearchCases(ctx context.Context, org, userID int64, f Filter) ([]Case, error)
	// UserNames returns the display names of org's people by user ID.
	UserNames(ctx context.Context, org int64) (map[int64]string, error)
	// SearchAudit finds audit events (a case's history).
	SearchAudit(ctx context.Context, f audit.Filter) ([]audit.Event, error)
}

// Tx is one casework transaction.
type Tx interface {
	Now() time.Time
	// CreateCase stores c (with a provisional Ref) without its summary and
	// returns its ID; FinishCase then sets the final Ref and the sealed
	// summary, which both depend on the ID.
	CreateCase(ctx context.Context, c Case) (int64, error)
	FinishCase(ctx context.Context, id int64, ref string, sealedSummary []byte) error
	// CaseByID returns case id with its sealed summary; errs.NotFound.
	CaseByID(ctx context.Context, id int64) (Case, []byte, error)
	HasCaseAccess(ctx context.Context, caseID, userID int64) (bool, error)
	// UserOrg returns the organisation of user id; errs.NotFound.
	UserOrg(ctx context.Context, userID int64) (int64, error)
	GrantCaseAccess(ctx context.Context, caseID int64, g Grant) error
	CaseAccessList(ctx context.Context, caseID int64) ([]Grant, error)
	AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error)
	// SaveReview stores a recorded access review and returns its ID;
	// errs.Conflict when the organisation has one for the quarter.
	SaveReview(ctx context.Context, r RecordedReview) (int64, error)
	// ReviewByID returns recorded review id with its content; errs.NotFound.
	ReviewByID(ctx context.Context, id int64) (RecordedReview, error)
	// UpdateCaseState writes c's status, assessment, T0, resolution, risk
	// expiry and update time.
	UpdateCaseState(ctx context.Context, c Case) error
	// AddTransition appends to case caseID's timeline.
	AddTransition(ctx context.Context, caseID int64, t Transition) error
	// CaseTransitions returns case caseID's timeline, oldest first.
	CaseTransitions(ctx context.Context, caseID int64) ([]Transition, error)
	// AddCaseAlias gives a case an identifier; errs.Conflict when the
	// organisation has it on a case already.
	AddCaseAlias(ctx context.Context, org, caseID int64, alias, by string) error
	// CaseReports returns the tracking IDs of the reports linked to a
	// case, oldest first.
	CaseReports(ctx context.Context, caseID int64) ([]string, error)
	// MoveCaseReport moves report tracking from case from (0: no case) to
	// case to (0: none for now) and returns its receipt time;
	// errs.NotFound when it is not on case from.
	MoveCaseReport(ctx context.Context, tracking string, from, to int64) (time.Time, error)
	// EarliestCaseReport returns a case's earliest report and its
	// receipt; errs.NotFound when it has none.
	EarliestCaseReport(ctx context.Context, caseID int64) (string, time.Time, error)
	// MoveCaseLinks moves a case's reports and identifiers to another.
	MoveCaseLinks(ctx context.Context, from, to int64) error
	// CaseAliases returns a case's identifiers, sorted.
	CaseAliases(ctx context.Context, caseID int64) ([]string, error)
	// AddCasePerson adds someone to a case in a role (a repeat is a no-op).
	AddCasePerson(ctx context.Context, caseID int64, x Person) error
	// RemoveCasePerson takes someone off a case in a role; errs.NotFound
	// when they were not on it.
	RemoveCasePerson(ctx context.Context, caseID, userID int64, role PersonRole) error
	// CasePeople returns a case's assignees and watchers.
	CasePeople(ctx context.Context, caseID int64) ([]Person, error)
	// AddCaseComment stores a comment whose body seal seals once the
	// comment's ID is known, and returns the ID.
	AddCaseComment(ctx context.Context, caseID int64, c Comment, seal func(id int64) ([]byte, error)) (int64, error)
	// AddCaseFile stores a file whose content seal seals once the file's
	// ID is known, and returns the ID.
	AddCaseFile(ctx context.Context, caseID int64, f File, seal func(id int64) ([]byte, error)) (int64, error)
	// CaseFiles lists a case's files, without their content.
	CaseFiles(ctx context.Context, caseID int64) ([]File, error)
	// CaseFile returns file id of case caseID, sealed; errs.NotFound.
	CaseFile(ctx context.Context, caseID, id int64) (StoredFile, error)
	// CaseComments returns a case's comments, oldest first, sealed.
	CaseComments(ctx context.Context, caseID int64) ([]SealedComment, error)
	// CaseFacts returns a case's facts (zero when none were recorded).
	CaseFacts(ctx context.Context, caseID int64) (Facts, error)
	// PutCaseFacts stores a case's facts.
	PutCaseFacts(ctx context.Context, caseID int64, f Facts) error
	// SupplierByName returns org's catalogue supplier name; errs.NotFound.
	SupplierByName(ctx context.Context, org int64, name string) (Supplier, error)
	// SignReview records the sign-off of review id.
	SignReview(ctx context.Context, id int64, by string, at time.Time, note string) error
	// Outbound messages go out with the change they announce.
	notify.Enqueuer
	// The sharing gate's recorded legal decisions (foreign.go).
	disclosure.Tx
}

// Sealer encrypts sensitive fields bound to where they are stored.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Unseal(ciphertext, aad []byte) ([]byte, error)
}

// Service applies the rules.
type Service struct {
	store  Store
	sealer Sealer
	prefix string
	review *reviewNotices  // nil: reviews are recorded silently
	table  *gbt30279.Table // nil: the provisional default
	hook   ChangeHook      // nil: no duties follow the case
	guard  Guard           // nil: every lifecycle move is allowed
}

// NewService returns a Service; refPrefix starts case references ("EMB").
func NewService(st Store, sl Sealer, refPrefix string) *Service {
	if refPrefix == "" {
		refPrefix = "EMB"
	}
	return &Service{store: st, sealer: sl, prefix: refPrefix}
}

// NewCase is a request to open a case by hand.
type NewCase struct {
	Title   string
	Summary string
	// Kind is ProviderCase (the default) or OperatorCase.
	Kind Kind
	// T0 and T0Source: when and how the organisation learned of the
	// vulnerability (CN-07-1); zero means now, by internal discovery.
	T0       time.Time
	T0Source string
	// Access lists more people of the organisation to put on the access
	// list. A case opened by Embargo itself (a principal that is no
	// person, such as access.SystemFor) has no creator to put there, so
	// it names the people who must see the case here.
	Access []int64
}

// Create opens a case in the principal's organisation and puts its creator
// (when a person) and nc.Access on the access list. Needs
// access.WriteCases; errs.Invalid when someone in nc.Access is not of the
// organisation.
func (s *Service) Create(ctx context.Context, p *access.Principal, nc NewCase) (Case, error) {
	if err := s.requireReader(p, access.WriteCases); err != nil {
		return Case{}, err
	}
	title := strings.TrimSpace(nc.Title)
	if title == "" || utf8.RuneCountInString(title) > 300 {
		return Case{}, errs.Coded(errs.Invalid, "case.title", "give the case a title of 1 to 300 characters")
	}
	if nc.Kind == "" {
		nc.Kind = ProviderCase
	}
	if _, ok := initial[nc.Kind]; !ok {
		return Case{}, errs.Coded(errs.Invalid, "case.kind", "a case is a provider's or an operator's")
	}
	var c Case
	err := s.transact(ctx, func(tx Tx) error {
		var err error
		c, err = s.createIn(ctx, tx, p, nc, title)
		return err
	})
	return c, err
}

// createIn opens a case in tx: it stores the case, gives it its reference
// and sealed summary, puts its creator on the access list, audits it
// (case.create) and raises its duties.
func (s *Service) createIn(ctx context.Context, tx Tx, p *access.Principal, nc NewCase, title string) (Case, error) {
	var err error
	c := Case{OrgID: p.OrgID, Title: title, Summary: nc.Summary, Status: initial[nc.Kind], Kind: nc.Kind, CreatedAt: tx.Now(),
		CreatedBy: p.UserID, Ref: "new-" + randomHex(), T0: nc.T0.UTC(), T0Source: strings.TrimSpace(nc.T0Source), UpdatedAt: tx.Now()}
	if c.T0.IsZero() {
		c.T0, c.T0Source = tx.Now(), "internal"
	}
	if c.T0.After(tx.Now()) || c.T0Source == "" {
		return c, errs.Coded(errs.Invalid, "case.t0", "T0 is a time in the past, with its source")
	}
	if c.ID, err = tx.CreateCase(ctx, c); err != nil {
		return c, err
	}
	c.Ref = fmt.Sprintf("%s-%d-%04d", s.prefix, c.CreatedAt.Year(), c.ID)
	var sealed []byte
	if c.Summary != "" {
		if sealed, err = s.sealer.Seal([]byte(c.Summary), summaryAAD(c.ID)); err != nil {
			return c, err
		}
	}
	if err := tx.FinishCase(ctx, c.ID, c.Ref, sealed); err != nil {
		return c, err
	}
	if err := grantOnCreate(ctx, tx, p, c.ID, nc.Access); err != nil {
		return c, err
	}
	if err := record(ctx, tx, p, "case.create", c, nil); err != nil {
		return c, err
	}
	return c, s.changed(ctx, tx, c)
}

// grantOnCreate puts a new case's creator, when a person, and the people
// in more on its access list.
func grantOnCreate(ctx context.Context, tx Tx, p *access.Principal, caseID int64, more []int64) error {
	ids := more
	if p.UserID != 0 {
		ids = append([]int64{p.UserID}, more...)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if id != p.UserID {
			if org, err := tx.UserOrg(ctx, id); err != nil || org != p.OrgID {
				return errs.Coded(errs.Invalid, "case.access", "only people of the organisation can be on a case's access list")
			}
		}
		if err := tx.GrantCaseAccess(ctx, caseID, Grant{UserID: id, GrantedAt: tx.Now(), GrantedBy: p.Actor()}); err != nil {
			return err
		}
	}
	return nil
}

// requireReader checks perm, and that staff reading cases have accepted
// the confidentiality statement (CN-11-2).
func (s *Service) requireReader(p *access.Principal, perm access.Permission) error {
	if err := p.Require(perm); err != nil {
		return err
	}
	if !p.ConfidentialityAccepted {
		return errs.Coded(errs.Forbidden, "confidentiality.required",
			"accept your organisation's confidentiality statement before working on cases")
	}
	return nil
}

func randomHex() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func record(ctx context.Context, tx Tx, p *access.Principal, action string, c Case, details any) error {
	ev, err := audit.New(ctx, p.Actor(), action, "case:"+c.Ref, details)
	if err != nil {
		return err
	}
	ev.OrgID = p.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}
