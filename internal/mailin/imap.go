package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/embargohq/embargo/internal/report"
	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TLSMode is how the IMAP poller protects its connection.
type TLSMode string

// The TLS modes.
const (
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 993); the default
	STARTTLS    TLSMode = "starttls" // plain connection upgraded with STARTTLS (port 143)
	TLSNone     TLSMode = "none"     // no TLS: allowed to loopback addresses only
)

// IMAPConfig configures the IMAP poller. Zero fields take the defaults
// given with them.
type IMAPConfig struct {
	// Addr is the server's host:port.
	Addr string
	// TLS is how the connection is protected (TLSImplicit).
	TLS TLSMode
	// TLSConfig, when set, replaces the default TLS configuration (to
	// trust a private CA, say).
	TLSConfig *tls.Config
	// Username and Password log in; the password is never logged.
	Username string
	Password string
	// Mailbox is polled for unseen messages ("INBOX").
	Mailbox string
	// MoveTo, when set, is the mailbox each stored message is moved to.
	MoveTo string
	// Interval is the time between polls (1 minute).
	Interval time.Duration
	// Timeout bounds one poll, connection and transfers included (5
	// minutes).
	Timeout time.Duration
	// Limits bound the messages accepted; larger messages stay unseen in
	// the mailbox, and are logged once.
	Limits Limits
	// Decrypter decrypts OpenPGP mail (the instance key); nil keeps
	// encrypted mail undecrypted.
	Decrypter Decrypter
}

// LogValue logs the configuration without the password.
func (c IMAPConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("addr", c.Addr), slog.String("tls", string(c.TLS)),
		slog.String("username", c.Username), slog.String("mailbox", c.Mailbox), slog.String("move_to", c.MoveTo),
		slog.Duration("interval", c.Interval))
}

func (c IMAPConfig) withDefaults() IMAPConfig {
	if c.TLS == "" {
		c.TLS = TLSImplicit
	}
	if c.Mailbox == "" {
		c.Mailbox = "INBOX"
	}
	c.Interval = cmpOr(c.Interval, time.Minute)
	c.Timeout = cmpOr(c.Timeout, 5*time.Minute)
	c.Limits = c.Limits.withDefaults()
	return c
}

func (c IMAPConfig) validate() error {
	host, _, err := net.SplitHostPort(c.Addr)
	switch {
	case err != nil:
		return fmt.Errorf("mailin: imap address %q: want host:port", c.Addr)
	case c.Username == "":
		return errors.New("mailin: imap: a username is required")
	case c.TLS != TLSImplicit && c.TLS != STARTTLS && c.TLS != TLSNone:
		return fmt.Errorf("mailin: imap: TLS mode %q: want tls, starttls or none", c.TLS)
	case c.TLS == TLSNone && !isLoopback(host):
		return fmt.Errorf("mailin: imap: TLS mode none would send the password in clear to %s; it is allowed for loopback addresses only", host)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IMAPPoller fetches reports from an IMAP mailbox: each unseen message is
// submitted and, once stored, flagged \Seen (and moved, when configured).
type IMAPPoller struct {
	cfg  IMAPConfig
	sink Sink
	log  *slog.Logger

	mu       sync.Mutex      // one poll at a time
	tooLarge map[string]bool // dedup keys of oversize messages already logged
}

// NewIMAPPoller returns a poller for cfg that submits to sink. It fails
// when cfg is incomplete, or asks for no TLS to a non-loopback server.
func NewIMAPPoller(cfg IMAPConfig, sink Sink, log *slog.Logger) (*IMAPPoller, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &IMAPPoller{cfg: cfg, sink: sink, log: log, tooLarge: map[string]bool{}}, nil
}

// Run polls at once and then every cfg.Interval until ctx is done. A poll
// that fails is logged and retried at the next one.
func (p *IMAPPoller) Run(ctx context.Context) error {
	t := time.NewTicker(p.cfg.Interval)
	defer t.Stop()
	for {
		n, err := p.Poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			p.log.Error("imap: poll failed; retrying at the next poll", "mailbox", p.cfg.Mailbox, "stored", n, "err", err)
		} else if n > 0 {
			p.log.Info("imap: poll stored messages", "mailbox", p.cfg.Mailbox, "stored", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll connects, submits every unseen message of the mailbox, and returns
// how many it stored. A message is flagged \Seen only after Submit
// succeeded; the first Submit error ends the poll, leaving that message
// and the rest unseen for the next one.
func (p *IMAPPoller) Poll(ctx context.Context) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	c, err := p.dial()
	if err != nil {
		return 0, fmt.Errorf("mailin: imap: connect to %s: %w", p.cfg.Addr, err)
	}
	defer c.Close()
	// Closing the connection is how a cancelled poll interrupts a command.
	defer context.AfterFunc(ctx, func() { c.Close() })()
	if err := c.Login(p.cfg.Username, p.cfg.Password).Wait(); err != nil {
		return 0, fmt.Errorf("mailin: imap: log in as %s: %w", p.cfg.Username, err)
	}
	n, err := p.pollMailbox(ctx, c)
	if err == nil {
		_ = c.Logout().Wait() // best effort: everything is stored and flagged
	}
	return n, err
}

func (p *IMAPPoller) dial() (*imapclient.Client, error) {
	opts := &imapclient.Options{TLSConfig: p.cfg.TLSConfig, Dialer: &net.Dialer{Timeout: 30 * time.Second}}
	switch p.cfg.TLS {
	case STARTTLS:
		return imapclient.DialStartTLS(p.cfg.Addr, opts)
	case TLSNone:
		return imapclient.DialInsecure(p.cfg.Addr, opts)
	}
	return imapclient.DialTLS(p.cfg.Addr, opts)
}

// pollMailbox selects the mailbox and stores its unseen messages.
func (p *IMAPPoller) pollMailbox(ctx context.Context, c *imapclient.Client) (int, error) {
	sel, err := c.Select(p.cfg.Mailbox, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("mailin: imap: select %s: %w", p.cfg.Mailbox, err)
	}
	unseen, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("mailin: imap: search unseen: %w", err)
	}
	uids := unseen.AllUIDs()
	if len(uids) == 0 {
		return 0, nil
	}
	slices.Sort(uids)
	sizes, err := p.sizes(c, uids)
	if err != nil {
		return 0, err
	}
	stored := 0
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return stored, err
		}
		ok, err := p.store(ctx, c, sel.UIDValidity, uid, sizes[uid])
		if ok {
			stored++
		}
		if err != nil {
			return stored, err
		}
	}
	return stored, nil
}

// sizes returns the size of each message, so that oversize ones are not
// downloaded.
func (p *IMAPPoller) sizes(c *imapclient.Client, uids []imap.UID) (map[imap.UID]int64, error) {
	msgs, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("mailin: imap: fetch sizes: %w", err)
	}
	out := map[imap.UID]int64{}
	for _, m := range msgs {
		out[m.UID] = m.RFC822Size
	}
	return out, nil
}

