package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// Outbox lists outbound messages and retries dead ones; *notify.Service is
// one.
type Outbox interface {
	List(ctx context.Context, p *access.Principal, f notify.Filter) ([]notify.Delivery, error)
	Retry(ctx context.Context, p *access.Principal, id int64) error
}

// Delivery is an outbound message as the API shows it: never its body.
type Delivery struct {
	ID            int64  `json:"id"`
	Kind          string `json:"kind"`
	Target        string `json:"target"`
	DedupKey      string `json:"dedup_key"`
	State         string `json:"state"`
	Attempts      int    `json:"attempts"`
	NextAttemptAt string `json:"next_attempt_at"`
	LastError     string `json:"last_error"`
	CreatedAt     string `json:"created_at"`
	SentAt        string `json:"sent_at,omitempty"`
}

func deliveryOf(d notify.Delivery) Delivery {
	out := Delivery{ID: d.ID, Kind: string(d.Kind), Target: d.Target, DedupKey: d.DedupKey, State: string(d.State),
		Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt.UTC().Format(time.RFC3339), LastError: d.LastError,
		CreatedAt: d.CreatedAt.UTC().Format(time.RFC3339)}
	if !d.SentAt.IsZero() {
		out.SentAt = d.SentAt.UTC().Format(time.RFC3339)
	}
	return out
}

// listOutbox lists the organisation's outbound messages, newest first;
// ?state= selects pending, sending, sent or dead, and ?before= pages.
func (h *Handler) listOutbox(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	if h.outbox == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	f := notify.Filter{OrgID: p.OrgID, State: notify.State(r.URL.Query().Get("state")), Limit: 100}
	if b := r.URL.Query().Get("before"); b != "" {
		if f.Before, err = strconv.ParseInt(b, 10, 64); err != nil || f.Before <= 0 {
			return errs.Coded(errs.Invalid, "query.before", "before must be a message ID")
		}
	}
	ds, err := h.outbox.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	out := make([]Delivery, 0, len(ds))
	for _, d := range ds {
		out = append(out, deliveryOf(d))
	}
	return writeJSON(w, http.StatusOK, out)
}

// retryOutbox queues a dead message again; audited (notify.retry).
func (h *Handler) retryOutbox(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	if h.outbox == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "notify.not_found", "no such message")
	}
	if err := h.outbox.Retry(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
