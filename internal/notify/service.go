package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// Store persists the outbox; *store.DB is one.
type Store interface {
	TransactNotify(ctx context.Context, fn func(Tx) error) error
	// ListOutbox returns up to f.Limit rows matching f, newest first.
	ListOutbox(ctx context.Context, f Filter) ([]Row, error)
}

// Tx is one outbox transaction.
type Tx interface {
	Enqueuer
	AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error)
	// OutboxByID returns row id; errs.NotFound.
	OutboxByID(ctx context.Context, id int64) (Row, error)
	// RetryOutbox makes dead row id pending again, due now, attempts
	// reset; errs.Conflict when it is not dead.
	RetryOutbox(ctx context.Context, id int64) error
	// BounceOutbox makes sent row id dead with lastError, at at;
	// errs.Conflict when it is not sent.
	BounceOutbox(ctx context.Context, id int64, lastError string, at time.Time) error
}

// Sealer encrypts payloads bound to where they are stored; *keyring.Keyring
// is one.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Unseal(ciphertext, aad []byte) ([]byte, error)
}

// Service enqueues messages and lets administrators see and retry their
// delivery.
type Service struct {
	store   Store
	sealer  Sealer
	wake    func()
	ids     MessageIDs
	bounced func(Row)
}

// NewService returns a Service. wake, when not nil, is called after a
// message is enqueued outside a caller's transaction (Worker.Wake).
func NewService(st Store, sl Sealer, wake func()) *Service {
	if wake == nil {
		wake = func() {}
	}
	return &Service{store: st, sealer: sl, wake: wake}
}

// WithBounces returns s reading bounces (Bounce) of e-mail sent with
// Message-IDs made by ids, telling bounced of each message a bounce
// marks undelivered (the worker's Settled hook, with state Dead).
func (s *Service) WithBounces(ids MessageIDs, bounced func(Row)) *Service {
	s.ids, s.bounced = ids, bounced
	return s
}

