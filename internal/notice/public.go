package notice

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/product"
)

// What recipients and subscribers do through the links they are sent.
// Every link carries a random token that only its hash is stored of; a
// wrong or stale token is errs.NotFound (notice.link), and the web layer
// rate-limits the links per client address.

// RecipientView is what a recipient's link shows: no undisclosed detail,
// since whoever holds the link may be anyone the message reached.
type RecipientView struct {
	Name           string
	Language       string
	Versions       []string
	AcknowledgedAt time.Time
}

var errLink = errs.Coded(errs.NotFound, "notice.link", "this link is not valid (any more)")

// Recipient returns what recipient token's link shows.
func (s *Service) Recipient(ctx context.Context, token string) (RecipientView, error) {
	var v RecipientView
	err := s.store.TransactNotices(ctx, func(tx Tx) error {
		r, err := tx.RecipientByToken(ctx, hashToken(token))
		if err != nil {
			return errLink
		}
		v = RecipientView{Name: r.Name, Language: r.Language, Versions: r.Versions, AcknowledgedAt: r.AcknowledgedAt}
		return nil
	})
	return v, err
}

// Acknowledge records that recipient token received the notice (the first
// time counts); audited (notice.acknowledge) on the case.
func (s *Service) Acknowledge(ctx context.Context, token string) (RecipientView, error) {
	var v RecipientView
	err := s.store.TransactNotices(ctx, func(tx Tx) error {
		r, err := tx.RecipientByToken(ctx, hashToken(token))
		if err != nil {
			return errLink
		}
		v = RecipientView{Name: r.Name, Language: r.Language, Versions: r.Versions, AcknowledgedAt: r.AcknowledgedAt}
		if !r.AcknowledgedAt.IsZero() {
			return nil
		}
		v.AcknowledgedAt = tx.Now()
		if err := tx.AcknowledgeRecipient(ctx, r.ID, tx.Now()); err != nil {
			return err
		}
		return s.onCase(ctx, tx, r, "notice.acknowledge", nil)
	})
	return v, err
}

// Reply threads recipient token's reply or request for help into the case
// as a comment by "recipient:<name>"; audited (notice.reply). Errors:
// errs.Invalid (case.comment) for an empty or too long text.
func (s *Service) Reply(ctx context.Context, token, body string) error {
	return s.store.TransactNotices(ctx, func(tx Tx) error {
		r, err := tx.RecipientByToken(ctx, hashToken(token))
		if err != nil {
			return errLink
		}
		return s.onCase(ctx, tx, r, "notice.reply", func(tx Tx, cp Campaign) error {
			c, _, err := tx.CaseByID(ctx, cp.CaseID)
			if err != nil {
				return err
			}
			_, err = s.cases.CommentIn(ctx, tx, c, "recipient:"+r.Name,
				fmt.Sprintf("[notice %d, %s] %s", cp.ID, r.Channel, strings.TrimSpace(body)))
			return err
		})
	})
}

// onCase runs fn on recipient r's campaign, then audits action on its case.
func (s *Service) onCase(ctx context.Context, tx Tx, r Recipient, action string, fn func(Tx, Campaign) error) error {
	cp, _, err := tx.CampaignByID(ctx, r.CampaignID)
	if err != nil {
		return err
	}
	if fn != nil {
		if err := fn(tx, cp); err != nil {
			return err
		}
	}
	c, _, err := tx.CaseByID(ctx, cp.CaseID)
	if err != nil {
		return err
	}
	return record(ctx, tx, "recipient:"+r.Name, action, c, map[string]any{"campaign": cp.ID, "recipient": r.ID})
}

