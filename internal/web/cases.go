package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// Cases is the part of casework.Service the web UI uses.
type Cases interface {
	Create(ctx context.Context, p *access.Principal, nc casework.NewCase) (casework.Case, error)
	Get(ctx context.Context, p *access.Principal, id int64) (casework.Case, error)
	List(ctx context.Context, p *access.Principal) ([]casework.Case, error)
	Search(ctx context.Context, p *access.Principal, f casework.Filter) ([]casework.Case, error)
	Transition(ctx context.Context, p *access.Principal, id int64, m casework.Move) (casework.Case, error)
	Timeline(ctx context.Context, p *access.Principal, id int64) ([]casework.Transition, error)
	Assess(ctx context.Context, p *access.Principal, id int64, a casework.Assessment) (casework.Case, error)
	CorrectT0(ctx context.Context, p *access.Principal, id int64, t0 time.Time, source, reason string) (casework.Case, error)
	AddAlias(ctx context.Context, p *access.Principal, id int64, alias string) (string, error)
	Merge(ctx context.Context, p *access.Principal, dup, into int64, reason string) (casework.Case, error)
	AddPerson(ctx context.Context, p *access.Principal, id, userID int64, role casework.PersonRole) error
	People(ctx context.Context, p *access.Principal, id int64) ([]casework.Person, error)
	AddComment(ctx context.Context, p *access.Principal, id int64, body string) (casework.Comment, error)
	AddFile(ctx context.Context, p *access.Principal, id int64, name string, data []byte, restricted bool) (casework.File, error)
	Files(ctx context.Context, p *access.Principal, id int64) ([]casework.File, error)
	OpenFile(ctx context.Context, p *access.Principal, id, fileID int64) (casework.File, []byte, error)
	Comments(ctx context.Context, p *access.Principal, id int64) ([]casework.Comment, error)
	FactsOf(ctx context.Context, p *access.Principal, id int64) (casework.Facts, error)
	Split(ctx context.Context, p *access.Principal, id int64, tracking, title, reason string) (casework.Case, error)
	Names(ctx context.Context, p *access.Principal) (map[string]string, error)
	History(ctx context.Context, p *access.Principal, id int64) ([]audit.Event, error)
	SetFacts(ctx context.Context, p *access.Principal, id int64, ch casework.FactsChange) (casework.Facts, error)
}

// casesPage is the data of /cases.
type casesPage struct {
	Cases    []casework.Case
	CanWrite bool
	Problem  string
	Form     casework.NewCase
	Zone     *time.Location
	Filter   casework.Filter
	Statuses []casework.Status
	Grades   []string
}

// listCases shows the cases the reader may see.
func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	return h.renderCases(w, r, p, http.StatusOK, casesPage{})
}

func (h *Handler) renderCases(w http.ResponseWriter, r *http.Request, p *access.Principal, status int, data casesPage) error {
	if h.cfg.Cases == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	q := r.URL.Query()
	data.Filter = casework.Filter{Query: q.Get("q"), Status: casework.Status(q.Get("status")), Grade: q.Get("grade"),
		Kind: casework.Kind(q.Get("kind"))}
	cases, err := h.cfg.Cases.Search(r.Context(), p, data.Filter)
	if err != nil {
		return err
	}
	data.Cases, data.CanWrite, data.Zone = cases, p.Can(access.WriteCases), chinaTime
	data.Statuses = []casework.Status{casework.Received, casework.Verifying, casework.Confirmed, casework.Rejected, casework.Remediating,
		casework.Fixed, casework.Published, casework.Closed, casework.Detected, casework.Remediated, casework.Mitigated, casework.RiskAccepted}
	data.Grades = casework.Grades
	noStore(w)
	return h.render(w, r, status, pageCases, data)
}

