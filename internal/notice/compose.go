package notice

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
)

// MaxMessage bounds each language's message, in characters.
const MaxMessage = 8000

// Compose drafts a campaign about case caseID: the recipients are the
// parties that run an affected version, on each channel they have (and,
// with ct.Subscribers, the affected products' subscribers). Audited
// (notice.compose). Needs access.WriteRemediation and sight of the case.
// Errors: errs.Invalid (notice.message) for a message over MaxMessage;
// errs.Conflict (notice.no_fix) before any affected version has an
// available fix or mitigation, (notice.no_recipients) when nobody runs an
// affected version.
func (s *Service) Compose(ctx context.Context, p *access.Principal, caseID int64, ct Content) (Campaign, error) {
	if err := p.Require(access.WriteRemediation); err != nil {
		return Campaign{}, err
	}
	ct.MessageZH, ct.MessageEN = strings.TrimSpace(ct.MessageZH), strings.TrimSpace(ct.MessageEN)
	if utf8.RuneCountInString(ct.MessageZH) > MaxMessage || utf8.RuneCountInString(ct.MessageEN) > MaxMessage {
		return Campaign{}, errs.Coded(errs.Invalid, "notice.message", "a message may be at most %d characters", MaxMessage)
	}
	var cp Campaign
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		rs, err := s.recipients(ctx, tx, c, ct.Subscribers)
		if err != nil {
			return err
		}
		cp = Campaign{OrgID: c.OrgID, CaseID: c.ID, State: Draft, Content: ct, CreatedBy: p.Actor(), CreatedAt: tx.Now()}
		plain, _ := json.Marshal(ct) // strings and a bool: cannot fail
		if cp.ID, err = tx.CreateCampaign(ctx, cp, func(id int64) ([]byte, error) { return s.sealer.Seal(plain, contentAAD(id)) }); err != nil {
			return err
		}
		for _, r := range rs {
			r.CampaignID = cp.ID
			if _, err := tx.AddRecipient(ctx, r); err != nil {
				return err
			}
		}
		return record(ctx, tx, p.Actor(), "notice.compose", c, map[string]any{"campaign": cp.ID, "recipients": len(rs),
			"subscribers": ct.Subscribers})
	})
	return cp, err
}

// recipients computes case c's recipients.
func (s *Service) recipients(ctx context.Context, tx Tx, c casework.Case, subscribers bool) ([]Recipient, error) {
	plan, err := remediation.Plan(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(plan, func(r remediation.Row) bool { return r.Fix.Covers() }) {
		return nil, errs.Coded(errs.Conflict, "notice.no_fix",
			"record an available fix or mitigation for an affected version before telling its users")
	}
	customers, err := tx.Customers(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	if err := product.OpenContacts(s.sealer, c.OrgID, customers); err != nil {
		return nil, err
	}
	var subs []Subscription
	if subscribers && s.cfg.Email {
		if subs, err = tx.ActiveSubscriptions(ctx, c.OrgID, products(plan)); err != nil {
			return nil, err
		}
	}
	rs := Recipients(plan, customers, subs, s.cfg.Email)
	if len(rs) == 0 {
		return nil, errs.Coded(errs.Conflict, "notice.no_recipients",
			"nobody is known to run an affected version: record who runs what (customers and their versions) first")
	}
	return rs, nil
}

// Recipients computes a campaign's recipients from the affected versions
// of plan: every customer that runs one of them, once per channel it has
// (e-mail only when email is on), and every subscriber to an affected
// product. Each carries the affected versions it runs.
func Recipients(plan []remediation.Row, customers []product.Customer, subs []Subscription, email bool) []Recipient {
	var out []Recipient
	for _, c := range customers {
		var vs []string
		for _, r := range plan {
			if slices.Contains(c.Runs, product.Run{Product: r.Version.Product, Model: r.Version.Model, Version: r.Version.Version}) {
				vs = append(vs, r.Version.String())
			}
		}
		if len(vs) == 0 {
			continue
		}
		base := Recipient{PartyID: c.ID, Name: c.Name, Kind: string(c.Kind), Country: c.Country, Language: c.Language, Versions: vs}
		for _, ch := range channels(c, email) {
			r := base
			r.Channel, r.Target = ch.Kind, notify.MaskTarget(ch.Kind, ch.Target)
			out = append(out, r)
		}
	}
	for _, sub := range subs {
		var vs []string
		for _, r := range plan {
			if r.Version.Product == sub.Product {
				vs = append(vs, r.Version.String())
			}
		}
		out = append(out, Recipient{SubscriptionID: sub.ID, Name: notify.MaskTarget(notify.Email, sub.Email), Kind: "subscriber",
			Language: sub.Language, Channel: notify.Email, Target: notify.MaskTarget(notify.Email, sub.Email), Versions: vs})
	}
	return out
}

// contact is one channel of a customer.
type contact struct {
	Kind   notify.Kind
	Target string
}

func channels(c product.Customer, email bool) []contact {
	var out []contact
	if c.Email != "" && email {
		out = append(out, contact{notify.Email, c.Email})
	}
	if c.WebhookURL != "" {
		out = append(out, contact{notify.Webhook, c.WebhookURL})
	}
	if c.RobotURL != "" {
		out = append(out, contact{c.RobotKind, c.RobotURL})
	}
	return out
}

func products(plan []remediation.Row) []string {
	var out []string
	for _, r := range plan {
		if !slices.Contains(out, r.Version.Product) {
			out = append(out, r.Version.Product)
		}
	}
	return out
}

// Campaigns lists case caseID's campaigns, newest first, without their
// content. Needs access.ReadCases and sight of the case.
func (s *Service) Campaigns(ctx context.Context, p *access.Principal, caseID int64) ([]Campaign, error) {
	var out []Campaign
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		out, err = tx.CaseCampaigns(ctx, c.ID)
		return err
	})
	return out, err
}

// Get returns campaign id of case caseID, opened, with its recipients;
// the read of an undisclosed case's campaign is audited (case.read).
// Needs access.ReadCases and sight of the case; errs.NotFound.
func (s *Service) Get(ctx context.Context, p *access.Principal, caseID, id int64) (Campaign, []Recipient, error) {
	var cp Campaign
	var rs []Recipient
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if cp, err = s.open(ctx, tx, c, id); err != nil {
			return err
		}
		if rs, err = tx.CampaignRecipients(ctx, cp.ID); err != nil || c.Disclosed() {
			return err
		}
		return record(ctx, tx, p.Actor(), "case.read", c, map[string]any{"campaign": cp.ID})
	})
	return cp, rs, err
}

// open reads campaign id of case c with its content.
func (s *Service) open(ctx context.Context, tx Tx, c casework.Case, id int64) (Campaign, error) {
	cp, sealed, err := tx.CampaignByID(ctx, id)
	if err != nil || cp.CaseID != c.ID {
		return Campaign{}, errs.Coded(errs.NotFound, "notice.not_found", "no such campaign")
	}
	plain, err := s.sealer.Unseal(sealed, contentAAD(cp.ID))
	if err != nil {
		return Campaign{}, err
	}
	return cp, json.Unmarshal(plain, &cp.Content)
}

func (s *Service) transact(ctx context.Context, fn func(Tx) error) error {
	return s.cases.AfterGate(ctx, s.store.TransactNotices(ctx, fn))
}

func record(ctx context.Context, tx Tx, actor, action string, c casework.Case, details any) error {
	ev, err := audit.New(ctx, actor, action, "case:"+c.Ref, details)
	if err != nil {
		return err
	}
	ev.OrgID = c.OrgID
	_, err = tx.AppendAudit(ctx, ev)
	return err
}
