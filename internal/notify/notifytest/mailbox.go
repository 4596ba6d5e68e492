// Package notifytest runs a real SMTP server on loopback for tests of
// outbound mail: it speaks SMTP (with STARTTLS and AUTH PLAIN when asked)
// and keeps every message it accepts.
package notifytest

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mailbox is an SMTP server's store of received messages. Set its fields
// before Start.
type Mailbox struct {
	// RejectRcpt, when set, is the SMTP error for every recipient.
	RejectRcpt *smtp.SMTPError
	// RejectTo are the SMTP errors for some recipients.
	RejectTo map[string]*smtp.SMTPError
	// User and Pass are the required credentials, when User is set.
	User, Pass string

	mu       sync.Mutex
	received []Delivered
	arrived  chan struct{}
}

// Delivered is one accepted message.
type Delivered struct {
	From   string
	To     []string
	Raw    []byte
	TLS    bool   // the session used TLS
	Authed string // the authenticated user, if any
}

// Start runs mb on a loopback port, with STARTTLS when tc is set, until the
// test ends, and returns its host:port.
func Start(t testing.TB, mb *Mailbox, tc *tls.Config) string {
	t.Helper()
	mb.mu.Lock()
	mb.arrived = make(chan struct{}, 1)
	mb.mu.Unlock()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(backend{mb})
	srv.Domain, srv.TLSConfig = "mx.example.test", tc
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// Messages returns what has arrived so far.
func (mb *Mailbox) Messages() []Delivered {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]Delivered(nil), mb.received...)
}

// Wait returns the messages once at least n have arrived, failing the test
// after timeout.
func (mb *Mailbox) Wait(t testing.TB, n int, timeout time.Duration) []Delivered {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if got := mb.Messages(); len(got) >= n {
			return got
		}
		select {
		case <-mb.arrived:
		case <-deadline:
			t.Fatalf("%d messages arrived within %s, want %d", len(mb.Messages()), timeout, n)
		}
	}
}

type backend struct{ mb *Mailbox }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{mb: b.mb, cur: Delivered{TLS: isTLS}}, nil
}

type session struct {
	mb  *Mailbox
	cur Delivered
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.mb.User || pass != s.mb.Pass {
			return errors.New("bad credentials")
		}
		s.cur.Authed = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.mb.User != "" && s.cur.Authed == "" {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.mb.RejectRcpt != nil {
		return s.mb.RejectRcpt
	}
	if err, ok := s.mb.RejectTo[to]; ok {
		return err
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Raw = b
	s.mb.mu.Lock()
	s.mb.received = append(s.mb.received, s.cur)
	s.mb.mu.Unlock()
	select {
	case s.mb.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (s *session) Reset()        { s.cur.From, s.cur.To, s.cur.Raw = "", nil, nil }
func (s *session) Logout() error { return nil }
