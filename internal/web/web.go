// Package web is Embargo's server-rendered HTML surface: pages built from
// html/template files embedded in the binary, static assets at
// content-hashed URLs, the reader's language (zh-CN or en), and the HTML
// error page.
//
// Handlers decode the request, call a domain service and render a page; they
// return errors instead of writing them, and serveError renders and logs
// each error once. Every route is in routes.go.
package web

import (
	"context"
	"embed"
	"fmt"
	"github.com/embargohq/embargo/internal/document"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/i18n"
	"github.com/embargohq/embargo/internal/ratelimit"
	"github.com/embargohq/embargo/internal/route"
)

// siteFS holds the templates and static files that the binary serves.
//
//go:embed templates/*.tmpl templates/shared/*.tmpl static/*.css static/*.js static/*.svg
var siteFS embed.FS

// Config is what New needs.
type Config struct {
	// Logger receives one line per failed request; nil discards.
	Logger *slog.Logger
	// Version is the build's version, shown in the footer.
	Version string
	// Dev re-parses templates and re-reads static files from DevDir on every
	// request, so that edits show without a rebuild.
	Dev bool
	// DevDir is the directory that holds templates/ and static/ (this
	// package's source directory). It is used only when Dev is set.
	DevDir string
	// TLS says readers reach the server over HTTPS, so cookies are Secure.
	TLS bool
	// Setup creates the first administrator; nil turns /setup off.
	Setup SetupService
	// Identity signs people in and out; nil turns sign-in off.
	Identity Identity
	// SSO signs people in with an OpenID Connect provider; nil turns it off.
	SSO SSOService
	// Sealer seals the single sign-on state cookie.
	Sealer Sealer
	// Cases serves the case pages; nil turns them off.
	Cases Cases
	// Obligations serves the legal duties (clock board, report packages);
	// nil turns them off.
	Obligations Obligations
	// PDF returns the font for PDF output; nil, or an error, turns PDF
	// downloads into a clear "unavailable" answer.
	PDF func() (*document.Font, error)
	// Confidentiality keeps the confidentiality statement.
	Confidentiality Confidentiality
	// Audit reads the audit log for auditors; nil turns the viewer off.
	Audit AuditLog
	// Review produces the access review; nil turns it off.
	Review AccessReviewer
	// AuthAttempts limits sign-in, second-factor and setup attempts per
	// client address; nil means 10 a minute.
	AuthAttempts *ratelimit.Limiter
	// Reports serves the public report form, the reporter's private pages
	// and the triage inbox; nil turns them off.
	Reports Reports
	// Submissions limits report submissions per client address; nil means
	// 60 an hour. Share it with the API's, so that both count together.
	Submissions *ratelimit.Limiter
	// Remediation and Notices serve a case's fixes and notice campaigns and
	// the public pages of recipients and subscribers; nil turns them off.
	Remediation Remediation
	Notices     Notices
	// Advisories serves a case's security advisory and the blackout
	// calendar; nil answers 404 there.
	Advisories Advisories
	// PublicAdvisories serves the public advisory channels: /advisories in
	// HTML, its RSS and Atom feeds, and a page per advisory; nil answers
	// 404 there.
	PublicAdvisories PublicAdvisories
	// PublicReads limits anonymous requests for the public advisories,
	// their feeds and the CSAF provider per client address; nil means
	// 1,200 a minute, which lets a CSAF aggregator mirror a thousand
	// documents (four files each) in a few minutes.
	PublicReads *ratelimit.Limiter
	// LinkAttempts limits requests to reporters' private links per client
	// address; nil means 60 a minute.
	LinkAttempts *ratelimit.Limiter
	// SecurityTxt returns /.well-known/security.txt for the instance at
	// base (its absolute URL, ending in "/"); nil turns it off.
	SecurityTxt func(base string) ([]byte, error)
	// CSAF is the CSAF 2.0 provider under /.well-known/csaf/; nil turns
	// it off. Tokens authenticates the API tokens its downloaders send for
	// restricted (TLP:GREEN, AMBER, RED) documents; nil accepts none.
	CSAF   CSAFProvider
	Tokens func(ctx context.Context, secret string) (*access.Principal, error)
	// CVEOrgID is the CNA's organisation UUID in CVE Services, for the
	// CVE JSON 5 download of a published advisory ("" refuses it).
	CVEOrgID string
	// BaseURL is the instance's public URL ("" means as each request
	// names it), which the CSAF provider's documents and feeds name.
	BaseURL string
	// OpenPGPKey is the instance's armored public key, served at
	// /.well-known/openpgp-key.asc; "" turns it off.
	OpenPGPKey string
	// SecurityExpires returns security.txt's current Expires; from 30 days
	// before it, administrators see a warning on every page. Nil: no
	// warning.
	SecurityExpires func() time.Time
	// AckTarget is the promised time to a first answer, shown in the
	// disclosure policy at /policy.
	AckTarget time.Duration
	// ReportMail are the addresses that take reports by mail, for /policy.
	ReportMail []string
	// Outbox shows outbound messages and retries dead ones; nil turns
	// /admin/outbox off.
	Outbox Outbox
	// Recovery mails password-reset and verification links; nil (no
	// outbound mail) turns those pages off.
	Recovery Recovery
	// Products serves the product catalogue; nil turns /products off.
	Products Products
	// Exposure shows what hits the organisation's product versions and
	// assets (/products/{id}/versions/{vid}, /upstream/{id}, /assets);
	// nil, or nil Products, turns those pages off.
	Exposure Exposure
	// Imports takes advisory, VEX and asset uploads on /imports, imported
	// in the background with their progress shown; nil turns it off.
	Imports Importer
}

