package web

import (
	"net/http"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/i18n"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/securitytxt"
)

// securityTxt serves /.well-known/security.txt (RFC 9116): text/plain in
// UTF-8, built for the request's host when no base URL is configured.
func (h *Handler) securityTxt(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.SecurityTxt == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	body, err := h.cfg.SecurityTxt(h.absolute(r, "/"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(body)
	return nil
}

// openPGPKey serves the instance's public OpenPGP key, to which reporters
// encrypt mail and uploads.
func (h *Handler) openPGPKey(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.OpenPGPKey == "" {
		return errs.New(errs.NotFound, "no such page")
	}
	w.Header().Set("Content-Type", "application/pgp-keys")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write([]byte(h.cfg.OpenPGPKey))
	return nil
}

// policy serves the vulnerability disclosure policy (ISO/IEC 29147) that
// security.txt's Policy points to: the channels, the acknowledgement
// target, the NVDB report the Regulations require, and the publication
// rules of their Article 9.
func (h *Handler) policy(w http.ResponseWriter, r *http.Request) error {
	data := struct {
		Mail     []string
		Key      bool
		AckHours int
	}{h.cfg.ReportMail, h.cfg.OpenPGPKey != "", int(h.cfg.AckTarget.Hours())}
	if data.AckHours < 1 {
		data.AckHours = 72
	}
	return h.render(w, r, http.StatusOK, pagePolicy, data)
}

// warnings returns the operational warnings for administrators: today,
// security.txt lapsing or lapsed.
func (h *Handler) warnings(l i18n.Localizer) []string {
	if h.cfg.SecurityExpires == nil {
		return nil
	}
	now := time.Now()
	expires := h.cfg.SecurityExpires()
	if !securitytxt.Expiring(expires, now) {
		return nil
	}
	day := expires.In(report.CST).Format(time.DateOnly)
	if !expires.After(now) {
		return []string{l.T("warning.securitytxt_lapsed", day)}
	}
	return []string{l.T("warning.securitytxt_expiring", day)}
}
