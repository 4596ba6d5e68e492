package notice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
)

// Preview renders campaign id of case caseID as each kind of recipient
// would get it (each language, full and reduced), read like Get.
func (s *Service) Preview(ctx context.Context, p *access.Principal, caseID, id int64) ([]Preview, error) {
	var out []Preview
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		cp, err := s.open(ctx, tx, c, id)
		if err != nil {
			return err
		}
		plan, err := remediation.Plan(ctx, tx, c)
		if err != nil {
			return err
		}
		out = previews(c, cp.Content, plan, s.cfg.BaseURL)
		return record(ctx, tx, p.Actor(), "case.read", c, map[string]any{"campaign": cp.ID, "preview": true})
	})
	return out, err
}

// Send starts delivering draft campaign id of case caseID and returns at
// once: the runner enqueues its messages (Run). Audited (notice.send).
// Needs access.WriteRemediation and sight of the case; errs.Conflict
// (notice.not_draft) for a campaign sent already.
func (s *Service) Send(ctx context.Context, p *access.Principal, caseID, id int64) (Campaign, error) {
	return s.start(ctx, p, caseID, id, "notice.send", func(ctx context.Context, tx Tx, cp *Campaign) error {
		if cp.State != Draft {
			return errs.Coded(errs.Conflict, "notice.not_draft", "the campaign was sent already; resend to those not reached instead")
		}
		cp.SentBy, cp.SentAt = p.Actor(), tx.Now()
		return nil
	})
}

// Resend sends campaign id's notice again to the recipients it did not
// reach (their delivery failed for good), with new links, to their
// current contacts. Audited (notice.resend, with how many). Needs
// access.WriteRemediation; errs.Conflict (notice.none_unreached) when
// every recipient was reached or is still queued.
func (s *Service) Resend(ctx context.Context, p *access.Principal, caseID, id int64) (Campaign, error) {
	return s.start(ctx, p, caseID, id, "notice.resend", func(ctx context.Context, tx Tx, cp *Campaign) error {
		if cp.State == Draft {
			return errs.Coded(errs.Conflict, "notice.draft", "send the campaign first")
		}
		n, err := tx.RequeueRecipients(ctx, cp.ID)
		if err == nil && n == 0 {
			err = errs.Coded(errs.Conflict, "notice.none_unreached", "every recipient was reached or is still queued")
		}
		return err
	})
}

// start moves a campaign to sending after check, audited as action.
func (s *Service) start(ctx context.Context, p *access.Principal, caseID, id int64, action string,
	check func(context.Context, Tx, *Campaign) error) (Campaign, error) {
	if err := p.Require(access.WriteRemediation); err != nil {
		return Campaign{}, err
	}
	var cp Campaign
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if cp, err = s.open(ctx, tx, c, id); err != nil {
			return err
		}
		if err := check(ctx, tx, &cp); err != nil {
			return err
		}
		cp.State, cp.SettledAt = Sending, time.Time{}
		if err := tx.UpdateCampaign(ctx, cp); err != nil {
			return err
		}
		return record(ctx, tx, p.Actor(), action, c, map[string]any{"campaign": cp.ID})
	})
	if err == nil {
		s.Poke()
	}
	return cp, err
}

// Poke makes a running runner work at once; it never blocks. Wire it to
// the outbox worker's Settled hook for messages of campaigns.
func (s *Service) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// Settled is the outbox worker's Settled hook: a final outcome of a
// campaign's message pokes the runner.
func (s *Service) Settled(r notify.Row, _ notify.State) {
	if strings.HasPrefix(r.DedupKey, "notice:") {
		s.Poke()
	}
}

