package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
)

// outboxT0 is the clock of the outbox tests' databases.
var outboxT0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// testOutbox checks the outbox: idempotent enqueue inside the caller's
// transaction, claims as leases (expired leases are claimed again, which
// is what makes delivery at-least-once across crashes), settling only
// under the claim that holds, retry of dead rows, the delivery list, and
// concurrent claimers that never share a row.
func testOutbox(t *testing.T, d Database) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Database)
	}{
		{"Enqueue", testOutboxEnqueue},
		{"ClaimAndSettle", testOutboxClaimAndSettle},
		{"FailAndRetry", testOutboxFailAndRetry},
		{"List", testOutboxList},
		{"SettleBatch", testOutboxSettleBatch},
		{"ConcurrentClaims", testOutboxConcurrentClaims},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, Open(t, freshLike(t, d), store.Options{Now: func() time.Time { return outboxT0 }}))
		})
	}
}

func outboxRow(org int64, key string) notify.Row {
	return notify.Row{OrgID: org, Kind: notify.Webhook, DedupKey: key, Target: "https://hooks.example.com/***",
		Payload: []byte("sealed:" + key)}
}

func mustEnqueue(t testing.TB, db *store.DB, r notify.Row) int64 {
	t.Helper()
	var id int64
	mustTransact(t, db, func(tx *store.Tx) (err error) {
		id, _, err = tx.EnqueueOutbox(context.Background(), r)
		return err
	})
	return id
}

func mustOrg(t testing.TB, db *store.DB, name string) int64 {
	t.Helper()
	var id int64
	mustTransact(t, db, func(tx *store.Tx) (err error) {
		id, err = tx.CreateOrganisation(context.Background(), identity.Organisation{Name: name, Country: "CN", CreatedAt: outboxT0})
		return err
	})
	return id
}

