package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/route"
)

// Cases is the part of casework.Service the API uses.
type Cases interface {
	Create(ctx context.Context, p *access.Principal, nc casework.NewCase) (casework.Case, error)
	Get(ctx context.Context, p *access.Principal, id int64) (casework.Case, error)
	List(ctx context.Context, p *access.Principal) ([]casework.Case, error)
}

// Case is a case in the API. Summary is present only when one case is
// fetched: listing never returns undisclosed content beyond titles.
type Case struct {
	ID        int64     `json:"id"`
	Ref       string    `json:"ref"`
	Title     string    `json:"title"`
	Summary   *string   `json:"summary,omitempty"`
	Status    string    `json:"status"`
	Disclosed bool      `json:"disclosed"`
	CreatedAt time.Time `json:"created_at"`
}

// NewCase is the body of POST /api/v1/cases.
type NewCase struct {
	Title   string `json:"title"`
	Summary string `json:"summary"`
}

func apiCase(c casework.Case, withSummary bool) Case {
	out := Case{ID: c.ID, Ref: c.Ref, Title: c.Title, Status: string(c.Status), Disclosed: c.Disclosed(), CreatedAt: c.CreatedAt}
	if withSummary {
		out.Summary = &c.Summary
	}
	return out
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

// listCases returns the cases the caller may see.
func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	cases, err := h.cases.List(r.Context(), p)
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
	c, err := h.cases.Create(r.Context(), p, casework.NewCase{Title: nc.Title, Summary: nc.Summary})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	return writeJSON(w, http.StatusCreated, apiCase(c, true))
}

// getCase returns one case with its content; the read is audited.
func (h *Handler) getCase(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "case.not_found", "no such case")
	}
	c, err := h.cases.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, apiCase(c, true))
}
