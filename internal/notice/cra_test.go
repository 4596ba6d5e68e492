package notice_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// TestCRAUserNotice is EU-14-6 (CRA Art. 14(8)) from the notice side: on
// an exploited case under the CRA, the delivered campaign meets the
// affected-user duty of CN-07-9 but only counts toward eu.user_notice,
// which waits for the published advisory (its CSAF document); the
// publication then meets it with both records as its evidence.
func TestCRAUserNotice(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			eng, tri := w.p["engineer"], w.p["triager"]
			if err := w.obl.SetSettings(ctx, w.p["compliance"], obligation.OrgSettings{
				Regimes: map[obligation.Regime]bool{obligation.EUCRA: true}}); err != nil {
				t.Fatal(err)
			}
			c := w.confirmedCase(t)
			at := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
			if _, err := w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{ExploitedAt: &at, ExploitedEvidence: "蜜罐捕获"}); err != nil {
				t.Fatal(err)
			}
			for _, line := range []string{"1.x", "2.x"} {
				if _, err := w.rem.Put(ctx, eng, c.ID, remediation.Fix{Version: remediation.Version{Line: line}, Status: remediation.Fixed,
					FixedVersion: strings.Replace(line, "x", "9", 1), AvailableAt: at}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := w.cases.Transition(ctx, tri, c.ID, casework.Move{To: casework.Fixed}); err != nil {
				t.Fatal(err)
			}
			if err := w.products.PutCustomers(ctx, eng, customers(w.hooks.URL)); err != nil {
				t.Fatal(err)
			}
			cp, err := w.notices.Compose(ctx, eng, c.ID, notice.Content{MessageZH: "该漏洞已被在野利用，请立即升级。",
				MessageEN: "This vulnerability is exploited in the wild; upgrade now."})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.notices.Send(ctx, eng, c.ID, cp.ID); err != nil {
				t.Fatal(err)
			}
			w.drain(t)
			if cp = w.campaign(t, c.ID, cp.ID); cp.State != notice.Delivered {
				t.Fatalf("campaign %s, want delivered", cp.State)
			}
			if un := w.duty(t, c.ID, obligation.UserNoticeDuty); un.Stored != obligation.StoredMet {
				t.Errorf("cn.user_notice after delivery: %s, want met (CN-07-9)", un.Stored)
			}
			eu := w.duty(t, c.ID, obligation.CRAUserNoticeDuty)
			ref := "campaign:" + itoa(cp.ID)
			if diff := cmp.Diff([]string{"notice " + ref}, kindRefs(eu)); eu.Stored != obligation.Open || diff != "" {
				t.Fatalf("eu.user_notice after the campaign alone: %s, evidence (-want +got):\n%s", eu.Stored, diff)
			}

			// The advisory's publication, in its own transaction, meets it.
			err = w.d.DB.TransactNotices(ctx, func(tx notice.Tx) error {
				return w.obl.AdvisoryPublished(ctx, tx, c.ID, obligation.Evidence{Ref: "advisory:" + c.Ref + "-SA/1",
					At: time.Now().UTC(), SHA256: strings.Repeat("c", 64), Note: "advisory published"})
			})
			if err != nil {
				t.Fatal(err)
			}
			eu = w.duty(t, c.ID, obligation.CRAUserNoticeDuty)
			if diff := cmp.Diff([]string{"notice " + ref, "advisory advisory:" + c.Ref + "-SA/1"}, kindRefs(eu)); eu.Stored != obligation.StoredMet || diff != "" {
				t.Fatalf("eu.user_notice after the advisory: %s, evidence (-want +got):\n%s", eu.Stored, diff)
			}
		})
	}
}

func kindRefs(o obligation.Obligation) []string {
	var out []string
	for _, e := range o.Evidence {
		out = append(out, string(e.Kind)+" "+e.Ref)
	}
	return out
}
