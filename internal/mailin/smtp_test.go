package mailin_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/mailin"
	"github.com/embargohq/embargo/internal/report"
	"github.com/google/go-cmp/cmp"
)

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

// startSMTP runs a listener for cfg on a loopback port until the test
// ends, and returns its address.
func startSMTP(t testing.TB, cfg mailin.SMTPConfig, sink mailin.Sink) string {
	t.Helper()
	if cfg.Recipients == nil {
		cfg.Recipients = []string{"Security@Example.com"}
	}
	cfg.Domain = "mx.example.com"
	srv, err := mailin.NewSMTPServer(cfg, sink, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return l.Addr().String()
}

// send delivers msg from reporter@example.org to to and returns the
// reply to the end of DATA, or the first error before it.
func send(t testing.TB, addr, to, msg string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example.org"); err != nil {
		return err
	}
	return sendOn(c, to, msg)
}

func sendOn(c *smtp.Client, to, msg string) error {
	if err := c.Mail("reporter@example.org"); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	return w.Close()
}

// replyCode returns the SMTP reply code of err, or 0.
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

func TestSMTPStoresMessages(t *testing.T) {
	key := mustInstanceKey(t)
	msgs := testMessages(t)
	tests := []struct {
		name string
		msg  string
		want report.Submission
	}{
		{"plain", msgs["plain"], report.Submission{
			Title: "Heap overflow in 解析器", Description: "Steps:\n    ./poc --overflow",
			Reporter: report.Reporter{Name: "Zhang San", Email: "zhang@example.cn"},
		}},
		{"GB2312", msgs["gb2312"], report.Submission{
			Title: "漏洞报告：缓冲区溢出", Description: "产品：路由器 1.2\n远程代码执行。",
			Reporter: report.Reporter{Name: "张三", Email: "zs@example.cn"},
		}},
		{"no From uses the envelope sender", crlf("Subject: hi", "", "body", ""), report.Submission{
			Title: "hi", Description: "body", Reporter: report.Reporter{Email: "reporter@example.org"},
		}},
		{"PGP/MIME", pgpMIMEMessage(t, key, innerEntity()), report.Submission{
			Title: "真正的标题", Description: "秘密细节", Encrypted: true,
			Reporter:    report.Reporter{Name: "Reporter", Email: "r@example.org"},
			Attachments: []report.Attachment{{Name: "poc.c", ContentType: "text/x-c", Data: []byte("int main(){}")}},
		}},
		{"inline PGP", inlineMessage(t, key, "细节"), report.Submission{
			Title: "inline", Description: "clear before\n细节\nclear after", Encrypted: true,
			Reporter: report.Reporter{Email: "r@example.org"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink := &fakeSink{}
			addr := startSMTP(t, mailin.SMTPConfig{Decrypter: key}, sink)
			if err := send(t, addr, "security@example.com", tc.msg); err != nil {
				t.Fatalf("send: %v", err)
			}
			subs := sink.submissions()
			if len(subs) != 1 {
				t.Fatalf("%d submissions, want 1", len(subs))
			}
			got := subs[0]
			if string(got.Raw) != tc.msg {
				t.Errorf("Raw is not the message as sent:\n%q\nwant\n%q", got.Raw, tc.msg)
			}
			if strings.Contains(tc.msg, "Message-ID:") != strings.HasPrefix(got.DedupKey, "smtp:") {
				t.Errorf("DedupKey = %q for a message with Message-ID %v", got.DedupKey, strings.Contains(tc.msg, "Message-ID:"))
			}
			got.Raw, got.DedupKey = nil, ""
			tc.want.Channel, tc.want.Actor, tc.want.RemoteAddr = report.SMTP, "smtp:127.0.0.1", "127.0.0.1"
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("submission (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSMTPRefusals(t *testing.T) {
	msg := testMessages(t)["plain"]
	t.Run("unknown recipient gets 550", func(t *testing.T) {
		sink := &fakeSink{}
		addr := startSMTP(t, mailin.SMTPConfig{}, sink)
		if err := send(t, addr, "ceo@example.com", msg); replyCode(err) != 550 {
			t.Errorf("RCPT to an unknown address: %v, want 550", err)
		}
		if n := len(sink.submissions()); n != 0 {
			t.Errorf("%d submissions, want none", n)
		}
	})
	t.Run("oversize gets 552", func(t *testing.T) {
		sink := &fakeSink{}
		addr := startSMTP(t, mailin.SMTPConfig{Limits: mailin.Limits{MaxMessageBytes: 1000}}, sink)
		big := crlf("Subject: big", "", strings.Repeat(strings.Repeat("A", 76)+"\n", 50))
		if err := send(t, addr, "security@example.com", big); replyCode(err) != 552 {
			t.Errorf("oversize message: %v, want 552", err)
		}
		if n := len(sink.submissions()); n != 0 {
			t.Errorf("%d submissions, want none", n)
		}
	})
	t.Run("sink failure gets 451 and the retry is stored", func(t *testing.T) {
		sink := &fakeSink{fail: true}
		addr := startSMTP(t, mailin.SMTPConfig{}, sink)
		if err := send(t, addr, "security@example.com", msg); replyCode(err) != 451 {
			t.Errorf("while the sink fails: %v, want 451", err)
		}
		sink.setFail(false)
		if err := send(t, addr, "security@example.com", msg); err != nil {
			t.Fatalf("retry: %v", err)
		}
		if err := send(t, addr, "security@example.com", msg); err != nil {
			t.Fatalf("a second retry (the 250 was lost): %v", err)
		}
		if subs := sink.submissions(); len(subs) != 1 || string(subs[0].Raw) != msg {
			t.Errorf("%d submissions, want the message once", len(subs))
		}
	})
	t.Run("rate limit gets 450", func(t *testing.T) {
		sink := &fakeSink{}
		addr := startSMTP(t, mailin.SMTPConfig{RateBurst: 2}, sink)
		var codes []int
		for i := range 3 {
			err := send(t, addr, "security@example.com", strings.Replace(msg, "<1@", "<"+string(rune('a'+i))+"@", 1))
			codes = append(codes, replyCode(err))
		}
		if diff := cmp.Diff([]int{0, 0, 450}, codes); diff != "" {
			t.Errorf("reply codes of three messages with a burst of 2 (-want +got):\n%s", diff)
		}
	})
}

func TestSMTPStartTLS(t *testing.T) {
	serverTLS, clientTLS := mustTLS(t)
	sink := &fakeSink{}
	addr := startSMTP(t, mailin.SMTPConfig{TLSConfig: serverTLS}, sink)
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS is not offered")
	}
	if err := c.StartTLS(clientTLS); err != nil {
		t.Fatal(err)
	}
	if err := sendOn(c, "security@example.com", testMessages(t)["plain"]); err != nil {
		t.Fatal(err)
	}
	if n := len(sink.submissions()); n != 1 {
		t.Errorf("%d submissions over STARTTLS, want 1", n)
	}
}

func TestNewSMTPServerNeedsRecipients(t *testing.T) {
	if _, err := mailin.NewSMTPServer(mailin.SMTPConfig{Recipients: []string{" "}}, &fakeSink{}, testLogger(t)); err == nil {
		t.Error("NewSMTPServer without recipients succeeded")
	}
}

// TestSMTPReplyNamesReceipt speaks SMTP by hand to read the text of the
// final reply, which net/smtp does not show.
func TestSMTPReplyNamesReceipt(t *testing.T) {
	addr := startSMTP(t, mailin.SMTPConfig{}, &fakeSink{})
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	steps := []struct {
		cmd  string
		code int
	}{
		{"", 220},
		{"EHLO client.example.org", 250},
		{"MAIL FROM:<r@example.org>", 250},
		{"RCPT TO:<security@example.com>", 250},
		{"DATA", 354},
	}
	for _, s := range steps {
		if s.cmd != "" {
			if _, err := c.Cmd("%s", s.cmd); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := c.ReadResponse(s.code); err != nil {
			t.Fatalf("%q: %v", s.cmd, err)
		}
	}
	w := c.DotWriter()
	io.WriteString(w, testMessages(t)["plain"])
	w.Close()
	_, msg, err := c.ReadResponse(250)
	if err != nil || msg != "2.0.0 Stored as rcpt-1" {
		t.Errorf("reply to the message = %q, %v; want 250 2.0.0 Stored as rcpt-1", msg, err)
	}
}
