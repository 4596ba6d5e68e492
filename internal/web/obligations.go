package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/document"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/obligation"
)

// Obligations is what the pages need of the obligations engine.
type Obligations interface {
	ForCase(ctx context.Context, p *access.Principal, id int64) ([]obligation.Obligation, error)
	Board(ctx context.Context, p *access.Principal) ([]obligation.Obligation, error)
	NotApplicable(ctx context.Context, p *access.Principal, id int64, reason string) (obligation.Obligation, error)
	Draft(ctx context.Context, p *access.Principal, id int64, duty string) (obligation.Draft, error)
	Submit(ctx context.Context, p *access.Principal, id int64, req obligation.SubmitRequest) (obligation.Submission, error)
	SendUpstreamNotice(ctx context.Context, p *access.Principal, id int64, req obligation.NoticeRequest) (obligation.Submission, error)
	SetFields(ctx context.Context, p *access.Principal, id int64, duty string, values map[string]string) ([]obligation.Field, error)
	Packs() []obligation.Pack
	EvidencePack(ctx context.Context, p *access.Principal, id int64) ([]byte, evidence.Pack, error)
	Dashboard(ctx context.Context, p *access.Principal, now time.Time) (obligation.Dashboard, error)
}

// duty is one obligation as the pages show it.
type duty struct {
	obligation.Obligation
	State obligation.State
	Rule  obligation.Rule
	// Left is the time left (negative: overdue), rounded to minutes.
	Left time.Duration
}

func (h *Handler) duties(os []obligation.Obligation) []duty {
	now := time.Now()
	out := make([]duty, 0, len(os))
	for _, o := range os {
		_, r, _ := obligation.Find(h.cfg.Obligations.Packs(), o.Regime, o.Duty)
		out = append(out, duty{Obligation: o, State: o.StateAt(now), Rule: r, Left: o.DueAt.Sub(now).Round(time.Minute)})
	}
	return out
}

// boardPage is the data of /obligations.
type boardPage struct {
	Duties  []duty
	Zone    *time.Location
	English bool // the duties' English titles
}

// showBoard is the clock board: every open legal duty of the cases the
// reader may see, soonest first, in China Standard Time and UTC.
func (h *Handler) showBoard(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Obligations == nil {
		return errs.New(errs.NotFound, "not found")
	}
	os, err := h.cfg.Obligations.Board(r.Context(), p)
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageBoard, boardPage{Duties: h.duties(os), Zone: chinaTime,
		English: h.language(r).String() == "en"})
}

// packagePage is the data of a case's report package page.
type packagePage struct {
	Draft     obligation.Draft
	Duty      string
	Rule      obligation.Rule
	CanSubmit bool
	Problem   string
	Zone      *time.Location
	JSON      string
	English   bool
	CanWrite  bool // may write the report's written parts
	// Missing names what the report lacks, with the written fields'
	// labels ("" for the contents, which the catalogue names).
	Missing []missing
}

// missing is one thing a report lacks.
type missing struct{ Key, Label string }

// showPackage shows a case's report package laid out like the platform's
// web form, for copy and paste, with what it lacks; ?format=json downloads
// it.
func (h *Handler) showPackage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.dutyCase(r)
	if err != nil {
		return err
	}
	return h.renderPackage(w, r, p, id, r.PathValue("duty"), http.StatusOK, "")
}

func (h *Handler) renderPackage(w http.ResponseWriter, r *http.Request, p *access.Principal, id int64, dutyCode string, status int, problem string) error {
	d, err := h.cfg.Obligations.Draft(r.Context(), p, id, dutyCode)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(d.Package, "", "  ")
	if err != nil {
		return err
	}
	noStore(w)
	if r.URL.Query().Get("format") == "pdf" {
		return h.writePDF(w, d.Document(time.Now()), d.Case.Ref+"-"+dutyCode+".pdf")
	}
	if r.URL.Query().Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+d.Case.Ref+"-"+dutyCode+`.json"`)
		_, err := w.Write(append(b, '\n'))
		return err
	}
	var rule obligation.Rule
	for _, pk := range h.cfg.Obligations.Packs() {
		if _, ru, ok := obligation.Find([]obligation.Pack{pk}, pk.Regime, dutyCode); ok {
			rule = ru
		}
	}
	page := packagePage{Draft: d, Duty: dutyCode, Rule: rule, Zone: chinaTime, CanSubmit: p.Can(access.ManageObligations),
		CanWrite: p.Can(access.ManageObligations) || p.Can(access.WriteCases), Problem: problem, JSON: string(b),
		English: h.language(r).String() == "en"}
	for _, k := range d.Missing {
		m := missing{Key: k}
		for _, f := range d.Fields {
			if f.Key == k {
				m.Label = f.LabelZH
				if page.English {
					m.Label = f.LabelEN
				}
			}
		}
		page.Missing = append(page.Missing, m)
	}
	return h.render(w, r, status, pagePackage, page)
}

