package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/report"
)

// Reports is the part of report.Service the web UI uses.
type Reports interface {
	Submit(ctx context.Context, s report.Submission) (report.Ack, error)
	Limits() report.Limits
	ForReporter(ctx context.Context, secret string) (report.ReporterView, error)
	AddFromReporter(ctx context.Context, secret, body string, files []report.Attachment) (report.Message, error)
	ReporterAttachment(ctx context.Context, secret string, id int64) (report.AttachmentInfo, []byte, error)
	SetPreferences(ctx context.Context, secret string, pref report.Preferences) error
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

// MaxReportUpload caps a report form's body: the fields and up to ten
// files. The server's body limit for the /report paths is set to it.
const MaxReportUpload = 40 << 20

// reportForm is the data of /report.
type reportForm struct {
	Problem  string
	Form     report.Submission
	Limits   report.Limits
	Consent  bool
	Credit   string
	Receipt  *report.Ack // set after a successful submission
	Link     string      // the private link, absolute
	Zone     *time.Location
	SizeMiB  int64
	MaxFiles int
}

func (h *Handler) reports() (Reports, error) {
	if h.cfg.Reports == nil {
		return nil, errs.New(errs.NotFound, "no such page")
	}
	return h.cfg.Reports, nil
}

// staff returns the signed-in reader and the intake service, for the
// triage pages; the service decides what the reader may do.
func (h *Handler) staff(r *http.Request) (*access.Principal, Reports, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, nil, err
	}
	rs, err := h.reports()
	return p, rs, err
}

// reportPage shows the public report form (RMSV Art. 6): no sign-in, no
// JavaScript needed.
func (h *Handler) reportPage(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.reports()
	if err != nil {
		return err
	}
	return h.renderReportForm(w, r, http.StatusOK, reportForm{Limits: rs.Limits(), Credit: string(report.CreditAnonymous)})
}

func (h *Handler) renderReportForm(w http.ResponseWriter, r *http.Request, status int, f reportForm) error {
	f.Zone, f.SizeMiB, f.MaxFiles = chinaTime, f.Limits.Attachment>>20, f.Limits.Attachments
	noStore(w)
	return h.render(w, r, status, pageReportForm, f)
}

// submitReport takes the form. The whole request body, as received, is
// what the receipt log hashes; it is stored before the answer is sent.
func (h *Handler) submitReport(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.reports()
	if err != nil {
		return err
	}
	if err := h.throttle(w, r, h.cfg.Submissions); err != nil {
		return err
	}
	raw, form, files, err := readUpload(r, rs.Limits())
	if err != nil {
		return err
	}
	sub := report.Submission{Channel: report.Web, Title: form.Get("title"), Description: form.Get("description"),
		Product: form.Get("product"), Version: form.Get("version"),
		Reporter:    report.Reporter{Name: form.Get("name"), Email: form.Get("email")},
		Attachments: files, Raw: raw, Actor: "anonymous", Language: h.language(r).String(),
		RemoteAddr: clientOf(r).RemoteAddr}
	if org, err := strconv.ParseInt(form.Get("org"), 10, 64); err == nil {
		sub.OrgID = org
	}
	pref := report.Preferences{Credit: report.Credit(form.Get("credit")), ConsentShare: form.Get("consent_share") == "on"}
	if pref.Credit == "" {
		pref.Credit = report.CreditAnonymous
	}
	ack, err := rs.Submit(r.Context(), sub)
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.TooLarge) {
		sub.Attachments, sub.Raw = nil, nil
		return h.renderReportForm(w, r, errs.HTTPStatus(err), reportForm{Problem: h.problem(r, err), Form: sub,
			Limits: rs.Limits(), Consent: pref.ConsentShare, Credit: string(pref.Credit)})
	}
	if err != nil {
		return err
	}
	// The report is stored; the preferences are the reporter's to change
	// later through the link, so a failure here must not hide the receipt.
	if pref != (report.Preferences{Credit: report.CreditAnonymous}) {
		if err := rs.SetPreferences(r.Context(), ack.Secret, pref); err != nil {
			h.logError(r, http.StatusOK, err)
		}
	}
	return h.renderReportForm(w, r, http.StatusCreated, reportForm{Receipt: &ack, Link: h.absolute(r, "/report/s/"+ack.Secret),
		Limits: rs.Limits()})
}

// absolute returns path on this server as an absolute URL, for the reporter
// to keep.
func (h *Handler) absolute(r *http.Request, path string) string {
	scheme := "http"
	if h.cfg.TLS || r.TLS != nil {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: r.Host, Path: path}).String()
}

