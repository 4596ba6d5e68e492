// Package remediation owns the fixes of a case, per affected version (RMSV
// Art. 7(3), CN-07-8): for every version the case's scope selects from the
// product catalogue, the fixed version or patch, the workaround or
// mitigation, when it became available, and its status. Two rules follow:
//
//   - A provider's case moves to fixed, and any provider's case is closed,
//     only when every affected version has a fix or a documented
//     mitigation that is available (Guard; the error code is
//     remediation.incomplete and names the versions still open).
//   - The earliest availability is the case's fix time, the anchor of the
//     CRA final report (14 days) and the affected-user duty (CN-07-9).
//
// A scope entry the catalogue has no version for (a product not in it, or
// a range that selects none) is one affected "version" of its own, named
// by its range, so that its fix is recorded all the same.
package remediation

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/product"
)

// Status is where the fix of one affected version stands.
type Status string

// The statuses of a fix.
const (
	Planned    Status = "planned"
	InProgress Status = "in_progress"
	Fixed      Status = "fixed"     // a fixed version or a patch is available
	Mitigated  Status = "mitigated" // a documented workaround is available
)

// Version is one affected version of a case: a catalogue version, or a
// scope entry's range when the catalogue has none for it.
type Version struct {
	Product string `json:"product"`
	Model   string `json:"model"`
	Version string `json:"version"`
	Line    string `json:"line"` // the catalogue's release line, if any
}

// String names v as "Product Model 1.2.3".
func (v Version) String() string {
	return strings.Join(strings.Fields(v.Product+" "+v.Model+" "+v.Version), " ")
}

// Fix is the remediation of one affected version.
type Fix struct {
	ID     int64
	CaseID int64
	Version
	Status       Status
	FixedVersion string // the version that fixes it ("2.4.1")
	Patch        string // a patch or hotfix reference or URL
	Workaround   string // the mitigation users can apply
	// AvailableAt is when the fix or mitigation became available; zero
	// while planned or in progress.
	AvailableAt time.Time
	Note        string
	UpdatedAt   time.Time
	UpdatedBy   string
}

// Covers reports whether f is an available fix or documented mitigation.
func (f Fix) Covers() bool {
	switch f.Status {
	case Fixed:
		return (f.FixedVersion != "" || f.Patch != "") && !f.AvailableAt.IsZero()
	case Mitigated:
		return f.Workaround != "" && !f.AvailableAt.IsZero()
	}
	return false
}

// Tx is one remediation transaction: a casework transaction with the
// catalogue and the fixes.
type Tx interface {
	casework.Tx
	ProductTrees(ctx context.Context, org, productID int64) ([]product.Product, error)
	// CaseFixes returns a case's fixes by product, model and version.
	CaseFixes(ctx context.Context, caseID int64) ([]Fix, error)
	// PutFix stores f by its case and version and returns its ID.
	PutFix(ctx context.Context, org int64, f Fix) (int64, error)
}

// Store persists fixes.
type Store interface {
	TransactRemediation(ctx context.Context, fn func(Tx) error) error
}

// Service applies the rules.
type Service struct {
	store Store
	cases *casework.Service
}

// NewService returns a Service; cases decides who may see which case.
func NewService(st Store, cases *casework.Service) *Service {
	return &Service{store: st, cases: cases}
}

// Row is one affected version with its fix (zero when none is recorded).
type Row struct {
	Version Version
	Fix     Fix
}

