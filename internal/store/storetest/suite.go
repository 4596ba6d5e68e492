package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/store"
	"github.com/google/go-cmp/cmp"
)

// Run runs the conformance suite against databases made by newDSN (which
// returns the DSN of a fresh, empty database for each test).
func Run(t *testing.T, newDSN func(testing.TB) string) {
	tests := []struct {
		name string
		fn   func(*testing.T, Database)
	}{
		{"Migrations", testMigrations},
		{"Instance", testInstance},
		{"TransactRollsBack", testTransactRollsBack},
		{"AuditRoundTrip", testAuditRoundTrip},
		{"AuditTamperOneByte", testAuditTamperOneByte},
		{"AuditDeletedEvents", testAuditDeletedEvents},
		{"AuditConcurrentWriters", testAuditConcurrentWriters},
		{"AuditBatchedWriters", testAuditBatchedWriters},
		{"DataKeys", testDataKeys},
		{"Identity", testIdentity},
		{"SSOAndRecovery", testSSOAndRecovery},
		{"SearchAudit", testSearchAudit},
		{"OpenPGPKeys", testOpenPGPKeys},
		{"Outbox", testOutbox},
		{"Products", testProducts},
		{"Exposure", testExposure},
		{"Remediation", testRemediation},
		{"Notices", testNotices},
		{"Advisories", testAdvisories},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, Open(t, newDSN(t), store.Options{}))
		})
	}
}

func testMigrations(t *testing.T, d Database) {
	ctx := context.Background()
	again, err := d.DB.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate = %d applied, %v; want 0, nil", len(again), err)
	}
	status, err := d.DB.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range status {
		if m.AppliedAt.IsZero() {
			t.Errorf("migration %04d_%s not applied", m.Version, m.Name)
		}
	}
}

func testInstance(t *testing.T, d Database) {
	ctx := context.Background()
	if _, err := d.DB.Instance(ctx); !errs.Is(err, errs.NotFound) {
		t.Fatalf("Instance before creation: err = %v, want NotFound", err)
	}
	want := store.Instance{
		CreatedAt:           time.Date(2026, 2, 28, 23, 59, 59, 123456000, time.UTC),
		SetupTokenHash:      "abc",
		SetupTokenExpiresAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.CreateInstance(ctx, want) })
	err := d.DB.Transact(ctx, func(tx *store.Tx) error { return tx.CreateInstance(ctx, want) })
	if !errs.Is(err, errs.Conflict) || !store.IsConstraint(err, store.Unique) {
		t.Errorf("second CreateInstance: err = %v, want Conflict from a unique violation", err)
	}
	got, err := d.DB.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Instance (-want +got):\n%s", diff)
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error { return tx.SetSetupToken(ctx, "", time.Time{}) })
	got, _ = d.DB.Instance(ctx)
	if got.SetupTokenHash != "" || !got.SetupTokenExpiresAt.IsZero() {
		t.Errorf("after clearing, setup token = %q, %v", got.SetupTokenHash, got.SetupTokenExpiresAt)
	}
}

func testTransactRollsBack(t *testing.T, d Database) {
	ctx := context.Background()
	boom := fmt.Errorf("boom")
	err := d.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.AppendAudit(ctx, event("x.y", "")); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Transact = %v, want the function's own error", err)
	}
	head, err := d.DB.AuditHead(ctx, audit.Main)
	if err != nil {
		t.Fatal(err)
	}
	if head.Last.Seq != 0 {
		t.Errorf("head after rollback = %d, want 0", head.Last.Seq)
	}
}

func testAuditRoundTrip(t *testing.T, d Database) {
	ctx := context.Background()
	var want []audit.Event
	for i := range 5 {
		e := event(fmt.Sprintf("test.step%d", i), fmt.Sprintf(`{"n":%d,"text":"漏洞 <b>&"}`, i))
		e.At = time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.UTC) // truncated to µs
		sealed, err := d.DB.AppendAudit(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, sealed)
	}
	got, err := d.DB.AuditEvents(ctx, audit.Main, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events read back (-want +got):\n%s", diff)
	}
	if got[0].At.Nanosecond() != 999999000 {
		t.Errorf("At = %v, want microsecond precision kept", got[0].At)
	}
	mustVerify(t, d.DB, audit.Main, 0)
}

