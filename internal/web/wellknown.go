package web

import (
	"net/http"

	"github.com/embargohq/embargo/internal/errs"
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
