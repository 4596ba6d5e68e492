package api

import (
	"net/http"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// Facts are what a case knows that decides its legal duties beyond T0,
// status and grade.
type Facts struct {
	RootComponent string `json:"root_component"`
	// UpstreamSupplier names the catalogue's supplier when the root cause
	// is upstream ("" when it is not); its country decides what may be
	// shared with it.
	UpstreamSupplier string     `json:"upstream_supplier"`
	UpstreamCountry  string     `json:"upstream_country,omitempty"`
	UpstreamAt       *time.Time `json:"upstream_at,omitempty"`
	UserAction       bool       `json:"user_action"`
	FixAvailableAt   *time.Time `json:"fix_available_at,omitempty"`
	ExploitedAt      *time.Time `json:"exploited_at,omitempty"`
	// ExploitedEvidence says what shows the exploitation (EU-14-1).
	ExploitedEvidence string     `json:"exploited_evidence,omitempty"`
	IncidentAt        *time.Time `json:"incident_at,omitempty"`
	IncidentEvidence  string     `json:"incident_evidence,omitempty"`
}

func apiFacts(f casework.Facts) Facts {
	out := Facts{RootComponent: f.RootComponent, UpstreamAt: optTime(f.UpstreamAt), UserAction: f.UserAction,
		FixAvailableAt: optTime(f.FixAvailableAt), ExploitedAt: optTime(f.ExploitedAt), ExploitedEvidence: f.ExploitedEvidence,
		IncidentAt: optTime(f.IncidentAt), IncidentEvidence: f.IncidentEvidence}
	if f.Upstream != nil {
		out.UpstreamSupplier, out.UpstreamCountry = f.Upstream.Name, f.Upstream.Country
	}
	return out
}

// FactsChange is the body of PATCH /api/v1/cases/{id}/facts. A member that
// is null or absent leaves its fact as it is; upstream_supplier "" and a
// time "" clear theirs (with a reason).
type FactsChange struct {
	RootComponent     *string        `json:"root_component"`
	UpstreamSupplier  *string        `json:"upstream_supplier"`
	UserAction        *bool          `json:"user_action"`
	FixAvailableAt    *clearableTime `json:"fix_available_at"`
	ExploitedAt       *clearableTime `json:"exploited_at"`
	ExploitedEvidence string         `json:"exploited_evidence"`
	IncidentAt        *clearableTime `json:"incident_at"`
	IncidentEvidence  string         `json:"incident_evidence"`
	Reason            string         `json:"reason"`
}

// clearableTime is a time in a PATCH body: an RFC 3339 time sets it and ""
// clears it. JSON null never reaches it: encoding/json leaves the pointer
// to it nil.
type clearableTime struct{ t time.Time }

// UnmarshalJSON reads an RFC 3339 time or "". Returns errs.Invalid for
// anything else.
func (c *clearableTime) UnmarshalJSON(b []byte) error {
	if string(b) == `""` {
		c.t = time.Time{}
		return nil
	}
	if err := c.t.UnmarshalJSON(b); err != nil {
		return errs.Wrap(errs.Invalid, err, `give times in RFC 3339, such as 2026-10-01T09:00:00Z, or "" to clear one`)
	}
	return nil
}

// at returns the time a change asks for, nil when it leaves it.
func (c *clearableTime) at() *time.Time {
	if c == nil {
		return nil
	}
	return &c.t
}

// caseFacts returns a case's facts.
func (h *Handler) caseFacts(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	f, err := h.cases.FactsOf(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiFacts(f))
}

// setCaseFacts changes some of a case's facts; its duties follow in the
// same transaction.
func (h *Handler) setCaseFacts(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in FactsChange
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	f, err := h.cases.SetFacts(r.Context(), p, id, casework.FactsChange{RootComponent: in.RootComponent,
		Upstream: in.UpstreamSupplier, UserAction: in.UserAction, FixAvailableAt: in.FixAvailableAt.at(),
		ExploitedAt: in.ExploitedAt.at(), ExploitedEvidence: in.ExploitedEvidence, IncidentAt: in.IncidentAt.at(),
		IncidentEvidence: in.IncidentEvidence, Reason: in.Reason})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiFacts(f))
}
