package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/route"
)

// Advisories is the part of advisory.Service the API uses: a case's
// security advisory, the publication gate and the blackout calendar.
type Advisories interface {
	Get(ctx context.Context, p *access.Principal, caseID int64) (advisory.View, error)
	Create(ctx context.Context, p *access.Principal, caseID int64) (advisory.Advisory, error)
	Edit(ctx context.Context, p *access.Principal, caseID int64, ct advisory.Content) (advisory.Advisory, error)
	Submit(ctx context.Context, p *access.Principal, caseID int64) (advisory.Advisory, error)
	Approve(ctx context.Context, p *access.Principal, caseID int64) (advisory.Advisory, error)
	Schedule(ctx context.Context, p *access.Principal, caseID int64, at time.Time, zone string) (advisory.Advisory, error)
	Publish(ctx context.Context, p *access.Principal, caseID int64, note advisory.Text) (advisory.Advisory, error)
	Withdraw(ctx context.Context, p *access.Principal, caseID int64, reason advisory.Text) (advisory.Advisory, error)
	SetEarly(ctx context.Context, p *access.Principal, caseID int64, r disclosure.EarlyRecord) (advisory.Advisory, error)
	MarkNotOperator(ctx context.Context, p *access.Principal, caseID int64, key, reason string) (advisory.Advisory, error)
	RecordConsent(ctx context.Context, p *access.Principal, caseID int64, c advisory.Consent) (advisory.Advisory, error)
	Blackouts(ctx context.Context, p *access.Principal) ([]disclosure.Blackout, error)
	PutBlackout(ctx context.Context, p *access.Principal, b disclosure.Blackout) (disclosure.Blackout, error)
	DeleteBlackout(ctx context.Context, p *access.Principal, id int64) error
}

// needAdvisories answers 404 when the server has no advisories.
func (h *Handler) needAdvisories(next route.Handler) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.advisories == nil {
			return errs.New(errs.NotFound, "no such page")
		}
		return next(w, r)
	}
}

// SecurityAdvisory is a case's advisory: its working copy, where it
// stands and its records; the read adds the gate's verdict for a
// publication now, the scanner's findings, the revisions and the preview.
type SecurityAdvisory struct {
	Ref         string                 `json:"ref"`
	CaseID      int64                  `json:"case_id"`
	CaseRef     string                 `json:"case_ref"`
	State       string                 `json:"state"`
	Content     advisory.Content       `json:"content"`
	Editors     []string               `json:"editors"`
	ApprovedBy  string                 `json:"approved_by"`
	ApprovedAt  *time.Time             `json:"approved_at,omitempty"`
	ReleaseAt   *time.Time             `json:"release_at,omitempty"`
	ReleaseZone string                 `json:"release_zone"`
	Held        string                 `json:"held"`
	HeldAt      *time.Time             `json:"held_at,omitempty"`
	Live        int                    `json:"live"`
	PublishedAt *time.Time             `json:"published_at,omitempty"`
	NotOperator []advisory.Dismissal   `json:"not_operator"`
	Early       disclosure.EarlyRecord `json:"early_publication"`
	MPSConsent  []advisory.Consent     `json:"mps_consent"`
	// The read only.
	Verdict   *[]disclosure.Violation  `json:"verdict,omitempty"`
	Findings  *[]Finding               `json:"findings,omitempty"`
	Revisions *[]Revision              `json:"revisions,omitempty"`
	Preview   map[string]advisory.Page `json:"preview,omitempty"`
}

// Finding is something in the public text that may name an operator's
// system (CN-09-2); Key is what a "not an operator system" mark names.
type Finding struct {
	Kind        string `json:"kind"`
	Value       string `json:"value"`
	Key         string `json:"key"`
	NotOperator bool   `json:"not_operator"`
}

// Revision is one published, frozen state of an advisory.
type Revision struct {
	Number      int              `json:"number"`
	Kind        string           `json:"kind"`
	Note        advisory.Text    `json:"note"`
	SHA256      string           `json:"sha256"`
	PublishedAt time.Time        `json:"published_at"`
	PublishedBy string           `json:"published_by"`
	ApprovedBy  string           `json:"approved_by"`
	Content     advisory.Content `json:"content"`
}

