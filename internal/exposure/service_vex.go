package exposure

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// StoredVEX is one VEX statement an organisation keeps: its own about its
// products, or one it received from a supplier about a component.
type StoredVEX struct {
	OrgID     int64
	Statement VEXStatement
	// Format is the format it was imported from (VEXFormats).
	Format     string
	ImportedAt time.Time
	// ImportedBy is the audit actor who imported it ("user:42").
	ImportedBy string
}

// ImportVEX stores statements read from a document of format (ReadVEX) as
// p's organisation's, all or nothing: a statement replaces the stored one
// with the same Key. From then on a not_affected statement suppresses the
// matches it names in that organisation (VEXStatement.Suppresses, CN-08-2):
// they are shown as suppressed and open no case. Cases already opened stay
// open; closing them is a person's decision. Needs access.ManageProducts;
// audited (vex.import). Errors: errs.Invalid (code vex.invalid) for an
// invalid statement, vex.format for none at all.
func (s *Service) ImportVEX(ctx context.Context, p *access.Principal, format string, ss []VEXStatement) (int, error) {
	if err := p.Require(access.ManageProducts); err != nil {
		return 0, err
	}
	if len(ss) == 0 || !slices.Contains(VEXFormats, format) {
		return 0, errs.Coded(errs.Invalid, "vex.format", "no VEX statements to import")
	}
	for _, st := range ss {
		if err := st.Validate(); err != nil {
			return 0, errs.Coded(errs.Invalid, "vex.invalid", "%v", err)
		}
	}
	s.work.Lock()
	defer s.work.Unlock()
	var stored []StoredVEX
	err := s.store.TransactExposure(ctx, func(tx Tx) error {
		stored = latestByKey(p.OrgID, format, tx.Now(), p.Actor(), ss)
		if err := tx.PutVEXStatements(ctx, stored); err != nil {
			return err
		}
		return record(ctx, tx, p, "vex.import", "vex:*", map[string]any{"format": format, "count": len(stored),
			"vulnerabilities": vexVulnerabilities(stored)})
	})
	if err != nil {
		return 0, err
	}
	s.putVEX(stored)
	return len(stored), nil
}

// latestByKey makes the rows of one import: one per Key, the last
// statement with a key winning (a document that repeats itself).
func latestByKey(org int64, format string, now time.Time, actor string, ss []VEXStatement) []StoredVEX {
	at := map[string]int{}
	var out []StoredVEX
	for _, st := range ss {
		row := StoredVEX{OrgID: org, Statement: st, Format: format, ImportedAt: now, ImportedBy: actor}
		if i, ok := at[st.Key()]; ok {
			out[i] = row
			continue
		}
		at[st.Key()] = len(out)
		out = append(out, row)
	}
	return out
}

// vexVulnerabilities names the first vulnerabilities of an import, for its
// audit event.
func vexVulnerabilities(vs []StoredVEX) []string {
	var out []string
	for _, v := range vs {
		if id := v.Statement.Vulnerability.ID; !slices.Contains(out, id) && len(out) < 20 {
			out = append(out, id)
		}
	}
	return out
}

// putVEX merges stored statements into the organisations' lists in
// memory, replacing those with the same Key.
func (s *Service) putVEX(vs []StoredVEX) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vs {
		list := s.vex[v.OrgID]
		key := v.Statement.Key()
		if i := slices.IndexFunc(list, func(o StoredVEX) bool { return o.Statement.Key() == key }); i >= 0 {
			list[i] = v
		} else {
			list = append(list, v)
		}
		s.vex[v.OrgID] = list
	}
}

// suppressor returns the not_affected statement of org that suppresses m,
// or nil. Of several, the most recent says why. s.mu is not held.
func (s *Service) suppressor(org int64, m Match) *VEXStatement {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var best *VEXStatement
	for i := range s.vex[org] {
		st := &s.vex[org][i].Statement
		if st.Suppresses(m) && (best == nil || st.Timestamp.After(best.Timestamp)) {
			best = st
		}
	}
	if best == nil {
		return nil
	}
	out := *best
	return &out
}

// VEXStatements returns p's organisation's VEX statements, by
// vulnerability and product. Needs access.ReadCases or
// access.ManageProducts.
func (s *Service) VEXStatements(ctx context.Context, p *access.Principal) ([]StoredVEX, error) {
	if err := requireRead(p); err != nil {
		return nil, err
	}
	vs, err := s.store.VEXStatements(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(vs, func(a, b StoredVEX) int { return strings.Compare(a.Statement.Key(), b.Statement.Key()) })
	return vs, nil
}

// ExportVEX writes p's organisation's VEX statements as one document of
// format (VEXFormats), described by doc. Needs what VEXStatements needs;
// errs.Invalid (vex.export_format) for an unknown format.
func (s *Service) ExportVEX(ctx context.Context, p *access.Principal, format string, doc VEXDocument) ([]byte, error) {
	if !slices.Contains(VEXFormats, format) {
		return nil, errs.Coded(errs.Invalid, "vex.export_format", "format %q: want one of %s", format, strings.Join(VEXFormats, ", "))
	}
	vs, err := s.VEXStatements(ctx, p)
	if err != nil {
		return nil, err
	}
	ss := make([]VEXStatement, len(vs))
	for i, v := range vs {
		ss[i] = v.Statement
	}
	SortVEXStatements(ss)
	return WriteVEX(format, doc, ss)
}