// readUpload reads a form body whole (so that it can be hashed as
// received) and parses it: multipart with files, or URL-encoded without.
// Files over the limits are refused with errs.TooLarge, never truncated.
func readUpload(r *http.Request, lim report.Limits) (raw []byte, form url.Values, files []report.Attachment, err error) {
	raw, err = io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, nil, errs.Coded(errs.TooLarge, "report.too_large", "the submission is larger than %d MiB", mbe.Limit>>20)
		}
		return nil, nil, nil, errs.Wrap(errs.Invalid, err, "the form could not be read")
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		form, err = url.ParseQuery(string(raw))
		if err != nil {
			return nil, nil, nil, errs.Wrap(errs.Invalid, err, "the form could not be read")
		}
		return raw, form, nil, nil
	case "multipart/form-data":
	default:
		return nil, nil, nil, errs.New(errs.Invalid, "send the form as multipart/form-data")
	}
	mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
	form = url.Values{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, nil, errs.Wrap(errs.Invalid, err, "the form could not be read")
		}
		name := part.FormName()
		if part.FileName() == "" {
			v, err := io.ReadAll(io.LimitReader(part, int64(lim.Description)+1))
			if err != nil {
				return nil, nil, nil, errs.Wrap(errs.Invalid, err, "the form could not be read")
			}
			form.Add(name, string(v))
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, lim.Attachment+1))
		if err != nil {
			return nil, nil, nil, errs.Wrap(errs.Invalid, err, "the form could not be read")
		}
		if len(data) == 0 && part.FileName() == "" {
			continue
		}
		if int64(len(data)) > lim.Attachment {
			return nil, nil, nil, errs.Coded(errs.TooLarge, "report.attachment", "each file may be at most %d MiB", lim.Attachment>>20)
		}
		if len(files) == lim.Attachments {
			return nil, nil, nil, errs.Coded(errs.TooLarge, "report.attachments", "send at most %d files", lim.Attachments)
		}
		files = append(files, report.Attachment{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
	}
	return raw, form, files, nil
}

// reporterPage is the data of the reporter's status page.
type reporterPage struct {
	View    report.ReporterView
	Secret  string
	Problem string
	Saved   bool
	Zone    *time.Location
}

// reporterStatus shows a reporter their report through the private link.
func (h *Handler) reporterStatus(w http.ResponseWriter, r *http.Request) error {
	return h.renderReporter(w, r, http.StatusOK, "", r.URL.Query().Get("saved") == "1")
}

func (h *Handler) renderReporter(w http.ResponseWriter, r *http.Request, status int, problem string, saved bool) error {
	rs, err := h.reports()
	if err != nil {
		return err
	}
	if err := h.limitLinks(w, r); err != nil {
		return err
	}
	secret := r.PathValue("secret")
	v, err := rs.ForReporter(r.Context(), secret)
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, status, pageReporter, reporterPage{View: v, Secret: secret, Problem: problem, Saved: saved, Zone: chinaTime})
}

// limitLinks slows down guessing of private links per address.
func (h *Handler) limitLinks(w http.ResponseWriter, r *http.Request) error {
	return h.throttle(w, r, h.cfg.LinkAttempts)
}

// reporterMessage adds the reporter's message and files to the thread.
func (h *Handler) reporterMessage(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.reports()
	if err != nil {
		return err
	}
	if err := h.limitLinks(w, r); err != nil {
		return err
	}
	_, form, files, err := readUpload(r, rs.Limits())
	if err == nil {
		_, err = rs.AddFromReporter(r.Context(), r.PathValue("secret"), form.Get("body"), files)
	}
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.TooLarge) {
		return h.renderReporter(w, r, errs.HTTPStatus(err), h.problem(r, err), false)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/report/s/"+r.PathValue("secret")+"#thread", http.StatusSeeOther)
	return nil
}

// reporterPreferences records the reporter's credit and consent choices.
func (h *Handler) reporterPreferences(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.reports()
	if err != nil {
		return err
	}
	if err := h.limitLinks(w, r); err != nil {
		return err
	}
	err = rs.SetPreferences(r.Context(), r.PathValue("secret"), report.Preferences{
		Credit: report.Credit(r.FormValue("credit")), ConsentShare: r.FormValue("consent_share") == "on"})
	if errs.Is(err, errs.Invalid) {
		return h.renderReporter(w, r, http.StatusBadRequest, h.problem(r, err), false)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/report/s/"+r.PathValue("secret")+"?saved=1", http.StatusSeeOther)
	return nil
}

// reporterAttachment sends one file of the reporter's own report.
func (h *Handler) reporterAttachment(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.reports()
	if err != nil {
		return err
	}
	if err := h.limitLinks(w, r); err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	info, data, err := rs.ReporterAttachment(r.Context(), r.PathValue("secret"), id)
	if err != nil {
		return err
	}
	download(w, info.Name, data)
	return nil
}

// download sends data as a file to save, never to render: raw content and
// attachments are untrusted.
func download(w http.ResponseWriter, name string, data []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "application/octet-stream")
	hd.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// inboxPage is the data of /reports.
type inboxPage struct {
	Reports  []report.Report
	Status   string
	Statuses []report.Status
	Now      time.Time
	Zone     *time.Location
}

// showInbox lists the reports of the reader's organisation.
func (h *Handler) showInbox(w http.ResponseWriter, r *http.Request) error {
	p, rs, err := h.staff(r)
	if err != nil {
		return err
	}
	st := r.URL.Query().Get("status")
	list, err := rs.Inbox(r.Context(), p, report.Filter{Status: report.Status(st), Limit: 100})
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageInbox, inboxPage{Reports: list, Status: st, Now: time.Now(), Zone: chinaTime,
		Statuses: []report.Status{report.New, report.Duplicate, report.Spam, report.Invalid, report.Promoted}})
}

