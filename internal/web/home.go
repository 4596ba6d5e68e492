package web

import "net/http"

// home serves the home page: what Embargo is, and where to report a
// vulnerability.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, pageHome, nil)
}
