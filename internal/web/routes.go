package web

import "github.com/embargohq/embargo/internal/route"

// newRoutes returns the table of every web route. Requests that match none
// get the HTML error page (404, or 405 with Allow).
func (h *Handler) newRoutes() *route.Table {
	t := route.NewTable(h.serveError)
	t.Handle("GET /{$}", h.home)
	t.Handle("POST /lang", h.setLanguage)
	t.Handle("GET /setup", h.setupPage)
	t.Handle("POST /setup", h.createAdmin)
	t.Handle("GET /signin", h.signInPage)
	t.Handle("POST /signin", h.signIn)
	t.Handle("POST /signout", h.signOut)
	t.Handle("GET "+staticPrefix+"{file}", h.serveStatic)
	return t
}
