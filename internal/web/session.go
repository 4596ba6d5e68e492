package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/ratelimit"
	"github.com/embargohq/embargo/internal/request"
)

// Identity is the part of identity.Service the web UI uses.
type Identity interface {
	SignIn(ctx context.Context, email, password string, c identity.Client) (string, identity.User, error)
	Authenticate(ctx context.Context, token string) (*access.Principal, identity.Session, error)
	SignOut(ctx context.Context, p *access.Principal, token string) error
	SignOutEverywhere(ctx context.Context, p *access.Principal) error
	CreateToken(ctx context.Context, p *access.Principal, nt identity.NewToken) (string, identity.Token, error)
	Tokens(ctx context.Context, p *access.Principal) ([]identity.Token, error)
	RevokeToken(ctx context.Context, p *access.Principal, id int64) error
	Users(ctx context.Context, p *access.Principal) ([]identity.User, error)
	CreateUser(ctx context.Context, p *access.Principal, nu identity.NewUser) (identity.User, error)
	SetDisabled(ctx context.Context, p *access.Principal, email string, disabled bool) error
	BeginTOTP(ctx context.Context, p *access.Principal) (identity.Enrolment, error)
	ConfirmTOTP(ctx context.Context, p *access.Principal, sessionToken, code string) ([]string, error)
	VerifySecondFactor(ctx context.Context, p *access.Principal, sessionToken, code string) error
	SetLanguage(ctx context.Context, p *access.Principal, lang string) error
	ChangeRole(ctx context.Context, p *access.Principal, email string, role access.Role) error
}

// signedIn returns the reader's principal, or errs.Unauthenticated (which
// serveError turns into a redirect to the sign-in page).
func signedIn(r *http.Request) (*access.Principal, error) {
	if p := access.From(r.Context()); p != nil {
		return p, nil
	}
	return nil, errs.Coded(errs.Unauthenticated, "session.expired", "sign in first")
}

// sessionCookie names the session cookie. Over TLS it carries the
// __Host- prefix, which browsers accept only when Secure, for path / and
// without a Domain: no subdomain can set or read it.
func (h *Handler) sessionCookie() string {
	if h.cfg.TLS {
		return "__Host-embargo_session"
	}
	return "embargo_session"
}

// withPrincipal authenticates the session cookie, if any, and puts its
// principal in the request's context. A cookie that no longer works is
// cleared; the request goes on anonymously.
func (h *Handler) withPrincipal(w http.ResponseWriter, r *http.Request) *http.Request {
	c, err := r.Cookie(h.sessionCookie())
	if err != nil || h.cfg.Identity == nil {
		return r
	}
	p, _, err := h.cfg.Identity.Authenticate(r.Context(), c.Value)
	if err != nil {
		h.clearSession(w)
		return r
	}
	return r.WithContext(access.WithPrincipal(r.Context(), p))
}

func (h *Handler) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: h.sessionCookie(), Value: token, Path: "/",
		HttpOnly: true, Secure: h.cfg.TLS, SameSite: http.SameSiteLaxMode})
}

func (h *Handler) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: h.sessionCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.cfg.TLS, SameSite: http.SameSiteLaxMode})
}

// signInForm is the sign-in page's data.
type signInForm struct {
	Email, Next, Problem string
	SSO                  bool // offer single sign-on
	Reset                bool // offer the password reset
}

// signInPage shows the sign-in form.
func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Identity == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageSignIn, signInForm{Next: localPath(r.URL.Query().Get("next")), SSO: h.cfg.SSO != nil,
		Reset: h.cfg.Recovery != nil})
}

// signIn checks the form and starts a session. A refusal shows the form
// again with the reason (the same for a wrong address and a wrong
// password) and keeps the address typed.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Identity == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	if err := h.throttle(w, r, h.cfg.AuthAttempts); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err, "the form could not be read")
	}
	f := signInForm{Email: r.PostForm.Get("email"), Next: localPath(r.PostForm.Get("next")), SSO: h.cfg.SSO != nil,
		Reset: h.cfg.Recovery != nil}
	noStore(w)
	token, _, err := h.cfg.Identity.SignIn(r.Context(), f.Email, r.PostForm.Get("password"), clientOf(r))
	switch kind := errs.KindOf(err); {
	case err == nil:
	case kind == errs.Unauthenticated || kind == errs.TooMany:
		f.Problem = h.problem(r, err)
		return h.render(w, r, errs.HTTPStatus(err), pageSignIn, f)
	default:
		return err
	}
	h.setSession(w, token)
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
	return nil
}

// signOut ends this session, or with "everywhere" set every session of the
// account.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	p := access.From(r.Context())
	if p != nil {
		var err error
		if r.FormValue("everywhere") != "" {
			err = h.cfg.Identity.SignOutEverywhere(r.Context(), p)
		} else if c, cerr := r.Cookie(h.sessionCookie()); cerr == nil {
			err = h.cfg.Identity.SignOut(r.Context(), p, c.Value)
		}
		if err != nil {
			return err
		}
	}
	h.clearSession(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// throttle refuses a client address that has used up its allowance in l
// (authentication attempts, report submissions, private-link requests),
// with 429 and Retry-After.
func (h *Handler) throttle(w http.ResponseWriter, r *http.Request, l *ratelimit.Limiter) error {
	ok, wait := l.Allow(clientOf(r).RemoteAddr)
	if ok {
		return nil
	}
	secs := int(wait.Seconds()) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return errs.Coded(errs.TooMany, "ratelimit", "too many attempts from your address; try again in %d seconds", secs)
}

// clientOf describes the browser for the session record.
func clientOf(r *http.Request) identity.Client {
	return identity.Client{UserAgent: r.UserAgent(), RemoteAddr: request.ClientAddr(r)}
}
