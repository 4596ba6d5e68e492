package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/request"
	"github.com/embargohq/embargo/internal/route"
)

// Reports is the part of report.Service the API uses.
type Reports interface {
	Submit(ctx context.Context, s report.Submission) (report.Ack, error)
	Inbox(ctx context.Context, p *access.Principal, f report.Filter) ([]report.Report, error)
	Get(ctx context.Context, p *access.Principal, t string) (report.Detail, error)
	Raw(ctx context.Context, p *access.Principal, t string) ([]byte, error)
	Attachment(ctx context.Context, p *access.Principal, t string, id int64) (report.AttachmentInfo, []byte, error)
	Triage(ctx context.Context, p *access.Principal, t string, d report.Decision) (report.Report, error)
	Promote(ctx context.Context, p *access.Principal, t string) (casework.Case, error)
	AttachToCase(ctx context.Context, p *access.Principal, t string, caseID int64) (casework.Case, error)
	Reply(ctx context.Context, p *access.Principal, t, body string) (report.Message, error)
	Similar(ctx context.Context, p *access.Principal, t string, max int) ([]report.Suggestion, error)
}

// MaxReportBytes caps the body of POST /api/v1/reports: the report and its
// attachments, base64-encoded.
const MaxReportBytes = 16 << 20

// NewReport is the body of POST /api/v1/reports.
type NewReport struct {
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Product     string          `json:"product,omitempty"`
	Version     string          `json:"version,omitempty"`
	Reporter    report.Reporter `json:"reporter"`
	Language    string          `json:"language,omitempty"`
	OrgID       int64           `json:"org_id,omitempty"`
	Attachments []NewAttachment `json:"attachments,omitempty"`
}

// NewAttachment is a file sent with a report; Data is base64 (JSON's
// encoding of a byte slice).
type NewAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Data        []byte `json:"data"`
}

// ReportAck is the answer to POST /api/v1/reports.
type ReportAck struct {
	TrackingID string         `json:"tracking_id"`
	Receipt    report.Receipt `json:"receipt"`
	// StatusURL is the reporter's private link (path), shown only here.
	StatusURL string `json:"status_url,omitempty"`
	Duplicate bool   `json:"duplicate,omitempty"`
}

// Report is a report in the API. Description, attachments and messages
// are present only when one report is fetched.
type Report struct {
	TrackingID   string             `json:"tracking_id"`
	Channel      string             `json:"channel"`
	Receipt      report.Receipt     `json:"receipt"`
	Title        string             `json:"title"`
	Product      string             `json:"product,omitempty"`
	Version      string             `json:"version,omitempty"`
	Reporter     report.Reporter    `json:"reporter"`
	Encrypted    bool               `json:"encrypted"`
	Status       string             `json:"status"`
	Reason       string             `json:"reason,omitempty"`
	DuplicateOf  string             `json:"duplicate_of,omitempty"`
	CaseID       int64              `json:"case_id,omitempty"`
	AckDueAt     time.Time          `json:"ack_due_at"`
	AckedAt      *time.Time         `json:"acknowledged_at,omitempty"`
	Credit       string             `json:"credit"`
	ConsentShare bool               `json:"consent_share"`
	Description  *string            `json:"description,omitempty"`
	Attachments  []ReportAttachment `json:"attachments,omitempty"`
	Messages     []ReportMessage    `json:"messages,omitempty"`
}