func apiAdvisory(a advisory.Advisory) SecurityAdvisory {
	return SecurityAdvisory{Ref: a.Ref, CaseID: a.CaseID, CaseRef: a.CaseRef, State: string(a.State), Content: apiContent(a.Content),
		Editors: nonNil(a.Editors), ApprovedBy: a.ApprovedBy, ApprovedAt: optTime(a.ApprovedAt), ReleaseAt: optTime(a.ReleaseAt),
		ReleaseZone: a.ReleaseZone, Held: a.Held, HeldAt: optTime(a.HeldAt), Live: a.Live, PublishedAt: optTime(a.PublishedAt),
		NotOperator: nonNil(a.NotOperator), Early: a.Early, MPSConsent: nonNil(a.MPSConsent)}
}

// apiContent gives ct's lists as empty arrays rather than null.
func apiContent(ct advisory.Content) advisory.Content {
	ct.Affected, ct.Credits, ct.References, ct.Aliases = nonNil(ct.Affected), nonNil(ct.Credits), nonNil(ct.References), nonNil(ct.Aliases)
	return ct
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// getCaseAdvisory returns a case's advisory with the gate's verdict.
func (h *Handler) getCaseAdvisory(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	v, err := h.advisories.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := apiAdvisory(v.Advisory)
	verdict, findings, revs := nonNil(v.Verdict), []Finding{}, []Revision{}
	marked := map[string]bool{}
	for _, d := range v.NotOperator {
		marked[d.Key] = true
	}
	for _, f := range v.Findings {
		findings = append(findings, Finding{Kind: f.Kind, Value: f.Value, Key: f.Key(), NotOperator: marked[f.Key()]})
	}
	for _, rv := range v.Revisions {
		revs = append(revs, Revision{Number: rv.Number, Kind: string(rv.Kind), Note: rv.Note, SHA256: rv.SHA256,
			PublishedAt: rv.PublishedAt, PublishedBy: rv.PublishedBy, ApprovedBy: rv.ApprovedBy, Content: apiContent(rv.Content)})
	}
	out.Verdict, out.Findings, out.Revisions = &verdict, &findings, &revs
	out.Preview = map[string]advisory.Page{}
	for _, lang := range []string{"zh-CN", "en"} {
		pg := advisory.Preview(v.Ref, v.Content, lang, v.Revisions)
		pg.Sections = nonNil(pg.Sections)
		out.Preview[lang] = pg
	}
	return writeJSON(w, http.StatusOK, out)
}

// advisoryStep answers a change of a case's advisory made by fn.
func (h *Handler) advisoryStep(status int, fn func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error)) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, id, err := caseCall(r)
		if err != nil {
			return err
		}
		a, err := fn(r, p, id)
		if err != nil {
			return err
		}
		return writeJSON(w, status, apiAdvisory(a))
	}
}

func (h *Handler) createCaseAdvisory(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusCreated, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		return h.advisories.Create(r.Context(), p, id)
	})(w, r)
}

func (h *Handler) editCaseAdvisory(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		var ct advisory.Content
		if err := decodeJSON(w, r, &ct); err != nil {
			return advisory.Advisory{}, err
		}
		return h.advisories.Edit(r.Context(), p, id, ct)
	})(w, r)
}

func (h *Handler) submitCaseAdvisory(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		return h.advisories.Submit(r.Context(), p, id)
	})(w, r)
}

func (h *Handler) approveCaseAdvisory(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		return h.advisories.Approve(r.Context(), p, id)
	})(w, r)
}

// ScheduleRequest sets (or, with no release_at, cancels) a release time.
type ScheduleRequest struct {
	ReleaseAt *time.Time `json:"release_at"`
	Zone      string     `json:"zone"`
}

func (h *Handler) scheduleCaseAdvisory(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		var in ScheduleRequest
		if err := decodeJSON(w, r, &in); err != nil {
			return advisory.Advisory{}, err
		}
		var at time.Time
		if in.ReleaseAt != nil {
			at = *in.ReleaseAt
		}
		return h.advisories.Schedule(r.Context(), p, id, at, in.Zone)
	})(w, r)
}

// TextRequest is a note or reason in both languages.
type TextRequest struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

func (h *Handler) publishCaseAdvisory(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		var in TextRequest
		if err := decodeJSON(w, r, &in); err != nil {
			return advisory.Advisory{}, err
		}
		return h.advisories.Publish(r.Context(), p, id, advisory.Text(in))
	})(w, r)
}

func (h *Handler) withdrawCaseAdvisory(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		var in TextRequest
		if err := decodeJSON(w, r, &in); err != nil {
			return advisory.Advisory{}, err
		}
		return h.advisories.Withdraw(r.Context(), p, id, advisory.Text(in))
	})(w, r)
}

