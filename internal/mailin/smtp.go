package mailin

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/ratelimit"
	"github.com/embargohq/embargo/internal/report"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-smtp"
)

// SMTPConfig configures the SMTP listener. Zero fields take the defaults
// given with them.
type SMTPConfig struct {
	// Addr is the address to listen on (":25", "127.0.0.1:2525").
	Addr string
	// Domain is the host name the server greets with ("localhost").
	Domain string
	// Recipients are the addresses mail is accepted for, compared without
	// regard to case; every other recipient is refused with 550. At least
	// one is required.
	Recipients []string
	// Limits bound the messages accepted; Limits.MaxMessageBytes is also
	// the SIZE the server announces, and larger messages are refused with
	// 552.
	Limits Limits
	// MaxRecipients is how many recipients one message may have (10).
	MaxRecipients int
	// ReadTimeout and WriteTimeout bound each read from and write to a
	// client (60s each).
	ReadTimeout, WriteTimeout time.Duration
	// RateBurst messages are accepted from one remote address per
	// RatePeriod (30 per hour); more are deferred with 450.
	RateBurst  int
	RatePeriod time.Duration
	// TLSConfig, when set, enables STARTTLS with it.
	TLSConfig *tls.Config
	// Decrypter decrypts OpenPGP mail (the instance key); nil keeps
	// encrypted mail undecrypted.
	Decrypter Decrypter
	// SubmitTimeout bounds storing one message (60s).
	SubmitTimeout time.Duration
}

func (c SMTPConfig) withDefaults() SMTPConfig {
	c.Limits = c.Limits.withDefaults()
	if c.Domain == "" {
		c.Domain = "localhost"
	}
	c.MaxRecipients = cmpOr(c.MaxRecipients, 10)
	c.ReadTimeout = cmpOr(c.ReadTimeout, 60*time.Second)
	c.WriteTimeout = cmpOr(c.WriteTimeout, 60*time.Second)
	c.RateBurst = cmpOr(c.RateBurst, 30)
	c.RatePeriod = cmpOr(c.RatePeriod, time.Hour)
	c.SubmitTimeout = cmpOr(c.SubmitTimeout, 60*time.Second)
	return c
}

// cmpOr returns v, or def when v is not positive.
func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// The replies the listener gives besides go-smtp's own.
var (
	errNoSuchRecipient = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such recipient here"}
	errRateLimited     = &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many messages from your address; try again later"}
	errNotStored       = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "The message could not be stored; try again later"}
	errReadFailed      = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "The message could not be read; try again later"}
	errLineTooLong     = &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Line too long"}
)

// SMTPServer receives reports by SMTP: mail to the configured recipients
// is parsed and submitted, and acknowledged only once stored.
type SMTPServer struct {
	cfg   SMTPConfig
	sink  Sink
	log   *slog.Logger
	rcpts map[string]bool
	limit *ratelimit.Limiter
	srv   *smtp.Server
}

// NewSMTPServer returns a listener for cfg that submits to sink. It fails
// when cfg names no recipient.
func NewSMTPServer(cfg SMTPConfig, sink Sink, log *slog.Logger) (*SMTPServer, error) {
	cfg = cfg.withDefaults()
	s := &SMTPServer{cfg: cfg, sink: sink, log: log, rcpts: map[string]bool{},
		limit: ratelimit.New(cfg.RateBurst, cfg.RatePeriod, nil)}
	for _, r := range cfg.Recipients {
		if r = strings.ToLower(strings.TrimSpace(r)); r != "" {
			s.rcpts[r] = true
		}
	}
	if len(s.rcpts) == 0 {
		return nil, errors.New("mailin: the SMTP listener needs at least one recipient address")
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Addr, srv.Domain, srv.TLSConfig = cfg.Addr, cfg.Domain, cfg.TLSConfig
	srv.MaxMessageBytes, srv.MaxRecipients = cfg.Limits.MaxMessageBytes, cfg.MaxRecipients
	srv.ReadTimeout, srv.WriteTimeout = cfg.ReadTimeout, cfg.WriteTimeout
	// RFC 5321 allows lines of 1000 octets, but mail from careless
	// programs has longer ones; refusing it would lose reports.
	srv.MaxLineLength = maxLineLength
	srv.ErrorLog = errorLog{log}
	s.srv = srv
	return s, nil
}

// ListenAndServe listens on cfg.Addr and serves until ctx is done.
func (s *SMTPServer) ListenAndServe(ctx context.Context) error {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("mailin: smtp: %w", err)
	}
	return s.Serve(ctx, l)
}

