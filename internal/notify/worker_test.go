package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// clock is a settable clock shared by the store and the worker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeSender records what it is given and answers with fail (nil: sent).
type fakeSender struct {
	mu   sync.Mutex
	got  []notify.Message
	fail func(n int, m notify.Message) error // n counts calls from 1
}

func (f *fakeSender) Send(_ context.Context, m notify.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, m)
	if f.fail == nil {
		return nil
	}
	return f.fail(len(f.got), m)
}

func (f *fakeSender) sent() []notify.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]notify.Message(nil), f.got...)
}

// rig is a real store (SQLite, or each dialect under forEachDialect) with
// an organisation, the keyring, the service and a worker on a fake clock.
type rig struct {
	d      storetest.Database
	kr     *keyring.Keyring
	clk    *clock
	svc    *notify.Service
	sender *fakeSender
	w      *notify.Worker
	org    int64
	logs   *bytes.Buffer
}

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

func newRig(t *testing.T, dsn string, opt notify.WorkerOptions) *rig {
	t.Helper()
	ctx := context.Background()
	r := &rig{clk: &clock{t: t0}, sender: &fakeSender{}, logs: &bytes.Buffer{}}
	r.d = storetest.Open(t, dsn, store.Options{Now: r.clk.Now})
	var err error
	if r.kr, err = keyring.Open(ctx, keyring.NewKey(), r.d.DB); err != nil {
		t.Fatal(err)
	}
	err = r.d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		r.org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme", Country: "CN", CreatedAt: t0})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	opt.Now = r.clk.Now
	opt.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: r.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if r.w, err = notify.NewWorker(r.d.DB, r.kr, r.sender, opt); err != nil {
		t.Fatal(err)
	}
	r.svc = notify.NewService(r.d.DB, r.kr, r.w.Wake)
	return r
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// forEachDialect runs fn on SQLite, and on PostgreSQL when configured.
func forEachDialect(t *testing.T, fn func(t *testing.T, dsn func(testing.TB) string)) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) { fn(t, dsn) })
	}
}

func (r *rig) mustEnqueue(t testing.TB, m notify.Message) int64 {
	t.Helper()
	id, err := r.svc.Enqueue(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (r *rig) runOnce(t testing.TB) int {
	t.Helper()
	n, err := r.w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// row returns outbox row id as the store has it.
func (r *rig) row(t testing.TB, id int64) notify.Row {
	t.Helper()
	var row notify.Row
	err := r.d.DB.Transact(context.Background(), func(tx *store.Tx) (err error) { row, err = tx.OutboxByID(context.Background(), id); return err })
	if err != nil {
		t.Fatal(err)
	}
	return row
}

func webhookMessage(org int64, key string) notify.Message {
	return notify.Message{OrgID: org, Kind: notify.Webhook, DedupKey: key,
		Target: "https://hooks.example.com/embargo/tok-SECRET-1", Secret: "whsec-SECRET-2", Event: "case.published",
		Subject: "EMB-1", Text: "undisclosed: SQL injection in /login", Data: json.RawMessage(`{"case":"EMB-1"}`)}
}

func TestWorkerDeliversSealedMessage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn func(testing.TB) string) {
		r := newRig(t, dsn(t), notify.WorkerOptions{})
		m := webhookMessage(r.org, "case:EMB-1:published")
		id := r.mustEnqueue(t, m)
		var raw []byte
		if err := r.d.Raw.QueryRow(`SELECT payload FROM outbox WHERE id = $1`, id).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"undisclosed", "tok-SECRET-1", "whsec-SECRET-2"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("the stored payload shows %q in clear", secret)
			}
		}
		if n := r.runOnce(t); n != 1 {
			t.Fatalf("RunOnce claimed %d, want 1", n)
		}
		m.OutboxID = id // the worker names the row being delivered
		if diff := cmp.Diff([]notify.Message{m}, r.sender.sent()); diff != "" {
			t.Errorf("sent (-want +got):\n%s", diff)
		}
		got := r.row(t, id)
		if got.State != notify.Sent || !got.SentAt.Equal(t0) || got.Attempts != 1 || got.Target != "https://hooks.example.com/embargo/***" {
			t.Errorf("row after delivery: state %s, sent at %v, attempts %d, target %q", got.State, got.SentAt, got.Attempts, got.Target)
		}
		if n := r.runOnce(t); n != 0 {
			t.Errorf("a second RunOnce claimed %d, want 0", n)
		}
		r.checkLogsHideSecrets(t)
	})
}

// checkLogsHideSecrets fails when a log line shows a body, a secret or a
// token.
func (r *rig) checkLogsHideSecrets(t *testing.T) {
	t.Helper()
	logs := r.logs.String()
	if logs == "" {
		t.Error("the worker logged nothing")
	}
	for _, secret := range []string{"undisclosed", "SECRET"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs show %q:\n%s", secret, logs)
		}
	}
}