// Handler serves the web UI. It implements server.Surface.
type Handler struct {
	cfg     Config
	log     *slog.Logger
	catalog *i18n.Catalog
	site    *site // parsed at startup; in Dev mode only a first check
	routes  *route.Table
	imports importJobs // uploads importing in the background (/imports)
}

// New returns the web UI handler. It fails when a template does not parse,
// when a page that a handler renders has no template, or when a static file
// that a template needs is missing.
func New(cfg Config) (*Handler, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Dev && cfg.DevDir == "" {
		return nil, fmt.Errorf("web: Dev needs DevDir")
	}
	catalog, err := i18n.Load()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if cfg.AuthAttempts == nil {
		cfg.AuthAttempts = ratelimit.New(10, time.Minute, nil)
	}
	if cfg.Submissions == nil {
		cfg.Submissions = ratelimit.New(60, time.Hour, nil)
	}
	if cfg.PublicReads == nil {
		cfg.PublicReads = ratelimit.New(1200, time.Minute, nil)
	}
	if cfg.LinkAttempts == nil {
		cfg.LinkAttempts = ratelimit.New(60, time.Minute, nil)
	}
	h := &Handler{cfg: cfg, log: cfg.Logger, catalog: catalog}
	if h.site, err = loadSite(h.files()); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	h.routes = h.newRoutes()
	return h, nil
}

// ServeHTTP dispatches to the web routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = h.withPrincipal(w, r)
	if to := twoFactorGate(access.From(r.Context()), r.URL.Path); to != "" {
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	h.routes.ServeHTTP(w, r)
}

// Patterns returns the route patterns the handler serves, sorted.
func (h *Handler) Patterns() []string {
	return h.routes.Patterns()
}

// files returns the tree that holds templates/ and static/: the embedded
// one, or DevDir in Dev mode.
func (h *Handler) files() fs.FS {
	if h.cfg.Dev {
		return os.DirFS(h.cfg.DevDir)
	}
	return siteFS
}

// currentSite returns the parsed templates and assets: those from startup,
// or in Dev mode a fresh parse of DevDir.
func (h *Handler) currentSite() (*site, error) {
	if !h.cfg.Dev {
		return h.site, nil
	}
	return loadSite(h.files())
}
