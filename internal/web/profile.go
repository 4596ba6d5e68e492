package web

import "net/http"

// profile shows the reader's account: who they are, their role and
// jurisdiction, and links to their security settings.
func (h *Handler) profile(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageProfile, p)
}
