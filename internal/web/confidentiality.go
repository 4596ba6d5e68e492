package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// Confidentiality is the part of identity.Service that keeps the
// confidentiality statement (CN-11-2).
type Confidentiality interface {
	Statement(ctx context.Context, p *access.Principal) (identity.Organisation, error)
	AcceptStatement(ctx context.Context, p *access.Principal, version int) error
}

// statementPage shows the statement to accept.
func (h *Handler) statementPage(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Confidentiality == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	org, err := h.cfg.Confidentiality.Statement(r.Context(), p)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, pageStatement, statementData{Org: org, Accepted: p.ConfidentialityAccepted})
}

// statementData is the data of /account/confidentiality.
type statementData struct {
	Org      identity.Organisation
	Accepted bool
}

// acceptStatement records the acceptance and goes on to the cases.
func (h *Handler) acceptStatement(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Confidentiality == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	v, _ := strconv.Atoi(r.FormValue("version"))
	if err := h.cfg.Confidentiality.AcceptStatement(r.Context(), p, v); err != nil {
		return err
	}
	http.Redirect(w, r, "/cases", http.StatusSeeOther)
	return nil
}
