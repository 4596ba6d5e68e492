package report_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// capture is a notify.Sender that keeps what it is given.
type capture struct {
	mu  sync.Mutex
	got []notify.Message
	now func() time.Time // the worker's clock; nil for the wall clock
}

func (c *capture) Send(_ context.Context, m notify.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, m)
	return nil
}

// drain runs the real outbox worker once and returns what it sent.
func (c *capture) drain(t *testing.T, w *world) []notify.Message {
	t.Helper()
	wk, err := notify.NewWorker(w.d.DB, w.kr, c, notify.WorkerOptions{Now: c.now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wk.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.got
	c.got = nil
	slices.SortFunc(out, func(a, b notify.Message) int { return strings.Compare(a.DedupKey, b.DedupKey) })
	return out
}

// TestNotices checks the messages intake queues in its own transactions:
// the reporter's acknowledgement with the receipt and the private link,
// the team's announcement without the report's content, a note to the
// reporter when the team writes or decides, nothing twice for a repeated
// submission, and nothing stored when a message cannot be queued.
func TestNotices(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		wakes := 0
		n := report.Notices{Notifier: notify.NewService(w.d.DB, w.kr, nil), BaseURL: "https://psirt.example.cn/", Email: true,
			Team: []report.Target{{Kind: notify.Webhook, Target: "https://siem.example.cn/hook", Secret: "s3cret"},
				{Kind: notify.Email, Target: "psirt@example.cn"}},
			Wake: func() { wakes++ }}
		w.svc.WithNotices(n)
		c := &capture{}

		sub := sample()
		sub.DedupKey = "mail:<1@example.cn>"
		ack, err := w.svc.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Submit(ctx, sub); err != nil { // the same mail again
			t.Fatal(err)
		}
		got := c.drain(t, w)
		if len(got) != 3 || wakes == 0 {
			t.Fatalf("sent %d messages (%v), %d wakes; want the acknowledgement and two announcements", len(got), keys(got), wakes)
		}
		mail := got[0]
		if mail.Kind != notify.Email || mail.Target != "zhangsan@example.cn" || !strings.HasPrefix(mail.Subject, "["+ack.TrackingID+"] 已收到您的漏洞报告") {
			t.Errorf("acknowledgement: %+v", mail)
		}
		for _, want := range []string{"张三您好", ack.TrackingID, ack.Receipt.ID, ack.Receipt.SHA256, "https://psirt.example.cn/report/s/" + ack.Secret, "72 小时", "Dear 张三"} {
			if !strings.Contains(mail.Text, want) {
				t.Errorf("acknowledgement lacks %q:\n%s", want, mail.Text)
			}
		}
		for _, m := range got[1:] {
			if !strings.Contains(m.Text, "https://psirt.example.cn/reports/"+ack.TrackingID) {
				t.Errorf("announcement %s lacks the inbox link:\n%s", m.Kind, m.Text)
			}
			if strings.Contains(m.Text+string(m.Data)+m.Subject, "命令注入") || strings.Contains(m.Text, "张三") {
				t.Errorf("announcement %s carries the report's content:\n%s %s", m.Kind, m.Text, m.Data)
			}
		}
		if hook := got[1]; hook.Kind != notify.Webhook || hook.Secret != "s3cret" || !strings.Contains(string(hook.Data), `"tracking_id":"`+ack.TrackingID+`"`) {
			t.Errorf("webhook: %+v", hook)
		}

		// The team writes, then decides: the reporter hears of each, without the content.
		if _, err := w.svc.Reply(ctx, w.p["triager"], ack.TrackingID, "请提供固件版本。"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Triage(ctx, w.p["triager"], ack.TrackingID, report.Decision{Status: report.Invalid, Reason: "不是漏洞"}); err != nil {
			t.Fatal(err)
		}
		got = c.drain(t, w)
		if len(got) != 2 || got[0].Target != "zhangsan@example.cn" || got[1].Target != "zhangsan@example.cn" {
			t.Fatalf("updates: %v", keys(got))
		}
		for _, m := range got {
			if strings.Contains(m.Text, "请提供固件版本") || strings.Contains(m.Text, "不是漏洞") || strings.Contains(m.Text, ack.Secret) {
				t.Errorf("update carries the message, the reason or the link:\n%s", m.Text)
			}
		}

		// A message that cannot be queued fails the submission: nothing is stored.
		w.svc.WithNotices(report.Notices{Notifier: n.Notifier, Team: []report.Target{{Kind: notify.Webhook, Target: "http://plain.example.cn/"}}})
		before, _ := w.svc.Inbox(ctx, w.p["triager"], report.Filter{})
		if _, err := w.svc.Submit(ctx, sample()); !errs.Is(err, errs.Invalid) {
			t.Errorf("submission with an unqueueable announcement: err = %v", err)
		}
		after, _ := w.svc.Inbox(ctx, w.p["triager"], report.Filter{})
		if len(after) != len(before) {
			t.Errorf("inbox grew from %d to %d after a failed submission", len(before), len(after))
		}
	})
}

func keys(ms []notify.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.DedupKey)
	}
	return out
}