// Bounce records a delivery status notification (RFC 3464) that says the
// e-mail with messageID could not be delivered to recipient: a message
// the relay accepted (sent) is dead after all, with the status and the
// remote server's diagnostic as its last error, so that a campaign shows
// its recipient as not reached and offers to send again. It reports
// whether the bounce named one of our messages: a Message-ID of another
// form, a MAC that does not match (a forged or foreign bounce), a message
// that is not e-mail or is no longer sent change nothing and answer false.
// Audited (notify.bounce) as the system.
func (s *Service) Bounce(ctx context.Context, messageID, recipient, status, diagnostic string, at time.Time) (bool, error) {
	id, matches, ok := s.ids.Row(messageID)
	if !ok {
		return false, nil
	}
	var bounced *Row
	err := s.store.TransactNotify(ctx, func(tx Tx) error {
		r, err := tx.OutboxByID(ctx, id)
		if errs.Is(err, errs.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.Kind != Email || r.State != Sent || !matches(r.DedupKey) {
			return nil
		}
		text := errorText(fmt.Errorf("bounced after delivery to the relay: %s %s", status, diagnostic))
		if err := tx.BounceOutbox(ctx, id, text, at); err != nil {
			if errs.Is(err, errs.Conflict) {
				return nil
			}
			return err
		}
		ev, err := audit.New(ctx, access.System().Actor(), "notify.bounce", "outbox:"+strconv.FormatInt(id, 10),
			map[string]any{"kind": r.Kind, "target": r.Target, "status": status, "recipient": MaskTarget(Email, recipient)})
		if err != nil {
			return err
		}
		ev.OrgID = r.OrgID
		if _, err := tx.AppendAudit(ctx, ev); err != nil {
			return err
		}
		r.State, r.LastError = Dead, text
		bounced = &r
		return nil
	})
	if err != nil || bounced == nil {
		return false, err
	}
	if s.bounced != nil {
		s.bounced(*bounced)
	}
	return true, nil
}

// Enqueue stores m in the outbox in a transaction of its own and returns
// its row ID; a message with m's dedup key already stored is left as it is
// and its ID returned. Returns errs.Invalid when m is not a valid message.
func (s *Service) Enqueue(ctx context.Context, m Message) (int64, error) {
	var id int64
	var created bool
	err := s.store.TransactNotify(ctx, func(tx Tx) (err error) {
		id, created, err = s.enqueue(ctx, tx, m)
		return err
	})
	if err == nil && created {
		s.wake()
	}
	return id, err
}

// EnqueueTx stores m in the outbox within the caller's transaction, so the
// message is stored if and only if the caller's change commits. It returns
// the row ID, as Enqueue does. Call the worker's Wake after the commit to
// send at once rather than at the next poll.
func (s *Service) EnqueueTx(ctx context.Context, tx Enqueuer, m Message) (int64, error) {
	id, _, err := s.enqueue(ctx, tx, m)
	return id, err
}

func (s *Service) enqueue(ctx context.Context, tx Enqueuer, m Message) (int64, bool, error) {
	if err := m.Validate(); err != nil {
		return 0, false, err
	}
	plain, err := json.Marshal(payload{Target: m.Target, Secret: m.Secret, Subject: m.Subject, Text: m.Text,
		HTML: m.HTML, Unsub: m.Unsubscribe, Markdown: m.Markdown, Event: m.Event, Data: m.Data})
	if err != nil {
		return 0, false, fmt.Errorf("notify: encode payload: %w", err)
	}
	sealed, err := s.sealer.Seal(plain, payloadAAD(m.DedupKey))
	if err != nil {
		return 0, false, fmt.Errorf("notify: seal payload: %w", err)
	}
	r := Row{OrgID: m.OrgID, Kind: m.Kind, DedupKey: m.DedupKey, Target: MaskTarget(m.Kind, m.Target),
		Payload: sealed, NextAttemptAt: tx.Now()}
	return tx.EnqueueOutbox(ctx, r)
}

// Delivery is an outbox row as administrators see it: no payload.
type Delivery struct {
	ID            int64
	OrgID         int64
	Kind          Kind
	DedupKey      string
	Target        string // masked
	State         State
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SentAt        time.Time
}

func deliveryOf(r Row) Delivery {
	return Delivery{ID: r.ID, OrgID: r.OrgID, Kind: r.Kind, DedupKey: r.DedupKey, Target: r.Target, State: r.State,
		Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt, LastError: r.LastError, CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, SentAt: r.SentAt}
}

// List returns the deliveries of p's organisation matching f, newest
// first; an instance administrator may list any organisation's, or all
// with f.AnyOrg. Requires access.ManageOrg; returns errs.Invalid for an
// unknown state.
func (s *Service) List(ctx context.Context, p *access.Principal, f Filter) ([]Delivery, error) {
	if err := p.Require(access.ManageOrg); err != nil {
		return nil, err
	}
	if f.State != "" && !f.State.Valid() {
		return nil, errs.Coded(errs.Invalid, "notify.state", "unknown delivery state %q", string(f.State))
	}
	if !p.InstanceAdmin {
		f.OrgID, f.AnyOrg = p.OrgID, false
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	rows, err := s.store.ListOutbox(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, 0, len(rows))
	for _, r := range rows {
		out = append(out, deliveryOf(r))
	}
	return out, nil
}

// Retry makes dead message id pending again with its attempts reset, and
// records notify.retry in the audit log. Requires access.ManageOrg; a
// message of another organisation does not exist for p (errs.NotFound);
// returns errs.Conflict when the message is not dead.
func (s *Service) Retry(ctx context.Context, p *access.Principal, id int64) error {
	if err := p.Require(access.ManageOrg); err != nil {
		return err
	}
	err := s.store.TransactNotify(ctx, func(tx Tx) error {
		r, err := tx.OutboxByID(ctx, id)
		if err == nil && r.OrgID != p.OrgID && !p.InstanceAdmin {
			err = errs.Coded(errs.NotFound, "notify.not_found", "no such message")
		}
		if err != nil {
			return err
		}
		if r.State != Dead {
			return errs.Coded(errs.Conflict, "notify.not_dead", "only a dead message can be retried")
		}
		if err := tx.RetryOutbox(ctx, id); err != nil {
			return err
		}
		ev, err := audit.New(ctx, p.Actor(), "notify.retry", "outbox:"+strconv.FormatInt(id, 10),
			map[string]any{"kind": r.Kind, "attempts": r.Attempts, "target": r.Target})
		if err != nil {
			return err
		}
		ev.OrgID = r.OrgID
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
	if err == nil {
		s.wake()
	}
	return err
}