// Subscribe asks for address email to receive product productID's
// notices in language lang (double opt-in): it stores a pending
// subscription and e-mails a confirmation link. Asking again for a stored
// address changes nothing and says the same, so the answer tells nobody
// who subscribed. Errors: errs.NotFound (notice.product) for no such
// product; errs.Invalid (notice.email) for a bad address; errs.Unavailable
// (notice.no_mail) when no mail relay is configured.
func (s *Service) Subscribe(ctx context.Context, productID int64, email, lang string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return errs.Coded(errs.Invalid, "notice.email", "give a valid e-mail address")
	}
	if lang != product.English {
		lang = product.Chinese
	}
	if !s.cfg.Email {
		return errs.Coded(errs.Unavailable, "notice.no_mail", "subscriptions need outbound e-mail, which is not configured")
	}
	var created bool
	err := s.store.TransactNotices(ctx, func(tx Tx) error {
		name, org, err := tx.ProductByID(ctx, productID)
		if err != nil {
			return errs.Coded(errs.NotFound, "notice.product", "no such product")
		}
		confirm := randomToken()
		sub := Subscription{OrgID: org, ProductID: productID, Email: email, Language: lang, State: "pending", CreatedAt: tx.Now()}
		id, made, err := tx.PutSubscription(ctx, sub, hashToken(confirm), hashToken(s.unsubscribeToken(productID, email)))
		if err != nil || !made {
			return err
		}
		created = true
		if err := auditOrg(ctx, tx, org, "notice.subscribe_request", productID, map[string]any{"subscription": id,
			"email": notify.MaskTarget(notify.Email, email)}); err != nil {
			return err
		}
		_, err = s.cfg.Notifier.EnqueueTx(ctx, tx, confirmMessage(org, id, email, lang, name, s.cfg.BaseURL+"notices/confirm/"+confirm))
		return err
	})
	if created {
		s.cfg.Wake()
	}
	return err
}

func confirmMessage(org, id int64, email, lang, productName, link string) notify.Message {
	m := notify.Message{OrgID: org, Kind: notify.Email, DedupKey: fmt.Sprintf("notice-subscribe:%d", id), Target: email,
		Subject: "请确认订阅 " + productName + " 的安全通知",
		Text:    fmt.Sprintf("您（或他人）请求订阅 %s 的安全通知。确认订阅请打开：\n%s\n\n如非本人操作，请忽略本邮件。\n", productName, link)}
	if lang == product.English {
		m.Subject = "Confirm your subscription to " + productName + " security notices"
		m.Text = fmt.Sprintf("You (or someone) asked to receive %s security notices. To confirm, open:\n%s\n\nIf it was not you, ignore this message.\n", productName, link)
	}
	return m
}

// Confirm activates the subscription whose confirmation token is token
// (a second confirmation changes nothing); audited (notice.subscribe).
func (s *Service) Confirm(ctx context.Context, token string) (Subscription, error) {
	return s.moveSubscription(ctx, token, false, "pending", "active", "notice.subscribe")
}

// Unsubscribe ends the subscription whose unsubscribe token is token, in
// one step (RFC 8058); audited (notice.unsubscribe).
func (s *Service) Unsubscribe(ctx context.Context, token string) (Subscription, error) {
	return s.moveSubscription(ctx, token, true, "", "ended", "notice.unsubscribe")
}

func (s *Service) moveSubscription(ctx context.Context, token string, unsub bool, from, to, action string) (Subscription, error) {
	var sub Subscription
	err := s.store.TransactNotices(ctx, func(tx Tx) error {
		var err error
		if sub, err = tx.SubscriptionByHash(ctx, hashToken(token), unsub); err != nil {
			return errLink
		}
		if sub.State == to || (from != "" && sub.State != from) {
			return nil
		}
		sub.State = to
		if err := tx.SetSubscriptionState(ctx, sub.ID, to, tx.Now()); err != nil {
			return err
		}
		return auditOrg(ctx, tx, sub.OrgID, action, sub.ProductID, map[string]any{"subscription": sub.ID,
			"email": notify.MaskTarget(notify.Email, sub.Email)})
	})
	return sub, err
}

// Subscriptions lists product productID's subscriptions, addresses
// masked. Needs access.ManageProducts; errs.NotFound for another
// organisation's product.
func (s *Service) Subscriptions(ctx context.Context, p *access.Principal, productID int64) ([]Subscription, error) {
	if err := p.Require(access.ManageProducts); err != nil {
		return nil, err
	}
	var out []Subscription
	err := s.store.TransactNotices(ctx, func(tx Tx) error {
		if _, org, err := tx.ProductByID(ctx, productID); err != nil || org != p.OrgID {
			return errs.Coded(errs.NotFound, "notice.product", "no such product")
		}
		var err error
		out, err = tx.ProductSubscriptions(ctx, p.OrgID, productID)
		for i := range out {
			out[i].Email = notify.MaskTarget(notify.Email, out[i].Email)
		}
		return err
	})
	return out, err
}

func auditOrg(ctx context.Context, tx Tx, org int64, action string, productID int64, details any) error {
	ev, err := audit.New(ctx, "anonymous", action, fmt.Sprintf("product:%d", productID), details)
	if err != nil {
		return err
	}
	ev.OrgID = org
	_, err = tx.AppendAudit(ctx, ev)
	return err
}

func randomToken() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