// createCase opens a case by hand.
func (h *Handler) createCase(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Cases == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	nc := casework.NewCase{Title: r.FormValue("title"), Summary: r.FormValue("summary"), Kind: casework.Kind(r.FormValue("kind"))}
	c, err := h.cfg.Cases.Create(r.Context(), p, nc)
	if errs.Is(err, errs.Invalid) {
		return h.renderCases(w, r, p, http.StatusBadRequest, casesPage{Form: nc, Problem: h.problem(r, err)})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
	return nil
}

// casePage is the data of /cases/{id}.
type casePage struct {
	Case     casework.Case
	Timeline []casework.Transition
	Next     []casework.Status
	Grades   []string
	CanWrite bool
	Problem  string
	Zone     *time.Location
	// The GB/T 30279 indicators, with the case's values, or those the
	// CVSS vector pre-fills.
	Indicators []gbt30279.Indicator
	Values     map[string]string
	Prefilled  bool
	English    bool // label the indicators in English
	// Category is the case's GB/T 30279 category, from the root down.
	Category []gbt30279.Category
	People   []casework.Person
	Comments []casework.Comment
	Files    []casework.File
	Me       int64 // the reader's user ID
	// The case's legal duties and the facts that decide them.
	Duties    []duty
	Facts     casework.Facts
	CanManage bool // may record submissions and decide not-applicable
	// Categories are the GB/T 30279 categories to choose from.
	Categories []gbt30279.Category
	// Names are people's display names by actor ("user:42").
	Names map[string]string
	// History is everything that happened to the case, oldest first.
	History []audit.Event
}

// caseID reads the case ID from the path; a malformed one is a case that
// does not exist.
func (h *Handler) caseID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || h.cfg.Cases == nil {
		return 0, errs.Coded(errs.NotFound, "case.not_found", "no such case")
	}
	return id, nil
}

// showCase shows one case; the read is audited by the service.
func (h *Handler) showCase(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	id, err := h.caseID(r)
	if err != nil {
		return err
	}
	return h.renderCase(w, r, p, id, http.StatusOK, "")
}

func (h *Handler) renderCase(w http.ResponseWriter, r *http.Request, p *access.Principal, id int64, status int, problem string) error {
	c, err := h.cfg.Cases.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	tl, err := h.cfg.Cases.Timeline(r.Context(), p, id)
	if err != nil {
		return err
	}
	people, err := h.cfg.Cases.People(r.Context(), p, id)
	if err != nil {
		return err
	}
	comments, err := h.cfg.Cases.Comments(r.Context(), p, id)
	if err != nil {
		return err
	}
	files, err := h.cfg.Cases.Files(r.Context(), p, id)
	if err != nil {
		return err
	}
	data := casePage{Case: c, Timeline: tl, Next: slices.DeleteFunc(casework.Next(c.Kind, c.Status), isPublished), Grades: casework.Grades,
		CanWrite: p.Can(access.WriteCases), Problem: problem, Zone: chinaTime, Indicators: gbt30279.AllIndicators(),
		Values: indicatorValues(c.Grading.Indicators), English: h.language(r).String() == "en",
		People: people, Comments: comments, Files: files, Me: p.UserID, Categories: gbt30279.Categories()}
	if data.Names, err = h.cfg.Cases.Names(r.Context(), p); err != nil {
		return err
	}
	if data.History, err = h.cfg.Cases.History(r.Context(), p, id); err != nil {
		return err
	}
	if cat, ok := gbt30279.LookupCategory(c.Grading.Category); ok {
		data.Category = cat.Path()
	}
	if h.cfg.Obligations != nil {
		os, err := h.cfg.Obligations.ForCase(r.Context(), p, id)
		if err != nil {
			return err
		}
		data.Duties, data.CanManage = h.duties(os), p.Can(access.ManageObligations)
		if data.Facts, err = h.cfg.Cases.FactsOf(r.Context(), p, id); err != nil {
			return err
		}
	}
	if c.Grading.Indicators == nil && c.CVSS != "" {
		if in, err := gbt30279.Prefill(c.CVSS); err == nil {
			data.Values, data.Prefilled = indicatorValues(&in), true
		}
	}
	noStore(w)
	return h.render(w, r, status, pageCase, data)
}

