package web

import (
	"context"
	"net/http"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// SetupService creates the first administrator (identity.Setup).
type SetupService interface {
	// Check returns errs.NotFound unless token is the valid setup token.
	Check(ctx context.Context, token string) error
	// CreateFirstAdmin returns errs.Invalid for a bad form and
	// errs.NotFound for a bad token.
	CreateFirstAdmin(ctx context.Context, f identity.FirstAdmin) (identity.User, error)
}

// setupForm is the setup page's data.
type setupForm struct {
	Token, Email, DisplayName, Organisation string
	Problem                                 string // why the last attempt failed
	Done                                    bool
}

// setupPage serves the first-administrator form behind the one-time link
// that `embargo serve` prints.
func (h *Handler) setupPage(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Setup == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	token := r.URL.Query().Get("token")
	if err := h.cfg.Setup.Check(r.Context(), token); err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageSetup, setupForm{Token: token})
}

// createAdmin handles the form. A bad form shows the form again with the
// reason; the password is never sent back.
func (h *Handler) createAdmin(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Setup == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	if err := h.throttle(w, r, h.cfg.AuthAttempts); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err, "the form could not be read")
	}
	f := identity.FirstAdmin{Token: r.PostForm.Get("token"), Email: r.PostForm.Get("email"),
		DisplayName: r.PostForm.Get("display_name"), Password: r.PostForm.Get("password"),
		Organisation: r.PostForm.Get("organisation")}
	noStore(w)
	_, err := h.cfg.Setup.CreateFirstAdmin(r.Context(), f)
	switch {
	case errs.Is(err, errs.Invalid):
		return h.render(w, r, http.StatusBadRequest, pageSetup, setupForm{Token: f.Token, Email: f.Email,
			DisplayName: f.DisplayName, Organisation: f.Organisation, Problem: h.problem(r, err)})
	case err != nil:
		return err
	}
	return h.render(w, r, http.StatusOK, pageSetup, setupForm{Done: true, Email: f.Email})
}

// noStore keeps pages that carry secrets out of caches and history.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}
