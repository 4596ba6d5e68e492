package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPTLS is how the SMTP sender protects its connection.
type SMTPTLS string

// The TLS policies.
const (
	// SMTPStartTLS requires STARTTLS (port 587, 25); the default. A
	// server that does not offer it gets no mail.
	SMTPStartTLS SMTPTLS = "starttls"
	// SMTPOpportunistic uses STARTTLS when the server offers it, and plain
	// text otherwise. It sends no password in clear.
	SMTPOpportunistic SMTPTLS = "opportunistic"
	// SMTPImplicitTLS speaks TLS from the first byte (port 465).
	SMTPImplicitTLS SMTPTLS = "tls"
	// SMTPNoTLS never encrypts: allowed to loopback relays only.
	SMTPNoTLS SMTPTLS = "none"
)

// SMTPConfig configures the SMTP sender.
type SMTPConfig struct {
	// Addr is the relay's host:port.
	Addr string
	// TLS is the TLS policy (SMTPStartTLS).
	TLS SMTPTLS
	// TLSConfig, when set, replaces the default TLS configuration (to
	// trust a private CA, say); its ServerName defaults to Addr's host.
	TLSConfig *tls.Config
	// Username and Password authenticate, when Username is set (the
	// strongest mechanism both sides know). The password is never logged.
	Username, Password string
	// From is the sender: "Embargo PSIRT <psirt@example.com>". Its domain
	// also names the Message-IDs.
	From string
	// ReplyTo, when set, is where replies go.
	ReplyTo string
	// HELO is the name to greet with (the host name).
	HELO string
	// Timeout bounds connecting and each command (30s).
	Timeout time.Duration
	// Now is the clock for the Date header (time.Now).
	Now func() time.Time
	// IDKey, when set, signs the outbox row's ID into each Message-ID
	// (see MessageIDs), so that a bounce naming it marks the message not
	// delivered and a forged one cannot.
	IDKey []byte
}

// LogValue logs the configuration without the password.
func (c SMTPConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("addr", c.Addr), slog.String("tls", string(c.TLS)),
		slog.String("username", c.Username), slog.String("from", c.From))
}

// SMTPSender sends e-mail through an SMTP relay: multipart/alternative
// when the message has HTML, UTF-8 throughout (headers encoded per RFC
// 2047), with a Message-ID derived from the dedup key, so that a message
// sent twice (at least once) has the same ID both times.
type SMTPSender struct {
	cfg    SMTPConfig
	host   string
	port   int
	from   *mail.Address
	domain string
}

// NewSMTPSender returns a sender for cfg. It fails when cfg is incomplete,
// or asks for no TLS to a relay that is not on loopback.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.TLS == "" {
		cfg.TLS = SMTPStartTLS
	}
	cfg.Timeout = cmpOr(cfg.Timeout, 30*time.Second)
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	port, perr := strconv.Atoi(portStr)
	switch {
	case err != nil || perr != nil || host == "" || port <= 0 || port > 65535:
		return nil, fmt.Errorf("notify: smtp address %q: want host:port", cfg.Addr)
	case cfg.TLS != SMTPStartTLS && cfg.TLS != SMTPOpportunistic && cfg.TLS != SMTPImplicitTLS && cfg.TLS != SMTPNoTLS:
		return nil, fmt.Errorf("notify: smtp TLS policy %q: want starttls, opportunistic, tls or none", cfg.TLS)
	case cfg.TLS == SMTPNoTLS && !isLoopback(host):
		return nil, fmt.Errorf("notify: smtp TLS policy none would send mail in clear to %s; it is allowed for loopback relays only", host)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("notify: smtp sender %q: %w", cfg.From, err)
	}
	if cfg.ReplyTo != "" {
		if _, err := mail.ParseAddress(cfg.ReplyTo); err != nil {
			return nil, fmt.Errorf("notify: smtp reply-to %q: %w", cfg.ReplyTo, err)
		}
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	return &SMTPSender{cfg: cfg, host: host, port: port, from: from, domain: domain}, nil
}

// Send implements Sender. The relay's 5xx answers are permanent failures;
// everything else (4xx, connection and TLS failures) is retried.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.message(m)
	if err != nil {
		return Permanent(err)
	}
	c, err := gomail.NewClient(s.host, s.options()...)
	if err != nil {
		return Permanent(fmt.Errorf("smtp: %w", err))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return s.classify(err, m.Target)
	}
	return nil
}

