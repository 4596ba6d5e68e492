package web

import (
	"context"
	"net/http"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// Recovery mails one-time links: password reset and e-mail verification;
// *identity.Service is one.
type Recovery interface {
	RequestPasswordReset(ctx context.Context, email string, c identity.Client) error
	CheckResetToken(ctx context.Context, token string) error
	ResetPassword(ctx context.Context, token, password string) error
	SendVerification(ctx context.Context, p *access.Principal) error
	VerifyEmail(ctx context.Context, token string) error
}

// recoveryForm is the data of /signin/forgot and /signin/reset.
type recoveryForm struct {
	Email, Token, Problem string
	Sent                  bool
}

// noticePage is the data of a page that only says how something went.
type noticePage struct {
	Title, Message string
	OK             bool
	Link, LinkText string
}

func (h *Handler) recovery() (Recovery, error) {
	if h.cfg.Recovery == nil {
		return nil, errs.New(errs.NotFound, "no such page")
	}
	return h.cfg.Recovery, nil
}

// throttledRecovery is the preamble of the pages that use a mailed link or
// mail one: the service, within the client's allowance of attempts.
func (h *Handler) throttledRecovery(w http.ResponseWriter, r *http.Request) (Recovery, error) {
	rec, err := h.recovery()
	if err != nil {
		return nil, err
	}
	if err := h.throttle(w, r, h.cfg.AuthAttempts); err != nil {
		return nil, err
	}
	noStore(w)
	return rec, nil
}

// forgotPage asks for the address to mail a reset link to.
func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.recovery(); err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageForgot, recoveryForm{})
}

// requestReset mails a reset link. The page says the same whether or not
// the address has an account.
func (h *Handler) requestReset(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.throttledRecovery(w, r)
	if err != nil {
		return err
	}
	f := recoveryForm{Email: r.PostFormValue("email")}
	if err := rec.RequestPasswordReset(r.Context(), f.Email, clientOf(r)); err != nil {
		if errs.KindOf(err) != errs.Invalid {
			return err
		}
		f.Problem = h.problem(r, err)
		return h.render(w, r, http.StatusBadRequest, pageForgot, f)
	}
	f.Sent = true
	return h.render(w, r, http.StatusOK, pageForgot, f)
}

// resetPage asks for the new password, when the link is good.
func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.throttledRecovery(w, r)
	if err != nil {
		return err
	}
	token := r.URL.Query().Get("token")
	if err := rec.CheckResetToken(r.Context(), token); err != nil {
		return h.linkProblem(w, r, err)
	}
	return h.render(w, r, http.StatusOK, pageReset, recoveryForm{Token: token})
}

// resetPassword sets the new password and sends the reader to sign in.
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.throttledRecovery(w, r)
	if err != nil {
		return err
	}
	f := recoveryForm{Token: r.PostFormValue("token")}
	err = rec.ResetPassword(r.Context(), f.Token, r.PostFormValue("password"))
	switch {
	case err == nil:
		return h.render(w, r, http.StatusOK, pageNotice, noticePage{Title: "reset.title", Message: "reset.done", OK: true,
			Link: "/signin", LinkText: "signin.link"})
	case errs.Is(err, errs.Invalid):
		f.Problem = h.problem(r, err)
		return h.render(w, r, http.StatusBadRequest, pageReset, f)
	}
	return h.linkProblem(w, r, err)
}

// linkProblem explains a used, expired or wrong link, or passes other
// errors on.
func (h *Handler) linkProblem(w http.ResponseWriter, r *http.Request, err error) error {
	if !errs.Is(err, errs.NotFound) {
		return err
	}
	return h.render(w, r, http.StatusNotFound, pageNotice, noticePage{Title: "link.title", Message: "link.bad",
		Link: "/signin/forgot", LinkText: "forgot.link"})
}

// verifyEmail uses a verification link.
func (h *Handler) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.throttledRecovery(w, r)
	if err != nil {
		return err
	}
	if err := rec.VerifyEmail(r.Context(), r.URL.Query().Get("token")); err != nil {
		return h.linkProblem(w, r, err)
	}
	return h.render(w, r, http.StatusOK, pageNotice, noticePage{Title: "verify.title", Message: "verify.done", OK: true,
		Link: "/account", LinkText: "profile.title"})
}

// sendVerification mails the signed-in reader a new verification link.
func (h *Handler) sendVerification(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	rec, err := h.recovery()
	if err != nil {
		return err
	}
	if err := rec.SendVerification(r.Context(), p); err != nil {
		return err
	}
	http.Redirect(w, r, "/account?sent=1", http.StatusSeeOther)
	return nil
}
