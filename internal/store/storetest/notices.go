package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
)

var noticeT0 = time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)

// testRemediation covers fixes per affected version and customers with
// their contacts and the versions they run.
func testRemediation(t *testing.T, d Database) {
	ctx := context.Background()
	org := mustOrg(t, d.DB, "Acme")
	caseID := mustCase(t, d.DB, org)
	want := remediation.Fix{CaseID: caseID, Version: remediation.Version{Product: "Router", Model: "R1", Version: "1.0", Line: "1.x"},
		Status: remediation.Fixed, FixedVersion: "1.2", Patch: "KB-1", AvailableAt: noticeT0, UpdatedAt: noticeT0, UpdatedBy: "user:1"}
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
		want.ID, err = tx.PutFix(ctx, org, want)
		return err
	})
	want.Status, want.FixedVersion, want.AvailableAt = remediation.Mitigated, "", time.Time{}
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		id, err := tx.PutFix(ctx, org, want)
		if err == nil && id != want.ID {
			t.Errorf("PutFix again = ID %d, want the same row %d", id, want.ID)
		}
		return err
	})
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		got, err := tx.CaseFixes(ctx, caseID)
		if diff := cmp.Diff([]remediation.Fix{want}, got); diff != "" {
			t.Errorf("CaseFixes (-want +got):\n%s", diff)
		}
		return err
	})

	p := mustProductTree(t, d.DB, org, noticeT0)
	run := product.Run{Product: p.Name, Model: p.Models[0].Name, Version: p.Models[0].Versions[0].Version}
	c := product.Customer{Party: product.Party{Name: "甲客户", Country: "CN", Email: "ops@jia.example.cn"}, Kind: product.DownstreamVendor,
		Language: "en", WebhookURL: "https://hooks.example.cn/x", RobotKind: notify.WeCom,
		RobotURL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", Runs: []product.Run{run}}
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
		if c.ID, err = tx.PutCustomerContacts(ctx, org, c); err != nil {
			return err
		}
		return tx.SetCustomerVersions(ctx, org, c.ID, []int64{p.Models[0].Versions[0].ID})
	})
	got, err := d.DB.Customers(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	i := -1
	for j, g := range got {
		if g.Name == c.Name {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("Customers = %+v, want %q among them", got, c.Name)
	}
	if diff := cmp.Diff(c, got[i]); diff != "" {
		t.Errorf("Customers (-want +got):\n%s", diff)
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.DeleteCustomer(ctx, org, c.ID) })
	err = d.DB.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteCustomer(ctx, org, c.ID) })
	if !errs.Is(err, errs.NotFound) {
		t.Errorf("deleting a deleted customer: %v, want NotFound", err)
	}
}