// indicatorValues returns the indicators by their codes.
func indicatorValues(in *gbt30279.Indicators) map[string]string {
	out := map[string]string{}
	if in != nil {
		b, _ := json.Marshal(in) // strings only: cannot fail
		_ = json.Unmarshal(b, &out)
	}
	return out
}

// formIndicators reads the indicators from the assessment form ("gbt_"
// and the indicator's code); nil when none of them is chosen.
func formIndicators(r *http.Request) (*gbt30279.Indicators, error) {
	m := map[string]string{}
	for _, ind := range gbt30279.AllIndicators() {
		if v := r.PostFormValue("gbt_" + ind.Code); v != "" {
			m[ind.Code] = v
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	b, _ := json.Marshal(m)
	var in gbt30279.Indicators
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, errs.Coded(errs.Invalid, "gbt30279.table", "the indicators could not be read")
	}
	return &in, nil
}

// caseChange runs a change to case id and goes back to the case, or shows
// it again with the problem when the change is refused.
func (h *Handler) caseChange(w http.ResponseWriter, r *http.Request, change func(p *access.Principal, id int64) error) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	id, err := h.caseID(r)
	if err != nil {
		return err
	}
	if err := change(p, id); errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		return h.renderCase(w, r, p, id, errs.HTTPStatus(err), h.problem(r, err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// moveCase moves a case through its lifecycle.
func (h *Handler) moveCase(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		m := casework.Move{To: casework.Status(r.PostFormValue("to")), Reason: r.PostFormValue("reason"),
			Resolution: casework.Resolution(r.PostFormValue("resolution"))}
		if v := r.PostFormValue("risk_expires"); v != "" {
			t, err := time.ParseInLocation(time.DateOnly, v, chinaTime)
			if err != nil {
				return errs.Coded(errs.Invalid, "case.risk_expiry", "accepting a risk needs a future date when it is looked at again")
			}
			m.RiskExpiresAt = t
		}
		_, err := h.cfg.Cases.Transition(r.Context(), p, id, m)
		return err
	})
}

// assessCase records the grade, the CVSS vector and the affected scope,
// one "product | model | versions" a line.
func (h *Handler) assessCase(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		in, err := formIndicators(r)
		if err != nil {
			return err
		}
		_, err = h.cfg.Cases.Assess(r.Context(), p, id, casework.Assessment{Indicators: in, Grade: r.PostFormValue("grade"),
			CVSS: r.PostFormValue("cvss"), CWE: r.PostFormValue("cwe"), Category: r.PostFormValue("category"),
			Scope: parseScopeLines(r.PostFormValue("scope"))})
		return err
	})
}

// parseScopeLines reads "product | model | versions" lines ("product |
// versions" without a model); a line that is neither is kept as a product
// without versions, which the service refuses with a clear problem.
func parseScopeLines(text string) []casework.Affected {
	var out []casework.Affected
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		f := strings.Split(line, "|")
		switch len(f) {
		case 2:
			out = append(out, casework.Affected{Product: f[0], Versions: f[1]})
		case 3:
			out = append(out, casework.Affected{Product: f[0], Model: f[1], Versions: f[2]})
		default:
			out = append(out, casework.Affected{Product: line})
		}
	}
	return out
}

// scopeLines writes a scope back as the form's lines.
func scopeLines(sc []casework.Affected) string {
	var b strings.Builder
	for _, a := range sc {
		if a.Model != "" {
			fmt.Fprintf(&b, "%s | %s | %s\n", a.Product, a.Model, a.Versions)
		} else {
			fmt.Fprintf(&b, "%s | %s\n", a.Product, a.Versions)
		}
	}
	return b.String()
}

// correctT0 changes T0, with a source and a reason.
func (h *Handler) correctT0(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		t0, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("t0"), chinaTime)
		if err != nil {
			return errs.Coded(errs.Invalid, "case.t0", "T0 is a time in the past, with its source")
		}
		_, err = h.cfg.Cases.CorrectT0(r.Context(), p, id, t0, r.PostFormValue("source"), r.PostFormValue("reason"))
		return err
	})
}