// ReportAttachment describes a stored attachment.
type ReportAttachment struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	SniffedType string    `json:"sniffed_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	AddedAt     time.Time `json:"added_at"`
}

// ReportMessage is one message of a report's thread.
type ReportMessage struct {
	ID           int64              `json:"id"`
	At           time.Time          `json:"at"`
	FromReporter bool               `json:"from_reporter"`
	Author       string             `json:"author"`
	Body         string             `json:"body"`
	Attachments  []ReportAttachment `json:"attachments,omitempty"`
}

// TriageDecision is the body of POST /api/v1/reports/{tracking}/triage.
type TriageDecision struct {
	Status      string `json:"status"`
	Reason      string `json:"reason,omitempty"`
	DuplicateOf string `json:"duplicate_of,omitempty"`
}

// NewMessage is the body of POST /api/v1/reports/{tracking}/messages.
type NewMessage struct {
	Body string `json:"body"`
}

func apiReport(r report.Report) Report {
	out := Report{TrackingID: r.TrackingID, Channel: string(r.Channel), Receipt: r.Receipt, Title: r.Title,
		Product: r.Product, Version: r.Version, Reporter: r.Reporter, Encrypted: r.Encrypted, Status: string(r.Status),
		Reason: r.Reason, DuplicateOf: r.DuplicateOf, CaseID: r.CaseID, AckDueAt: r.AckDueAt, Credit: string(r.Credit),
		ConsentShare: r.ConsentShare}
	if !r.AckedAt.IsZero() {
		out.AckedAt = &r.AckedAt
	}
	return out
}

func apiAttachments(in []report.AttachmentInfo) []ReportAttachment {
	var out []ReportAttachment
	for _, a := range in {
		out = append(out, ReportAttachment{ID: a.ID, Name: a.Name, ContentType: a.ContentType, SniffedType: a.SniffedType,
			Size: a.Size, SHA256: a.SHA256, AddedAt: a.AddedAt})
	}
	return out
}

func apiMessage(m report.Message) ReportMessage {
	return ReportMessage{ID: m.ID, At: m.At, FromReporter: m.FromReporter, Author: m.Author, Body: m.Body,
		Attachments: apiAttachments(m.Attachments)}
}

// needReports answers 404 when the server has no intake service.
func (h *Handler) needReports(next route.Handler) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.reports == nil {
			return errs.New(errs.NotFound, "no such page")
		}
		return next(w, r)
	}
}

// submitReport takes a report from anyone (RMSV Art. 5, 6), rate-limited
// per address, or per token for authenticated callers. The raw body is
// what the receipt log hashes.
func (h *Handler) submitReport(w http.ResponseWriter, r *http.Request) error {
	p := access.From(r.Context())
	key, actor := request.ClientAddr(r), "anonymous" // the same key as the web form's, so both count together
	if p != nil {
		key, actor = "token:"+strconv.FormatInt(p.TokenID, 10), p.Actor()
	}
	if h.submissions != nil {
		if ok, wait := h.submissions.Allow(key); !ok {
			secs := int(wait/time.Second) + 1
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			return errs.Coded(errs.TooMany, "ratelimit", "too many attempts from your address; try again in %d seconds", secs)
		}
	}
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if r.ContentLength > MaxReportBytes {
		return tooLarge(MaxReportBytes)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReportBytes))
	if err != nil {
		if isTooLarge(err) {
			return tooLarge(MaxReportBytes)
		}
		return errs.Wrap(errs.Invalid, err, "the request body could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var nr NewReport
	if err := decodeJSONLimit(w, r, &nr, MaxReportBytes); err != nil {
		return err
	}
	sub := report.Submission{OrgID: nr.OrgID, Channel: report.API, Title: nr.Title, Description: nr.Description,
		Product: nr.Product, Version: nr.Version, Reporter: nr.Reporter, Raw: raw, Actor: actor,
		Language: nr.Language, RemoteAddr: request.ClientAddr(r)}
	for _, a := range nr.Attachments {
		sub.Attachments = append(sub.Attachments, report.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	ack, err := h.reports.Submit(r.Context(), sub)
	if err != nil {
		return err
	}
	out := ReportAck{TrackingID: ack.TrackingID, Receipt: ack.Receipt, Duplicate: ack.Duplicate}
	if ack.Secret != "" {
		out.StatusURL = "/report/s/" + ack.Secret
	}
	w.Header().Set("Location", "/api/v1/reports/"+ack.TrackingID)
	return writeJSON(w, http.StatusCreated, out)
}

// listReports returns the triage inbox: newest first, without
// descriptions; the listing is audited.
func (h *Handler) listReports(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := report.Filter{Status: report.Status(q.Get("status"))}
	if f.Before, err = optionalInt(q.Get("before")); err != nil {
		return err
	}
	limit, err := optionalInt(q.Get("limit"))
	if err != nil {
		return err
	}
	f.Limit = int(limit)
	list, err := h.reports.Inbox(r.Context(), p, f)
	if err != nil {
		return err
	}
	out := []Report{}
	for _, rep := range list {
		out = append(out, apiReport(rep))
	}
	return writeJSON(w, http.StatusOK, out)
}

func optionalInt(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.New(errs.Invalid, "%q is not a non-negative whole number", s)
	}
	return n, nil
}

// getReport returns one report with its content and thread; audited.
func (h *Handler) getReport(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	d, err := h.reports.Get(r.Context(), p, r.PathValue("tracking"))
	if err != nil {
		return err
	}
	out := apiReport(d.Report)
	out.Description = &d.Description
	out.Attachments = apiAttachments(d.Attachments)
	for _, m := range d.Messages {
		out.Messages = append(out.Messages, apiMessage(m))
	}
	return writeJSON(w, http.StatusOK, out)
}

// getReportRaw returns the content exactly as received; audited.
func (h *Handler) getReportRaw(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	raw, err := h.reports.Raw(r.Context(), p, r.PathValue("tracking"))
	if err != nil {
		return err
	}
	return writeDownload(w, "application/octet-stream", r.PathValue("tracking")+".raw", raw)
}

// getReportAttachment returns one attachment's bytes; audited.
func (h *Handler) getReportAttachment(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "report.attachment_not_found", "no such attachment")
	}
	info, data, err := h.reports.Attachment(r.Context(), p, r.PathValue("tracking"), id)
	if err != nil {
		return err
	}
	return writeDownload(w, "application/octet-stream", info.Name, data)
}

// writeDownload sends data as a file to save, never to render.
func writeDownload(w http.ResponseWriter, contentType, name string, data []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil
}

// triageReport records a triage decision.
func (h *Handler) triageReport(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	var d TriageDecision
	if err := decodeJSON(w, r, &d); err != nil {
		return err
	}
	rep, err := h.reports.Triage(r.Context(), p, r.PathValue("tracking"), report.Decision{Status: report.Status(d.Status),
		Reason: d.Reason, DuplicateOf: d.DuplicateOf})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiReport(rep))
}

// promoteReport opens a case from a report.
func (h *Handler) promoteReport(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	c, err := h.reports.Promote(r.Context(), p, r.PathValue("tracking"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	return writeJSON(w, http.StatusCreated, apiCase(c, false))
}

// attachReport links a report to an existing case.
func (h *Handler) attachReport(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	var in struct {
		CaseID int64 `json:"case_id"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.reports.AttachToCase(r.Context(), p, r.PathValue("tracking"), in.CaseID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiCase(c, false))
}

// replyToReport adds a team message to the reporter's thread.
func (h *Handler) replyToReport(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	var m NewMessage
	if err := decodeJSON(w, r, &m); err != nil {
		return err
	}
	msg, err := h.reports.Reply(r.Context(), p, r.PathValue("tracking"), m.Body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, apiMessage(msg))
}

// similarReports suggests possible duplicates of a report.
func (h *Handler) similarReports(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	list, err := h.reports.Similar(r.Context(), p, r.PathValue("tracking"), 10)
	if err != nil {
		return err
	}
	type suggestion struct {
		TrackingID string  `json:"tracking_id"`
		Title      string  `json:"title"`
		Status     string  `json:"status"`
		Score      float64 `json:"score"`
	}
	out := []suggestion{}
	for _, s := range list {
		out = append(out, suggestion{s.TrackingID, s.Title, string(s.Status), s.Score})
	}
	return writeJSON(w, http.StatusOK, out)
}
