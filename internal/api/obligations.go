package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/route"
)

// Obligations is the part of obligation.Service the API uses. The service
// checks every permission, so an API token can do what its scopes name
// and nothing more.
type Obligations interface {
	Board(ctx context.Context, p *access.Principal) ([]obligation.Obligation, error)
	ForCase(ctx context.Context, p *access.Principal, id int64) ([]obligation.Obligation, error)
	NotApplicable(ctx context.Context, p *access.Principal, id int64, reason string) (obligation.Obligation, error)
	Settings(ctx context.Context, p *access.Principal) (obligation.OrgSettings, error)
	SetSettings(ctx context.Context, p *access.Principal, st obligation.OrgSettings) error
	Packs() []obligation.Pack
	Draft(ctx context.Context, p *access.Principal, id int64, duty string) (obligation.Draft, error)
	Submit(ctx context.Context, p *access.Principal, id int64, req obligation.SubmitRequest) (obligation.Submission, error)
	Submissions(ctx context.Context, p *access.Principal, id int64) ([]obligation.Submission, error)
	SendUpstreamNotice(ctx context.Context, p *access.Principal, id int64, req obligation.NoticeRequest) (obligation.Submission, error)
	RecordDecision(ctx context.Context, p *access.Principal, caseID int64, nd disclosure.NewDecision) (disclosure.Decision, error)
	Decisions(ctx context.Context, p *access.Principal, caseID int64) ([]disclosure.Decision, error)
	SetFields(ctx context.Context, p *access.Principal, id int64, duty string, values map[string]string) ([]obligation.Field, error)
	EvidencePack(ctx context.Context, p *access.Principal, id int64) ([]byte, evidence.Pack, error)
	Dashboard(ctx context.Context, p *access.Principal, now time.Time) (obligation.Dashboard, error)
}

// needObligations answers 404 when the server has no obligations engine.
func (h *Handler) needObligations(next route.Handler) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.obligations == nil {
			return errs.New(errs.NotFound, "no such page")
		}
		return next(w, r)
	}
}

// Obligation is one legal duty on one case, with its clock as of the
// request: State is computed then, so an open duty reads pending, due_soon
// or overdue without anything having been written.
type Obligation struct {
	ID          int64  `json:"id"`
	CaseID      int64  `json:"case_id"`
	CaseRef     string `json:"case_ref,omitempty"`   // on the board
	CaseTitle   string `json:"case_title,omitempty"` // on the board
	Regime      string `json:"regime"`
	PackVersion string `json:"pack_version"`
	Duty        string `json:"duty"`
	// Requirement is the duty's ID in REQUIREMENTS.md ("CN-07-5").
	Requirement string    `json:"requirement"`
	TitleZH     string    `json:"title_zh"`
	TitleEN     string    `json:"title_en"`
	State       string    `json:"state"`
	AnchorAt    time.Time `json:"anchor_at"`
	DueAt       time.Time `json:"due_at"`
	// DueAtCST is DueAt in China Standard Time, as the regulator counts.
	DueAtCST     string     `json:"due_at_cst"`
	OuterBoundAt *time.Time `json:"outer_bound_at,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	ClosedBy     string     `json:"closed_by,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	// Escalated are the escalation thresholds already announced.
	Escalated []string   `json:"escalated"`
	Evidence  []Evidence `json:"evidence"`
}

