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
	t.Handle("GET /signin/sso", h.beginSSO)
	t.Handle("GET /signin/sso/callback", h.finishSSO)
	t.Handle("GET /signin/2fa", h.secondFactorPage)
	t.Handle("POST /signin/2fa", h.verifySecondFactor)
	t.Handle("GET /account/2fa", h.twoFactorPage)
	t.Handle("POST /account/2fa", h.confirmTwoFactor)
	t.Handle("GET /account", h.profile)
	t.Handle("GET /account/tokens", h.showTokens)
	t.Handle("POST /account/tokens", h.createToken)
	t.Handle("POST /account/tokens/{id}/revoke", h.revokeToken)
	t.Handle("GET /account/confidentiality", h.statementPage)
	t.Handle("POST /account/confidentiality", h.acceptStatement)
	t.Handle("GET /cases", h.listCases)
	t.Handle("POST /cases", h.createCase)
	t.Handle("GET /cases/{id}", h.showCase)
	t.Handle("GET /admin/access-review", h.showAccessReview)
	t.Handle("GET /admin/audit", h.showAudit)
	t.Handle("POST /admin/audit/verify", h.verifyAudit)
	t.Handle("GET /admin/users", h.showUsers)
	t.Handle("POST /admin/users", h.createUser)
	t.Handle("POST /admin/users/{action}", h.setUserState)
	t.Handle("GET "+staticPrefix+"{file}", h.serveStatic)
	return t
}