// Run works until ctx is done: at once when poked, else every poll, at
// most once a second (a burst of ten thousand deliveries is a handful of
// settling checks).
func (s *Service) Run(ctx context.Context, log *slog.Logger, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if err := s.Work(ctx); err != nil && ctx.Err() == nil {
			log.Warn("notice: campaign work failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.poke:
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// Work enqueues the messages of every sending campaign, a batch per
// transaction, and settles those whose recipients are all sent or dead.
// It is idempotent and safe on several nodes (the outbox's dedup keys
// make a message once).
func (s *Service) Work(ctx context.Context) error {
	ids, err := s.store.CampaignsIn(ctx, Sending)
	if err != nil {
		return err
	}
	for _, id := range ids {
		for {
			n, err := s.dispatch(ctx, id)
			if err != nil {
				return err
			}
			if n > 0 {
				s.cfg.Wake()
			}
			if n < s.Batch {
				break
			}
		}
		if err := s.settle(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// dispatch enqueues one batch of campaign id's unqueued recipients, each
// through the sharing gate, and returns how many.
func (s *Service) dispatch(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.store.TransactNotices(ctx, func(tx Tx) error {
		rs, err := tx.UnqueuedRecipients(ctx, id, s.Batch)
		if err != nil || len(rs) == 0 {
			return err
		}
		d, err := s.loadDispatch(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := s.enqueue(ctx, tx, d, r); err != nil {
				return err
			}
		}
		n = len(rs)
		return nil
	})
	return n, err
}

// dispatchData is what enqueuing a campaign's messages reads once a batch.
type dispatchData struct {
	cp        Campaign
	c         casework.Case
	plan      []remediation.Row
	customers map[int64]product.Customer
	subs      map[int64]Subscription
	sys       *access.Principal
}

func (s *Service) loadDispatch(ctx context.Context, tx Tx, id int64) (dispatchData, error) {
	cp, sealed, err := tx.CampaignByID(ctx, id)
	if err != nil {
		return dispatchData{}, err
	}
	d := dispatchData{cp: cp, customers: map[int64]product.Customer{}, subs: map[int64]Subscription{}, sys: access.SystemFor(cp.OrgID)}
	plain, err := s.sealer.Unseal(sealed, contentAAD(cp.ID))
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(plain, &d.cp.Content); err != nil {
		return d, err
	}
	if d.c, _, err = tx.CaseByID(ctx, cp.CaseID); err != nil {
		return d, err
	}
	if d.c.Aliases, err = tx.CaseAliases(ctx, d.c.ID); err != nil {
		return d, err
	}
	if d.plan, err = remediation.Plan(ctx, tx, d.c); err != nil {
		return d, err
	}
	cs, err := tx.Customers(ctx, cp.OrgID)
	if err != nil {
		return d, err
	}
	if err := product.OpenContacts(s.sealer, cp.OrgID, cs); err != nil {
		return d, err
	}
	for _, c := range cs {
		d.customers[c.ID] = c
	}
	subs, err := tx.ActiveSubscriptions(ctx, cp.OrgID, products(d.plan))
	for _, sub := range subs {
		d.subs[sub.ID] = sub
	}
	return d, err
}

// enqueue sends recipient r its notice: full when the sharing gate lets
// the case's undisclosed detail go to it, reduced otherwise.
func (s *Service) enqueue(ctx context.Context, tx Tx, d dispatchData, r Recipient) error {
	r.Attempt++
	target, unsub, full, why, err := s.resolve(ctx, tx, d, r)
	if err != nil {
		return err
	}
	token := s.recipientToken(r.ID, r.Attempt)
	r.Detail, r.GateWhy = detailOf(full), why
	key := fmt.Sprintf("notice:%d:%d:%d", d.cp.ID, r.ID, r.Attempt)
	if target == "" {
		// The contact is gone (the party was deleted or changed): record
		// an undeliverable message, so that the recipient shows as not
		// reached and can be resent once the contact is back.
		return s.undeliverable(ctx, tx, d, r, key, token)
	}
	l := compose(d.c, d.cp.Content, d.plan, r, full)
	l.AckURL, l.ReplyURL = s.cfg.BaseURL+"notices/r/"+token, s.cfg.BaseURL+"notices/r/"+token+"#reply"
	if unsub != "" {
		l.UnsubURL = unsub
	}
	subj, text, data := render(l, r, d.cp.ID)
	m := notify.Message{OrgID: d.cp.OrgID, Kind: r.Channel, DedupKey: key, Target: target, Subject: subj, Text: text,
		Unsubscribe: unsub, Event: "notice.campaign", Data: data}
	if r.Channel == notify.Webhook {
		m.Secret = WebhookSecret(s.sealer, d.cp.OrgID)
	}
	if r.OutboxID, err = s.cfg.Notifier.EnqueueTx(ctx, tx, m); err != nil {
		return err
	}
	return tx.QueueRecipient(ctx, r, hashToken(token))
}

// resolve finds r's current contact and what detail it may get.
func (s *Service) resolve(ctx context.Context, tx Tx, d dispatchData, r Recipient) (target, unsub string, full bool, why string, err error) {
	if r.SubscriptionID != 0 {
		sub, ok := d.subs[r.SubscriptionID]
		if !ok {
			return "", "", false, "subscription_ended", nil
		}
		tok := s.unsubscribeToken(sub.ProductID, sub.Email)
		return sub.Email, s.cfg.BaseURL + "notices/unsubscribe/" + tok, false, "subscriber", nil
	}
	c, ok := d.customers[r.PartyID]
	if !ok {
		return "", "", false, "party_gone", nil
	}
	i := slices.IndexFunc(channels(c, true), func(ch contact) bool { return ch.Kind == r.Channel })
	if i < 0 {
		return "", "", false, "contact_gone", nil
	}
	v, err := disclosure.Check(ctx, tx, d.sys, disclosure.Case{ID: d.c.ID, OrgID: d.c.OrgID, Ref: d.c.Ref, Disclosed: d.c.Disclosed()},
		disclosure.Recipient{Name: c.Name, Country: c.Country, Role: disclosure.Customer}, "customer_notice")
	return channels(c, true)[i].Target, "", v.Allowed, v.Why, err
}

// undeliverable records a message that cannot be sent as dead.
func (s *Service) undeliverable(ctx context.Context, tx Tx, d dispatchData, r Recipient, key, token string) error {
	id, err := tx.DeadOutbox(ctx, notify.Row{OrgID: d.cp.OrgID, Kind: r.Channel, DedupKey: key, Target: r.Target,
		LastError: "no contact: " + r.GateWhy})
	if err != nil {
		return err
	}
	r.OutboxID = id
	return tx.QueueRecipient(ctx, r, hashToken(token))
}

// settle settles campaign id once no recipient is queued, and meets the
// case's affected-user duty with a delivered campaign as its evidence
// (and the CRA's, EU-14-6, when the case's advisory is published).
func (s *Service) settle(ctx context.Context, id int64) error {
	return s.store.TransactNotices(ctx, func(tx Tx) error {
		cp, sealed, err := tx.CampaignByID(ctx, id)
		if err != nil || cp.State != Sending {
			return err
		}
		pr, err := tx.CampaignProgress(ctx, id)
		if err != nil || pr.Queued > 0 {
			return err
		}
		cp.State, cp.SettledAt = Failed, tx.Now()
		if pr.Reached > 0 {
			cp.State, cp.SettledAt = Delivered, pr.LastAt
		}
		if err := tx.UpdateCampaign(ctx, cp); err != nil {
			return err
		}
		c, _, err := tx.CaseByID(ctx, cp.CaseID)
		if err != nil {
			return err
		}
		if err := record(ctx, tx, "system", "notice."+string(cp.State), c, map[string]any{"campaign": cp.ID,
			"reached": pr.Reached, "not_reached": pr.NotReached}); err != nil || cp.State != Delivered {
			return err
		}
		plain, err := s.sealer.Unseal(sealed, contentAAD(cp.ID))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(plain)
		// CN-07-9 met; EU-14-6 met too when the advisory is published.
		return s.obl.NoticeDelivered(ctx, tx, c.ID, obligation.Evidence{
			Ref: fmt.Sprintf("campaign:%d", cp.ID), At: cp.SettledAt, SHA256: hex.EncodeToString(sum[:]),
			Note: fmt.Sprintf("notice campaign %d delivered to %d of %d recipients", cp.ID, pr.Reached, pr.Reached+pr.NotReached)})
	})
}

// SecretDeriver derives secrets from the instance key.
type SecretDeriver interface {
	DeriveSecret(label string) [32]byte
}

// WebhookSecret is organisation org's secret for signing notice webhooks
// (X-Embargo-Signature): give it to the customers that receive them.
func WebhookSecret(k SecretDeriver, org int64) string {
	b := k.DeriveSecret(fmt.Sprintf("embargo notice webhook v1 org %d", org))
	return hex.EncodeToString(b[:])
}