// testNotices covers campaigns, recipients whose state is their outbox
// row's, progress, requeueing and subscriptions.
func testNotices(t *testing.T, d Database) {
	ctx := context.Background()
	org := mustOrg(t, d.DB, "Acme")
	caseID := mustCase(t, d.DB, org)
	cp := notice.Campaign{OrgID: org, CaseID: caseID, State: notice.Draft, CreatedBy: "user:1", CreatedAt: noticeT0}
	var rs []notice.Recipient
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
		if cp.ID, err = tx.CreateCampaign(ctx, cp, func(id int64) ([]byte, error) { return []byte{byte(id)}, nil }); err != nil {
			return err
		}
		for i, name := range []string{"A", "B", "C"} {
			r := notice.Recipient{CampaignID: cp.ID, PartyID: int64(i + 1), Name: name, Kind: "customer", Country: "CN",
				Language: "zh-CN", Channel: notify.Email, Target: "a***@x.cn", Versions: []string{"P M 1.0", "P M 1.1"}}
			if r.ID, err = tx.AddRecipient(ctx, r); err != nil {
				return err
			}
			rs = append(rs, r)
		}
		return nil
	})
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		got, sealed, err := tx.CampaignByID(ctx, cp.ID)
		if diff := cmp.Diff(cp, got); diff != "" || len(sealed) != 1 {
			t.Errorf("CampaignByID (-want +got):\n%s (content %v)", diff, sealed)
		}
		return err
	})
	// Queue A (then sent) and B (then dead); C stays unqueued.
	due := func(key string) notify.Row { r := outboxRow(org, key); r.NextAttemptAt = noticeT0; return r }
	sent, dead := mustEnqueue(t, d.DB, due("notice:1:a")), mustEnqueue(t, d.DB, due("notice:1:b"))
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		for i, id := range []int64{sent, dead} {
			r := rs[i]
			r.OutboxID, r.Attempt, r.Detail, r.GateWhy = id, 1, "full", "domestic"
			if err := tx.QueueRecipient(ctx, r, "hash-"+r.Name); err != nil {
				return err
			}
		}
		return nil
	})
	claimed := mustClaim(t, d.DB, "w", noticeT0.Add(time.Hour), 10, time.Minute)
	for _, r := range claimed {
		var err error
		if r.ID == sent {
			err = d.DB.MarkOutboxSent(ctx, r, noticeT0.Add(time.Hour))
		} else {
			err = d.DB.MarkOutboxFailed(ctx, r, notify.Failure{Error: "550 no such user", Dead: true, At: noticeT0.Add(time.Hour)})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		got, err := tx.CampaignRecipients(ctx, cp.ID)
		if err != nil {
			return err
		}
		var states []notice.RecipientState
		for _, r := range got {
			states = append(states, r.State())
		}
		if diff := cmp.Diff([]notice.RecipientState{notice.Sent, notice.Bounced, notice.Queued}, states); diff != "" {
			t.Errorf("recipient states (-want +got):\n%s", diff)
		}
		if got[0].Versions[1] != "P M 1.1" || got[1].LastError != "550 no such user" || !got[0].SentAt.Equal(noticeT0.Add(time.Hour)) {
			t.Errorf("recipients: %+v", got)
		}
		pr, err := tx.CampaignProgress(ctx, cp.ID)
		if diff := cmp.Diff(notice.Progress{Queued: 1, Reached: 1, NotReached: 1, LastAt: noticeT0.Add(time.Hour)}, pr); diff != "" {
			t.Errorf("progress (-want +got):\n%s", diff)
		}
		if un, _ := tx.UnqueuedRecipients(ctx, cp.ID, 10); len(un) != 1 || un[0].Name != "C" {
			t.Errorf("unqueued: %+v", un)
		}
		if r, err := tx.RecipientByToken(ctx, "hash-A"); err != nil || r.Name != "A" {
			t.Errorf("by token: %+v, %v", r, err)
		}
		if n, err := tx.RequeueRecipients(ctx, cp.ID); err != nil || n != 1 {
			t.Errorf("requeue: %d, %v; want 1", n, err)
		}
		return err
	})
	testSubscriptionRows(t, d, org)
}

func testSubscriptionRows(t *testing.T, d Database, org int64) {
	ctx := context.Background()
	p := mustProductTree(t, d.DB, org, noticeT0)
	sub := notice.Subscription{OrgID: org, ProductID: p.ID, Product: p.Name, Email: "fan@example.cn", Language: "en", State: "pending",
		CreatedAt: noticeT0}
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		id, made, err := tx.PutSubscription(ctx, sub, "c1", "u1")
		if err != nil || !made {
			return err
		}
		if again, made, err := tx.PutSubscription(ctx, sub, "c2", "u2"); err != nil || made || again != id {
			t.Errorf("second PutSubscription = %d, %v, %v; want %d, false", again, made, err, id)
		}
		sub.ID = id
		return tx.SetSubscriptionState(ctx, id, "active", noticeT0)
	})
	sub.State, sub.ConfirmedAt = "active", noticeT0
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		got, err := tx.ActiveSubscriptions(ctx, org, []string{p.Name, "Other"})
		if diff := cmp.Diff([]notice.Subscription{sub}, got); diff != "" {
			t.Errorf("ActiveSubscriptions (-want +got):\n%s", diff)
		}
		if s, err := tx.SubscriptionByHash(ctx, "u1", true); err != nil || s.ID != sub.ID {
			t.Errorf("by unsubscribe hash: %+v, %v", s, err)
		}
		if _, err := tx.SubscriptionByHash(ctx, "u1", false); !errs.Is(err, errs.NotFound) {
			t.Errorf("an unsubscribe hash as a confirm hash: %v", err)
		}
		return err
	})
}

func mustCase(t testing.TB, db *store.DB, org int64) int64 {
	t.Helper()
	var id int64
	mustTransact(t, db, func(tx *store.Tx) (err error) {
		id, err = tx.CreateCase(context.Background(), casework.Case{OrgID: org, Ref: "EMB-T-1", Title: "t", Status: casework.Received,
			CreatedAt: noticeT0, Kind: casework.ProviderCase, T0: noticeT0, T0Source: "internal"})
		return err
	})
	return id
}