// Affected returns the versions case c's scope selects from the catalogue
// trees, in scope order, each once.
func Affected(scope []casework.Affected, trees []product.Product) []Version {
	var out []Version
	add := func(v Version) {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, a := range scope {
		n := len(out)
		if r, err := product.ParseRange(a.Versions); err == nil {
			for _, v := range selected(trees, a, r) {
				add(v)
			}
		}
		if len(out) == n {
			add(Version{Product: a.Product, Model: a.Model, Version: a.Versions})
		}
	}
	return out
}

func selected(trees []product.Product, a casework.Affected, r product.Range) []Version {
	var out []Version
	for _, p := range trees {
		if p.Name != a.Product {
			continue
		}
		for _, m := range p.Models {
			if a.Model != "" && m.Name != a.Model {
				continue
			}
			for _, v := range m.Versions {
				if r.Contains(v.Version) {
					out = append(out, Version{Product: p.Name, Model: m.Name, Version: v.Version, Line: v.Line})
				}
			}
		}
	}
	return out
}

// Plan returns the rows of case c read in tx: each affected version with
// its fix.
func Plan(ctx context.Context, tx Tx, c casework.Case) ([]Row, error) {
	trees, err := tx.ProductTrees(ctx, c.OrgID, 0)
	if err != nil {
		return nil, err
	}
	fixes, err := tx.CaseFixes(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []Row
	for _, v := range Affected(c.Scope, trees) {
		r := Row{Version: v}
		if i := slices.IndexFunc(fixes, func(f Fix) bool { return sameVersion(f.Version, v) }); i >= 0 {
			r.Fix = fixes[i]
			r.Fix.Line = v.Line
		}
		out = append(out, r)
	}
	return out, nil
}

func sameVersion(a, b Version) bool {
	return a.Product == b.Product && a.Model == b.Model && a.Version == b.Version
}

// ForCase returns case id's affected versions with their fixes; the read
// of an undisclosed case's plan is audited (case.read). Needs
// access.ReadCases and sight of the case (errs.NotFound otherwise).
func (s *Service) ForCase(ctx context.Context, p *access.Principal, id int64) ([]Row, error) {
	var out []Row
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if out, err = Plan(ctx, tx, c); err != nil || c.Disclosed() {
			return err
		}
		return record(ctx, tx, p.Actor(), "case.read", c, map[string]any{"remediation": len(out)})
	})
	return out, err
}

func (s *Service) transact(ctx context.Context, fn func(Tx) error) error {
	return s.cases.AfterGate(ctx, s.store.TransactRemediation(ctx, fn))
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

// check validates and normalises a fix as given.
func check(f *Fix, now time.Time) error {
	f.FixedVersion, f.Patch = strings.TrimSpace(f.FixedVersion), strings.TrimSpace(f.Patch)
	f.Workaround, f.Note = strings.TrimSpace(f.Workaround), strings.TrimSpace(f.Note)
	for _, s := range []string{f.FixedVersion, f.Patch} {
		if utf8.RuneCountInString(s) > 500 {
			return errs.Coded(errs.Invalid, "remediation.field", "a fixed version or patch may be at most 500 characters")
		}
	}
	if utf8.RuneCountInString(f.Workaround) > 8000 || utf8.RuneCountInString(f.Note) > 8000 {
		return errs.Coded(errs.Invalid, "remediation.field", "a workaround or note may be at most 8,000 characters")
	}
	switch f.Status {
	case Planned, InProgress:
		f.AvailableAt = time.Time{}
		return nil
	case Fixed:
		if f.FixedVersion == "" && f.Patch == "" {
			return errs.Coded(errs.Invalid, "remediation.fix_required", "a fixed version needs the version that fixes it or a patch")
		}
	case Mitigated:
		if f.Workaround == "" {
			return errs.Coded(errs.Invalid, "remediation.workaround_required", "a mitigation needs the workaround documented")
		}
	default:
		return errs.Coded(errs.Invalid, "remediation.status", "a fix is planned, in_progress, fixed or mitigated")
	}
	if f.AvailableAt.IsZero() {
		f.AvailableAt = now
	}
	if f.AvailableAt.After(now) {
		return errs.Coded(errs.Invalid, "remediation.future", "the time a fix became available may not be in the future")
	}
	f.AvailableAt = f.AvailableAt.UTC()
	return nil
}
