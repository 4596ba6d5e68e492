package web

import (
	"context"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/format/csaf"
)

// Advisories is the part of advisory.Service the web UI uses: a case's
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

// publicationPage is the data of a case's advisory page: the editor, the
// gate's verdict, the preview in both languages and the actions.
type publicationPage struct {
	CaseID     int64
	Ref        string
	Title      string
	View       *advisory.View // nil: no advisory yet
	Marked     map[string]bool
	Preview    []advisory.Page
	Blackouts  []disclosure.Blackout
	Credits    string
	Refs       string
	Aliases    string
	Affected   string // one entry a line: product | model | versions | fixed
	TLPs       []string
	CanWrite   bool
	CanPublish bool
	Wrote      bool // the reader wrote the working copy: they may not approve it (CN-09-P)
	CanConsent bool
	Problem    string
	Zone       *time.Location
}

// publicationCall reads the signed-in caller and the case ID.
func (h *Handler) publicationCall(r *http.Request) (*access.Principal, int64, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, 0, err
	}
	if h.cfg.Advisories == nil || h.cfg.Cases == nil {
		return nil, 0, errs.New(errs.NotFound, "no such page")
	}
	id, err := h.caseID(r)
	return p, id, err
}

// showPublication shows a case's advisory.
func (h *Handler) showPublication(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.publicationCall(r)
	if err != nil {
		return err
	}
	return h.renderPublication(w, r, p, id, http.StatusOK, "")
}

func (h *Handler) renderPublication(w http.ResponseWriter, r *http.Request, p *access.Principal, id int64, status int, problem string) error {
	c, err := h.cfg.Cases.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	data := publicationPage{CaseID: c.ID, Ref: c.Ref, Title: c.Title, TLPs: advisory.TLPs, CanWrite: p.Can(access.WriteAdvisories),
		CanPublish: p.Can(access.PublishAdvisories), CanConsent: p.Can(access.ApproveSharing), Problem: problem, Zone: chinaTime,
		Marked: map[string]bool{}}
	v, err := h.cfg.Advisories.Get(r.Context(), p, id)
	switch {
	case errs.Is(err, errs.NotFound):
	case err != nil:
		return err
	default:
		data.View = &v
		for _, d := range v.NotOperator {
			data.Marked[d.Key] = true
		}
		for _, lang := range []string{"zh-CN", "en"} {
			data.Preview = append(data.Preview, advisory.Preview(v.Ref, v.Content, lang, v.Revisions))
		}
		data.Credits, data.Refs, data.Aliases = creditLines(v.Content.Credits), referenceLines(v.Content.References), strings.Join(v.Content.Aliases, ", ")
		data.Affected = affectedLines(v.Content.Affected)
		data.Wrote = slices.Contains(v.Editors, p.Actor())
		if data.Blackouts, err = h.cfg.Advisories.Blackouts(r.Context(), p); err != nil {
			return err
		}
	}
	noStore(w)
	return h.render(w, r, status, pagePublication, data)
}

func creditLines(cs []advisory.Credit) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return strings.Join(out, "\n")
}

func referenceLines(rs []advisory.Reference) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Kind+" "+r.URL)
	}
	return strings.Join(out, "\n")
}

// createPublication drafts the case's advisory.
func (h *Handler) createPublication(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.publicationCall(r)
	if err != nil {
		return err
	}
	_, err = h.cfg.Advisories.Create(r.Context(), p, id)
	return h.afterPublication(w, r, p, id, err)
}

// publicationAction runs one action of the advisory page's forms.
func (h *Handler) publicationAction(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.publicationCall(r)
	if err != nil {
		return err
	}
	ctx, a := r.Context(), h.cfg.Advisories
	text := func(prefix string) advisory.Text {
		return advisory.Text{ZH: r.PostFormValue(prefix + "_zh"), EN: r.PostFormValue(prefix + "_en")}
	}
	switch r.PathValue("action") {
	case "edit":
		err = h.editPublication(r, p, id)
	case "submit":
		_, err = a.Submit(ctx, p, id)
	case "approve":
		_, err = a.Approve(ctx, p, id)
	case "publish":
		_, err = a.Publish(ctx, p, id, text("note"))
	case "withdraw":
		_, err = a.Withdraw(ctx, p, id, text("reason"))
	case "schedule":
		err = h.schedulePublication(r, p, id)
	case "not-operator":
		_, err = a.MarkNotOperator(ctx, p, id, r.PostFormValue("finding"), r.PostFormValue("reason"))
	case "early":
		err = h.setEarly(r, p, id)
	case "consent":
		err = h.recordConsent(r, p, id)
	default:
		return errs.New(errs.NotFound, "no such page")
	}
	return h.afterPublication(w, r, p, id, err)
}

// afterPublication goes back to the advisory page, or shows it again with
// a refusal.
func (h *Handler) afterPublication(w http.ResponseWriter, r *http.Request, p *access.Principal, id int64, err error) error {
	if code, _ := errs.CodeOf(err); errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) || code == "advisory.four_eyes" {
		return h.renderPublication(w, r, p, id, errs.HTTPStatus(err), h.problem(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10)+"/publication", http.StatusSeeOther)
	return nil
}