// reportPage is the data of /reports/{tracking}.
type staffReportPage struct {
	report.Detail
	Similar    []report.Suggestion
	CanPromote bool
	Problem    string
	Now        time.Time
	Zone       *time.Location
}

// showReport shows one report to triage staff; the read is audited.
func (h *Handler) showReport(w http.ResponseWriter, r *http.Request) error {
	return h.renderReport(w, r, http.StatusOK, "")
}

func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	p, rs, err := h.staff(r)
	if err != nil {
		return err
	}
	t := r.PathValue("tracking")
	d, err := rs.Get(r.Context(), p, t)
	if err != nil {
		return err
	}
	sim, err := rs.Similar(r.Context(), p, t, 5)
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, status, pageStaffReport, staffReportPage{Detail: d, Similar: sim, Problem: problem,
		CanPromote: p.Can(access.WriteCases), Now: time.Now(), Zone: chinaTime})
}

// reportRaw sends a report's raw content as received; audited.
func (h *Handler) reportRaw(w http.ResponseWriter, r *http.Request) error {
	p, rs, err := h.staff(r)
	if err != nil {
		return err
	}
	raw, err := rs.Raw(r.Context(), p, r.PathValue("tracking"))
	if err != nil {
		return err
	}
	download(w, r.PathValue("tracking")+".raw", raw)
	return nil
}

// reportAttachment sends one attachment; audited.
func (h *Handler) reportAttachment(w http.ResponseWriter, r *http.Request) error {
	p, rs, err := h.staff(r)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	info, data, err := rs.Attachment(r.Context(), p, r.PathValue("tracking"), id)
	if err != nil {
		return err
	}
	download(w, info.Name, data)
	return nil
}

// triageReport records a triage decision.
func (h *Handler) triageReport(w http.ResponseWriter, r *http.Request) error {
	p, rs, err := h.staff(r)
	if err != nil {
		return err
	}
	t := r.PathValue("tracking")
	_, err = rs.Triage(r.Context(), p, t, report.Decision{Status: report.Status(r.FormValue("status")),
		Reason: r.FormValue("reason"), DuplicateOf: strings.TrimSpace(r.FormValue("duplicate_of"))})
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		return h.renderReport(w, r, errs.HTTPStatus(err), h.problem(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/reports/"+t, http.StatusSeeOther)
	return nil
}

// promoteReport opens a case from a report.
func (h *Handler) promoteReport(w http.ResponseWriter, r *http.Request) error {
	p, rs, err := h.staff(r)
	if err != nil {
		return err
	}
	c, err := rs.Promote(r.Context(), p, r.PathValue("tracking"))
	if errs.Is(err, errs.Conflict) {
		return h.renderReport(w, r, http.StatusConflict, h.problem(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

// attachReport links the report to an existing case, named by its
// reference (EMB-2026-0001) or ID.
func (h *Handler) attachReport(w http.ResponseWriter, r *http.Request) error {
	p, rs, err := h.staff(r)
	if err != nil {
		return err
	}
	ref := strings.TrimSpace(r.PostFormValue("case"))
	var caseID int64
	if h.cfg.Cases != nil && ref != "" {
		if found, err := h.cfg.Cases.Search(r.Context(), p, casework.Filter{Query: ref, Limit: 5}); err == nil {
			for _, c := range found {
				if strings.EqualFold(c.Ref, ref) || strconv.FormatInt(c.ID, 10) == ref {
					caseID = c.ID
				}
			}
		}
	}
	if caseID == 0 {
		caseID, _ = strconv.ParseInt(ref, 10, 64)
	}
	c, err := rs.AttachToCase(r.Context(), p, r.PathValue("tracking"), caseID)
	if errs.Is(err, errs.Conflict) || errs.Is(err, errs.NotFound) {
		return h.renderReport(w, r, errs.HTTPStatus(err), h.problem(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

// replyToReport writes to the reporter.
func (h *Handler) replyToReport(w http.ResponseWriter, r *http.Request) error {
	p, rs, err := h.staff(r)
	if err != nil {
		return err
	}
	t := r.PathValue("tracking")
	_, err = rs.Reply(r.Context(), p, t, r.FormValue("body"))
	if errs.Is(err, errs.Invalid) {
		return h.renderReport(w, r, http.StatusBadRequest, h.problem(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/reports/"+t+"#thread", http.StatusSeeOther)
	return nil
}
