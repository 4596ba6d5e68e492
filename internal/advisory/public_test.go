package advisory_test

import (
	"context"
	"testing"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// TestCatalogue: the public catalogue holds published revisions only;
// TLP:WHITE is for everyone, an AMBER advisory only for readers of its
// case, each such read audited (CSAF-3); a withdrawal repeats the live
// revision, never the edited working copy.
func TestCatalogue(t *testing.T) {
	ctx := context.Background()
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, dsn(t))
			white := w.c
			var staff []int64
			for _, who := range []string{"engineer", "author", "approver", "compliance"} {
				staff = append(staff, w.p[who].UserID)
			}
			amber := w.fixedCase(t, casework.ProviderCase, staff)
			draft := w.fixedCase(t, casework.ProviderCase, staff)
			w.approved(t, white.ID)
			if _, err := w.svc.Publish(ctx, w.p["approver"], white.ID, advisory.Text{EN: "Initial release"}); err != nil {
				t.Fatal(err)
			}
			w.approved(t, amber.ID)
			v, err := w.svc.Get(ctx, w.p["author"], amber.ID)
			if err != nil {
				t.Fatal(err)
			}
			ct := v.Content
			ct.TLP = "amber"
			if _, err := w.svc.Edit(ctx, w.p["author"], amber.ID, ct); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Submit(ctx, w.p["author"], amber.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Approve(ctx, w.p["approver"], amber.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Publish(ctx, w.p["approver"], amber.ID, advisory.Text{}); err != nil {
				t.Fatal(err)
			}
			w.approved(t, draft.ID) // approved, never published: not in the catalogue

			refs := func(p *access.Principal) []string {
				t.Helper()
				got, err := w.svc.Catalogue(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, a := range got {
					out = append(out, a.Ref+" "+a.Label())
				}
				return out
			}
			whiteRef, amberRef := white.Ref+"-SA", amber.Ref+"-SA"
			if diff := cmp.Diff([]string{whiteRef + " WHITE"}, refs(nil)); diff != "" {
				t.Errorf("anonymous catalogue (-want +got):\n%s", diff)
			}
			// The author is a publisher of the organisation, on the case.
			if diff := cmp.Diff([]string{amberRef + " AMBER", whiteRef + " WHITE"}, refs(w.p["author"])); diff != "" {
				t.Errorf("author's catalogue (-want +got):\n%s", diff)
			}
			outsider := *w.p["author"]
			outsider.OrgID++ // a publisher of another organisation
			if diff := cmp.Diff([]string{whiteRef + " WHITE"}, refs(&outsider)); diff != "" {
				t.Errorf("another organisation's catalogue (-want +got):\n%s", diff)
			}
			if _, err := w.svc.Published(ctx, nil, amberRef); !errs.Is(err, errs.NotFound) {
				t.Errorf("anonymous read of the AMBER advisory: err = %v, want NotFound", err)
			}
			if _, err := w.svc.Published(ctx, nil, draft.Ref+"-SA"); !errs.Is(err, errs.NotFound) {
				t.Errorf("read of an unpublished advisory: err = %v, want NotFound", err)
			}
			var n int
			if err := w.raw.QueryRow(`SELECT COUNT(*) FROM audit_events WHERE action = 'advisory.read_restricted'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("advisory.read_restricted events = %d, want 1 (the author's catalogue)", n)
			}

			// An unreviewed edit after publication stays out of the withdrawal.
			v, err = w.svc.Get(ctx, w.p["author"], white.ID)
			if err != nil {
				t.Fatal(err)
			}
			ct = v.Content
			ct.Title.EN = "UNREVIEWED EDIT"
			if _, err := w.svc.Edit(ctx, w.p["author"], white.ID, ct); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Withdraw(ctx, w.p["approver"], white.ID, advisory.Text{EN: "duplicate of another advisory"}); err != nil {
				t.Fatal(err)
			}
			pub, err := w.svc.Published(ctx, nil, whiteRef)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Withdrawn() || len(pub.Revisions) != 2 || pub.Content().Title.EN != "Command injection in the AX3000 router" {
				t.Errorf("withdrawn advisory: withdrawn %v, %d revisions, title %q; want the live revision's title",
					pub.Withdrawn(), len(pub.Revisions), pub.Content().Title.EN)
			}
			if pub.Publisher != "Acme" || pub.CaseID != white.ID {
				t.Errorf("publisher %q, case %d; want Acme, %d", pub.Publisher, pub.CaseID, white.ID)
			}
		})
	}
}
