package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// Outbox shows outbound messages and their delivery, and retries dead
// ones; *notify.Service is one.
type Outbox interface {
	List(ctx context.Context, p *access.Principal, f notify.Filter) ([]notify.Delivery, error)
	Retry(ctx context.Context, p *access.Principal, id int64) error
}

// outboxPage is the data of /admin/outbox.
type outboxPage struct {
	Deliveries []notify.Delivery
	State      string
	States     []notify.State
	Retried    bool
	Zone       *time.Location
}

// showOutbox lists the organisation's outbound messages, newest first,
// by delivery state: the dead letters are where administrators look.
func (h *Handler) showOutbox(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Outbox == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	state := r.URL.Query().Get("state")
	ds, err := h.cfg.Outbox.List(r.Context(), p, notify.Filter{OrgID: p.OrgID, State: notify.State(state), Limit: 200})
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageOutbox, outboxPage{Deliveries: ds, State: state,
		States: []notify.State{notify.Pending, notify.Sending, notify.Sent, notify.Dead}, Retried: r.URL.Query().Has("retried"),
		Zone: chinaTime})
}

// retryOutbox sends a dead message again.
func (h *Handler) retryOutbox(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Outbox == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.New(errs.NotFound, "no such message")
	}
	if err := h.cfg.Outbox.Retry(r.Context(), p, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/outbox?state=dead&retried=1", http.StatusSeeOther)
	return nil
}