func TestWorkerBacksOffThenDeadLetters(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn func(testing.TB) string) {
		r := newRig(t, dsn(t), notify.WorkerOptions{MaxAttempts: 4})
		r.sender.fail = func(n int, _ notify.Message) error { return fmt.Errorf("HTTP 503 (try %d)", n) }
		id := r.mustEnqueue(t, webhookMessage(r.org, "k"))
		var waits []time.Duration
		for range 4 {
			if n := r.runOnce(t); n != 1 {
				t.Fatalf("RunOnce at %v claimed %d, want 1", r.clk.Now(), n)
			}
			row := r.row(t, id)
			if row.State == notify.Dead {
				break
			}
			wait := row.NextAttemptAt.Sub(r.clk.Now())
			waits = append(waits, wait)
			r.clk.Add(wait - time.Second)
			if n := r.runOnce(t); n != 0 {
				t.Fatalf("claimed a second before its next attempt")
			}
			r.clk.Add(time.Second)
		}
		if diff := cmp.Diff([]time.Duration{30 * time.Second, time.Minute, 2 * time.Minute}, waits); diff != "" {
			t.Errorf("waits between attempts (-want +got):\n%s", diff)
		}
		row := r.row(t, id)
		if row.State != notify.Dead || row.Attempts != 4 || row.LastError != "HTTP 503 (try 4)" {
			t.Errorf("after 4 failures: state %s, attempts %d, last error %q", row.State, row.Attempts, row.LastError)
		}
		r.clk.Add(24 * time.Hour)
		if n := r.runOnce(t); n != 0 || len(r.sender.sent()) != 4 {
			t.Errorf("a dead message was claimed again (%d) or sent more than 4 times (%d)", n, len(r.sender.sent()))
		}
		r.checkLogsHideSecrets(t)
	})
}

func TestWorkerFailureOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantDead bool
		wantWait time.Duration
	}{
		{"permanent", notify.Permanent(errors.New("HTTP 410")), true, 0},
		{"retry after beyond the backoff", notify.Temporary(errors.New("HTTP 429"), 10*time.Minute), false, 10 * time.Minute},
		{"retry after within the backoff", notify.Temporary(errors.New("HTTP 429"), time.Second), false, 30 * time.Second},
		{"retry after beyond the cap", notify.Temporary(errors.New("HTTP 429"), 24*time.Hour), false, 6 * time.Hour},
		{"plain error is temporary", errors.New("connection reset"), false, 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, storetest.SQLiteDSN(t), notify.WorkerOptions{})
			r.sender.fail = func(int, notify.Message) error { return tc.err }
			id := r.mustEnqueue(t, webhookMessage(r.org, "k"))
			r.runOnce(t)
			row := r.row(t, id)
			if (row.State == notify.Dead) != tc.wantDead {
				t.Errorf("state %s, want dead %v", row.State, tc.wantDead)
			}
			if !tc.wantDead && row.NextAttemptAt.Sub(t0) != tc.wantWait {
				t.Errorf("next attempt after %v, want %v", row.NextAttemptAt.Sub(t0), tc.wantWait)
			}
		})
	}
}

// TestWorkerResendsAfterCrash claims messages for workers that then die:
// once the lease ends, a live worker sends them (at least once), except a
// message whose workers died on it more often than it has attempts.
func TestWorkerResendsAfterCrash(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn func(testing.TB) string) {
		const lease = 5 * time.Minute
		r := newRig(t, dsn(t), notify.WorkerOptions{Lease: lease, MaxAttempts: 3})
		crash := func() {
			t.Helper()
			if _, err := r.d.DB.ClaimOutbox(context.Background(), "crashed", r.clk.Now(), 10, lease); err != nil {
				t.Fatal(err)
			}
			if n := r.runOnce(t); n != 0 {
				t.Fatalf("a live worker claimed %d messages under a crashed worker's lease", n)
			}
			r.clk.Add(lease)
		}
		poison := r.mustEnqueue(t, webhookMessage(r.org, "poison"))
		crash()
		crash()
		id := r.mustEnqueue(t, webhookMessage(r.org, "k"))
		crash()
		if n := r.runOnce(t); n != 2 {
			t.Fatalf("RunOnce after the leases ended claimed %d, want 2", n)
		}
		sent := r.sender.sent()
		if len(sent) != 1 || sent[0].DedupKey != "k" {
			t.Errorf("sent %d messages, want only k: the poison message has no attempt left", len(sent))
		}
		if got := r.row(t, id); got.State != notify.Sent || got.Attempts != 2 {
			t.Errorf("k: state %s after %d attempts, want sent after 2", got.State, got.Attempts)
		}
		if got := r.row(t, poison); got.State != notify.Dead || !strings.Contains(got.LastError, "no attempt left") {
			t.Errorf("poison: state %s, last error %q; want dead, no attempt left", got.State, got.LastError)
		}
	})
}
