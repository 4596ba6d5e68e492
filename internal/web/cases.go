package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// Cases is the part of casework.Service the web UI uses.
type Cases interface {
	Create(ctx context.Context, p *access.Principal, nc casework.NewCase) (casework.Case, error)
	Get(ctx context.Context, p *access.Principal, id int64) (casework.Case, error)
	List(ctx context.Context, p *access.Principal) ([]casework.Case, error)
}

// casesPage is the data of /cases.
type casesPage struct {
	Cases    []casework.Case
	CanWrite bool
	Problem  string
	Form     casework.NewCase
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
	cases, err := h.cfg.Cases.List(r.Context(), p)
	if err != nil {
		return err
	}
	data.Cases, data.CanWrite = cases, p.Can(access.WriteCases)
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
	nc := casework.NewCase{Title: r.FormValue("title"), Summary: r.FormValue("summary")}
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

// showCase shows one case; the read is audited by the service.
func (h *Handler) showCase(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || h.cfg.Cases == nil {
		return errs.Coded(errs.NotFound, "case.not_found", "no such case")
	}
	c, err := h.cfg.Cases.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageCase, c)
}
