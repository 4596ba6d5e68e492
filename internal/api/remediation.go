package api

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/route"
)

// Remediation is the part of remediation.Service the API uses.
type Remediation interface {
	ForCase(ctx context.Context, p *access.Principal, id int64) ([]remediation.Row, error)
	Put(ctx context.Context, p *access.Principal, caseID int64, f remediation.Fix) ([]remediation.Fix, error)
}

// Notices is the part of notice.Service the API uses.
type Notices interface {
	Compose(ctx context.Context, p *access.Principal, caseID int64, ct notice.Content) (notice.Campaign, error)
	Campaigns(ctx context.Context, p *access.Principal, caseID int64) ([]notice.Campaign, error)
	Get(ctx context.Context, p *access.Principal, caseID, id int64) (notice.Campaign, []notice.Recipient, error)
	Preview(ctx context.Context, p *access.Principal, caseID, id int64) ([]notice.Preview, error)
	Send(ctx context.Context, p *access.Principal, caseID, id int64) (notice.Campaign, error)
	Resend(ctx context.Context, p *access.Principal, caseID, id int64) (notice.Campaign, error)
	Subscriptions(ctx context.Context, p *access.Principal, productID int64) ([]notice.Subscription, error)
}

// SubscriptionJSON is one public subscription to a product's notices, its
// address masked.
type SubscriptionJSON struct {
	ID          int64      `json:"id"`
	Email       string     `json:"email"`
	Language    string     `json:"language"`
	State       string     `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
}

// productSubscriptions lists the public subscriptions to a product's
// notices (product.manage; addresses masked).
func (h *Handler) productSubscriptions(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.productCall(r)
	if err != nil {
		return err
	}
	subs, err := h.notices.Subscriptions(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := make([]SubscriptionJSON, len(subs))
	for i, s := range subs {
		out[i] = SubscriptionJSON{ID: s.ID, Email: s.Email, Language: s.Language, State: s.State, CreatedAt: s.CreatedAt,
			ConfirmedAt: timeOrNil(s.ConfirmedAt), EndedAt: timeOrNil(s.EndedAt)}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"subscriptions": out})
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// needRemediation answers 404 when the server has no remediation.
func (h *Handler) needRemediation(next route.Handler) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.remediation == nil || h.notices == nil {
			return errs.New(errs.NotFound, "no such page")
		}
		return next(w, r)
	}
}

// Fix is the remediation of one affected version of a case (CN-07-8).
type Fix struct {
	Product      string     `json:"product"`
	Model        string     `json:"model"`
	Version      string     `json:"version"`
	Line         string     `json:"line"`
	Status       string     `json:"status"`
	FixedVersion string     `json:"fixed_version"`
	Patch        string     `json:"patch"`
	Workaround   string     `json:"workaround"`
	AvailableAt  *time.Time `json:"available_at,omitempty"`
	Note         string     `json:"note"`
	UpdatedAt    *time.Time `json:"updated_at,omitempty"`
	UpdatedBy    string     `json:"updated_by,omitempty"`
	// Covered says the version has an available fix or a documented
	// mitigation; a case closes only when every version is covered.
	Covered bool `json:"covered"`
}

func apiFix(v remediation.Version, f remediation.Fix) Fix {
	st := string(f.Status)
	if st == "" {
		st = "none"
	}
	return Fix{Product: v.Product, Model: v.Model, Version: v.Version, Line: v.Line, Status: st, FixedVersion: f.FixedVersion,
		Patch: f.Patch, Workaround: f.Workaround, AvailableAt: optTime(f.AvailableAt), Note: f.Note, UpdatedAt: optTime(f.UpdatedAt),
		UpdatedBy: f.UpdatedBy, Covered: f.Covers()}
}

// caseRemediation lists a case's affected versions with their fixes.
func (h *Handler) caseRemediation(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	rows, err := h.remediation.ForCase(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := []Fix{}
	for _, row := range rows {
		out = append(out, apiFix(row.Version, row.Fix))
	}
	return writeJSON(w, http.StatusOK, out)
}

// FixRequest records the fix of one affected version, or (with a line and
// no version) of every affected version of a release line.
type FixRequest struct {
	Product      string     `json:"product"`
	Model        string     `json:"model"`
	Version      string     `json:"version"`
	Line         string     `json:"line"`
	Status       string     `json:"status"`
	FixedVersion string     `json:"fixed_version"`
	Patch        string     `json:"patch"`
	Workaround   string     `json:"workaround"`
	AvailableAt  *time.Time `json:"available_at"`
	Note         string     `json:"note"`
}

// putRemediation records a fix.
func (h *Handler) putRemediation(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in FixRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	f := remediation.Fix{Version: remediation.Version{Product: in.Product, Model: in.Model, Version: in.Version, Line: in.Line},
		Status: remediation.Status(in.Status), FixedVersion: in.FixedVersion, Patch: in.Patch, Workaround: in.Workaround, Note: in.Note}
	if in.AvailableAt != nil {
		f.AvailableAt = *in.AvailableAt
	}
	fixes, err := h.remediation.Put(r.Context(), p, id, f)
	if err != nil {
		return err
	}
	out := []Fix{}
	for _, f := range fixes {
		out = append(out, apiFix(f.Version, f))
	}
	return writeJSON(w, http.StatusOK, out)
}

// Campaign is a notice campaign to the users of a case's affected versions.
type Campaign struct {
	ID          int64       `json:"id"`
	CaseID      int64       `json:"case_id"`
	State       string      `json:"state"`
	MessageZH   string      `json:"message_zh,omitempty"`
	MessageEN   string      `json:"message_en,omitempty"`
	Subscribers bool        `json:"subscribers"`
	CreatedBy   string      `json:"created_by"`
	CreatedAt   time.Time   `json:"created_at"`
	SentBy      string      `json:"sent_by,omitempty"`
	SentAt      *time.Time  `json:"sent_at,omitempty"`
	SettledAt   *time.Time  `json:"settled_at,omitempty"`
	Recipients  []Recipient `json:"recipients,omitempty"`
}

// Recipient is one party (or subscriber) on one channel of a campaign,
// with its delivery state.
type Recipient struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	Kind           string     `json:"kind"`
	Country        string     `json:"country"`
	Language       string     `json:"language"`
	Channel        string     `json:"channel"`
	Target         string     `json:"target"`
	Versions       []string   `json:"versions"`
	State          string     `json:"state"`
	Detail         string     `json:"detail"`
	GateWhy        string     `json:"gate_why"`
	Attempt        int        `json:"attempt"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
}

