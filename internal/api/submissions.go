package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/obligation"
)

// Submission is a report or notice as it was sent for a duty (CN-07-7):
// frozen, with its SHA-256. A later change is a new version, a
// supplementary report, never an edit.
type Submission struct {
	ID            int64      `json:"id"`
	CaseID        int64      `json:"case_id"`
	Duty          string     `json:"duty"`
	Version       int        `json:"version"`
	Supplementary bool       `json:"supplementary"`
	Recipient     string     `json:"recipient"`
	Country       string     `json:"country"`
	Channel       string     `json:"channel"`
	SubmittedAt   time.Time  `json:"submitted_at"`
	SubmittedBy   string     `json:"submitted_by"`
	Reference     string     `json:"reference,omitempty"`
	OutboxID      int64      `json:"outbox_id,omitempty"`
	DeliveredAt   *time.Time `json:"delivered_at,omitempty"`
	SHA256        string     `json:"sha256"`
	// Snapshot is the submitted content, a JSON object embedded as is:
	// its bytes in the response are the bytes SHA256 was computed over
	// (the snapshot is compact JSON, which encoding/json copies unchanged).
	Snapshot json.RawMessage `json:"snapshot,omitempty"`
}

// apiSubmission describes s, with its snapshot when withSnapshot.
func apiSubmission(s obligation.Submission, withSnapshot bool) Submission {
	out := Submission{ID: s.ID, CaseID: s.CaseID, Duty: s.Duty, Version: s.Version, Supplementary: s.Supplementary(),
		Recipient: s.Recipient, Country: s.Country, Channel: s.Channel, SubmittedAt: s.SubmittedAt.UTC(),
		SubmittedBy: s.SubmittedBy, Reference: s.Reference, OutboxID: s.OutboxID, DeliveredAt: optTime(s.DeliveredAt),
		SHA256: s.SHA256}
	if withSnapshot {
		out.Snapshot = s.Snapshot
	}
	return out
}

// PackageDraft is a case's report package for a duty as it would be
// submitted now, with the mandatory fields it lacks and the duty's earlier
// submissions (without their snapshots).
type PackageDraft struct {
	CaseID int64  `json:"case_id"`
	Duty   string `json:"duty"`
	// Package is obligation.Package itself, so that the draft shows
	// exactly what a submission would freeze.
	Package obligation.Package `json:"package"`
	// Fields are the parts people write (PUT …/fields).
	Fields []ReportField `json:"fields"`
	// CRA is the report for an EU-CRA duty; null for the NVDB report.
	CRA         *obligation.CRAReport `json:"cra"`
	Missing     []string              `json:"missing"`
	Submissions []Submission          `json:"submissions"`
}

// ReportField is a part of a report that people write.
type ReportField struct {
	Key       string `json:"key"`
	LabelEN   string `json:"label_en"`
	LabelZH   string `json:"label_zh"`
	Mandatory bool   `json:"mandatory"`
	Value     string `json:"value"`
}

func apiFields(fs []obligation.Field) []ReportField {
	out := []ReportField{}
	for _, f := range fs {
		out = append(out, ReportField{Key: f.Key, LabelEN: f.LabelEN, LabelZH: f.LabelZH, Mandatory: f.Mandatory, Value: f.Value})
	}
	return out
}

// ReportFields is the body of PUT /api/v1/cases/{id}/packages/{duty}/fields.
type ReportFields struct {
	Fields map[string]string `json:"fields"`
}

// setPackageFields saves the written parts of the case's report for the
// duty in the path and answers with all of them.
func (h *Handler) setPackageFields(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in ReportFields
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	fs, err := h.obligations.SetFields(r.Context(), p, id, r.PathValue("duty"), in.Fields)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiFields(fs))
}