// submitPackage marks the case's current package submitted.
func (h *Handler) submitPackage(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.dutyCase(r)
	if err != nil {
		return err
	}
	dutyCode := r.PathValue("duty")
	req := obligation.SubmitRequest{Duty: dutyCode, Channel: r.PostFormValue("channel"), Reference: r.PostFormValue("reference")}
	if v := r.PostFormValue("submitted_at"); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, chinaTime)
		if err != nil {
			return h.renderPackage(w, r, p, id, dutyCode, http.StatusBadRequest,
				h.problem(r, errs.Coded(errs.Invalid, "obligation.submitted_at", "the submission time lies between T0 and now")))
		}
		req.SubmittedAt = t
	}
	if _, err := h.cfg.Obligations.Submit(r.Context(), p, id, req); errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) ||
		blockedBySharingGate(err) {
		return h.renderPackage(w, r, p, id, dutyCode, errs.HTTPStatus(err), h.problem(r, err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10)+"#duties", http.StatusSeeOther)
	return nil
}

// setFacts records where the root cause lies, whether users must act, and
// exploitation.
func (h *Handler) setFacts(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		comp, up := r.PostFormValue("root_component"), r.PostFormValue("upstream")
		ua := r.PostFormValue("user_action") == "on"
		ch := casework.FactsChange{RootComponent: &comp, Upstream: &up, UserAction: &ua, Reason: r.PostFormValue("reason"),
			ExploitedEvidence: r.PostFormValue("exploited_evidence")}
		if v := r.PostFormValue("exploited_at"); v != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04", v, chinaTime)
			if err != nil {
				return errs.Coded(errs.Invalid, "case.exploited_evidence", "say what shows the exploitation, and when you became aware of it")
			}
			ch.ExploitedAt = &t
		}
		_, err := h.cfg.Cases.SetFacts(r.Context(), p, id, ch)
		return err
	})
}

// sendNotice notifies the upstream supplier, by mail or as recorded.
func (h *Handler) sendNotice(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		if h.cfg.Obligations == nil {
			return errs.Coded(errs.NotFound, "case.not_found", "no such case")
		}
		_, err := h.cfg.Obligations.SendUpstreamNotice(r.Context(), p, id, obligation.NoticeRequest{
			Channel: r.PostFormValue("channel"), Reference: r.PostFormValue("reference"), Note: r.PostFormValue("note")})
		return err
	})
}

