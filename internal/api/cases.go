package api

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/route"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// Cases is the part of casework.Service the API uses.
type Cases interface {
	History(ctx context.Context, p *access.Principal, id int64) ([]audit.Event, error)
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
	RemovePerson(ctx context.Context, p *access.Principal, id, userID int64, role casework.PersonRole) error
	People(ctx context.Context, p *access.Principal, id int64) ([]casework.Person, error)
	AddComment(ctx context.Context, p *access.Principal, id int64, body string) (casework.Comment, error)
	AddFile(ctx context.Context, p *access.Principal, id int64, name string, data []byte, restricted bool) (casework.File, error)
	Files(ctx context.Context, p *access.Principal, id int64) ([]casework.File, error)
	OpenFile(ctx context.Context, p *access.Principal, id, fileID int64) (casework.File, []byte, error)
	Comments(ctx context.Context, p *access.Principal, id int64) ([]casework.Comment, error)
	FactsOf(ctx context.Context, p *access.Principal, id int64) (casework.Facts, error)
	SetFacts(ctx context.Context, p *access.Principal, id int64, ch casework.FactsChange) (casework.Facts, error)
}

// Case is a case in the API. Its content (summary, assessment, aliases)
// is present only when one case is fetched: listing never returns
// undisclosed content beyond titles.
type Case struct {
	ID            int64               `json:"id"`
	Ref           string              `json:"ref"`
	Kind          string              `json:"kind"`
	Title         string              `json:"title"`
	Summary       *string             `json:"summary,omitempty"`
	Status        string              `json:"status"`
	Disclosed     bool                `json:"disclosed"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
	T0            time.Time           `json:"t0"`
	T0Source      string              `json:"t0_source"`
	Grade         string              `json:"grade,omitempty"`
	Grading       *Grading            `json:"grading,omitempty"`
	CVSS          string              `json:"cvss,omitempty"`
	Scope         []casework.Affected `json:"scope,omitempty"`
	Resolution    string              `json:"resolution,omitempty"`
	RiskExpiresAt *time.Time          `json:"risk_expires_at,omitempty"`
	Aliases       []string            `json:"aliases,omitempty"`
	Reports       []string            `json:"reports,omitempty"`
}

// NewCase is the body of POST /api/v1/cases.
type NewCase struct {
	Title    string    `json:"title"`
	Summary  string    `json:"summary"`
	Kind     string    `json:"kind"`
	T0       time.Time `json:"t0"`
	T0Source string    `json:"t0_source"`
}

func apiCase(c casework.Case, withContent bool) Case {
	out := Case{ID: c.ID, Ref: c.Ref, Kind: string(c.Kind), Title: c.Title, Status: string(c.Status), Disclosed: c.Disclosed(),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, T0: c.T0, T0Source: c.T0Source, Grade: c.Grade, Resolution: string(c.Resolution)}
	if !c.RiskExpiresAt.IsZero() {
		out.RiskExpiresAt = &c.RiskExpiresAt
	}
	if withContent {
		out.Summary, out.CVSS, out.Scope, out.Aliases, out.Reports = &c.Summary, c.CVSS, c.Scope, c.Aliases, c.Reports
		if g := c.Grading; g.Indicators != nil || g.CWE != "" || g.Category != "" {
			out.Grading = &Grading{Indicators: g.Indicators, TableSHA256: g.TableSHA256, Provisional: g.Provisional,
				Category: g.Category, CWE: g.CWE}
		}
	}
	return out
}

// Grading is how a case's grade was reached: the GB/T 30279 indicators and
// the grade table that graded them (provisional until an organisation's
// own table replaces the default), the category and the CWE.
type Grading struct {
	Indicators  *gbt30279.Indicators `json:"indicators,omitempty"`
	TableSHA256 string               `json:"table_sha256,omitempty"`
	Provisional bool                 `json:"provisional"`
	Category    string               `json:"category,omitempty"`
	CWE         string               `json:"cwe,omitempty"`
}

// needCases answers 404 when the server has no case service.
func (h *Handler) needCases(next route.Handler) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.cases == nil {
			return errs.New(errs.NotFound, "no such page")
		}
		return next(w, r)
	}
}

// listCases returns the cases the caller may see, newest first, filtered
// by ?q= (title, reference or identifier), status, kind, grade, product,
// source, assignee, and paged with before and limit.
func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := casework.Filter{Query: q.Get("q"), Status: casework.Status(q.Get("status")), Kind: casework.Kind(q.Get("kind")),
		Grade: q.Get("grade"), Product: q.Get("product"), Source: q.Get("source")}
	for name, dst := range map[string]*int64{"assignee": &f.Assignee, "before": &f.Before} {
		if v := q.Get(name); v != "" {
			if *dst, err = strconv.ParseInt(v, 10, 64); err != nil || *dst <= 0 {
				return errs.Coded(errs.Invalid, "query.number", "%s must be a positive number", name)
			}
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return errs.Coded(errs.Invalid, "query.limit", "limit is 1 to 500")
		}
		f.Limit = n
	}
	cases, err := h.cases.Search(r.Context(), p, f)
	if err != nil {
		return err
	}
	out := []Case{}
	for _, c := range cases {
		out = append(out, apiCase(c, false))
	}
	return writeJSON(w, http.StatusOK, out)
}

// createCase opens a case by hand.
func (h *Handler) createCase(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	var nc NewCase
	if err := decodeJSON(w, r, &nc); err != nil {
		return err
	}
	c, err := h.cases.Create(r.Context(), p, casework.NewCase{Title: nc.Title, Summary: nc.Summary, Kind: casework.Kind(nc.Kind),
		T0: nc.T0, T0Source: nc.T0Source})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	return writeJSON(w, http.StatusCreated, apiCase(c, true))
}

// caseCall is the preamble of the routes about one case: the caller, and
// the case's ID from the path (a malformed one is a case that does not
// exist).
func caseCall(r *http.Request) (*access.Principal, int64, error) {
	p, err := caller(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, 0, errs.Coded(errs.NotFound, "case.not_found", "no such case")
	}
	return p, id, nil
}

// getCase returns one case with its content; the read is audited.
func (h *Handler) getCase(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	c, err := h.cases.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiCase(c, true))
}

// Move is the body of POST /api/v1/cases/{id}/transitions.
type Move struct {
	To            string     `json:"to"`
	Reason        string     `json:"reason"`
	Resolution    string     `json:"resolution"`
	RiskExpiresAt *time.Time `json:"risk_expires_at"`
}

// Transition is one move in a case's timeline.
type Transition struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Reason     string    `json:"reason,omitempty"`
	Resolution string    `json:"resolution,omitempty"`
}

// moveCase moves a case through its lifecycle.
func (h *Handler) moveCase(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in Move
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m := casework.Move{To: casework.Status(in.To), Reason: in.Reason, Resolution: casework.Resolution(in.Resolution)}
	if in.RiskExpiresAt != nil {
		m.RiskExpiresAt = *in.RiskExpiresAt
	}
	c, err := h.cases.Transition(r.Context(), p, id, m)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiCase(c, false))
}

// caseTimeline returns a case's transitions, oldest first.
func (h *Handler) caseTimeline(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	tl, err := h.cases.Timeline(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := []Transition{}
	for _, t := range tl {
		out = append(out, Transition{At: t.At, Actor: t.Actor, From: string(t.From), To: string(t.To), Reason: t.Reason,
			Resolution: string(t.Resolution)})
	}
	return writeJSON(w, http.StatusOK, out)
}

// Assessment is the body of PUT /api/v1/cases/{id}/assessment.
type Assessment struct {
	Indicators *gbt30279.Indicators `json:"indicators"`
	Grade      string               `json:"grade"`
	CVSS       string               `json:"cvss"`
	Category   string               `json:"category"`
	CWE        string               `json:"cwe"`
	Scope      []casework.Affected  `json:"scope"`
}

// assessCase records a case's grade, CVSS vector and affected scope.
func (h *Handler) assessCase(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in Assessment
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.cases.Assess(r.Context(), p, id, casework.Assessment{Indicators: in.Indicators, Grade: in.Grade, CVSS: in.CVSS,
		Category: in.Category, CWE: in.CWE, Scope: in.Scope})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiCase(c, true))
}

// T0Correction is the body of POST /api/v1/cases/{id}/t0.
type T0Correction struct {
	T0     time.Time `json:"t0"`
	Source string    `json:"source"`
	Reason string    `json:"reason"`
}

// correctT0 changes a case's T0, with a reason; audited.
func (h *Handler) correctT0(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in T0Correction
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.cases.CorrectT0(r.Context(), p, id, in.T0, in.Source, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiCase(c, false))
}

// addAlias gives a case another identifier.
func (h *Handler) addAlias(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in struct {
		Alias string `json:"alias"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	alias, err := h.cases.AddAlias(r.Context(), p, id, in.Alias)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"alias": alias})
}