func (s *SMTPSender) options() []gomail.Option {
	tc := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		tc = s.cfg.TLSConfig.Clone()
		tc.ServerName = cmpStr(tc.ServerName, s.host)
	}
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(s.cfg.Timeout), gomail.WithTLSConfig(tc)}
	switch s.cfg.TLS {
	case SMTPStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case SMTPOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case SMTPImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case SMTPNoTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return opts
}

// message builds the e-mail for m.
func (s *SMTPSender) message(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	msg.FromMailAddress(s.from)
	if err := msg.To(m.Target); err != nil {
		return nil, errors.New("smtp: the recipient is not a valid address")
	}
	if s.cfg.ReplyTo != "" {
		if err := msg.ReplyTo(s.cfg.ReplyTo); err != nil {
			return nil, fmt.Errorf("smtp: reply-to: %w", err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(nowOr(s.cfg.Now)())
	id := MessageID(m.DedupKey, s.domain)
	if len(s.cfg.IDKey) > 0 && m.OutboxID > 0 {
		id = MessageIDs{Key: s.cfg.IDKey}.For(m.OutboxID, m.DedupKey, s.domain)
	}
	msg.SetMessageIDWithValue(id)
	// Automated mail: no out-of-office answers (RFC 3834 §5).
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	if m.Unsubscribe != "" {
		// One-click unsubscribe (RFC 8058 §3.1): the receiver POSTs
		// "List-Unsubscribe=One-Click" to the URL.
		msg.SetGenHeader("List-Unsubscribe", "<"+m.Unsubscribe+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// MessageIDs makes and reads the Message-IDs of outbox e-mail that can be
// traced back: "<row ID>.<MAC>@<domain>", the MAC an HMAC-SHA-256 (cut to
// 96 bits) of the row ID and dedup key under Key, a secret derived from the
// instance key. The same on every attempt of a row.
type MessageIDs struct {
	Key []byte
}

// For returns the Message-ID (without angle brackets) of outbox row id
// with dedupKey, sent from domain.
func (m MessageIDs) For(id int64, dedupKey, domain string) string {
	return strconv.FormatInt(id, 10) + "." + m.mac(id, dedupKey) + "@" + cmpStr(domain, "embargo.invalid")
}

// Row returns the outbox row ID a Message-ID names, and a function that
// says whether the row's dedup key matches it; ok is false for a
// Message-ID of another form.
func (m MessageIDs) Row(messageID string) (id int64, matches func(dedupKey string) bool, ok bool) {
	local, _, found := strings.Cut(strings.Trim(strings.TrimSpace(messageID), "<>"), "@")
	idText, mac, dot := strings.Cut(local, ".")
	if !found || !dot || len(m.Key) == 0 {
		return 0, nil, false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, nil, false
	}
	return id, func(dedupKey string) bool { return hmac.Equal([]byte(mac), []byte(m.mac(id, dedupKey))) }, true
}

func (m MessageIDs) mac(id int64, dedupKey string) string {
	h := hmac.New(sha256.New, m.Key)
	h.Write([]byte("embargo.outbox.message-id\x00" + strconv.FormatInt(id, 10) + "\x00" + dedupKey))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// MessageID returns the Message-ID (without angle brackets) of the
// message with dedupKey sent from domain: the same on every attempt. It is
// used when no MessageIDs key is configured.
func MessageID(dedupKey, domain string) string {
	sum := sha256.Sum256([]byte("embargo.outbox\x00" + dedupKey))
	return hex.EncodeToString(sum[:16]) + "@" + cmpStr(domain, "embargo.invalid")
}

// classify turns a go-mail error into a SendError, with the recipient's
// address masked (relays echo it).
func (s *SMTPSender) classify(err error, rcpt string) error {
	text := strings.ReplaceAll(err.Error(), rcpt, MaskTarget(Email, rcpt))
	if s.cfg.Password != "" {
		text = strings.ReplaceAll(text, s.cfg.Password, "xxxxx")
	}
	out := errors.New("smtp: " + text)
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return Permanent(out)
	}
	return Temporary(out, 0)
}
