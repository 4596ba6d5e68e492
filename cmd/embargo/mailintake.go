package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/mailin"
	"github.com/embargohq/embargo/internal/pgp"
	"github.com/embargohq/embargo/internal/store"
)

// openPGPKey opens the instance's OpenPGP key, creating it at first start.
// Its user ID names the first address that takes reports by mail.
func openPGPKey(ctx context.Context, c *Config, db *store.DB, kr *keyring.Keyring) (*pgp.Key, error) {
	email := "security@localhost"
	if len(c.SMTPRecipients) > 0 {
		email = c.SMTPRecipients[0]
	}
	k, err := pgp.Open(ctx, db, kr, pgp.Identity{Name: "Embargo security intake", Email: email})
	if err != nil {
		return nil, fmt.Errorf("openpgp key: %w", err)
	}
	return k, nil
}

// startMailIntake starts the SMTP listener and the IMAP poller that the
// configuration turns on; they stop when ctx ends. Listening errors are
// returned at once, so that a wrong --smtp-addr stops the start.
func startMailIntake(ctx context.Context, c *Config, log *slog.Logger, sink mailin.Sink, key *pgp.Key) error {
	if c.SMTPAddr != "" {
		srv, err := mailin.NewSMTPServer(mailin.SMTPConfig{Addr: c.SMTPAddr, Recipients: c.SMTPRecipients,
			Domain: domainOf(c.SMTPRecipients[0]), Decrypter: key}, sink, log.With("channel", "smtp"))
		if err != nil {
			return fmt.Errorf("smtp listener: %w", err)
		}
		ln, err := listenTCP(c.SMTPAddr)
		if err != nil {
			return fmt.Errorf("smtp listener: %w", err)
		}
		log.Info("taking reports by e-mail", "smtp", ln.Addr().String(), "recipients", strings.Join(c.SMTPRecipients, ","))
		go func() {
			if err := srv.Serve(ctx, ln); err != nil && ctx.Err() == nil {
				log.Error("smtp listener stopped", "err", err)
			}
		}()
	}
	if c.IMAPAddr != "" {
		p, err := mailin.NewIMAPPoller(mailin.IMAPConfig{Addr: c.IMAPAddr, TLS: mailin.TLSMode(c.IMAPTLS),
			Username: c.IMAPUser, Password: c.IMAPPassword, Mailbox: c.IMAPMailbox, Interval: c.IMAPInterval,
			Decrypter: key}, sink, log.With("channel", "imap"))
		if err != nil {
			return fmt.Errorf("imap poller: %w", err)
		}
		go func() {
			if err := p.Run(ctx); err != nil {
				log.Error("imap poller stopped", "err", err)
			}
		}()
	}
	return nil
}

func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}

// listenTCP listens on addr.
func listenTCP(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }
