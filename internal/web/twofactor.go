package web

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/http"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/pquerna/otp"
)

// twoFactorGate says where a signed-in reader must go before anything
// else, or "" when they may go on. A session of an account with two-factor
// on must pass it first; staff who can read undisclosed cases must turn it
// on first (CN-11-1), and accept the confidentiality statement before
// opening cases (CN-11-2). Signing out, the language switch and static
// files always work.
func twoFactorGate(p *access.Principal, path string) string {
	if p == nil || p.TokenID != 0 || path == "/signout" || path == "/lang" || strings.HasPrefix(path, staticPrefix) {
		return ""
	}
	switch {
	case p.TwoFactorEnrolled && !p.SecondFactor && path != "/signin/2fa":
		return "/signin/2fa"
	case !p.TwoFactorEnrolled && p.Role.ReadsUndisclosed() && path != "/account/2fa":
		return "/account/2fa"
	case !p.ConfidentialityAccepted && p.Role.ReadsUndisclosed() && (strings.HasPrefix(path, "/cases") || strings.HasPrefix(path, "/reports")):
		return "/account/confidentiality" // CN-11-2: accept before the first access to cases
	}
	return ""
}

// secondFactorForm is the data of /signin/2fa.
type secondFactorForm struct{ Problem string }

// secondFactorPage asks for a code from the authenticator app or a
// recovery code.
func (h *Handler) secondFactorPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := signedIn(r); err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageSecondFactor, secondFactorForm{})
}

// verifySecondFactor checks the code and lets the session go on.
func (h *Handler) verifySecondFactor(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	c, err := r.Cookie(h.sessionCookie())
	if err != nil {
		return errs.New(errs.Unauthenticated, "sign in first")
	}
	if err := h.throttle(w, r, h.cfg.AuthAttempts); err != nil {
		return err
	}
	err = h.cfg.Identity.VerifySecondFactor(r.Context(), p, c.Value, r.FormValue("code"))
	if k := errs.KindOf(err); err != nil && (k == errs.Unauthenticated || k == errs.TooMany) {
		noStore(w)
		return h.render(w, r, errs.HTTPStatus(err), pageSecondFactor, secondFactorForm{Problem: h.problem(r, err)})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// enrolPage is the data of /account/2fa.
type enrolPage struct {
	Enrolled      bool
	Secret, URL   string
	QR            template.URL // data: URL of a PNG QR code of URL
	RecoveryCodes []string     // shown once, after confirmation
	Problem       string
}

// twoFactorPage shows the two-factor status or starts an enrolment.
func (h *Handler) twoFactorPage(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	noStore(w)
	if p.TwoFactorEnrolled {
		return h.render(w, r, http.StatusOK, pageTwoFactor, enrolPage{Enrolled: true})
	}
	en, err := h.cfg.Identity.BeginTOTP(r.Context(), p)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, pageTwoFactor, enrolPage{Secret: en.Secret, URL: en.URL, QR: qrCode(en.URL)})
}

// confirmTwoFactor checks the first code and shows the recovery codes.
func (h *Handler) confirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	c, err := r.Cookie(h.sessionCookie())
	if err != nil {
		return errs.New(errs.Unauthenticated, "sign in first")
	}
	noStore(w)
	codes, err := h.cfg.Identity.ConfirmTOTP(r.Context(), p, c.Value, r.FormValue("code"))
	if errs.Is(err, errs.Invalid) {
		// Show the same secret again: it is still the pending one.
		url := r.FormValue("url")
		return h.render(w, r, http.StatusBadRequest, pageTwoFactor, enrolPage{Secret: r.FormValue("secret"), URL: url,
			QR: qrCode(url), Problem: h.problem(r, err)})
	}
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, pageTwoFactor, enrolPage{Enrolled: true, RecoveryCodes: codes})
}

// qrCode renders an otpauth:// URL as a PNG data URL ("" when it is not
// one). The page's CSP allows data: images.
func qrCode(url string) template.URL {
	key, err := otp.NewKeyFromURL(url)
	if err != nil || !strings.HasPrefix(url, "otpauth://") {
		return ""
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
}