// Evidence is a record that met an obligation.
type Evidence struct {
	Kind   string    `json:"kind"`
	Ref    string    `json:"ref"`
	At     time.Time `json:"at"`
	SHA256 string    `json:"sha256,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// apiObligation describes o as of now, with its rule's titles.
func (h *Handler) apiObligation(o obligation.Obligation, now time.Time) Obligation {
	out := Obligation{ID: o.ID, CaseID: o.CaseID, CaseRef: o.CaseRef, CaseTitle: o.CaseTitle, Regime: string(o.Regime),
		PackVersion: o.PackVersion, Duty: o.Duty, Requirement: o.Requirement, State: string(o.StateAt(now)),
		AnchorAt: o.AnchorAt.UTC(), DueAt: o.DueAt.UTC(), DueAtCST: o.DueAt.In(obligation.CST).Format(time.RFC3339),
		OuterBoundAt: optTime(o.OuterBound), ClosedAt: optTime(o.ClosedAt), ClosedBy: o.ClosedBy, Reason: o.Reason,
		Escalated: append([]string{}, o.Fired...), Evidence: []Evidence{}}
	if _, r, ok := obligation.Find(h.obligations.Packs(), o.Regime, o.Duty); ok {
		out.TitleZH, out.TitleEN = r.TitleZH, r.TitleEN
	}
	for _, e := range o.Evidence {
		out.Evidence = append(out.Evidence, Evidence{Kind: string(e.Kind), Ref: e.Ref, At: e.At.UTC(), SHA256: e.SHA256, Note: e.Note})
	}
	return out
}

func (h *Handler) apiObligations(os []obligation.Obligation) []Obligation {
	now := time.Now()
	out := []Obligation{}
	for _, o := range os {
		out = append(out, h.apiObligation(o, now))
	}
	return out
}

// obligationBoard lists the open duties of the cases the caller may see,
// soonest due first: the clock board.
func (h *Handler) obligationBoard(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	os, err := h.obligations.Board(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.apiObligations(os))
}

// caseObligations lists a case's duties in every state, with evidence.
func (h *Handler) caseObligations(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	os, err := h.obligations.ForCase(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.apiObligations(os))
}

// notApplicable closes an open duty as not applicable, with the reason.
func (h *Handler) notApplicable(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "obligation.not_found", "no such obligation")
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := h.obligations.NotApplicable(r.Context(), p, id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, h.apiObligation(o, time.Now()))
}

// caseEvidence answers with the case's signed evidence pack (CN-12-1): the
// envelope itself, which `embargo verify evidence` checks.
func (h *Handler) caseEvidence(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	env, _, err := h.obligations.EvidencePack(r.Context(), p, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(env)
	return err
}

// DutyFigures are one duty's figures on the compliance dashboard.
type DutyFigures struct {
	Regime        string   `json:"regime"`
	Duty          string   `json:"duty"`
	Requirement   string   `json:"requirement"`
	TitleEN       string   `json:"title_en"`
	TitleZH       string   `json:"title_zh"`
	Total         int      `json:"total"`
	MetOnTime     int      `json:"met_on_time"`
	MetLate       int      `json:"met_late"`
	Open          int      `json:"open"`
	Overdue       int      `json:"overdue"`
	NotApplicable int      `json:"not_applicable"`
	OnTimeRate    *float64 `json:"on_time_rate"`
	Time          Timing   `json:"time"`
}

// Timing summarises measured intervals, in seconds.
type Timing struct {
	Count         int     `json:"count"`
	MedianSeconds float64 `json:"median_seconds"`
	P90Seconds    float64 `json:"p90_seconds"`
}

// ComplianceDashboard is GET /api/v1/obligations/dashboard.
type ComplianceDashboard struct {
	At          time.Time     `json:"at"`
	Duties      []DutyFigures `json:"duties"`
	Acknowledge Timing        `json:"acknowledge"`
	Verify      Timing        `json:"verify"`
	Report      Timing        `json:"report"`
	Fix         Timing        `json:"fix"`
}

func timing(d obligation.Durations) Timing {
	return Timing{Count: d.Count, MedianSeconds: d.Median.Seconds(), P90Seconds: d.P90.Seconds()}
}

// dashboard answers with the organisation's compliance figures.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	d, err := h.obligations.Dashboard(r.Context(), p, time.Now())
	if err != nil {
		return err
	}
	out := ComplianceDashboard{At: d.At.UTC(), Duties: []DutyFigures{}, Acknowledge: timing(d.Acknowledge), Verify: timing(d.Verify),
		Report: timing(d.Report), Fix: timing(d.Fix)}
	for _, s := range d.Duties {
		f := DutyFigures{Regime: string(s.Regime), Duty: s.Duty, Requirement: s.Requirement, TitleEN: s.TitleEN, TitleZH: s.TitleZH,
			Total: s.Total, MetOnTime: s.MetOnTime, MetLate: s.MetLate, Open: s.Open, Overdue: s.Overdue, NotApplicable: s.NotApplicable,
			Time: timing(s.Time)}
		if s.OnTimeRate >= 0 {
			f.OnTimeRate = &s.OnTimeRate
		}
		out.Duties = append(out.Duties, f)
	}
	return writeJSON(w, http.StatusOK, out)
}
