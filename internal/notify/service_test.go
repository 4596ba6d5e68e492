package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

func TestEnqueueIsIdempotent(t *testing.T) {
	r := newRig(t, storetest.SQLiteDSN(t), notify.WorkerOptions{})
	m := webhookMessage(r.org, "case:EMB-1:published")
	id := r.mustEnqueue(t, m)
	m.Text = "a later, different text"
	if again := r.mustEnqueue(t, m); again != id {
		t.Errorf("second Enqueue = %d, want the first message's %d", again, id)
	}
	r.runOnce(t)
	sent := r.sender.sent()
	if len(sent) != 1 || sent[0].Text != webhookMessage(0, "").Text {
		t.Errorf("sent %d messages, want 1 with the first text", len(sent))
	}
}

func TestEnqueueTxFollowsTheCallersTransaction(t *testing.T) {
	r := newRig(t, storetest.SQLiteDSN(t), notify.WorkerOptions{})
	ctx := context.Background()
	boom := errors.New("the domain change failed")
	err := r.d.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := r.svc.EnqueueTx(ctx, tx, webhookMessage(r.org, "rolled-back")); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Transact = %v, want the caller's error", err)
	}
	var id int64
	err = r.d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		id, err = r.svc.EnqueueTx(ctx, tx, webhookMessage(r.org, "committed"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := r.runOnce(t); n != 1 || r.sender.sent()[0].DedupKey != "committed" {
		t.Errorf("RunOnce claimed %d; want only the committed message %d", n, id)
	}
}

func TestValidate(t *testing.T) {
	ok := notify.Message{Kind: notify.Email, DedupKey: "k", Target: "psirt@example.com", Subject: "s", Text: "t"}
	hook := webhookMessage(0, "k")
	robot := notify.Message{Kind: notify.WeCom, DedupKey: "k", Target: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", Text: "t"}
	tests := []struct {
		name     string
		m        notify.Message
		edit     func(*notify.Message)
		wantCode string
	}{
		{"email", ok, func(*notify.Message) {}, ""},
		{"webhook", hook, func(*notify.Message) {}, ""},
		{"robot", robot, func(*notify.Message) {}, ""},
		{"loopback http", hook, func(m *notify.Message) { m.Target = "http://127.0.0.1:8080/hook" }, ""},
		{"unknown kind", ok, func(m *notify.Message) { m.Kind = "sms" }, "notify.kind"},
		{"no dedup key", ok, func(m *notify.Message) { m.DedupKey = "" }, "notify.dedup_key"},
		{"long dedup key", ok, func(m *notify.Message) { m.DedupKey = strings.Repeat("k", 201) }, "notify.dedup_key"},
		{"address with a name", ok, func(m *notify.Message) { m.Target = "PSIRT <psirt@example.com>" }, "notify.address"},
		{"two addresses", ok, func(m *notify.Message) { m.Target = "a@example.com, b@example.com" }, "notify.address"},
		{"header injection", ok, func(m *notify.Message) { m.Subject = "hi\r\nBcc: x@example.com" }, "notify.subject"},
		{"no text", ok, func(m *notify.Message) { m.Text = "" }, "notify.body"},
		{"invalid UTF-8", ok, func(m *notify.Message) { m.Text = "\xff" }, "notify.utf8"},
		{"plain http", hook, func(m *notify.Message) { m.Target = "http://hooks.example.com/x" }, "notify.url"},
		{"not a URL", hook, func(m *notify.Message) { m.Target = "hooks.example.com" }, "notify.url"},
		{"credentials in URL", hook, func(m *notify.Message) { m.Target = "https://u:p@hooks.example.com/" }, "notify.url"},
		{"unsigned webhook", hook, func(m *notify.Message) { m.Secret = "" }, "notify.secret"},
		{"webhook data not JSON", hook, func(m *notify.Message) { m.Data = json.RawMessage("{") }, "notify.data"},
		{"wecom text too long", robot, func(m *notify.Message) { m.Text = strings.Repeat("漏", 683) }, "notify.robot_too_long"},
		{"wecom markdown fits", robot, func(m *notify.Message) { m.Text, m.Markdown = strings.Repeat("漏", 683), true }, ""},
		{"huge body", ok, func(m *notify.Message) { m.Text = strings.Repeat("x", 1<<20+1) }, "notify.too_long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			tc.edit(&m)
			err := m.Validate()
			code, _ := errs.CodeOf(err)
			if code != tc.wantCode || (err != nil && !errs.Is(err, errs.Invalid)) {
				t.Errorf("Validate = %v (code %q), want code %q", err, code, tc.wantCode)
			}
			if err != nil && strings.Contains(errs.Message(err), "key=x") {
				t.Errorf("the message shows the robot's key: %s", errs.Message(err))
			}
		})
	}
}

func TestMaskTarget(t *testing.T) {
	tests := []struct {
		kind   notify.Kind
		target string
		want   string
	}{
		{notify.Email, "security@example.com", "s***@example.com"},
		{notify.Email, "张三@例子.中国", "张***@例子.中国"},
		{notify.WeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?***"},
		{notify.DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc", "https://oapi.dingtalk.com/robot/send?***"},
		{notify.Feishu, "https://open.feishu.cn/open-apis/bot/v2/hook/6223fc9e", "https://open.feishu.cn/open-apis/bot/v2/hook/***"},
		{notify.Webhook, "https://hooks.example.com/services/T0/B0/XYZ", "https://hooks.example.com/services/T0/B0/***"},
		{notify.Webhook, "https://hooks.example.com/embargo", "https://hooks.example.com/embargo"},
		{notify.Webhook, "::not a url", "***"},
	}
	for _, tc := range tests {
		if got := notify.MaskTarget(tc.kind, tc.target); got != tc.want {
			t.Errorf("MaskTarget(%s, %q) = %q, want %q", tc.kind, tc.target, got, tc.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	w, err := notify.NewWorker(nil, nil, nil, notify.WorkerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Duration
	for n := 1; n <= 12; n++ {
		got = append(got, w.Backoff(n))
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, 64 * time.Minute, 128 * time.Minute, 256 * time.Minute, 6 * time.Hour, 6 * time.Hour}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Backoff(1…12) (-want +got):\n%s", diff)
	}
	if _, err := notify.NewWorker(nil, nil, nil, notify.WorkerOptions{Lease: time.Minute, SendTimeout: time.Minute}); err == nil {
		t.Error("NewWorker accepted a lease no longer than the send timeout")
	}
}

func TestListAndRetry(t *testing.T) {
	r := newRig(t, storetest.SQLiteDSN(t), notify.WorkerOptions{})
	ctx := context.Background()
	var other int64
	err := r.d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		other, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Other", Country: "CN", CreatedAt: t0})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := &access.Principal{UserID: 1, OrgID: r.org, Role: access.Administrator}
	otherAdmin := &access.Principal{UserID: 2, OrgID: other, Role: access.Administrator}
	triager := &access.Principal{UserID: 3, OrgID: r.org, Role: access.Triager}
	r.sender.fail = func(int, notify.Message) error { return notify.Permanent(errors.New("HTTP 410")) }
	dead := r.mustEnqueue(t, webhookMessage(r.org, "dead"))
	r.runOnce(t)
	pending := r.mustEnqueue(t, webhookMessage(r.org, "pending"))
	r.mustEnqueue(t, webhookMessage(other, "other-org"))

	list := func(p *access.Principal, f notify.Filter) []string {
		t.Helper()
		ds, err := r.svc.List(ctx, p, f)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, d := range ds {
			out = append(out, d.DedupKey)
		}
		return out
	}
	if diff := cmp.Diff([]string{"pending", "dead"}, list(admin, notify.Filter{AnyOrg: true, OrgID: other})); diff != "" {
		t.Errorf("an administrator's list is their organisation's (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"dead"}, list(admin, notify.Filter{State: notify.Dead})); diff != "" {
		t.Errorf("dead messages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"other-org", "pending", "dead"}, list(access.Operator(), notify.Filter{AnyOrg: true})); diff != "" {
		t.Errorf("the instance operator's list of all (-want +got):\n%s", diff)
	}
	if _, err := r.svc.List(ctx, triager, notify.Filter{}); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a triager's List: err = %v, want Forbidden", err)
	}
	if _, err := r.svc.List(ctx, admin, notify.Filter{State: "lost"}); !errs.Is(err, errs.Invalid) {
		t.Errorf("List of an unknown state: err = %v, want Invalid", err)
	}

	for _, tc := range []struct {
		name string
		p    *access.Principal
		id   int64
		want errs.Kind
	}{
		{"triager", triager, dead, errs.Forbidden},
		{"another organisation", otherAdmin, dead, errs.NotFound},
		{"missing", admin, dead + 100, errs.NotFound},
		{"not dead", admin, pending, errs.Conflict},
	} {
		if err := r.svc.Retry(ctx, tc.p, tc.id); !errs.Is(err, tc.want) {
			t.Errorf("Retry by %s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	r.sender.fail = nil
	if err := r.svc.Retry(ctx, admin, dead); err != nil {
		t.Fatal(err)
	}
	r.runOnce(t)
	if got := r.row(t, dead); got.State != notify.Sent || got.Attempts != 1 {
		t.Errorf("after Retry: state %s, attempts %d; want sent after 1", got.State, got.Attempts)
	}
	events, err := r.d.DB.AuditEvents(ctx, audit.Main, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var retries []string
	for _, e := range events {
		if e.Action == "notify.retry" {
			retries = append(retries, fmt.Sprintf("%s %s org %d", e.Actor, e.Subject, e.OrgID))
		}
	}
	if diff := cmp.Diff([]string{fmt.Sprintf("user:1 outbox:%d org %d", dead, r.org)}, retries); diff != "" {
		t.Errorf("audited retries (-want +got):\n%s", diff)
	}
}

// TestRunWakesAndStops runs a worker with a long poll: Enqueue's wake-up
// makes it send at once, and cancelling its context stops it.
func TestRunWakesAndStops(t *testing.T) {
	r := newRig(t, storetest.SQLiteDSN(t), notify.WorkerOptions{Poll: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.w.Run(ctx) }()
	time.Sleep(50 * time.Millisecond) // let the first (empty) claim pass
	r.mustEnqueue(t, webhookMessage(r.org, "k"))
	deadline := time.Now().Add(5 * time.Second)
	for len(r.sender.sent()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(r.sender.sent()) != 1 {
		t.Fatal("the woken worker did not send within 5s")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop after its context was cancelled")
	}
}

// TestConcurrentWorkersSendOnce runs several workers, each with its own
// database handle, over one outbox: every message is sent exactly once.
func TestConcurrentWorkersSendOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn func(testing.TB) string) {
		r := newRig(t, dsn(t), notify.WorkerOptions{})
		const messages, workers = 40, 3
		for i := range messages {
			r.mustEnqueue(t, webhookMessage(r.org, fmt.Sprintf("m%02d", i)))
		}
		var wg sync.WaitGroup
		for i := range workers {
			node := storetest.Open(t, r.d.DSN, store.Options{Now: r.clk.Now})
			w, err := notify.NewWorker(node.DB, r.kr, r.sender, notify.WorkerOptions{ID: fmt.Sprintf("w%d", i), Batch: 3, Now: r.clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				for {
					n, err := w.RunOnce(context.Background())
					if err != nil {
						t.Errorf("worker %d: %v", i, err)
					}
					if n == 0 || err != nil {
						return
					}
				}
			})
		}
		wg.Wait()
		count := map[string]int{}
		for _, m := range r.sender.sent() {
			count[m.DedupKey]++
		}
		for key, n := range count {
			if n != 1 {
				t.Errorf("%s sent %d times", key, n)
			}
		}
		if len(count) != messages {
			t.Errorf("%d messages sent, want %d", len(count), messages)
		}
	})
}
