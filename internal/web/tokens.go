package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// tokensPage is the data of /account/tokens.
type tokensPage struct {
	Tokens  []identity.Token
	Scopes  []access.Permission // what the reader's role allows
	Secret  string              // a token just created: shown once
	Problem string
	Now     time.Time
}

// tokenLifetimes are the choices of the token form, in days.
var tokenLifetimes = map[string]time.Duration{"30": 30 * 24 * time.Hour, "90": 90 * 24 * time.Hour, "365": 365 * 24 * time.Hour}

// showTokens lists the reader's API tokens, with the form for a new one.
func (h *Handler) showTokens(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	return h.renderTokens(w, r, p, http.StatusOK, "", "")
}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, p *access.Principal, status int, secret, problem string) error {
	tokens, err := h.cfg.Identity.Tokens(r.Context(), p)
	if err != nil {
		return err
	}
	data := tokensPage{Tokens: tokens, Secret: secret, Problem: problem, Now: time.Now()}
	for _, perm := range access.Permissions() {
		if p.Role.Can(perm) {
			data.Scopes = append(data.Scopes, perm)
		}
	}
	noStore(w)
	return h.render(w, r, status, pageTokens, data)
}

// createToken makes a token and shows its secret once.
func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err, "the form could not be read")
	}
	nt := identity.NewToken{Name: r.PostForm.Get("name"), TTL: tokenLifetimes[r.PostForm.Get("days")]}
	for _, s := range r.PostForm["scope"] {
		nt.Scopes = append(nt.Scopes, access.Permission(s))
	}
	secret, _, err := h.cfg.Identity.CreateToken(r.Context(), p, nt)
	if errs.Is(err, errs.Invalid) {
		return h.renderTokens(w, r, p, http.StatusBadRequest, "", h.problem(r, err))
	}
	if err != nil {
		return err
	}
	return h.renderTokens(w, r, p, http.StatusOK, secret, "")
}

// revokeToken revokes one of the reader's tokens.
func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.New(errs.NotFound, "no such token")
	}
	if err := h.cfg.Identity.RevokeToken(r.Context(), p, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/account/tokens", http.StatusSeeOther)
	return nil
}