// casePackage drafts the case's package for the duty in the path; reading
// it reads undisclosed content, so the read is audited.
func (h *Handler) casePackage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	duty := r.PathValue("duty")
	d, err := h.obligations.Draft(r.Context(), p, id, duty)
	if err != nil {
		return err
	}
	out := PackageDraft{CaseID: d.Case.ID, Duty: duty, Package: d.Package, Fields: apiFields(d.Fields), CRA: d.CRA,
		Missing: append([]string{}, d.Missing...), Submissions: []Submission{}}
	for _, s := range d.Submissions {
		out.Submissions = append(out.Submissions, apiSubmission(s, false))
	}
	return writeJSON(w, http.StatusOK, out)
}

// NewSubmission is the body of POST /api/v1/cases/{id}/submissions.
type NewSubmission struct {
	Duty        string     `json:"duty"`
	Channel     string     `json:"channel"`
	Reference   string     `json:"reference"`
	SubmittedAt *time.Time `json:"submitted_at"`
	Recipient   string     `json:"recipient"`
	Country     string     `json:"country"`
}

// submitPackage records the case's current package for a duty as
// submitted.
func (h *Handler) submitPackage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in NewSubmission
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	req := obligation.SubmitRequest{Duty: in.Duty, Channel: in.Channel, Reference: in.Reference, Recipient: in.Recipient,
		Country: in.Country}
	if in.SubmittedAt != nil {
		req.SubmittedAt = *in.SubmittedAt
	}
	s, err := h.obligations.Submit(r.Context(), p, id, req)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, apiSubmission(s, true))
}

// caseSubmissions lists a case's submissions with their snapshots, oldest
// first; the read is audited.
func (h *Handler) caseSubmissions(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	subs, err := h.obligations.Submissions(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := []Submission{}
	for _, s := range subs {
		out = append(out, apiSubmission(s, true))
	}
	return writeJSON(w, http.StatusOK, out)
}

// UpstreamNotice is the body of POST /api/v1/cases/{id}/upstream-notice.
type UpstreamNotice struct {
	Channel   string `json:"channel"`
	Reference string `json:"reference"`
	Note      string `json:"note"`
}

// sendUpstreamNotice notifies the upstream supplier (CN-07-4), or records
// a notice given by other means.
func (h *Handler) sendUpstreamNotice(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in UpstreamNotice
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := h.obligations.SendUpstreamNotice(r.Context(), p, id, obligation.NoticeRequest{Channel: in.Channel,
		Reference: in.Reference, Note: in.Note})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, apiSubmission(s, true))
}

// SharingDecision is a recorded legal decision that lets a case's
// undisclosed information go to one foreign recipient until it expires
// (RMSV Art. 9(7)).
type SharingDecision struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Recipient string    `json:"recipient"`
	Country   string    `json:"country"`
	Basis     string    `json:"basis"`
	DecidedBy string    `json:"decided_by"`
	DecidedAt time.Time `json:"decided_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// NewSharingDecision is the body of POST
// /api/v1/cases/{id}/sharing-decisions.
type NewSharingDecision struct {
	Recipient string    `json:"recipient"`
	Country   string    `json:"country"`
	Basis     string    `json:"basis"`
	ExpiresAt time.Time `json:"expires_at"`
}

func apiDecision(d disclosure.Decision) SharingDecision {
	return SharingDecision{ID: d.ID, CaseID: d.CaseID, Recipient: d.Recipient, Country: d.Country, Basis: d.Basis,
		DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt.UTC(), ExpiresAt: d.ExpiresAt.UTC()}
}

// caseDecisions lists the legal decisions recorded on a case.
func (h *Handler) caseDecisions(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	ds, err := h.obligations.Decisions(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := []SharingDecision{}
	for _, d := range ds {
		out = append(out, apiDecision(d))
	}
	return writeJSON(w, http.StatusOK, out)
}

// recordDecision records a legal decision on a case.
func (h *Handler) recordDecision(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in NewSharingDecision
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := h.obligations.RecordDecision(r.Context(), p, id, disclosure.NewDecision{Recipient: in.Recipient,
		Country: in.Country, Basis: in.Basis, ExpiresAt: in.ExpiresAt})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, apiDecision(d))
}
