package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// AuditLog is the part of audit.Viewer the API uses.
type AuditLog interface {
	Search(ctx context.Context, p *access.Principal, f audit.Filter) ([]audit.Event, error)
}

// AuditEvent is an audit event in the API.
type AuditEvent struct {
	Seq       int64     `json:"seq"`
	OrgID     int64     `json:"org_id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	Action    string    `json:"action"`
	Subject   string    `json:"subject"`
	RequestID string    `json:"request_id"`
	Details   any       `json:"details"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// listAudit returns audit events, newest first, filtered by the query
// parameters actor, action (prefix), subject, from and to (RFC 3339),
// before (sequence number, for paging) and limit.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	if h.audit == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	events, err := h.audit.Search(r.Context(), p, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiEvents(events))
}

// apiEvents describes audit events, their details embedded as stored.
func apiEvents(events []audit.Event) []AuditEvent {
	out := []AuditEvent{}
	for _, e := range events {
		out = append(out, AuditEvent{Seq: e.Seq, OrgID: e.OrgID, At: e.At, Actor: e.Actor, Action: e.Action,
			Subject: e.Subject, RequestID: e.RequestID, Details: rawJSON(e.Details), PrevHash: e.PrevHash, Hash: e.Hash})
	}
	return out
}

// rawJSON embeds stored canonical JSON as it is.
type rawJSON string

// MarshalJSON implements json.Marshaler.
func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

func auditFilter(r *http.Request) (audit.Filter, error) {
	q := r.URL.Query()
	f := audit.Filter{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject")}
	var err error
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(t.name); v != "" {
			if *t.dst, err = time.Parse(time.RFC3339, v); err != nil {
				return f, errs.New(errs.Invalid, "%s: want an RFC 3339 time such as 2026-11-25T00:00:00+08:00", t.name)
			}
		}
	}
	for _, n := range []struct {
		name string
		dst  *int64
	}{{"before", &f.Before}, {"org", &f.OrgID}} {
		if v := q.Get(n.name); v != "" {
			if *n.dst, err = strconv.ParseInt(v, 10, 64); err != nil {
				return f, errs.New(errs.Invalid, "%s: want a whole number", n.name)
			}
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > audit.MaxPage {
			return f, errs.New(errs.Invalid, "limit: want 1 to %d", audit.MaxPage)
		}
	}
	return f, nil
}