// tamperings edit one stored byte (or field) of event 3 in place.
var tamperings = []struct{ name, sql string }{
	{"details", `UPDATE audit_events SET details = replace(details, '"n":2', '"n":3') WHERE seq = 3`},
	{"actor", `UPDATE audit_events SET actor = 'user:2' WHERE seq = 3`},
	{"action", `UPDATE audit_events SET action = 'test.stex2' WHERE seq = 3`},
	{"time", `UPDATE audit_events SET at = $1 WHERE seq = 3`},
	{"organisation", `UPDATE audit_events SET org_id = 9 WHERE seq = 3`},
	{"hash", `UPDATE audit_events SET hash = CASE WHEN substr(hash, 1, 1) = 'f' THEN 'e' ELSE 'f' END || substr(hash, 2) WHERE seq = 3`},
}

func testAuditTamperOneByte(t *testing.T, d Database) {
	ctx := context.Background()
	for _, tc := range tamperings {
		t.Run(tc.name, func(t *testing.T) {
			db := Open(t, freshLike(t, d), store.Options{})
			appendN(t, db.DB, 5)
			args := []any{}
			if tc.name == "time" {
				args = append(args, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
			}
			res, err := db.Raw.ExecContext(ctx, tc.sql, args...)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("the tampering changed %d rows, want 1", n)
			}
			mustBreakAt(t, db.DB, 3)
		})
	}
}

func testAuditDeletedEvents(t *testing.T, d Database) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		delete int64
	}{{"first", 1}, {"middle", 3}, {"last", 5}} {
		t.Run(tc.name, func(t *testing.T) {
			db := Open(t, freshLike(t, d), store.Options{})
			appendN(t, db.DB, 5)
			if _, err := db.Raw.ExecContext(ctx, `DELETE FROM audit_events WHERE seq = $1`, tc.delete); err != nil {
				t.Fatal(err)
			}
			mustBreakAt(t, db.DB, tc.delete)
		})
	}
}

func testAuditConcurrentWriters(t *testing.T, d Database) {
	ctx := context.Background()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	errc := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := d.DB.AppendAudit(ctx, event(fmt.Sprintf("w%d.e%d", w, i), "")); err != nil {
					errc <- err
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("concurrent append: %v", err)
	}
	mustVerify(t, d.DB, audit.Main, writers*each)
}