func (h *Handler) setAdvisoryEarly(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		var in disclosure.EarlyRecord
		if err := decodeJSON(w, r, &in); err != nil {
			return advisory.Advisory{}, err
		}
		return h.advisories.SetEarly(r.Context(), p, id, in)
	})(w, r)
}

// NotOperatorRequest marks a scanner finding as not an operator's system.
type NotOperatorRequest struct {
	Finding string `json:"finding"`
	Reason  string `json:"reason"`
}

func (h *Handler) markNotOperator(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		var in NotOperatorRequest
		if err := decodeJSON(w, r, &in); err != nil {
			return advisory.Advisory{}, err
		}
		return h.advisories.MarkNotOperator(r.Context(), p, id, in.Finding, in.Reason)
	})(w, r)
}

// ConsentRequest records MPS's consent for one blackout period.
type ConsentRequest struct {
	BlackoutID int64     `json:"blackout_id"`
	Reference  string    `json:"reference"`
	Date       time.Time `json:"date"`
}

func (h *Handler) recordMPSConsent(w http.ResponseWriter, r *http.Request) error {
	return h.advisoryStep(http.StatusOK, func(r *http.Request, p *access.Principal, id int64) (advisory.Advisory, error) {
		var in ConsentRequest
		if err := decodeJSON(w, r, &in); err != nil {
			return advisory.Advisory{}, err
		}
		return h.advisories.RecordConsent(r.Context(), p, id, advisory.Consent{BlackoutID: in.BlackoutID, Reference: in.Reference, Date: in.Date})
	})(w, r)
}

// listBlackouts returns the caller's organisation's blackout calendar.
func (h *Handler) listBlackouts(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	bs, err := h.advisories.Blackouts(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, nonNil(bs))
}

// BlackoutRequest is a blackout period.
type BlackoutRequest struct {
	NameZH string    `json:"name_zh"`
	NameEN string    `json:"name_en"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Zone   string    `json:"zone"`
}

// putBlackout adds (POST) or changes (PUT …/{id}) a blackout period.
func (h *Handler) putBlackout(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	var id int64
	if s := r.PathValue("id"); s != "" {
		if id, err = strconv.ParseInt(s, 10, 64); err != nil {
			return errs.New(errs.NotFound, "no such blackout period")
		}
	}
	var in BlackoutRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := h.advisories.PutBlackout(r.Context(), p, disclosure.Blackout{ID: id, NameZH: in.NameZH, NameEN: in.NameEN,
		Start: in.Start, End: in.End, Zone: in.Zone})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	return writeJSON(w, status, b)
}

// deleteBlackout removes a blackout period.
func (h *Handler) deleteBlackout(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.New(errs.NotFound, "no such blackout period")
	}
	if err := h.advisories.DeleteBlackout(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// orgName names organisation id, "Organisation N" when it has no name.
func (h *Handler) orgName(ctx context.Context, id int64) string {
	if h.orgs != nil {
		if org, err := h.orgs.Organisation(ctx, id); err == nil && org.Name != "" {
			return org.Name
		}
	}
	return "Organisation " + strconv.FormatInt(id, 10)
}

// caseAdvisoryExport writes the case's published advisory in format (see
// advisory.Export) from its frozen revisions: CSAF 2.0 or OpenVEX
// (?lang=zh-CN, the default, or en) with the organisation as publisher
// and this instance's URL as namespace, CVE JSON 5 with the configured CNA
// organisation ID, or OSV. 404 while nothing is published, 409 when the
// advisory cannot be written in the format (withdrawn, no CVE ID, …).
func (h *Handler) caseAdvisoryExport(format string) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, id, err := caseCall(r)
		if err != nil {
			return err
		}
		v, err := h.advisories.Get(r.Context(), p, id)
		if err != nil {
			return err
		}
		if len(v.Revisions) == 0 {
			return errs.Coded(errs.NotFound, "advisory.not_published", "the advisory has not been published")
		}
		pub := advisory.Public{Ref: v.Ref, OrgID: v.OrgID, CaseID: v.CaseID, Publisher: h.orgName(r.Context(), v.OrgID), Revisions: v.Revisions}
		b, err := advisory.Export(pub, format, advisory.ExportOptions{Lang: r.URL.Query().Get("lang"),
			Namespace: h.namespace(r), CNA: advisory.CNAInfo{OrgID: h.cveOrgID}})
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b) // a failed write means the client has gone
		return nil
	}
}