// maxLineLength is the longest line accepted, commands and message alike.
const maxLineLength = 64 << 10

// shutdownGrace is how long a stopping server waits for sessions to end.
const shutdownGrace = 10 * time.Second

// Serve accepts SMTP sessions on l until ctx is done, then closes l and
// gives open sessions shutdownGrace to finish before closing them. A
// message whose storing was cut off was not acknowledged, so its sender
// retries it.
func (s *SMTPServer) Serve(ctx context.Context, l net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("mailin: smtp: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := s.srv.Shutdown(sctx); err != nil {
		_ = s.srv.Close()
	}
	<-errc
	return nil
}

func (s *SMTPServer) newSession(c *smtp.Conn) (smtp.Session, error) {
	ip := remoteIP(c.Conn().RemoteAddr())
	return &session{srv: s, ip: ip}, nil
}

func remoteIP(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// session is one SMTP session: MAIL, RCPT and DATA, possibly repeated.
type session struct {
	srv  *SMTPServer
	ip   string
	from string // the envelope sender of the current message
}

// Mail starts a message; it is where the per-address rate limit applies.
func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ok, _ := ss.srv.limit.Allow(ss.ip); !ok {
		ss.srv.log.Warn("smtp: rate limited", "remote_ip", ss.ip)
		return errRateLimited
	}
	ss.from = from
	return nil
}

// Rcpt accepts the configured recipients only.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !ss.srv.rcpts[strings.ToLower(to)] {
		return errNoSuchRecipient
	}
	return nil
}

// Data reads the message, parses it and submits it. It replies 250 only
// after the sink stored the message, and 451 when it did not, so that the
// sending MTA retries; 552 when the message is over the size limit.
func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	switch {
	case errors.Is(err, smtp.ErrDataTooLarge):
		return smtp.ErrDataTooLarge
	case errors.Is(err, smtp.ErrTooLongLine):
		return errLineTooLong
	}
	if err != nil {
		return errReadFailed
	}
	sub, err := ss.srv.cfg.Limits.Parse(raw, ss.srv.cfg.Decrypter)
	if err != nil {
		return smtp.ErrDataTooLarge
	}
	sub.Channel, sub.Actor, sub.RemoteAddr = report.SMTP, "smtp:"+ss.ip, ss.ip
	sub.DedupKey = smtpDedupKey(raw)
	if sub.Reporter.Email == "" {
		sub.Reporter.Email = ss.from
	}
	ctx, cancel := context.WithTimeout(context.Background(), ss.srv.cfg.SubmitTimeout)
	defer cancel()
	ack, err := ss.srv.sink.Submit(ctx, sub)
	if err != nil {
		ss.srv.log.Error("smtp: storing a message failed; the sender will retry", "remote_ip", ss.ip, "size", len(raw), "err", err)
		return errNotStored
	}
	ss.srv.log.Info("smtp: message stored", "remote_ip", ss.ip, "receipt", ack.Receipt.ID, "size", len(raw),
		"encrypted", sub.Encrypted, "duplicate", ack.Duplicate)
	// go-smtp sends the code and text of a returned *SMTPError as they are:
	// this is the 250 reply, naming the receipt for the sender's logs.
	reply := "Stored"
	if ack.Receipt.ID != "" {
		reply += " as " + ack.Receipt.ID
	}
	return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: reply}
}

// smtpDedupKey makes an SMTP message idempotent: a sending MTA that retries
// a message whose 250 it never received sends the same bytes, which then
// return the first Ack. The key hashes the Message-ID with the whole
// message, so that nobody can suppress a report by sending first a
// different message under its (not secret) Message-ID. Without a
// Message-ID there is no key.
func smtpDedupKey(raw []byte) string {
	id := messageID(raw)
	if id == "" {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write(raw)
	return "smtp:" + hex.EncodeToString(h.Sum(nil))
}

// messageID returns the Message-ID of raw, or "" when it has none.
func messageID(raw []byte) string {
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return ""
	}
	id, _ := (&mail.Header{Header: message.Header{Header: h}}).MessageID()
	return id
}

// Reset forgets the current message.
func (ss *session) Reset() { ss.from = "" }

// Logout ends the session.
func (ss *session) Logout() error { return nil }

// errorLog passes go-smtp's internal errors (failed handshakes, broken
// connections) to slog at Warn.
type errorLog struct{ log *slog.Logger }

func (e errorLog) Printf(format string, v ...any) { e.log.Warn("smtp: " + fmt.Sprintf(format, v...)) }
func (e errorLog) Println(v ...any)               { e.log.Warn("smtp: " + strings.TrimSpace(fmt.Sprintln(v...))) }
