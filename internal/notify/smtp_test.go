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
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/notify"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
)

// mailbox is an SMTP server on loopback that keeps what it receives.
type mailbox struct {
	mu       sync.Mutex
	received []delivered
	// rejectRcpt, when set, is the SMTP error for every recipient.
	rejectRcpt *smtp.SMTPError
	user, pass string // required credentials, when user is set
}

type delivered struct {
	from   string
	to     []string
	raw    []byte
	tls    bool
	authed string
}

func (mb *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &mailSession{mb: mb, cur: delivered{tls: isTLS}}, nil
}

func (mb *mailbox) messages() []delivered {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]delivered(nil), mb.received...)
}

type mailSession struct {
	mb  *mailbox
	cur delivered
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.mb.user || pass != s.mb.pass {
			return errors.New("bad credentials")
		}
		s.cur.authed = user
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.mb.user != "" && s.cur.authed == "" {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.cur.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.mb.rejectRcpt != nil {
		return s.mb.rejectRcpt
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.raw = b
	s.mb.mu.Lock()
	s.mb.received = append(s.mb.received, s.cur)
	s.mb.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        { s.cur.from, s.cur.to, s.cur.raw = "", nil, nil }
func (s *mailSession) Logout() error { return nil }

// startMailbox runs mb on a loopback port, with STARTTLS when tc is set.
func startMailbox(t testing.TB, mb *mailbox, tc *tls.Config) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(mb)
	srv.Domain, srv.TLSConfig = "mx.example.test", tc
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

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
	mb := &mailbox{}
	addr := startMailbox(t, mb, nil)
	s := mustSMTPSender(t, notify.SMTPConfig{Addr: addr, TLS: notify.SMTPNoTLS, From: "Embargo PSIRT <psirt@example.com>",
		ReplyTo: "psirt-team@example.com", Now: func() time.Time { return mailDate }})
	m := notify.Message{Kind: notify.Email, DedupKey: "case:EMB-2026-0001:notice:1", Target: "张三@例子.中国",
		Subject: "安全公告 EMB-2026-0001: fix available / 修复已发布",
		Text:    "您好，\n\n漏洞已修复。The fix is in version 2.1.\n",
		HTML:    "<p>您好，漏洞已修复。</p>"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := mb.messages()
	if len(got) != 1 {
		t.Fatalf("%d messages received, want 1", len(got))
	}
	if diff := cmp.Diff([]string{m.Target}, got[0].to); diff != "" || got[0].from != "psirt@example.com" {
		t.Errorf("envelope from %q, to (-want +got):\n%s", got[0].from, diff)
	}
	r, err := mail.CreateReader(bytes.NewReader(got[0].raw))
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
	if strings.Contains(string(got[0].raw), "安全公告") {
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
	mb := &mailbox{user: "embargo", pass: "s3cret-pass"}
	addr := startMailbox(t, mb, serverTLS)
	s := mustSMTPSender(t, notify.SMTPConfig{Addr: addr, TLSConfig: clientTLS, From: "psirt@example.com",
		Username: "embargo", Password: "s3cret-pass"})
	m := notify.Message{Kind: notify.Email, DedupKey: "k", Target: "a@example.org", Subject: "Hello", Text: "Body"}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := mb.messages()
	if len(got) != 1 || !got[0].tls || got[0].authed != "embargo" {
		t.Fatalf("received %d messages; first over TLS %v, authenticated as %q; want 1, true, embargo",
			len(got), len(got) > 0 && got[0].tls, first(got).authed)
	}
}

func first(ds []delivered) delivered {
	if len(ds) == 0 {
		return delivered{}
	}
	return ds[0]
}

func TestSMTPSenderFailures(t *testing.T) {
	plain := startMailbox(t, &mailbox{}, nil)
	unknown := startMailbox(t, &mailbox{rejectRcpt: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "<victim@example.org>: no such user"}}, nil)
	full := startMailbox(t, &mailbox{rejectRcpt: &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2},
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