func testOutboxEnqueue(t *testing.T, d Database) {
	ctx := context.Background()
	org := mustOrg(t, d.DB, "Acme")
	first := outboxRow(org, "case:EMB-1:notice:1")
	id := mustEnqueue(t, d.DB, first)
	again := outboxRow(0, first.DedupKey)
	again.Payload = []byte("other")
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		id2, created, err := tx.EnqueueOutbox(ctx, again)
		if err != nil || created || id2 != id {
			t.Errorf("enqueue of an existing key = %d, %v, %v; want %d, false, nil", id2, created, err, id)
		}
		return nil
	})
	boom := fmt.Errorf("boom")
	err := d.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, _, err := tx.EnqueueOutbox(ctx, outboxRow(org, "rolled-back")); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Transact = %v, want boom", err)
	}
	got, err := d.DB.ListOutbox(ctx, notify.Filter{AnyOrg: true, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []notify.Row{{ID: id, OrgID: org, Kind: notify.Webhook, DedupKey: first.DedupKey, Target: first.Target,
		Payload: first.Payload, State: notify.Pending, NextAttemptAt: outboxT0, CreatedAt: outboxT0, UpdatedAt: outboxT0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outbox after a duplicate and a rollback (-want +got):\n%s", diff)
	}
}

func testOutboxClaimAndSettle(t *testing.T, d Database) {
	ctx := context.Background()
	lease := 5 * time.Minute
	a := mustEnqueue(t, d.DB, outboxRow(0, "a"))
	later := outboxRow(0, "later")
	later.NextAttemptAt = outboxT0.Add(time.Hour)
	mustEnqueue(t, d.DB, later)
	b := mustEnqueue(t, d.DB, outboxRow(0, "b"))

	got := mustClaim(t, d.DB, "w1", outboxT0, 10, lease)
	if diff := cmp.Diff([]int64{a, b}, ids(got)); diff != "" {
		t.Fatalf("first claim (-want +got):\n%s", diff)
	}
	r := got[0]
	if r.State != notify.Sending || r.Attempts != 1 || r.LockedBy != "w1" || !r.LeaseUntil.Equal(outboxT0.Add(lease)) {
		t.Errorf("claimed row = state %s, attempts %d, locked by %q until %v", r.State, r.Attempts, r.LockedBy, r.LeaseUntil)
	}
	if again := mustClaim(t, d.DB, "w2", outboxT0.Add(lease-time.Second), 10, lease); len(again) != 0 {
		t.Errorf("claim within the lease took %v, want nothing", ids(again))
	}
	// w1 dies; its lease ends; w2 takes both rows over (crash safety).
	takeover := outboxT0.Add(lease)
	got = mustClaim(t, d.DB, "w2", takeover, 10, lease)
	if diff := cmp.Diff([]int64{a, b}, ids(got)); diff != "" {
		t.Fatalf("claim after the lease ended (-want +got):\n%s", diff)
	}
	if got[0].Attempts != 2 || got[0].LockedBy != "w2" {
		t.Errorf("taken-over row: attempts %d, locked by %q; want 2, w2", got[0].Attempts, got[0].LockedBy)
	}
	if err := d.DB.MarkOutboxSent(ctx, r, takeover); !errs.Is(err, errs.Conflict) {
		t.Errorf("MarkOutboxSent under the lost claim: err = %v, want Conflict", err)
	}
	if err := d.DB.MarkOutboxSent(ctx, got[0], takeover); err != nil {
		t.Fatal(err)
	}
	if err := d.DB.MarkOutboxSent(ctx, got[0], takeover); !errs.Is(err, errs.Conflict) {
		t.Errorf("second MarkOutboxSent: err = %v, want Conflict", err)
	}
	sent := mustList(t, d.DB, notify.Filter{State: notify.Sent, Limit: 10})
	if len(sent) != 1 || sent[0].ID != a || !sent[0].SentAt.Equal(takeover) || !sent[0].LeaseUntil.IsZero() {
		t.Errorf("sent rows = %+v, want row %d sent at %v with no lease", sent, a, takeover)
	}
	far := mustClaim(t, d.DB, "w3", outboxT0.Add(2*time.Hour), 10, lease)
	if diff := cmp.Diff([]string{"b", "later"}, keys(far)); diff != "" {
		t.Errorf("claim much later, a sent (-want +got):\n%s", diff)
	}
}

func testOutboxFailAndRetry(t *testing.T, d Database) {
	ctx := context.Background()
	id := mustEnqueue(t, d.DB, outboxRow(0, "x"))
	r := mustClaim(t, d.DB, "w", outboxT0, 1, time.Minute)[0]
	next := outboxT0.Add(30 * time.Second)
	if err := d.DB.MarkOutboxFailed(ctx, r, notify.Failure{Error: "HTTP 503", NextAttemptAt: next, At: outboxT0}); err != nil {
		t.Fatal(err)
	}
	if got := mustClaim(t, d.DB, "w", next.Add(-time.Microsecond), 1, time.Minute); len(got) != 0 {
		t.Errorf("claimed before its next attempt: %v", ids(got))
	}
	r = mustClaim(t, d.DB, "w", next, 1, time.Minute)[0]
	if r.Attempts != 2 || r.LastError != "HTTP 503" {
		t.Errorf("second claim: attempts %d, last error %q", r.Attempts, r.LastError)
	}
	err := d.DB.Transact(ctx, func(tx *store.Tx) error { return tx.RetryOutbox(ctx, id) })
	if !errs.Is(err, errs.Conflict) {
		t.Errorf("RetryOutbox of a sending row: err = %v, want Conflict", err)
	}
	if err := d.DB.MarkOutboxFailed(ctx, r, notify.Failure{Error: "HTTP 410", Dead: true, NextAttemptAt: next, At: next}); err != nil {
		t.Fatal(err)
	}
	if got := mustClaim(t, d.DB, "w", next.Add(24*time.Hour), 1, time.Minute); len(got) != 0 {
		t.Errorf("claimed a dead row: %v", ids(got))
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.RetryOutbox(ctx, id) })
	var got notify.Row
	mustTransact(t, d.DB, func(tx *store.Tx) (err error) { got, err = tx.OutboxByID(ctx, id); return err })
	if got.State != notify.Pending || got.Attempts != 0 || !got.NextAttemptAt.Equal(outboxT0) || got.LastError != "HTTP 410" {
		t.Errorf("after retry: state %s, attempts %d, next %v, last error %q", got.State, got.Attempts, got.NextAttemptAt, got.LastError)
	}
	err = d.DB.Transact(ctx, func(tx *store.Tx) error { _, err := tx.OutboxByID(ctx, id+100); return err })
	if !errs.Is(err, errs.NotFound) {
		t.Errorf("OutboxByID of a missing row: err = %v, want NotFound", err)
	}
}

// testOutboxSettleBatch settles a batch in one call: a sent row, a failed
// one to retry, a dead one, and one whose claim another worker has taken
// over, which alone is refused (Conflict) while the others are recorded.
func testOutboxSettleBatch(t *testing.T, d Database) {
	ctx := context.Background()
	stale := mustEnqueue(t, d.DB, outboxRow(0, "stale"))
	for _, k := range []string{"sent", "retry", "dead"} {
		mustEnqueue(t, d.DB, outboxRow(0, k))
	}
	// w1 claims the first row for a minute and the others for an hour;
	// when the minute is over, w2 takes the first over.
	first := mustClaim(t, d.DB, "w1", outboxT0, 1, time.Minute)
	rest := mustClaim(t, d.DB, "w1", outboxT0, 10, time.Hour)
	if len(first) != 1 || first[0].ID != stale || len(rest) != 3 {
		t.Fatalf("claimed %v and %v", ids(first), ids(rest))
	}
	if again := mustClaim(t, d.DB, "w2", outboxT0.Add(time.Minute), 10, time.Hour); len(again) != 1 || again[0].ID != stale {
		t.Fatalf("w2 claimed %v, want the first row alone", ids(again))
	}
	rows := append(rest, first[0])
	next := outboxT0.Add(time.Hour)
	outs := []notify.Outcome{{Row: rows[0], SentAt: outboxT0},
		{Row: rows[1], Failure: &notify.Failure{Error: "HTTP 503", NextAttemptAt: next, At: outboxT0}},
		{Row: rows[2], Failure: &notify.Failure{Error: "550 no such user", Dead: true, At: outboxT0}},
		{Row: rows[3], SentAt: outboxT0}}
	rowErrs, err := d.DB.SettleOutbox(ctx, outs)
	if err != nil || len(rowErrs) != 4 {
		t.Fatalf("SettleOutbox = %v, %v", rowErrs, err)
	}
	for i, want := range []bool{false, false, false, true} {
		if got := errs.Is(rowErrs[i], errs.Conflict); got != want || (!want && rowErrs[i] != nil) {
			t.Errorf("row %d: err = %v, want a conflict: %v", i, rowErrs[i], want)
		}
	}
	got := map[string]notify.State{}
	for _, r := range mustList(t, d.DB, notify.Filter{Limit: 10}) {
		got[r.DedupKey] = r.State
	}
	want := map[string]notify.State{"sent": notify.Sent, "retry": notify.Pending, "dead": notify.Dead, "stale": notify.Sending}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("states after the batch (-want +got):\n%s", diff)
	}
}

