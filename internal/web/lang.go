package web

import (
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/text/language"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/i18n"
)

// langCookie keeps a reader's language choice for a year.
const (
	langCookie       = "embargo_lang"
	langCookieMaxAge = 365 * 24 * 60 * 60
)

// language returns the language to serve r in: the signed-in reader's
// saved choice, then the language cookie, then Accept-Language, then
// Chinese.
func (h *Handler) language(r *http.Request) language.Tag {
	var cookie string
	if c, err := r.Cookie(langCookie); err == nil {
		cookie = c.Value
	}
	var choice string
	if p := access.From(r.Context()); p != nil {
		choice = p.Language // a signed-in reader's saved preference comes first
	}
	return i18n.Match(choice, cookie, r.Header.Get("Accept-Language"))
}

// setLanguage handles the language switch, a plain form so that it works
// without JavaScript: it stores the chosen language in a cookie and sends
// the reader back to the page they came from. Returns errs.Invalid when the
// form names no supported language.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err, "the form could not be read")
	}
	tag, ok := i18n.Lookup(r.PostForm.Get("lang"))
	if !ok {
		return errs.New(errs.Invalid, "unsupported language")
	}
	if p := access.From(r.Context()); p != nil && h.cfg.Identity != nil {
		if err := h.cfg.Identity.SetLanguage(r.Context(), p, tag.String()); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name:     langCookie,
		Value:    tag.String(),
		Path:     "/",
		MaxAge:   langCookieMaxAge,
		HttpOnly: true,
		Secure:   h.cfg.TLS,
		SameSite: http.SameSiteLaxMode,
	})
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

// localPath returns next when it is a path on this site and "/" otherwise,
// so that the language switch cannot be turned into an open redirect.
// Browsers read "//host", "/\host" and paths with tabs or newlines removed
// as links to other sites, so those are refused too.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	if strings.ContainsFunc(next, func(c rune) bool { return c < 0x20 || c == 0x7f || c == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}