// Person is someone assigned to or watching a case.
type Person struct {
	UserID  int64     `json:"user_id"`
	Role    string    `json:"role"`
	AddedAt time.Time `json:"added_at"`
	AddedBy string    `json:"added_by"`
}

// casePeople lists a case's assignees and watchers.
func (h *Handler) casePeople(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	people, err := h.cases.People(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := []Person{}
	for _, x := range people {
		out = append(out, Person{UserID: x.UserID, Role: string(x.Role), AddedAt: x.AddedAt, AddedBy: x.AddedBy})
	}
	return writeJSON(w, http.StatusOK, out)
}

// addCasePerson assigns someone to a case or makes them a watcher.
func (h *Handler) addCasePerson(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in struct {
		UserID int64  `json:"user_id"`
		Role   string `json:"role"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.cases.AddPerson(r.Context(), p, id, in.UserID, casework.PersonRole(in.Role)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// removeCasePerson takes someone off a case in ?role=.
func (h *Handler) removeCasePerson(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	userID, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "case.not_found", "no such case")
	}
	if err := h.cases.RemovePerson(r.Context(), p, id, userID, casework.PersonRole(r.URL.Query().Get("role"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Comment is an internal comment on a case.
type Comment struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	Body   string    `json:"body"`
}

// caseComments lists a case's comments, oldest first; the read is audited.
func (h *Handler) caseComments(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	cms, err := h.cases.Comments(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := []Comment{}
	for _, c := range cms {
		out = append(out, Comment(c))
	}
	return writeJSON(w, http.StatusOK, out)
}

// addCaseComment writes an internal comment.
func (h *Handler) addCaseComment(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.cases.AddComment(r.Context(), p, id, in.Body)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, Comment(c))
}

// mergeCase folds this case into another as its duplicate.
func (h *Handler) mergeCase(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	var in struct {
		Into   int64  `json:"into"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.cases.Merge(r.Context(), p, id, in.Into, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiCase(c, false))
}

// CaseFile is a file on a case, without its content.
type CaseFile struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Restricted  bool      `json:"restricted"`
	AddedAt     time.Time `json:"added_at"`
	AddedBy     string    `json:"added_by"`
}

func apiFile(f casework.File) CaseFile {
	return CaseFile{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256,
		Restricted: f.Restricted, AddedAt: f.AddedAt, AddedBy: f.AddedBy}
}

// caseFiles lists the files on a case the caller may see.
func (h *Handler) caseFiles(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	fs, err := h.cases.Files(r.Context(), p, id)
	if err != nil {
		return err
	}
	out := []CaseFile{}
	for _, f := range fs {
		out = append(out, apiFile(f))
	}
	return writeJSON(w, http.StatusOK, out)
}

// addCaseFile stores the request body as a file named ?name=, restricted
// to the access list with ?restricted=true.
func (h *Handler) addCaseFile(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, casework.MaxFileBytes+1))
	if err != nil {
		return errs.Wrap(errs.Invalid, err, "the file could not be read")
	}
	f, err := h.cases.AddFile(r.Context(), p, id, r.URL.Query().Get("name"), data, r.URL.Query().Get("restricted") == "true")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, apiFile(f))
}

// getCaseFile downloads a file; the read is audited.
func (h *Handler) getCaseFile(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	fileID, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "case.file_not_found", "no such file")
	}
	f, data, err := h.cases.OpenFile(r.Context(), p, id, fileID)
	if err != nil {
		return err
	}
	return writeDownload(w, "application/octet-stream", f.Name, data)
}

// caseHistory answers with everything that happened to the case, oldest
// first, from the audit log (reads left out).
func (h *Handler) caseHistory(w http.ResponseWriter, r *http.Request) error {
	p, id, err := caseCall(r)
	if err != nil {
		return err
	}
	events, err := h.cases.History(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiEvents(events))
}
