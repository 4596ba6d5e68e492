package notify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/notify/notifytest"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
)

// mustTLS returns a server configuration with a self-signed certificate
// for 127.0.0.1, and a client configuration that trusts it.
func mustTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

func mustSMTPSender(t testing.TB, cfg notify.SMTPConfig) *notify.SMTPSender {
	t.Helper()
	s, err := notify.NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var mailDate = time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC)

func TestSMTPSenderDelivers(t *testing.T) {
	mb := &notifytest.Mailbox{}
	addr := notifytest.Start(t, mb, nil)
	s := mustSMTPSender(t, notify.SMTPConfig{Addr: addr, TLS: notify.SMTPNoTLS, From: "Embargo PSIRT <psirt@example.com>",
		ReplyTo: "psirt-team@example.com", Now: func() time.Time { return mailDate }})
	m := notify.Message{Kind: notify.Email, DedupKey: "case:EMB-2026-0001:notice:1", Target: "张三@例子.中国",
		Subject: "安全公告 EMB-2026-0001: fix available / 修复已发布",
		Text:    "您好，\n\n漏洞已修复。The fix is in version 2.1.\n",
		HTML:    "<p>您好，漏洞已修复。</p>"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := mb.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages received, want 1", len(got))
	}
	if diff := cmp.Diff([]string{m.Target}, got[0].To); diff != "" || got[0].From != "psirt@example.com" {
		t.Errorf("envelope from %q, to (-want +got):\n%s", got[0].From, diff)
	}
	r, err := mail.CreateReader(bytes.NewReader(got[0].Raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := r.Header.Subject()
	if err != nil {
		t.Fatal(err)
	}
	date, _ := r.Header.Date()
	headers := map[string]string{
		"Subject":        subject,
		"Message-ID":     r.Header.Get("Message-Id"),
		"Auto-Submitted": r.Header.Get("Auto-Submitted"),
		"Date":           date.UTC().String(),
		"From":           r.Header.Get("From"),
		"Reply-To":       r.Header.Get("Reply-To"),
	}
	wantHeaders := map[string]string{
		"Subject":        m.Subject,
		"Message-ID":     "<" + notify.MessageID(m.DedupKey, "example.com") + ">",
		"Auto-Submitted": "auto-generated",
		"Date":           mailDate.String(),
		"From":           `"Embargo PSIRT" <psirt@example.com>`,
		"Reply-To":       "<psirt-team@example.com>",
	}
	if diff := cmp.Diff(wantHeaders, headers); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if strings.Contains(string(got[0].Raw), "安全公告") {
		t.Error("the subject is not MIME-encoded in the raw message")
	}
	if diff := cmp.Diff(map[string]string{"text/plain": m.Text, "text/html": m.HTML}, parts(t, r)); diff != "" {
		t.Errorf("body parts (-want +got):\n%s", diff)
	}
}

// parts returns the text parts of a message by content type.
func parts(t *testing.T, r *mail.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		h, ok := p.Header.(*mail.InlineHeader)
		if !ok {
			t.Fatalf("unexpected attachment part")
		}
		ct, params, _ := h.ContentType()
		if !strings.EqualFold(params["charset"], "utf-8") {
			t.Errorf("%s part has charset %q, want UTF-8", ct, params["charset"])
		}
		b, _ := io.ReadAll(p.Body)
		out[ct] = strings.ReplaceAll(string(b), "\r\n", "\n") // SMTP lines end in CRLF
	}
}

func TestSMTPSenderStartTLSAndAuth(t *testing.T) {
	serverTLS, clientTLS := mustTLS(t)
	mb := &notifytest.Mailbox{User: "embargo", Pass: "s3cret-pass"}
	addr := notifytest.Start(t, mb, serverTLS)
	s := mustSMTPSender(t, notify.SMTPConfig{Addr: addr, TLSConfig: clientTLS, From: "psirt@example.com",
		Username: "embargo", Password: "s3cret-pass"})
	m := notify.Message{Kind: notify.Email, DedupKey: "k", Target: "a@example.org", Subject: "Hello", Text: "Body"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := mb.Messages()
	if len(got) != 1 || !got[0].TLS || got[0].Authed != "embargo" {
		t.Fatalf("received %d messages; first over TLS %v, authenticated as %q; want 1, true, embargo",
			len(got), len(got) > 0 && got[0].TLS, first(got).Authed)
	}
}

func first(ds []notifytest.Delivered) notifytest.Delivered {
	if len(ds) == 0 {
		return notifytest.Delivered{}
	}
	return ds[0]
}

func TestSMTPSenderFailures(t *testing.T) {
	plain := notifytest.Start(t, &notifytest.Mailbox{}, nil)
	unknown := notifytest.Start(t, &notifytest.Mailbox{RejectRcpt: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "<victim@example.org>: no such user"}}, nil)
	full := notifytest.Start(t, &notifytest.Mailbox{RejectRcpt: &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2},
		Message: "mailbox full"}}, nil)
	closed := func() string {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		defer l.Close()
		return l.Addr().String()
	}()
	tests := []struct {
		name          string
		cfg           notify.SMTPConfig
		wantPermanent bool
	}{
		{"STARTTLS required but not offered", notify.SMTPConfig{Addr: plain}, false},
		{"unknown recipient", notify.SMTPConfig{Addr: unknown, TLS: notify.SMTPNoTLS}, true},
		{"mailbox full", notify.SMTPConfig{Addr: full, TLS: notify.SMTPNoTLS}, false},
		{"connection refused", notify.SMTPConfig{Addr: closed, TLS: notify.SMTPNoTLS, Timeout: 2 * time.Second}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.From = "psirt@example.com"
			m := notify.Message{Kind: notify.Email, DedupKey: "k", Target: "victim@example.org", Subject: "s", Text: "secret body"}
			err := mustSMTPSender(t, tc.cfg).Send(context.Background(), m)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			t.Logf("error: %v", err)
			if notify.IsPermanent(err) != tc.wantPermanent {
				t.Errorf("permanent = %v, want %v (%v)", !tc.wantPermanent, tc.wantPermanent, err)
			}
			if strings.Contains(err.Error(), "victim@") || strings.Contains(err.Error(), "secret body") {
				t.Errorf("the error shows the recipient or the body: %v", err)
			}
		})
	}
}

func TestNewSMTPSenderRefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  notify.SMTPConfig
		want string
	}{
		{"no port", notify.SMTPConfig{Addr: "mail.example.com", From: "a@example.com"}, "want host:port"},
		{"bad policy", notify.SMTPConfig{Addr: "mail.example.com:587", TLS: "sometimes", From: "a@example.com"}, "TLS policy"},
		{"clear text off loopback", notify.SMTPConfig{Addr: "mail.example.com:25", TLS: notify.SMTPNoTLS, From: "a@example.com"}, "loopback"},
		{"bad sender", notify.SMTPConfig{Addr: "mail.example.com:587", From: "not an address"}, "sender"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := notify.NewSMTPSender(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewSMTPSender = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}