func apiCampaign(c notice.Campaign, rs []notice.Recipient) Campaign {
	out := Campaign{ID: c.ID, CaseID: c.CaseID, State: string(c.State), MessageZH: c.Content.MessageZH, MessageEN: c.Content.MessageEN,
		Subscribers: c.Content.Subscribers, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC(), SentBy: c.SentBy,
		SentAt: optTime(c.SentAt), SettledAt: optTime(c.SettledAt)}
	for _, r := range rs {
		vs := r.Versions
		if vs == nil {
			vs = []string{}
		}
		out.Recipients = append(out.Recipients, Recipient{ID: r.ID, Name: r.Name, Kind: r.Kind, Country: r.Country, Language: r.Language,
			Channel: string(r.Channel), Target: r.Target, Versions: vs, State: string(r.State()), Detail: r.Detail, GateWhy: r.GateWhy,
			Attempt: r.Attempt, SentAt: optTime(r.SentAt), AcknowledgedAt: optTime(r.AcknowledgedAt), LastError: r.LastError})
	}
	return out
}

// campaignCall reads the caller, the case and the campaign from the path.
func campaignCall(r *http.Request) (*access.Principal, int64, int64, error) {
	p, id, err := caseCall(r)
	if err != nil {
		return nil, 0, 0, err
	}
	cid, err := strconv.ParseInt(r.PathValue("campaign"), 10, 64)
	if err != nil {
		return nil, 0, 0, errs.Coded(errs.NotFound, "notice.not_found", "no such campaign")
	}
	return p, id, cid, nil
}

