package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// SSOService signs people in with an OpenID Connect provider
// (identity.OIDC behind a lazy loader).
type SSOService interface {
	// Begin returns the provider's authorization URL and the state to keep
	// until the callback.
	Begin(ctx context.Context) (string, identity.Pending, error)
	// Complete finishes the sign-in and returns a session token.
	Complete(ctx context.Context, p identity.Pending, state, code string, c identity.Client) (string, identity.User, error)
}

// Sealer encrypts the single sign-on state kept in the browser between
// the redirect to the provider and the callback (*keyring.Keyring).
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Unseal(ciphertext, aad []byte) ([]byte, error)
}

// ssoCookie holds the sealed identity.Pending for the callback only.
const (
	ssoCookie     = "embargo_sso"
	ssoCookiePath = "/signin/sso"
)

var ssoAAD = []byte("web.sso_pending")

// beginSSO sends the reader to the provider, keeping the state, nonce and
// PKCE verifier in a sealed, HttpOnly cookie that only the callback sees.
func (h *Handler) beginSSO(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.SSO == nil || h.cfg.Sealer == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	authURL, pending, err := h.cfg.SSO.Begin(r.Context())
	if err != nil {
		return err
	}
	raw, err := json.Marshal(pending)
	if err != nil {
		return err
	}
	sealed, err := h.cfg.Sealer.Seal(raw, ssoAAD)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: base64.RawURLEncoding.EncodeToString(sealed),
		Path: ssoCookiePath, MaxAge: int(identity.PendingMaxAge.Seconds()), HttpOnly: true, Secure: h.cfg.TLS,
		SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, authURL, http.StatusSeeOther)
	return nil
}

// finishSSO is the provider's redirect back: it completes the sign-in and
// starts a session. A refusal shows the sign-in page with the reason.
func (h *Handler) finishSSO(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.SSO == nil || h.cfg.Sealer == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Path: ssoCookiePath, MaxAge: -1, HttpOnly: true, Secure: h.cfg.TLS})
	noStore(w)
	pending, err := h.pendingSSO(r)
	if err == nil {
		q := r.URL.Query()
		var token string
		token, _, err = h.cfg.SSO.Complete(r.Context(), pending, q.Get("state"), q.Get("code"), clientOf(r))
		if err == nil {
			h.setSession(w, token)
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return nil
		}
	}
	if k := errs.KindOf(err); k != errs.Unauthenticated && k != errs.Forbidden {
		return err
	}
	return h.render(w, r, errs.HTTPStatus(err), pageSignIn, signInForm{Next: "/", SSO: true, Problem: h.problem(r, err)})
}

// pendingSSO opens the sealed state cookie.
func (h *Handler) pendingSSO(r *http.Request) (identity.Pending, error) {
	var p identity.Pending
	bad := errs.Coded(errs.Unauthenticated, "sso.expired", "the single sign-on took too long or was started elsewhere; try again")
	c, err := r.Cookie(ssoCookie)
	if err != nil {
		return p, bad
	}
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return p, bad
	}
	raw, err := h.cfg.Sealer.Unseal(sealed, ssoAAD)
	if err != nil || json.Unmarshal(raw, &p) != nil {
		return p, bad
	}
	return p, nil
}
