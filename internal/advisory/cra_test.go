package advisory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// TestCRAUserNotice is EU-14-6 (CRA Art. 14(8)) from the advisory side:
// on an exploited case under the CRA whose notice campaign was delivered,
// publishing the advisory (its CSAF 2.0 document) meets eu.user_notice in
// the publishing transaction, with the revision as evidence.
func TestCRAUserNotice(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			obl := obligation.NewService(w.db, w.cases, w.kr)
			w.cases.WithChangeHook(obl.Reconcile)
			w.svc.WithObligations(obl)
			if err := obl.SetSettings(ctx, w.p["compliance"], obligation.OrgSettings{
				Regimes: map[obligation.Regime]bool{obligation.EUCRA: true}}); err != nil {
				t.Fatal(err)
			}
			at := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
			if _, err := w.cases.SetFacts(ctx, w.p["triager"], w.c.ID, casework.FactsChange{ExploitedAt: &at,
				ExploitedEvidence: "CERT 通报"}); err != nil {
				t.Fatal(err)
			}
			err := w.db.TransactObligations(ctx, func(tx obligation.Tx) error {
				return obl.NoticeDelivered(ctx, tx, w.c.ID, obligation.Evidence{Ref: "campaign:3", At: time.Now().UTC(),
					SHA256: strings.Repeat("d", 64), Note: "notice campaign 3 delivered"})
			})
			if err != nil {
				t.Fatal(err)
			}
			if eu := craNotice(t, obl, w); eu.Stored != obligation.Open {
				t.Fatalf("eu.user_notice before the advisory: %s, want open", eu.Stored)
			}
			a := w.approved(t, w.c.ID)
			if _, err := w.svc.Publish(ctx, w.p["approver"], w.c.ID, advisory.Text{}); err != nil {
				t.Fatalf("publish: %v", err)
			}
			eu := craNotice(t, obl, w)
			var got []string
			for _, e := range eu.Evidence {
				got = append(got, string(e.Kind)+" "+e.Ref)
			}
			if diff := cmp.Diff([]string{"notice campaign:3", "advisory advisory:" + a.Ref + "/1"}, got); eu.Stored != obligation.StoredMet || diff != "" {
				t.Fatalf("eu.user_notice after publishing: %s, evidence (-want +got):\n%s", eu.Stored, diff)
			}
			if len(eu.Evidence[1].SHA256) != 64 {
				t.Errorf("advisory evidence without the revision's hash: %+v", eu.Evidence[1])
			}
		})
	}
}

func craNotice(t *testing.T, obl *obligation.Service, w *world) obligation.Obligation {
	t.Helper()
	os, err := obl.ForCase(context.Background(), w.p["compliance"], w.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range os {
		if o.Duty == obligation.CRAUserNoticeDuty {
			return o
		}
	}
	t.Fatalf("no %s on an exploited case under the CRA (EU-14-6)", obligation.CRAUserNoticeDuty)
	return obligation.Obligation{}
}

// TestAdvisoryTellsUsers: publishing a TLP:WHITE advisory meets the
// affected-user duty (cn.user_notice, CN-07-9; the pack lets a public
// advisory meet it), with the revision as evidence; a TLP:AMBER one
// reaches no users and leaves it open.
func TestAdvisoryTellsUsers(t *testing.T) {
	ctx := context.Background()
	for _, tlp := range []string{"", "AMBER"} {
		t.Run("TLP:"+cmpOr(tlp, "WHITE"), func(t *testing.T) {
			w := newWorld(t, storetest.SQLiteDSN(t))
			obl := obligation.NewService(w.db, w.cases, w.kr)
			w.cases.WithChangeHook(obl.Reconcile)
			w.svc.WithObligations(obl)
			yes := true
			if _, err := w.cases.SetFacts(ctx, w.p["triager"], w.c.ID, casework.FactsChange{UserAction: &yes}); err != nil {
				t.Fatal(err)
			}
			a := w.approved(t, w.c.ID)
			if tlp != "" {
				ct := a.Content
				ct.TLP = tlp
				if _, err := w.svc.Edit(ctx, w.p["author"], w.c.ID, ct); err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.Submit(ctx, w.p["author"], w.c.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := w.svc.Approve(ctx, w.p["approver"], w.c.ID); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := w.svc.Publish(ctx, w.p["approver"], w.c.ID, advisory.Text{}); err != nil {
				t.Fatalf("publish: %v", err)
			}
			os, err := obl.ForCase(ctx, w.p["compliance"], w.c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, o := range os {
				if o.Duty == obligation.UserNoticeDuty {
					got = string(o.Stored)
					for _, e := range o.Evidence {
						got += " " + string(e.Kind) + " " + e.Ref
					}
				}
			}
			want := string(obligation.StoredMet) + " advisory advisory:" + a.Ref + "/1"
			if tlp != "" {
				want = string(obligation.Open)
			}
			if got != want {
				t.Errorf("cn.user_notice after publishing: %q, want %q", got, want)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
