package notify_test

import (
	"bytes"
	"context"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/notify/notifytest"
)

// A bounce that comes after the relay took the e-mail: the worker sends
// two notices over real SMTP with Message-IDs that name their outbox rows;
// a bounce naming the first makes it dead (not reached), audited, and
// tells the hook; a Message-ID with a wrong MAC, another row's MAC or a
// second bounce of the same message change nothing.
func TestBounce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn func(testing.TB) string) {
		ctx := context.Background()
		r := newRig(t, dsn(t), notify.WorkerOptions{})
		mb := &notifytest.Mailbox{}
		ids := notify.MessageIDs{Key: []byte("a key derived from the instance key")}
		sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: notifytest.Start(t, mb, nil), TLS: notify.SMTPNoTLS,
			From: "Acme PSIRT <psirt@vendor.example.cn>", IDKey: ids.Key})
		if err != nil {
			t.Fatal(err)
		}
		w, err := notify.NewWorker(r.d.DB, r.kr, notify.Senders{notify.Email: sender}, notify.WorkerOptions{Now: r.clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		var hooked []notify.Row
		svc := notify.NewService(r.d.DB, r.kr, nil).WithBounces(ids, func(row notify.Row) { hooked = append(hooked, row) })
		var rows [2]int64
		for i, to := range []string{"ops@customer.example.cn", "sec@other.example.cn"} {
			rows[i] = r.mustEnqueue(t, notify.Message{OrgID: r.org, Kind: notify.Email, DedupKey: "notice:1:" + to,
				Target: to, Subject: "安全通告", Text: "请升级"})
		}
		if n, err := w.RunOnce(ctx); err != nil || n != 2 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		msgIDs := map[string]string{}
		for _, d := range mb.Wait(t, 2, 10*time.Second) {
			m, err := mail.ReadMessage(bytes.NewReader(d.Raw))
			if err != nil {
				t.Fatal(err)
			}
			msgIDs[d.To[0]] = strings.Trim(m.Header.Get("Message-Id"), "<>")
		}
		first, second := msgIDs["ops@customer.example.cn"], msgIDs["sec@other.example.cn"]
		if !strings.HasPrefix(first, itoa(rows[0])+".") {
			t.Fatalf("Message-ID %q does not name row %d", first, rows[0])
		}

		bounce := func(id string) bool {
			t.Helper()
			ok, err := svc.Bounce(ctx, id, "ops@customer.example.cn", "5.1.1", "550 5.1.1 User unknown", r.clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		_, secondMAC, _ := strings.Cut(strings.SplitN(second, "@", 2)[0], ".")
		forged := notify.MessageIDs{Key: []byte("another key")}.For(rows[1], "notice:1:sec@other.example.cn", "vendor.example.cn")
		for name, id := range map[string]string{
			"a wrong key":                  forged,
			"another row's MAC":            itoa(rows[0]) + "." + secondMAC + "@vendor.example.cn",
			"a Message-ID of another form": "CAF=abc@mail.gmail.com",
			"a row that does not exist":    "999.00112233445566778899aabb@vendor.example.cn",
		} {
			if bounce(id) {
				t.Errorf("a bounce with %s was taken", name)
			}
		}
		if !bounce(first) {
			t.Fatal("the bounce of the first notice was not taken")
		}
		if bounce(first) {
			t.Error("a second bounce of the same notice was taken")
		}
		got := r.row(t, rows[0])
		if got.State != notify.Dead || !strings.Contains(got.LastError, "5.1.1") || got.SentAt.IsZero() {
			t.Errorf("bounced row: state %s, last error %q, sent at %v", got.State, got.LastError, got.SentAt)
		}
		if other := r.row(t, rows[1]); other.State != notify.Sent {
			t.Errorf("the other notice is %s, want sent", other.State)
		}
		if len(hooked) != 1 || hooked[0].ID != rows[0] || hooked[0].State != notify.Dead {
			t.Errorf("the hook was told %+v", hooked)
		}
		var n int
		if err := r.d.Raw.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'notify.bounce'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d notify.bounce events, %v; want 1", n, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