// addAlias gives a case another identifier.
func (h *Handler) addAlias(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		_, err := h.cfg.Cases.AddAlias(r.Context(), p, id, r.PostFormValue("alias"))
		return err
	})
}

// addComment writes an internal comment.
func (h *Handler) addComment(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		_, err := h.cfg.Cases.AddComment(r.Context(), p, id, r.PostFormValue("body"))
		return err
	})
}

// followCase assigns the reader to the case, or makes them a watcher.
func (h *Handler) followCase(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		return h.cfg.Cases.AddPerson(r.Context(), p, id, p.UserID, casework.PersonRole(r.PostFormValue("role")))
	})
}

// mergeCase folds the case into another, named by its reference or ID;
// the case's page then shows it rejected as that one's duplicate.
func (h *Handler) mergeCase(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		ref := strings.TrimSpace(r.PostFormValue("into"))
		target, _ := strconv.ParseInt(ref, 10, 64)
		if found, err := h.cfg.Cases.Search(r.Context(), p, casework.Filter{Query: ref, Limit: 5}); err == nil {
			for _, c := range found {
				if strings.EqualFold(c.Ref, ref) {
					target = c.ID
				}
			}
		}
		_, err := h.cfg.Cases.Merge(r.Context(), p, id, target, r.PostFormValue("reason"))
		return err
	})
}

// addFile puts an uploaded file on the case.
func (h *Handler) addFile(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		f, hdr, err := r.FormFile("file")
		if err != nil {
			return errs.Coded(errs.Invalid, "case.file_size", "choose a file of at most %d MiB", casework.MaxFileBytes>>20)
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, casework.MaxFileBytes+1))
		if err != nil {
			return errs.Wrap(errs.Invalid, err, "the file could not be read")
		}
		_, err = h.cfg.Cases.AddFile(r.Context(), p, id, hdr.Filename, data, r.FormValue("restricted") == "on")
		if errs.Is(err, errs.TooLarge) {
			return errs.Coded(errs.Invalid, "case.file_size", "a file is 1 byte to %d MiB", casework.MaxFileBytes>>20)
		}
		return err
	})
}

// openFile downloads a file of the case; the read is audited.
func (h *Handler) openFile(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	id, err := h.caseID(r)
	if err != nil {
		return err
	}
	fileID, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "case.file_not_found", "no such file")
	}
	f, data, err := h.cfg.Cases.OpenFile(r.Context(), p, id, fileID)
	if err != nil {
		return err
	}
	download(w, f.Name, data)
	return nil
}

// splitCase takes a report off the case into a new case of its own, and
// goes to the new case.
func (h *Handler) splitCase(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	id, err := h.caseID(r)
	if err != nil {
		return err
	}
	nc, err := h.cfg.Cases.Split(r.Context(), p, id, r.PostFormValue("report"), r.PostFormValue("title"), r.PostFormValue("reason"))
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		return h.renderCase(w, r, p, id, errs.HTTPStatus(err), h.problem(r, err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(nc.ID, 10), http.StatusSeeOther)
	return nil
}

// replyToReporter writes to the reporter of one of the case's reports,
// through the report's thread (the reporter reads it by their private
// link and is told by mail that there is news, never the content).
func (h *Handler) replyToReporter(w http.ResponseWriter, r *http.Request) error {
	return h.caseChange(w, r, func(p *access.Principal, id int64) error {
		c, err := h.cfg.Cases.Get(r.Context(), p, id)
		if err != nil {
			return err
		}
		tracking := r.PathValue("tracking")
		if !slices.Contains(c.Reports, tracking) || h.cfg.Reports == nil {
			return errs.Coded(errs.NotFound, "report.not_found", "no such report on this case")
		}
		_, err = h.cfg.Reports.Reply(r.Context(), p, tracking, r.PostFormValue("body"))
		return err
	})
}

// isPublished says whether st is published: the case page does not offer
// that move, which only the advisory's publication makes (RMSV Art. 9).
func isPublished(st casework.Status) bool { return st == casework.Published }