// editPublication replaces the working copy with the form's fields; the
// affected products stay as drafted (the API edits them).
func (h *Handler) editPublication(r *http.Request, p *access.Principal, id int64) error {
	v, err := h.cfg.Advisories.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	ct := v.Content
	f := func(name string) advisory.Text {
		return advisory.Text{ZH: r.PostFormValue(name + "_zh"), EN: r.PostFormValue(name + "_en")}
	}
	ct.Title, ct.Summary, ct.Description, ct.Impact = f("title"), f("summary"), f("description"), f("impact")
	ct.Remediation, ct.Workarounds, ct.Detection = f("remediation"), f("workarounds"), f("detection")
	ct.Grade, ct.CVSS, ct.CWE = r.PostFormValue("grade"), strings.TrimSpace(r.PostFormValue("cvss")), strings.TrimSpace(r.PostFormValue("cwe"))
	ct.OverrideReason, ct.TLP = r.PostFormValue("override_reason"), r.PostFormValue("tlp")
	if ct.Affected, err = parseAffected(r.PostFormValue("affected")); err != nil {
		return err
	}
	ct.Credits, ct.References, ct.Aliases = nil, nil, nil
	for _, l := range nonEmptyLines(r.PostFormValue("credits")) {
		ct.Credits = append(ct.Credits, advisory.Credit{Name: l})
	}
	for _, l := range nonEmptyLines(r.PostFormValue("references")) {
		kind, url, ok := strings.Cut(l, " ")
		if !ok {
			kind, url = "advisory", l
		}
		ct.References = append(ct.References, advisory.Reference{Kind: kind, URL: strings.TrimSpace(url)})
	}
	for _, a := range strings.Split(r.PostFormValue("aliases"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			ct.Aliases = append(ct.Aliases, a)
		}
	}
	_, err = h.cfg.Advisories.Edit(r.Context(), p, id, ct)
	return err
}

// affectedLines writes the affected list for the form, one entry a line:
// product | model | versions | fixed.
func affectedLines(as []advisory.Affected) string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString(strings.Join([]string{a.Product, a.Model, a.Versions, a.Fixed}, " | ") + "\n")
	}
	return b.String()
}

// parseAffected reads the form's affected list (影响范围): one entry a
// line, "product | model | versions | fixed", model and fixed optional;
// errs.Invalid (advisory.affected) names the first bad line.
func parseAffected(s string) ([]advisory.Affected, error) {
	var out []advisory.Affected
	for i, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		f := strings.Split(l, "|")
		for len(f) < 4 {
			f = append(f, "")
		}
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
		}
		if len(f) > 4 || f[0] == "" || f[2] == "" {
			return nil, errs.Coded(errs.Invalid, "advisory.affected",
				"line %d of the affected products: write product | model | versions | fixed version (model and fixed version may be empty)", i+1)
		}
		out = append(out, advisory.Affected{Product: f[0], Model: f[1], Versions: f[2], Fixed: f[3]})
	}
	return out, nil
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// formTime reads a datetime-local field in zone (Beijing time when empty).
func formTime(v, zone string) (time.Time, error) {
	loc := chinaTime
	if zone != "" {
		l, err := time.LoadLocation(zone)
		if err != nil {
			return time.Time{}, errs.Coded(errs.Invalid, "advisory.zone", "give the zone as an IANA name, e.g. Asia/Shanghai")
		}
		loc = l
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
	if err != nil {
		return time.Time{}, errs.Coded(errs.Invalid, "advisory.time", "give the time as a date and a time")
	}
	return t, nil
}

func (h *Handler) schedulePublication(r *http.Request, p *access.Principal, id int64) error {
	zone := cmpOrString(r.PostFormValue("zone"), "Asia/Shanghai")
	var at time.Time
	if v := r.PostFormValue("release_at"); v != "" {
		var err error
		if at, err = formTime(v, zone); err != nil {
			return err
		}
	}
	_, err := h.cfg.Advisories.Schedule(r.Context(), p, id, at, zone)
	return err
}

func cmpOrString(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return strings.TrimSpace(a)
	}
	return b
}

// setEarly records the early-publication record from the form: for each
// item, its reference, date and text.
func (h *Handler) setEarly(r *http.Request, p *access.Principal, id int64) error {
	var rec disclosure.EarlyRecord
	for name, e := range map[string]*disclosure.Evidence{"consultation": &rec.Consultation, "miit_report": &rec.MIITReport,
		"mps_report": &rec.MPSReport, "assessment": &rec.Assessment} {
		e.Reference, e.Text, e.File = r.PostFormValue(name+"_reference"), r.PostFormValue(name+"_text"), r.PostFormValue(name+"_file")
		if d := r.PostFormValue(name + "_date"); d != "" {
			t, err := time.ParseInLocation("2006-01-02", d, chinaTime)
			if err != nil {
				return errs.Coded(errs.Invalid, "advisory.time", "give the time as a date and a time")
			}
			e.Date = t
		}
	}
	_, err := h.cfg.Advisories.SetEarly(r.Context(), p, id, rec)
	return err
}