// notApplicable closes a duty as not applicable, with the reason.
func (h *Handler) notApplicable(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || h.cfg.Obligations == nil {
		return errs.Coded(errs.NotFound, "obligation.not_found", "no such obligation")
	}
	o, err := h.cfg.Obligations.NotApplicable(r.Context(), p, id, r.PostFormValue("reason"))
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		caseID, _ := strconv.ParseInt(r.PostFormValue("case"), 10, 64)
		if caseID == 0 {
			return err
		}
		return h.renderCase(w, r, p, caseID, errs.HTTPStatus(err), h.problem(r, err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(o.CaseID, 10)+"#duties", http.StatusSeeOther)
	return nil
}

// blockedBySharingGate reports whether err is the sharing gate's refusal,
// shown on the page rather than as an error page.
func blockedBySharingGate(err error) bool {
	code, _ := errs.CodeOf(err)
	return code == "sharing.blocked"
}

// exportEvidence downloads a case's signed evidence pack (CN-12-1), or
// with ?format=html its readable page in the reader's language.
func (h *Handler) exportEvidence(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.dutyCase(r)
	if err != nil {
		return err
	}
	env, pack, err := h.cfg.Obligations.EvidencePack(r.Context(), p, id)
	if err != nil {
		return err
	}
	noStore(w)
	switch r.URL.Query().Get("format") {
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		return evidence.RenderHTML(w, pack, h.language(r))
	case "pdf":
		return h.writePDF(w, pack.Document(), pack.Case.Ref+"-evidence.pdf")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+pack.Case.Ref+`-evidence.json"`)
	_, err = w.Write(env)
	return err
}

// dashboardPage is the data of the compliance dashboard.
type dashboardPage struct {
	D       obligation.Dashboard
	Bars    []bar
	Height  int // of the chart
	English bool
	Zone    *time.Location
}

// bar is one duty's on-time rate drawn as an SVG bar.
type bar struct {
	Label   string
	Percent int // -1: nothing came due
	Width   int // of 300
	Y       int
	Counts  string
}

// showDashboard shows the compliance dashboard: on-time rate per duty,
// with a bar chart, and the times to acknowledge, verify, report and fix;
// ?format=csv exports the per-duty figures.
func (h *Handler) showDashboard(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Obligations == nil {
		return errs.New(errs.NotFound, "not found")
	}
	d, err := h.cfg.Obligations.Dashboard(r.Context(), p, time.Now())
	if err != nil {
		return err
	}
	noStore(w)
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="embargo-compliance-`+d.At.In(chinaTime).Format("2006-01-02")+`.csv"`)
		return d.WriteCSV(w)
	}
	en := h.language(r).String() == "en"
	var bars []bar
	for _, st := range d.Duties {
		b := bar{Label: st.TitleZH, Percent: -1, Y: len(bars) * 28, Counts: strconv.Itoa(st.MetOnTime) + "/" +
			strconv.Itoa(st.MetOnTime+st.MetLate+st.Overdue)}
		if en {
			b.Label = st.TitleEN
		}
		if st.OnTimeRate >= 0 {
			b.Percent, b.Width = int(st.OnTimeRate*100+0.5), int(st.OnTimeRate*300+0.5)
		}
		bars = append(bars, b)
	}
	return h.render(w, r, http.StatusOK, pageDashboard, dashboardPage{D: d, Bars: bars, Height: len(bars)*28 + 4,
		English: en, Zone: chinaTime})
}

// writePDF renders doc as a PDF download. Without a usable font, or with
// characters the font cannot draw, it answers with a clear problem rather
// than a PDF with holes.
func (h *Handler) writePDF(w http.ResponseWriter, doc *document.Document, name string) error {
	if h.cfg.PDF == nil {
		return errs.Coded(errs.Unavailable, "pdf.no_font", "PDF output needs a Chinese TrueType font on the server (docs/pdf.md)")
	}
	font, err := h.cfg.PDF()
	if err != nil {
		return &errs.E{Kind: errs.Unavailable, Code: "pdf.no_font", Msg: "PDF output needs a Chinese TrueType font on the server (docs/pdf.md)", Err: err}
	}
	var b bytes.Buffer
	var missing *document.MissingGlyphsError
	if err := document.Render(&b, doc, font); errors.As(err, &missing) {
		return &errs.E{Kind: errs.Invalid, Code: "pdf.glyphs", Msg: "the text has characters the PDF font cannot draw", Err: err}
	} else if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = w.Write(b.Bytes())
	return err
}

// savePackageFields saves the written parts of a report and shows the
// package again.
func (h *Handler) savePackageFields(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.dutyCase(r)
	if err != nil {
		return err
	}
	dutyCode := r.PathValue("duty")
	values := map[string]string{}
	for _, f := range obligation.FieldSpecs(dutyCode) {
		if v, ok := r.PostForm["field_"+f.Key]; ok && len(v) > 0 {
			values[f.Key] = v[0]
		}
	}
	if _, err := h.cfg.Obligations.SetFields(r.Context(), p, id, dutyCode, values); errs.Is(err, errs.Invalid) {
		return h.renderPackage(w, r, p, id, dutyCode, errs.HTTPStatus(err), h.problem(r, err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10)+"/packages/"+dutyCode, http.StatusSeeOther)
	return nil
}

// dutyCase reads the signed-in reader and the case of a legal-duty page;
// without the obligations engine no such case exists.
func (h *Handler) dutyCase(r *http.Request) (*access.Principal, int64, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := h.caseID(r)
	if err != nil || h.cfg.Obligations == nil {
		return nil, 0, errs.Coded(errs.NotFound, "case.not_found", "no such case")
	}
	return p, id, nil
}