func testOutboxList(t *testing.T, d Database) {
	acme, beta := mustOrg(t, d.DB, "Acme"), mustOrg(t, d.DB, "Beta")
	for _, r := range []notify.Row{outboxRow(acme, "1"), outboxRow(beta, "2"), outboxRow(0, "3"), outboxRow(acme, "4"), outboxRow(acme, "5")} {
		mustEnqueue(t, d.DB, r)
	}
	claimed := mustClaim(t, d.DB, "w", outboxT0, 1, time.Minute)
	if err := d.DB.MarkOutboxSent(context.Background(), claimed[0], outboxT0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		f    notify.Filter
		want []string
	}{
		{"one organisation, newest first", notify.Filter{OrgID: acme}, []string{"5", "4", "1"}},
		{"the instance's own", notify.Filter{}, []string{"3"}},
		{"every organisation", notify.Filter{AnyOrg: true}, []string{"5", "4", "3", "2", "1"}},
		{"state", notify.Filter{OrgID: acme, State: notify.Pending}, []string{"5", "4"}},
		{"page", notify.Filter{AnyOrg: true, Before: 4, Limit: 2}, []string{"3", "2"}},
	}
	for _, tc := range tests {
		if tc.f.Limit == 0 {
			tc.f.Limit = 10
		}
		if diff := cmp.Diff(tc.want, keys(mustList(t, d.DB, tc.f))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// testOutboxConcurrentClaims runs several claimers, each with its own
// database handle (as separate nodes have), until the outbox is empty; no
// row may be claimed twice while its lease holds.
func testOutboxConcurrentClaims(t *testing.T, d Database) {
	ctx := context.Background()
	const rows, workers = 60, 4
	for i := range rows {
		mustEnqueue(t, d.DB, outboxRow(0, fmt.Sprintf("k%02d", i)))
	}
	var mu sync.Mutex
	claims := map[int64][]string{}
	var wg sync.WaitGroup
	for w := range workers {
		node := Open(t, d.DSN, store.Options{Now: func() time.Time { return outboxT0 }})
		name := fmt.Sprintf("node%d", w)
		wg.Go(func() {
			for {
				got, err := node.DB.ClaimOutbox(ctx, name, outboxT0, 3, time.Hour)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, r := range got {
					claims[r.ID] = append(claims[r.ID], name)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claims) != rows {
		t.Errorf("%d rows claimed, want %d", len(claims), rows)
	}
	for id, by := range claims {
		if len(by) != 1 {
			t.Errorf("row %d claimed %d times within its lease, by %v", id, len(by), by)
		}
	}
}

func mustClaim(t testing.TB, db *store.DB, worker string, now time.Time, limit int, lease time.Duration) []notify.Row {
	t.Helper()
	got, err := db.ClaimOutbox(context.Background(), worker, now, limit, lease)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func mustList(t testing.TB, db *store.DB, f notify.Filter) []notify.Row {
	t.Helper()
	got, err := db.ListOutbox(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func ids(rows []notify.Row) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func keys(rows []notify.Row) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, r.DedupKey)
	}
	return out
}