// testAuditBatchedWriters appends many events per transaction to both
// streams from concurrent writers, as the intake's group commit does, with
// every third transaction rolled back: the heads a transaction advanced
// are written at commit, and must end where the chains end.
func testAuditBatchedWriters(t *testing.T, d Database) {
	ctx := context.Background()
	const writers, txs, each = 4, 6, 10
	boom := fmt.Errorf("boom")
	var wg sync.WaitGroup
	errc := make(chan error, writers*txs)
	for w := range writers {
		wg.Go(func() {
			for i := range txs {
				err := d.DB.Transact(ctx, func(tx *store.Tx) error {
					for j := range each {
						e := event(fmt.Sprintf("w%d.t%d.e%d", w, i, j), "")
						if j%2 == 1 {
							e.Stream = audit.Receipts
						}
						if _, err := tx.AppendAudit(ctx, e); err != nil {
							return err
						}
					}
					if i%3 == 2 {
						return boom
					}
					return nil
				})
				if err != nil && err != boom {
					errc <- err
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("batched append: %v", err)
	}
	const committed = writers * (txs - txs/3) * each / 2 // per stream
	for _, s := range []audit.Stream{audit.Main, audit.Receipts} {
		mustVerify(t, d.DB, s, committed)
		if h, err := d.DB.AuditHead(ctx, s); err != nil || h.Last.Seq != committed {
			t.Errorf("%s head = %d, %v; want %d", s, h.Last.Seq, err, committed)
		}
	}
}

func testDataKeys(t *testing.T, d Database) {
	ctx := context.Background()
	var ids []int64
	for _, w := range [][]byte{{1, 2, 3}, {4, 5, 6}} {
		var id int64
		mustTransact(t, d.DB, func(tx *store.Tx) (err error) {
			id, err = tx.CreateDataKey(ctx, "kek1", w)
			return err
		})
		ids = append(ids, id)
	}
	keys, err := d.DB.DataKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := []keyring.WrappedKey{}
	for _, k := range keys {
		k.CreatedAt = time.Time{}
		got = append(got, k)
	}
	want := []keyring.WrappedKey{
		{ID: ids[0], KEKID: "kek1", Wrapped: []byte{1, 2, 3}, Active: false},
		{ID: ids[1], KEKID: "kek1", Wrapped: []byte{4, 5, 6}, Active: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DataKeys (-want +got):\n%s", diff)
	}
	mustTransact(t, d.DB, func(tx *store.Tx) error {
		return tx.RewrapDataKeys(ctx, map[int64][]byte{ids[0]: {7}, ids[1]: {8}}, "kek2")
	})
	keys, _ = d.DB.DataKeys(ctx)
	if keys[0].KEKID != "kek2" || string(keys[1].Wrapped) != "\x08" {
		t.Errorf("after rewrap: %+v", keys)
	}
}

// freshLike returns a new empty database of the same dialect as d.
func freshLike(t testing.TB, d Database) string {
	if store.IsPostgresURL(d.DSN) {
		return PostgresDSN(t)
	}
	return SQLiteDSN(t)
}

func event(action, details string) audit.Event {
	if details == "" {
		details = "{}"
	}
	c, err := audit.CanonicalJSON(rawJSON(details))
	if err != nil {
		panic(err)
	}
	return audit.Event{Stream: audit.Main, Actor: "user:1", Action: action, Subject: "case:1", RequestID: "req", Details: c}
}

type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func appendN(t testing.TB, db *store.DB, n int) {
	t.Helper()
	for i := range n {
		if _, err := db.AppendAudit(context.Background(), event(fmt.Sprintf("test.step%d", i), fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	mustVerify(t, db, audit.Main, int64(n))
}

func mustVerify(t testing.TB, db *store.DB, s audit.Stream, wantEvents int64) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Intact() || (wantEvents > 0 && rep.Events != wantEvents) {
		t.Fatalf("Verify = %d events, break %v; want %d events, intact", rep.Events, rep.Break, wantEvents)
	}
}

func mustBreakAt(t testing.TB, db *store.DB, seq int64) {
	t.Helper()
	rep, err := audit.Verify(context.Background(), db, audit.Main, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Break == nil || rep.Break.Seq != seq {
		t.Fatalf("Verify break = %v, want a break at event %d", rep.Break, seq)
	}
}

func mustTransact(t testing.TB, db *store.DB, fn func(*store.Tx) error) {
	t.Helper()
	if err := db.Transact(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// testSearchAudit checks the viewer's filters.
func testSearchAudit(t *testing.T, d Database) {
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for i, e := range []struct {
		org                    int64
		actor, action, subject string
	}{
		{1, "user:1", "case.read", "case:EMB-1"},
		{1, "user:2", "case.read", "case:EMB-2"},
		{2, "user:3", "case.read", "case:EMB-3"},
		{1, "user:1", "user.set_password", "user:2"},
		{1, "user:1", "usersXset_password", "user:2"}, // matches "user.set_password" only if _ were a wildcard
	} {
		ev := event(e.action, "")
		ev.OrgID, ev.Actor, ev.Subject, ev.At = e.org, e.actor, e.subject, at.Add(time.Duration(i)*time.Hour)
		if _, err := d.DB.AppendAudit(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(f audit.Filter) []int64 {
		f.Stream, f.Limit = audit.Main, 100
		events, err := d.DB.SearchAudit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []int64{}
		for _, e := range events {
			out = append(out, e.Seq)
		}
		return out
	}
	tests := []struct {
		name string
		f    audit.Filter
		want []int64
	}{
		{"all, newest first", audit.Filter{}, []int64{5, 4, 3, 2, 1}},
		{"one organisation", audit.Filter{OrgID: 2}, []int64{3}},
		{"actor", audit.Filter{OrgID: 1, Actor: "user:1"}, []int64{5, 4, 1}},
		{"action prefix", audit.Filter{Action: "case."}, []int64{3, 2, 1}},
		{"underscore is literal", audit.Filter{Action: "user.set_"}, []int64{4}},
		{"subject", audit.Filter{Subject: "case:EMB-2"}, []int64{2}},
		{"time window", audit.Filter{From: at.Add(time.Hour), To: at.Add(3 * time.Hour)}, []int64{3, 2}},
		{"page before", audit.Filter{Before: 3}, []int64{2, 1}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, seqs(tc.f)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	got, _ := d.DB.AuditEvents(ctx, audit.Main, 0, 10)
	if got[2].OrgID != 2 {
		t.Errorf("event 3 read back with organisation %d, want 2", got[2].OrgID)
	}
	mustVerify(t, d.DB, audit.Main, 5)
}
