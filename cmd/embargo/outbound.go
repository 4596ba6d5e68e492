package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/mailin"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store"
)

// outbound is the outbox: the service that queues messages and the worker
// that delivers them.
type outbound struct {
	svc    *notify.Service
	worker *notify.Worker
	email  bool // an SMTP relay is configured
	// settled are told of every final delivery outcome (notice
	// campaigns); set them before the worker runs.
	settled []func(notify.Row, notify.State)
}

// newOutbound builds the senders from the configuration: SMTP through
// --mail-relay when it is set, signed webhooks and group robots always.
func newOutbound(c *Config, log *slog.Logger, db *store.DB, kr *keyring.Keyring) (*outbound, error) {
	senders := notify.Senders{notify.Webhook: &notify.WebhookSender{UserAgent: "Embargo/" + buildVersion()}}
	robot := &notify.RobotSender{}
	senders[notify.WeCom], senders[notify.DingTalk], senders[notify.Feishu] = robot, robot, robot
	o := &outbound{}
	// Message-IDs name their outbox row under a key derived from the
	// instance key, so that bounces can be traced back and not forged.
	idKey := kr.DeriveSecret("notify.message-id")
	ids := notify.MessageIDs{Key: idKey[:]}
	if c.MailRelay != "" {
		smtp, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: c.MailRelay, TLS: notify.SMTPTLS(c.MailRelayTLS),
			Username: c.MailRelayUser, Password: c.MailRelayPassword, From: mailFrom(c), IDKey: ids.Key})
		if err != nil {
			return nil, fmt.Errorf("mail-relay: %w", err)
		}
		senders[notify.Email], o.email = smtp, true
	}
	w, err := notify.NewWorker(db, kr, senders, notify.WorkerOptions{Logger: log, Settled: func(r notify.Row, st notify.State) {
		for _, h := range o.settled {
			h(r, st)
		}
	}})
	if err != nil {
		return nil, err
	}
	o.worker, o.svc = w, notify.NewService(db, kr, w.Wake).WithBounces(ids, func(r notify.Row) {
		for _, h := range o.settled {
			h(r, notify.Dead)
		}
	})
	return o, nil
}

// bounces hands the bounces that mail intake finds to the outbox.
type bounces struct{ svc *notify.Service }

// Bounced implements mailin.Bounces.
func (b bounces) Bounced(ctx context.Context, messageID string, r mailin.DSNRecipient, at time.Time) (bool, error) {
	return b.svc.Bounce(ctx, messageID, r.Recipient, r.Status, r.Diagnostic, at)
}

// mailFrom is --mail-from, or the first address that takes reports.
func mailFrom(c *Config) string {
	if c.MailFrom != "" {
		return c.MailFrom
	}
	return "Embargo <" + c.SMTPRecipients[0] + ">"
}

// run delivers until ctx ends and returns when the worker has stopped.
func (o *outbound) run(ctx context.Context, log *slog.Logger) {
	if err := o.worker.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("outbox worker stopped", "err", err)
	}
}

// reportNotices configures intake's messages: acknowledgements and updates
// to reporters when mail can be sent, and announcements of new reports to
// --report-notify.
// dutyNotices configures the obligations engine's escalations and digests.
func dutyNotices(c *Config, o *outbound, base string) (obligation.Notices, error) {
	n := obligation.Notices{Notifier: o.svc, BaseURL: base, Email: o.email, Wake: o.worker.Wake}
	for _, s := range c.DutyNotify {
		kind, target, err := notify.ParseTarget(s)
		if err != nil {
			return n, fmt.Errorf("duty-notify: %w", err)
		}
		if kind == notify.Email {
			return n, fmt.Errorf("duty-notify: %s: escalations are mailed to assignees and compliance officers; give robots or webhooks here", target)
		}
		if kind == notify.Webhook && c.ReportNotifySecret == "" {
			return n, errors.New("duty-notify: a webhook needs --report-notify-secret to sign with")
		}
		n.Channels = append(n.Channels, obligation.Target{Kind: kind, Target: target, Secret: c.ReportNotifySecret})
	}
	return n, nil
}

func reportNotices(c *Config, o *outbound, base string) (report.Notices, error) {
	n := report.Notices{Notifier: o.svc, BaseURL: base, Email: o.email, Wake: o.worker.Wake}
	for _, s := range c.ReportNotify {
		kind, target, err := notify.ParseTarget(s)
		if err != nil {
			return n, fmt.Errorf("report-notify: %w", err)
		}
		if kind == notify.Email && !o.email {
			return n, fmt.Errorf("report-notify: %s is an e-mail address, but no --mail-relay is set", target)
		}
		if kind == notify.Webhook && c.ReportNotifySecret == "" {
			return n, errors.New("report-notify: a webhook needs --report-notify-secret to sign with")
		}
		n.Team = append(n.Team, report.Target{Kind: kind, Target: target, Secret: c.ReportNotifySecret})
	}
	return n, nil
}