func (h *Handler) recordConsent(r *http.Request, p *access.Principal, id int64) error {
	bid, _ := strconv.ParseInt(r.PostFormValue("blackout"), 10, 64)
	var d time.Time
	if v := r.PostFormValue("date"); v != "" {
		t, err := time.ParseInLocation("2006-01-02", v, chinaTime)
		if err != nil {
			return errs.Coded(errs.Invalid, "advisory.time", "give the time as a date and a time")
		}
		d = t
	}
	_, err := h.cfg.Advisories.RecordConsent(r.Context(), p, id, advisory.Consent{BlackoutID: bid, Reference: r.PostFormValue("reference"), Date: d})
	return err
}

// blackoutsPage is the data of /blackouts.
type blackoutsPage struct {
	Blackouts []disclosure.Blackout
	CanWrite  bool
	Problem   string
	Zone      *time.Location
}

// showBlackouts shows the blackout calendar.
func (h *Handler) showBlackouts(w http.ResponseWriter, r *http.Request) error {
	p, err := h.blackoutCall(r)
	if err != nil {
		return err
	}
	return h.renderBlackouts(w, r, p, http.StatusOK, "")
}

func (h *Handler) blackoutCall(r *http.Request) (*access.Principal, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, err
	}
	if h.cfg.Advisories == nil {
		return nil, errs.New(errs.NotFound, "no such page")
	}
	return p, nil
}

func (h *Handler) renderBlackouts(w http.ResponseWriter, r *http.Request, p *access.Principal, status int, problem string) error {
	bs, err := h.cfg.Advisories.Blackouts(r.Context(), p)
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, status, pageBlackouts, blackoutsPage{Blackouts: bs, CanWrite: p.Can(access.ApproveSharing), Problem: problem,
		Zone: chinaTime})
}

// addBlackout adds a blackout period from the form (times in its zone).
func (h *Handler) addBlackout(w http.ResponseWriter, r *http.Request) error {
	p, err := h.blackoutCall(r)
	if err != nil {
		return err
	}
	if err := p.Require(access.ApproveSharing); err != nil {
		return err
	}
	zone := cmpOrString(r.PostFormValue("zone"), "Asia/Shanghai")
	b := disclosure.Blackout{NameZH: r.PostFormValue("name_zh"), NameEN: r.PostFormValue("name_en"), Zone: zone}
	if b.Start, err = formTime(r.PostFormValue("start"), zone); err == nil {
		b.End, err = formTime(r.PostFormValue("end"), zone)
	}
	if err == nil {
		_, err = h.cfg.Advisories.PutBlackout(r.Context(), p, b)
	}
	return h.afterBlackout(w, r, p, err)
}

// deleteBlackout removes a blackout period.
func (h *Handler) deleteBlackout(w http.ResponseWriter, r *http.Request) error {
	p, err := h.blackoutCall(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "blackout.not_found", "no such blackout period")
	}
	return h.afterBlackout(w, r, p, h.cfg.Advisories.DeleteBlackout(r.Context(), p, id))
}

func (h *Handler) afterBlackout(w http.ResponseWriter, r *http.Request, p *access.Principal, err error) error {
	if errs.Is(err, errs.Invalid) {
		return h.renderBlackouts(w, r, p, errs.HTTPStatus(err), h.problem(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/blackouts", http.StatusSeeOther)
	return nil
}

// exportPublication downloads case {id}'s published advisory in one of
// advisory.ExportFormats (CSAF 2.0, CVE JSON 5, OSV, OpenVEX), ?lang=
// zh-CN or en where the format has one language, for staff who may read
// the case: what they hand to CVE Services, NVDB or a customer's
// scanner. 404 until the advisory is published.
func (h *Handler) exportPublication(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.publicationCall(r)
	if err != nil {
		return err
	}
	format := r.PathValue("format")
	if !slices.Contains(advisory.ExportFormats, format) || h.cfg.PublicAdvisories == nil {
		return errs.New(errs.NotFound, "no such format")
	}
	v, err := h.cfg.Advisories.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	if len(v.Revisions) == 0 {
		return errs.Coded(errs.NotFound, "advisory.not_published", "the advisory has not been published")
	}
	pub, err := h.cfg.PublicAdvisories.Published(r.Context(), p, v.Ref)
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = h.language(r).String()
	}
	b, err := advisory.Export(pub, format, advisory.ExportOptions{Lang: lang, Namespace: strings.TrimSuffix(h.csafBase(r), "/"),
		CNA: advisory.CNAInfo{OrgID: h.cfg.CVEOrgID}})
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(csaf.FileName(v.Ref), ".json") + "." + format + ".json"
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	noStore(w)
	_, _ = w.Write(b) // a failed write means the client has gone
	return nil
}