// TestAlertOverdue raises one alert per target for each report no one has
// answered by its acknowledgement target, and none for answered ones.
func TestAlertOverdue(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := &movableClock{t: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
			w := newWorldAt(t, dsn(t), clock.now)
			w.svc.WithNotices(report.Notices{Notifier: notify.NewService(w.d.DB, w.kr, nil), BaseURL: "https://psirt.example.cn/",
				Team: []report.Target{{Kind: notify.Email, Target: "psirt@example.cn"}}})
			c := &capture{now: clock.now}
			late, err := w.svc.Submit(ctx, sample())
			if err != nil {
				t.Fatal(err)
			}
			answered, err := w.svc.Submit(ctx, sample())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Reply(ctx, w.p["triager"], answered.TrackingID, "收到。"); err != nil {
				t.Fatal(err)
			}
			c.drain(t, w) // the announcements
			if n, err := w.svc.AlertOverdue(ctx, access.System(), clock.now()); n != 0 || err != nil {
				t.Errorf("before the target: %d overdue, %v", n, err)
			}
			if _, err := w.svc.AlertOverdue(ctx, w.p["triager"], clock.now()); !errs.Is(err, errs.Forbidden) {
				t.Errorf("a person raising alerts: err = %v", err)
			}
			clock.set(clock.now().Add(73 * time.Hour))
			for run := range 2 {
				if n, err := w.svc.AlertOverdue(ctx, access.System(), clock.now()); n != 1 || err != nil {
					t.Fatalf("run %d: %d overdue, %v", run, n, err)
				}
			}
			got := c.drain(t, w)
			if len(got) != 1 || !strings.Contains(got[0].Text, late.TrackingID) || !strings.Contains(got[0].Text, "1h0m0s") {
				t.Fatalf("alerts: %+v", got)
			}
		})
	}
}

// TestAttachToCase links a second report to an existing case, and moves
// the case's T0 back when the attached report arrived first (CN-07-1).
func TestAttachToCase(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clock := &movableClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
			w := newWorldAt(t, dsn(t), clock.now)
			tri := w.p["triager"]
			early, err := w.svc.Submit(ctx, sample())
			if err != nil {
				t.Fatal(err)
			}
			clock.set(clock.now().Add(26 * time.Hour))
			late, err := w.svc.Submit(ctx, sample())
			if err != nil {
				t.Fatal(err)
			}
			c, err := w.svc.Promote(ctx, tri, late.TrackingID)
			if err != nil || !c.T0.Equal(late.Receipt.ReceivedAt) || c.T0Source != "report:"+late.TrackingID {
				t.Fatalf("promoted = %+v, %v", c, err)
			}
			got, err := w.svc.AttachToCase(ctx, tri, early.TrackingID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.T0.Equal(early.Receipt.ReceivedAt) || got.T0Source != "report:"+early.TrackingID {
				t.Errorf("T0 after attaching the earlier report = %s (%s), want %s", got.T0, got.T0Source, early.Receipt.ReceivedAt)
			}
			if _, err := w.svc.AttachToCase(ctx, tri, early.TrackingID, c.ID); !errs.Is(err, errs.Conflict) {
				t.Errorf("attached twice: err = %v", err)
			}
			third, _ := w.svc.Submit(ctx, sample())
			if _, err := w.svc.AttachToCase(ctx, w.p["engineer"], third.TrackingID, c.ID); !errs.Is(err, errs.Forbidden) {
				t.Errorf("engineer attaches: err = %v", err)
			}
			if _, err := w.svc.AttachToCase(ctx, tri, third.TrackingID, c.ID+100); !errs.Is(err, errs.NotFound) {
				t.Errorf("no such case: err = %v", err)
			}
			d, _ := w.svc.Get(ctx, tri, early.TrackingID)
			if d.Status != report.Promoted || d.CaseID != c.ID {
				t.Errorf("attached report = %+v", d.Report)
			}
			kase, err := casework.NewService(w.d.DB, w.kr, "EMB").Get(ctx, tri, c.ID)
			if err != nil || strings.Join(kase.Reports, ",") != early.TrackingID+","+late.TrackingID {
				t.Errorf("the case's reports = %q, %v; want both, oldest first", kase.Reports, err)
			}

			// The earlier report turns out to be another vulnerability:
			// split it off. The new case starts at its receipt; the old
			// case's T0 goes back to the report it keeps, audited.
			cases := casework.NewService(w.d.DB, w.kr, "EMB")
			if _, err := cases.Split(ctx, tri, c.ID, "R-NOPE", "x", ""); !errs.Is(err, errs.NotFound) {
				t.Errorf("split a report the case lacks: err = %v", err)
			}
			split, err := cases.Split(ctx, tri, c.ID, early.TrackingID, "另一个漏洞", "不同的根本原因")
			if err != nil {
				t.Fatal(err)
			}
			if !split.T0.Equal(early.Receipt.ReceivedAt) || split.T0Source != "report:"+early.TrackingID {
				t.Errorf("split case T0 = %s (%s)", split.T0, split.T0Source)
			}
			old, _ := cases.Get(ctx, tri, c.ID)
			moved, _ := cases.Get(ctx, tri, split.ID)
			if !old.T0.Equal(late.Receipt.ReceivedAt) || strings.Join(old.Reports, ",") != late.TrackingID ||
				strings.Join(moved.Reports, ",") != early.TrackingID {
				t.Errorf("after the split: old T0 %s reports %q; new reports %q", old.T0, old.Reports, moved.Reports)
			}
			if _, err := cases.Split(ctx, tri, c.ID, late.TrackingID, "y", ""); !errs.Is(err, errs.Conflict) {
				t.Errorf("split the last report: err = %v", err)
			}
		})
	}
}
