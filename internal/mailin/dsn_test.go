package mailin_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/mailin"
	"github.com/embargohq/embargo/internal/report"
)

// dsnPostfix is a bounce as Postfix writes it: a human part, the delivery
// status, the returned message.
const dsnPostfix = "From: MAILER-DAEMON@mx.example.cn (Mail Delivery System)\r\n" +
	"To: psirt@vendor.example.cn\r\n" +
	"Subject: Undelivered Mail Returned to Sender\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\r\n" +
	"\r\n" +
	"--B1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" +
	"This is the mail system at host mx.example.cn.\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n" +
	"--B1\r\nContent-Type: message/delivery-status\r\n\r\n" +
	"Reporting-MTA: dns; mx.example.cn\r\nArrival-Date: Wed,  2 Dec 2026 10:00:00 +0800 (CST)\r\n\r\n" +
	"Final-Recipient: rfc822; ops@customer.example.cn\r\nOriginal-Recipient: rfc822;ops@customer.example.cn\r\n" +
	"Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mail.customer.example.cn\r\n" +
	"Diagnostic-Code: smtp; 550 5.1.1 <ops@customer.example.cn>: Recipient address rejected: User unknown\r\n" +
	"--B1\r\nContent-Type: message/rfc822\r\n\r\n" +
	"From: Acme PSIRT <psirt@vendor.example.cn>\r\nTo: ops@customer.example.cn\r\nSubject: 安全通告\r\n" +
	"Message-ID: <42.00112233445566778899aabb@vendor.example.cn>\r\n\r\nbody\r\n" +
	"--B1--\r\n"

// dsnHeadersOnly returns only the headers, for two recipients, one delayed.
const dsnHeadersOnly = "From: postmaster@exchange.example.com\r\n" +
	"Subject: Delivery Status Notification (Failure)\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=\"delivery-status\"; boundary=\"=_x\"\r\n" +
	"\r\n" +
	"--=_x\r\nContent-Type: text/plain\r\n\r\nDelivery has failed.\r\n" +
	"--=_x\r\nContent-Type: message/delivery-status\r\n\r\n" +
	"Reporting-MTA: dns;exchange.example.com\r\n\r\n" +
	"Final-Recipient: rfc822;a@example.com\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp;552 5.2.2 mailbox full\r\n\r\n" +
	"Final-Recipient: rfc822;b@example.com\r\nAction: delayed\r\nStatus: 4.4.7\r\n\r\n" +
	"--=_x\r\nContent-Type: text/rfc822-headers\r\n\r\n" +
	"Message-Id: <7.aabbccddeeff001122334455@vendor.example.cn>\r\nSubject: x\r\n\r\n" +
	"--=_x--\r\n"

func TestParseDSN(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want mailin.DSN
		ok   bool
	}{
		{"postfix, returned message", dsnPostfix, mailin.DSN{MessageID: "42.00112233445566778899aabb@vendor.example.cn",
			Recipients: []mailin.DSNRecipient{{Recipient: "ops@customer.example.cn", Action: "failed", Status: "5.1.1",
				Diagnostic: "550 5.1.1 <ops@customer.example.cn>: Recipient address rejected: User unknown"}}}, true},
		{"headers only, a failed and a delayed recipient", dsnHeadersOnly, mailin.DSN{MessageID: "7.aabbccddeeff001122334455@vendor.example.cn",
			Recipients: []mailin.DSNRecipient{{Recipient: "a@example.com", Action: "failed", Status: "5.2.2", Diagnostic: "552 5.2.2 mailbox full"},
				{Recipient: "b@example.com", Action: "delayed", Status: "4.4.7"}}}, true},
		{"a report of another type", strings.Replace(dsnPostfix, "report-type=delivery-status", "report-type=disposition-notification", 1), mailin.DSN{}, false},
		{"a plain message", "From: a@example.com\r\nSubject: 漏洞报告\r\n\r\nThe router has a bug.\r\n", mailin.DSN{}, false},
		{"no Message-ID returned", strings.Replace(dsnPostfix, "Message-ID: <42.00112233445566778899aabb@vendor.example.cn>\r\n", "", 1), mailin.DSN{}, false},
		{"no recipient block", strings.Replace(dsnPostfix, "Final-Recipient: rfc822; ops@customer.example.cn\r\nOriginal-Recipient: rfc822;ops@customer.example.cn\r\n"+
			"Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mail.customer.example.cn\r\n"+
			"Diagnostic-Code: smtp; 550 5.1.1 <ops@customer.example.cn>: Recipient address rejected: User unknown\r\n", "", 1), mailin.DSN{}, false},
		{"not a message", "\x00\x01garbage", mailin.DSN{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := mailin.ParseDSN([]byte(tc.raw))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, got)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if r := (mailin.DSNRecipient{Action: "delayed", Status: "4.4.7"}); r.Failed() {
		t.Error("a delayed delivery counts as failed")
	}
	if r := (mailin.DSNRecipient{Status: "5.0.0"}); !r.Failed() {
		t.Error("a permanent status without an action does not count as failed")
	}
}

// WithBounces: a DSN about one of our messages goes to the bounces and is
// not a report; a DSN about other mail, and every other message, is a
// report; a failing bounce store makes the message be offered again.
func TestWithBounces(t *testing.T) {
	ours := "42.00112233445566778899aabb@vendor.example.cn"
	for _, tc := range []struct {
		name        string
		raw         string
		bounceErr   error
		wantBounced []string
		wantReports int
		wantErr     bool
	}{
		{"our bounce", dsnPostfix, nil, []string{ours + " ops@customer.example.cn 5.1.1"}, 0, false},
		{"a bounce of other mail", strings.Replace(dsnPostfix, "<42.", "<43.", 1), nil, []string{"43.00112233445566778899aabb@vendor.example.cn ops@customer.example.cn 5.1.1"}, 1, false},
		{"a delayed delivery only", strings.Replace(dsnPostfix, "Action: failed\r\nStatus: 5.1.1", "Action: delayed\r\nStatus: 4.4.1", 1), nil, nil, 1, false},
		{"a report", "From: a@example.com\r\nSubject: bug\r\n\r\ntext\r\n", nil, nil, 1, false},
		{"the outbox is down", dsnPostfix, errors.New("database is locked"), []string{ours + " ops@customer.example.cn 5.1.1"}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &fakeBounces{ours: ours, err: tc.bounceErr}
			next := &countingSink{}
			_, err := mailin.WithBounces(next, b, slog.New(slog.DiscardHandler)).Submit(context.Background(), report.Submission{Raw: []byte(tc.raw)})
			if (err != nil) != tc.wantErr {
				t.Errorf("err = %v, want an error: %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantBounced, b.got); diff != "" {
				t.Errorf("bounces (-want +got):\n%s", diff)
			}
			if next.n != tc.wantReports {
				t.Errorf("%d reports, want %d", next.n, tc.wantReports)
			}
		})
	}
}

type fakeBounces struct {
	ours string
	err  error
	got  []string
}

func (f *fakeBounces) Bounced(_ context.Context, id string, r mailin.DSNRecipient, _ time.Time) (bool, error) {
	f.got = append(f.got, id+" "+r.Recipient+" "+r.Status)
	return id == f.ours && f.err == nil, f.err
}

type countingSink struct{ n int }

func (c *countingSink) Submit(context.Context, report.Submission) (report.Ack, error) {
	c.n++
	return report.Ack{}, nil
}
