package exposure_test

import (
	"context"
	"testing"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// acmeVEX is Acme's OpenVEX statement that its gateway's golang.org/x/net
// v0.1.0 is not affected by CVE-2022-41723 (vulndb GO-2023-1571, the
// HPACK decoder's quadratic complexity).
const acmeVEX = `{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://psirt.acme.example/vex/2026-001",
  "author": "Acme PSIRT",
  "timestamp": "2026-03-01T12:00:00Z",
  "version": 1,
  "statements": [{
    "vulnerability": {"name": "CVE-2022-41723"},
    "products": [{"@id": "pkg:golang/golang.org/x/net@v0.1.0"}],
    "status": "not_affected",
    "justification": "vulnerable_code_not_in_execute_path",
    "impact_statement": "The gateway speaks HTTP/1.1 only: the HTTP/2 HPACK decoder is never reached."
  }]
}`

// suppressed is the advisory acmeVEX speaks of.
const suppressed = "GO-2023-1571"

// TestVEXSuppresses imports Acme's statement, then the vulndb records: the
// match it names is shown suppressed with the statement's justification
// and opens no case in Acme, while the other organisation, which said
// nothing, gets its case; the statements export and survive a restart; an
// invalid statement stores nothing.
func TestVEXSuppresses(t *testing.T) {
	advs := mustVulnDB(t)
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			format, ss, err := exposure.ReadVEX([]byte(acmeVEX))
			if err != nil || format != exposure.VEXOpenVEX {
				t.Fatalf("ReadVEX = %q, %v", format, err)
			}
			if n, err := w.svc.ImportVEX(ctx, w.p["acme"], format, ss); err != nil || n != 1 {
				t.Fatalf("ImportVEX = %d, %v; want 1 statement", n, err)
			}
			if _, err := w.svc.ImportAdvisories(ctx, access.Operator(), advs, nil); err != nil {
				t.Fatal(err)
			}
			checkSuppressed(t, w, w.svc, ss[0])
			if got := caseOf(t, w, "acme", suppressed); got != 0 {
				t.Errorf("Acme has case %d for %s; want none (suppressed)", got, suppressed)
			}
			if got := caseOf(t, w, "other", suppressed); got == 0 {
				t.Errorf("the other organisation has no case for %s; want one", suppressed)
			}
			out, err := w.svc.ExportVEX(ctx, w.p["acme"], exposure.VEXOpenVEX, exposure.VEXDocument{ID: "x", Author: "Acme PSIRT",
				Timestamp: ss[0].Timestamp})
			if err != nil {
				t.Fatal(err)
			}
			if _, back, err := exposure.ReadVEX(out); err != nil || cmp.Diff(ss, back) != "" {
				t.Errorf("exported statements (-want +got):\n%s\n%v", cmp.Diff(ss, back), err)
			}
			bad := ss[0]
			bad.Vulnerability.ID, bad.Justification, bad.ImpactStatement = "CVE-2099-0001", "", ""
			if _, err := w.svc.ImportVEX(ctx, w.p["acme"], format, []exposure.VEXStatement{bad}); !errs.Is(err, errs.Invalid) {
				t.Errorf("ImportVEX(not_affected without a reason): err = %v, want Invalid", err)
			}
			if got, err := w.svc.VEXStatements(ctx, w.p["acme"]); err != nil || len(got) != 1 {
				t.Errorf("VEXStatements = %d, %v; want the one", len(got), err)
			}
			fresh := exposure.NewService(w.db, w.cases)
			if _, err := fresh.Load(ctx); err != nil {
				t.Fatal(err)
			}
			checkSuppressed(t, w, fresh, ss[0])
		})
	}
}

// checkSuppressed checks that svc shows the suppressed advisory's match
// on Acme's version with the statement, and no other match suppressed.
func checkSuppressed(t *testing.T, w *world, svc *exposure.Service, st exposure.VEXStatement) {
	t.Helper()
	hits, err := svc.VersionMatches(context.Background(), w.p["acme"], w.product, w.version)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, h := range hits {
		switch {
		case h.Advisory == suppressed:
			found = true
			if diff := cmp.Diff(&st, h.SuppressedBy); diff != "" {
				t.Errorf("%s suppressed by (-want +got):\n%s", suppressed, diff)
			}
		case h.SuppressedBy != nil:
			t.Errorf("%s suppressed by %+v; want it shown", h.Advisory, h.SuppressedBy)
		}
	}
	if !found {
		t.Errorf("no match of %s among %d", suppressed, len(hits))
	}
	byAdv, err := svc.AdvisoryMatches(context.Background(), w.p["acme"], suppressed)
	if err != nil || len(byAdv) != 1 || byAdv[0].SuppressedBy == nil {
		t.Errorf("AdvisoryMatches(%s) = %+v, %v; want one, suppressed", suppressed, byAdv, err)
	}
}

// caseOf returns the case that advisory id opened in organisation org, or 0.
func caseOf(t *testing.T, w *world, org, id string) int64 {
	t.Helper()
	cs, err := w.cases.Search(context.Background(), w.p[org], casework.Filter{Source: "third_party", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.T0Source == "third_party:"+id {
			return c.ID
		}
	}
	return 0
}
