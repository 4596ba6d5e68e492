package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// AuditLog is the part of audit.Viewer the web UI uses.
type AuditLog interface {
	Search(ctx context.Context, p *access.Principal, f audit.Filter) ([]audit.Event, error)
	Verify(ctx context.Context, p *access.Principal, s audit.Stream) (audit.Report, error)
	Head(ctx context.Context, p *access.Principal, s audit.Stream) (audit.Head, error)
}

// auditPage is the data of /admin/audit.
type auditPage struct {
	Events   []audit.Event
	Filter   url.Values
	Head     audit.Head
	Report   *audit.Report // set after "verify now"
	NextPage string        // query string of the next (older) page, "" at the end
	Zone     *time.Location
}

// chinaTime is China Standard Time (UTC+8, no daylight saving), the zone
// in which the regulation's clocks are read.
var chinaTime = time.FixedZone("CST", 8*60*60)

// showAudit lists audit events with filters: actor, action (prefix),
// subject, and a date range.
func (h *Handler) showAudit(w http.ResponseWriter, r *http.Request) error {
	return h.renderAudit(w, r, nil)
}

// verifyAudit walks the chain and shows the result on the same page.
func (h *Handler) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Audit == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	rep, err := h.cfg.Audit.Verify(r.Context(), p, audit.Main)
	if err != nil {
		return err
	}
	return h.renderAudit(w, r, &rep)
}

func (h *Handler) renderAudit(w http.ResponseWriter, r *http.Request, rep *audit.Report) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Audit == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject"), Limit: 100}
	f.From, _ = time.ParseInLocation("2006-01-02", q.Get("from"), chinaTime)
	if to, err := time.ParseInLocation("2006-01-02", q.Get("to"), chinaTime); err == nil {
		f.To = to.AddDate(0, 0, 1) // the whole last day
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	if org, err := strconv.ParseInt(q.Get("org"), 10, 64); err == nil {
		f.OrgID = org
	}
	events, err := h.cfg.Audit.Search(r.Context(), p, f)
	if err != nil {
		return err
	}
	head, err := h.cfg.Audit.Head(r.Context(), p, audit.Main)
	if err != nil {
		return err
	}
	data := auditPage{Events: events, Filter: q, Head: head, Report: rep, Zone: chinaTime}
	if len(events) == f.Limit {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("before", strconv.FormatInt(events[len(events)-1].Seq, 10))
		data.NextPage = next.Encode()
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageAudit, data)
}
