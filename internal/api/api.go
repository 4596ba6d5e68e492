// Package api is Embargo's REST API, mounted at /api/v1/.
//
// Conventions that every route follows:
//
//   - Versioning: every path starts with /api/v1/. Changes within v1 only add
//     (operations, optional fields, problem types); anything that would break a
//     client goes to /api/v2/.
//   - JSON in, JSON out: request bodies are application/json, decoded strictly
//     by decodeJSON (size cap, no unknown fields, no trailing data); responses
//     are written by writeJSON. Field names are snake_case.
//   - Errors are RFC 9457 problem details (application/problem+json), written
//     by one function, serveError, from the error a handler returns. The
//     "type" member is a stable URI per error kind (see ProblemType), "detail"
//     is the error's user-facing message and never internal text, and the
//     "request_id" extension member ties the response to the server's logs.
//   - Authentication will be by bearer token (the "bearerAuth" security
//     scheme of the OpenAPI document); operations that need none say so with
//     an empty security requirement.
//   - Documentation: the hand-written OpenAPI 3.1 document openapi.json is
//     served at /api/v1/openapi.json, and a test checks that it lists exactly
//     the routes in routes.go.
package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/embargohq/embargo/internal/ratelimit"
	"github.com/embargohq/embargo/internal/route"
)

// openAPIDocument is the OpenAPI 3.1 description of this API. It is written
// by hand, next to the routes it documents, and served as is.
//
//go:embed openapi.json
var openAPIDocument []byte

// Config is what New needs. Logger is required. Each domain service the API
// exposes will get a field here.
type Config struct {
	// Logger receives one line per failed request (see serveError).
	Logger *slog.Logger
	// Version is the server's release version, reported by GET /api/v1/version.
	// Empty means "devel".
	Version string
	// Identity authenticates bearer tokens and manages the caller's tokens;
	// nil serves only the public operations.
	Identity Identity
	// Orgs names organisations, for GET /api/v1/me.
	Orgs Orgs
	// Cases serves /api/v1/cases; nil answers 404 there.
	Cases Cases
	// Audit serves /api/v1/audit; nil answers 404 there.
	Audit AuditLog
	// Review serves /api/v1/access-review; nil answers 404 there.
	Review AccessReviewer
	// Reports serves /api/v1/reports; nil answers 404 there.
	Reports Reports
	// Outbox serves /api/v1/outbox; nil answers 404 there.
	Outbox Outbox
	// Products serves /api/v1/products; nil answers 404 there.
	Products Products
	// Obligations serves /api/v1/obligations, /api/v1/obligation-settings
	// and a case's duties, packages, submissions, upstream notice and
	// sharing decisions; nil answers 404 there.
	Obligations Obligations
	// Exposure serves /api/v1/advisories, /api/v1/assets and a product
	// version's matches; nil answers 404 there.
	Exposure Exposure
	// Remediation and Notices serve a case's fixes and notice campaigns;
	// nil answers 404 there.
	Remediation Remediation
	Notices     Notices
	// Advisories serves a case's security advisory (the publication gate)
	// and /api/v1/blackouts; nil answers 404 there.
	Advisories Advisories
	// Submissions limits POST /api/v1/reports per address (anonymous) or
	// per token; nil does not limit.
	Submissions *ratelimit.Limiter
	// CVEOrgID is the organisation UUID that CVE Services gave this
	// instance's CNA, for the CVE JSON export; "" refuses that export.
	CVEOrgID string
	// BaseURL is the instance's public URL: the namespace of the documents
	// the API writes (CSAF, OpenVEX); "" means https:// and the request's
	// host.
	BaseURL string
}

// Handler serves the REST API. It implements server.Surface.
type Handler struct {
	log         *slog.Logger
	version     string
	identity    Identity
	orgs        Orgs
	cases       Cases
	audit       AuditLog
	review      AccessReviewer
	reports     Reports
	outbox      Outbox
	products    Products
	exposure    Exposure
	obligations Obligations
	remediation Remediation
	notices     Notices
	advisories  Advisories
	submissions *ratelimit.Limiter
	cveOrgID    string
	baseURL     string
	openAPI     *document
	table       *route.Table
}

// New returns the API handler with every route of routes.go registered.
// It returns an error if cfg.Logger is nil or the embedded OpenAPI document
// is not valid JSON.
func New(cfg Config) (*Handler, error) {
	if cfg.Logger == nil {
		return nil, errors.New("api: Config.Logger is required")
	}
	if !json.Valid(openAPIDocument) {
		return nil, errors.New("api: embedded openapi.json is not valid JSON")
	}
	h := &Handler{
		log:         cfg.Logger,
		version:     cfg.Version,
		identity:    cfg.Identity,
		orgs:        cfg.Orgs,
		cases:       cfg.Cases,
		audit:       cfg.Audit,
		review:      cfg.Review,
		reports:     cfg.Reports,
		outbox:      cfg.Outbox,
		products:    cfg.Products,
		exposure:    cfg.Exposure,
		obligations: cfg.Obligations,
		remediation: cfg.Remediation,
		notices:     cfg.Notices,
		advisories:  cfg.Advisories,
		submissions: cfg.Submissions,
		cveOrgID:    cfg.CVEOrgID,
		baseURL:     strings.TrimSuffix(cfg.BaseURL, "/"),
		openAPI:     newDocument(openAPIDocument),
	}
	if h.version == "" {
		h.version = "devel"
	}
	h.table = route.NewTable(h.serveError)
	h.routes(h.table)
	return h, nil
}

// ServeHTTP dispatches r to its route. A request that matches no route gets
// a problem+json 404, or 405 with an Allow header when the path exists under
// another method.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, err := h.authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		h.serveError(w, r, err)
		return
	}
	h.table.ServeHTTP(w, r)
}

// Patterns returns the ServeMux patterns of every registered route, sorted.
func (h *Handler) Patterns() []string {
	return h.table.Patterns()
}

// namespace is the publisher namespace of the documents the API writes:
// the configured base URL, else https:// and the request's host.
func (h *Handler) namespace(r *http.Request) string {
	if h.baseURL != "" {
		return h.baseURL
	}
	return "https://" + r.Host
}