// store fetches one message without setting \Seen (BODY.PEEK[]), submits
// it, and then flags it \Seen and moves it. It reports whether it stored
// the message: an oversize one is left alone.
func (p *IMAPPoller) store(ctx context.Context, c *imapclient.Client, validity uint32, uid imap.UID, size int64) (bool, error) {
	key := p.dedupKey(validity, uid)
	if size > p.cfg.Limits.MaxMessageBytes {
		p.logTooLarge(key, uid, size)
		return false, nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return false, fmt.Errorf("mailin: imap: fetch message %d: %w", uid, err)
	}
	if len(msgs) == 0 {
		return false, nil // expunged meanwhile
	}
	raw := msgs[0].FindBodySection(section)
	sub, err := p.cfg.Limits.Parse(raw, p.cfg.Decrypter)
	if err != nil {
		p.logTooLarge(key, uid, int64(len(raw)))
		return false, nil
	}
	sub.Channel, sub.Actor, sub.DedupKey = report.IMAP, "imap:"+p.cfg.Username, key
	if _, err := p.sink.Submit(ctx, sub); err != nil {
		return false, fmt.Errorf("mailin: imap: storing message %d: %w", uid, err)
	}
	seen := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	if err := c.Store(imap.UIDSetNum(uid), seen, nil).Close(); err != nil {
		return true, fmt.Errorf("mailin: imap: flag message %d seen (it is stored; the next poll finds it a duplicate): %w", uid, err)
	}
	if p.cfg.MoveTo != "" {
		if _, err := c.Move(imap.UIDSetNum(uid), p.cfg.MoveTo).Wait(); err != nil {
			return true, fmt.Errorf("mailin: imap: move message %d to %s: %w", uid, p.cfg.MoveTo, err)
		}
	}
	return true, nil
}

// dedupKey names a message for idempotent submission: after a crash
// between Submit and the \Seen flag, the next poll submits the same key
// and the sink returns the first Ack. UIDVALIDITY changes when the server
// renumbers the mailbox; the account and mailbox keep keys of several
// polled mailboxes apart.
func (p *IMAPPoller) dedupKey(validity uint32, uid imap.UID) string {
	host, _, _ := net.SplitHostPort(p.cfg.Addr)
	return fmt.Sprintf("imap:%s@%s/%s:%d:%d", p.cfg.Username, host, p.cfg.Mailbox, validity, uid)
}

func (p *IMAPPoller) logTooLarge(key string, uid imap.UID, size int64) {
	if !p.tooLarge[key] {
		p.tooLarge[key] = true
		p.log.Warn("imap: message over the size limit left unseen in the mailbox; handle it by hand",
			"mailbox", p.cfg.Mailbox, "uid", uid, "size", size, "limit", p.cfg.Limits.MaxMessageBytes)
	}
}