// caseCampaigns lists a case's campaigns.
func (h *Handler) caseCampaigns(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	cs, err := h.notices.Campaigns(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := []Campaign{}
	for _, c := range cs {
		out = append(out, apiCampaign(c, nil))
	}
	return writeJSON(w, http.StatusOK, out)
}

// NewCampaign composes a campaign.
type NewCampaign struct {
	MessageZH   string `json:"message_zh"`
	MessageEN   string `json:"message_en"`
	Subscribers bool   `json:"subscribers"`
}

// composeCampaign drafts a campaign with its recipients.
func (h *Handler) composeCampaign(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in NewCampaign
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.notices.Compose(r.Context(), p, id, notice.Content{MessageZH: in.MessageZH, MessageEN: in.MessageEN, Subscribers: in.Subscribers})
	if err != nil {
		return err
	}
	return h.writeCampaign(w, r, p, id, c.ID, http.StatusCreated)
}

func (h *Handler) writeCampaign(w http.ResponseWriter, r *http.Request, p *access.Principal, caseID, id int64, status int) error {
	c, rs, err := h.notices.Get(r.Context(), p, caseID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, status, apiCampaign(c, rs))
}

// getCampaign returns a campaign with its recipients and their states.
func (h *Handler) getCampaign(w http.ResponseWriter, r *http.Request) error {
	p, id, cid, err := campaignCall(r)
	if err != nil {
		return err
	}
	return h.writeCampaign(w, r, p, id, cid, http.StatusOK)
}

// NoticePreview is a notice as one kind of recipient gets it.
type NoticePreview struct {
	Language string `json:"language"`
	Detail   string `json:"detail"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
}

// previewCampaign renders a campaign's notices.
func (h *Handler) previewCampaign(w http.ResponseWriter, r *http.Request) error {
	p, id, cid, err := campaignCall(r)
	if err != nil {
		return err
	}
	ps, err := h.notices.Preview(r.Context(), p, id, cid)
	if err != nil {
		return err
	}
	out := []NoticePreview{}
	for _, pr := range ps {
		out = append(out, NoticePreview{Language: pr.Language, Detail: pr.Detail, Subject: pr.Subject, Text: pr.Text})
	}
	return writeJSON(w, http.StatusOK, out)
}

// sendCampaign starts delivering a draft campaign (202: it goes out in
// the background).
func (h *Handler) sendCampaign(w http.ResponseWriter, r *http.Request) error {
	p, id, cid, err := campaignCall(r)
	if err != nil {
		return err
	}
	if _, err := h.notices.Send(r.Context(), p, id, cid); err != nil {
		return err
	}
	return h.writeCampaign(w, r, p, id, cid, http.StatusAccepted)
}

// resendCampaign sends a campaign again to the recipients not reached.
func (h *Handler) resendCampaign(w http.ResponseWriter, r *http.Request) error {
	p, id, cid, err := campaignCall(r)
	if err != nil {
		return err
	}
	if _, err := h.notices.Resend(r.Context(), p, id, cid); err != nil {
		return err
	}
	return h.writeCampaign(w, r, p, id, cid, http.StatusAccepted)
}

// listCustomers returns who runs what, in the customer JSON format.
func (h *Handler) listCustomers(w http.ResponseWriter, r *http.Request) error {
	p, err := h.productsCaller(r)
	if err != nil {
		return err
	}
	cs, err := h.products.Customers(r.Context(), p)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	return product.WriteCustomersJSON(w, cs)
}

// putCustomers stores customers sent as JSON or CSV (by Content-Type),
// each whole, all or nothing.
func (h *Handler) putCustomers(w http.ResponseWriter, r *http.Request) error {
	p, err := h.productsCaller(r)
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := io.LimitReader(r.Body, MaxCatalogueBytes+1)
	var cs []product.Customer
	switch mt {
	case "text/csv":
		cs, err = product.ParseCustomersCSV(body)
	case "application/json":
		cs, err = product.ParseCustomersJSON(body)
	default:
		return errs.Coded(errs.Invalid, "product.media_type", "send the catalogue as text/csv or application/json")
	}
	if err != nil {
		return err
	}
	if err := h.products.PutCustomers(r.Context(), p, cs); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"stored": len(cs)})
}

// deleteCustomer deletes a customer and the record of what it runs.
func (h *Handler) deleteCustomer(w http.ResponseWriter, r *http.Request) error {
	p, err := h.productsCaller(r)
	if err != nil {
		return err
	}
	if err := h.products.DeleteCustomer(r.Context(), p, r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
