package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/api"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/notify/notifytest"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/web"
	"github.com/google/go-cmp/cmp"
	"github.com/pquerna/otp/totp"
)

// caller is one column of the authorization matrix: anonymous, a user of
// another organisation, or a user with one role in the organisation under
// test.
type caller struct {
	name    string
	userID  int64
	cookie  string // session token, "" for anonymous
	bearer  string // API token, "" when the role may not hold one
	tokenID int64
}

// want is one row's expected statuses: all for every caller, with
// exceptions by caller name.
type want struct {
	all    int
	except map[string]int
}

func (w want) for_(name string) int {
	if s, ok := w.except[name]; ok {
		return s
	}
	return w.all
}

// matrixRequest is the concrete request that exercises a route pattern.
type matrixRequest struct {
	method, path, form string
	want               want
}

// endsSession marks requests that end the caller's session: they run last.
var endsSession = map[string]bool{"POST /signout": true}

// enrolled returns m with status for every role that must use two-factor
// authentication (and so is enrolled in this test).
func enrolled(status int, m map[string]int) map[string]int {
	for _, r := range access.Roles() {
		if r.ReadsUndisclosed() {
			m[string(r)] = status
		}
	}
	m["other_reader"] = status // a compliance officer
	return m
}

// readers returns m with status for every caller whose role can read
// cases (unless m already names it), including the other organisation's
// compliance officer.
func readers(status int, m map[string]int) map[string]int {
	for _, r := range access.Roles() {
		if _, set := m[string(r)]; !set && r.Can(access.ReadCases) {
			m[string(r)] = status
		}
	}
	if _, set := m["other_reader"]; !set {
		m["other_reader"] = status
	}
	return m
}

// auditReaders returns m with status for every caller that may read the
// audit log.
func auditReaders(status int, m map[string]int) map[string]int {
	for _, r := range access.Roles() {
		if r.Can(access.ReadAudit) {
			m[string(r)] = status
		}
	}
	m["other_tenant"], m["other_reader"] = status, status
	return m
}

func copyMap(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func merge(a, b map[string]int) map[string]int {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// The roles that may hold API tokens, and those that may not.
var noTokenRoles = map[string]int{"anonymous": 401, string(access.Reporter): 401, string(access.PartyContact): 401}

// matrix documents every route's answer to every caller. A route without
// a row fails TestAuthorizationMatrix. {own_token} in a path is replaced by
// the caller's own token ID, {other_token} by another user's.
var matrix = map[string]matrixRequest{
	// Web: public pages.
	"GET /{$}":           {"GET", "/", "", want{all: 200}},
	"GET /static/{file}": {"GET", "/static/nope.css", "", want{all: 404}},
	"POST /lang":         {"POST", "/lang", "lang=en&next=/", want{all: 303}},
	"GET /setup":         {"GET", "/setup?token=wrong", "", want{all: 404}},
	"POST /setup":        {"POST", "/setup", "token=wrong&email=x@example.cn&display_name=x&password=tangerine+rooftop+lantern", want{all: 404}},
	"GET /signin":        {"GET", "/signin", "", want{all: 200}},
	"POST /signin":       {"POST", "/signin", "email=nobody@example.cn&password=wrong+wrong+wrong", want{all: 401}},
	"POST /signout":      {"POST", "/signout", "", want{all: 303}},
	// Recovery by mailed links: public, and the same answer for every
	// address; a wrong link is 404. Asking for a verification link needs
	// a session.
	"GET /signin/forgot":   {"GET", "/signin/forgot", "", want{all: 200}},
	"POST /signin/forgot":  {"POST", "/signin/forgot", "email=nobody@example.cn", want{all: 200}},
	"GET /signin/reset":    {"GET", "/signin/reset?token=wrong", "", want{all: 404}},
	"POST /signin/reset":   {"POST", "/signin/reset", "token=wrong&password=tangerine+rooftop+lantern+2", want{all: 404}},
	"GET /account/verify":  {"GET", "/account/verify?token=wrong", "", want{all: 404}},
	"POST /account/verify": {"POST", "/account/verify", "", want{all: 303, except: map[string]int{"anonymous": 401}}},
	// Single sign-on is not configured in this test: both routes are absent.
	"GET /signin/sso":          {"GET", "/signin/sso", "", want{all: 404}},
	"GET /signin/sso/callback": {"GET", "/signin/sso/callback?state=x&code=y", "", want{all: 404}},
	// Web: two-factor. Staff who read undisclosed cases are enrolled (see
	// mustCaller); asking to verify without TOTP, or to enrol twice, is a
	// conflict; a wrong code is refused.
	"GET /signin/2fa":   {"GET", "/signin/2fa", "", want{all: 200, except: map[string]int{"anonymous": 303}}},
	"POST /signin/2fa":  {"POST", "/signin/2fa", "code=000000", want{all: 409, except: enrolled(401, map[string]int{"anonymous": 401})}},
	"GET /account/2fa":  {"GET", "/account/2fa", "", want{all: 200, except: map[string]int{"anonymous": 303}}},
	"POST /account/2fa": {"POST", "/account/2fa", "code=000000", want{all: 400, except: enrolled(409, map[string]int{"anonymous": 401})}},
	// Web: the reader's own account.
	"GET /account": {"GET", "/account", "", want{all: 200, except: map[string]int{"anonymous": 303}}},
	// Web: the reader's own tokens; anonymous readers are sent to sign in.
	"GET /account/tokens": {"GET", "/account/tokens", "", want{all: 200, except: map[string]int{
		"anonymous": 303, string(access.Reporter): 403, string(access.PartyContact): 403}}},
	"POST /account/tokens": {"POST", "/account/tokens", "name=x", want{all: 400, except: map[string]int{
		"anonymous": 401, string(access.Reporter): 403, string(access.PartyContact): 403}}},
	"POST /account/tokens/{id}/revoke": {"POST", "/account/tokens/{other_token}/revoke", "", want{all: 404, except: map[string]int{
		"anonymous": 401, string(access.Reporter): 403, string(access.PartyContact): 403}}},
	// Web: the confidentiality statement, which every signed-in person can
	// read and accept (staff must before opening cases, CN-11-2).
	"GET /account/confidentiality":  {"GET", "/account/confidentiality", "", want{all: 200, except: map[string]int{"anonymous": 303}}},
	"POST /account/confidentiality": {"POST", "/account/confidentiality", "version=1", want{all: 303, except: map[string]int{"anonymous": 401}}},
	// Cases, on both surfaces. Roles without case.read are refused (403,
	// whatever the ID); readers outside the access list, and readers of
	// another organisation, are told the case does not exist (404).
	"GET /cases": {"GET", "/cases", "", want{all: 403, except: readers(200, map[string]int{"anonymous": 303})}},
	"POST /cases": {"POST", "/cases", "title=x", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 303, string(access.ComplianceOfficer): 303, "other_reader": 303}}},
	"GET /cases/{id}": {"GET", "/cases/{case}", "", want{all: 403, except: readers(404, map[string]int{"anonymous": 303,
		string(access.Triager): 200, string(access.ComplianceOfficer): 200})}},
	// Web: the lifecycle forms, for writers with sight of the case. The
	// move asks to reject without a resolution: refused on the page (400).
	"POST /cases/{id}/transition": {"POST", "/cases/{case}/transition", "to=rejected&reason=x", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 400, string(access.ComplianceOfficer): 400, "other_reader": 404}}},
	"POST /cases/{id}/assessment": {"POST", "/cases/{case}/assessment", "grade=high&scope=p+%7C+1.0", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 303, string(access.ComplianceOfficer): 303, "other_reader": 404}}},
	"POST /cases/{id}/t0": {"POST", "/cases/{case}/t0", "t0=2026-01-01T08%3A00&source=internal&reason=x", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 303, string(access.ComplianceOfficer): 303, "other_reader": 404}}},
	"POST /cases/{id}/comments": {"POST", "/cases/{case}/comments", "body=checked", want{all: 403, except: readers(404, map[string]int{"anonymous": 401,
		string(access.Triager): 303, string(access.ComplianceOfficer): 303})}},
	"POST /cases/{id}/people": {"POST", "/cases/{case}/people", "role=watcher", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 303, string(access.ComplianceOfficer): 303, "other_reader": 404}}},
	// Web: legal duties. The facts form saves for writers; the upstream
	// notice is refused (409) for writers, the root cause not being
	// upstream; marking the incomplete package submitted is refused (409)
	// for compliance officers and forbidden to everyone else; deciding a
	// duty not applicable without a reason is refused (400).
	// Splitting and writing to a reporter name a report the shared case
	// does not have: 404 for writers with sight of it.
	"POST /cases/{id}/split": {"POST", "/cases/{case}/split", "report=R-NONE&title=t", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 404, string(access.ComplianceOfficer): 404, "other_reader": 404}}},
	"POST /cases/{id}/reports/{tracking}/reply": {"POST", "/cases/{case}/reports/R-NONE/reply", "body=hello", want{all: 403, except: readers(404, map[string]int{"anonymous": 401})}},
	"POST /cases/{id}/facts": {"POST", "/cases/{case}/facts", "root_component=libx", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 303, string(access.ComplianceOfficer): 303, "other_reader": 404}}},
	"POST /cases/{id}/upstream-notice": {"POST", "/cases/{case}/upstream-notice", "channel=manual&reference=x", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 409, string(access.ComplianceOfficer): 409, "other_reader": 404}}},
	"GET /cases/{id}/packages/{duty}": {"GET", "/cases/{case}/packages/cn.nvdb_report", "", want{all: 403, except: readers(404, map[string]int{"anonymous": 303,
		string(access.Triager): 200, string(access.ComplianceOfficer): 200})}},
	"POST /cases/{id}/packages/{duty}": {"POST", "/cases/{case}/packages/cn.nvdb_report", "reference=x", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.ComplianceOfficer): 409, "other_reader": 404}}},
	// The evidence pack: those who read the audit log (auditors,
	// administrators: any case of their organisation) and those who
	// manage duties with sight of the case.
	"GET /cases/{id}/evidence": {"GET", "/cases/{case}/evidence", "", want{all: 403, except: map[string]int{"anonymous": 303,
		string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Auditor): 200,
		"other_reader": 404, "other_tenant": 404}}},
	// The compliance dashboard: aggregate figures of the reader's own
	// organisation, no case named, for those who manage duties or audit.
	"POST /cases/{id}/packages/{duty}/fields": {"POST", "/cases/{case}/packages/eu.notification/fields", "field_sensitivity=TLP%3AAMBER", want{all: 403,
		except: map[string]int{"anonymous": 401, string(access.Triager): 303, string(access.ComplianceOfficer): 303, "other_reader": 404}}},
	"GET /obligations/dashboard": {"GET", "/obligations/dashboard", "", want{all: 403, except: map[string]int{"anonymous": 303,
		string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Auditor): 200,
		"other_tenant": 200, "other_reader": 200}}},
	"GET /obligations": {"GET", "/obligations", "", want{all: 403, except: readers(200, map[string]int{"anonymous": 303})}},
	// The API row before this one closed the duty as not applicable: a
	// compliance officer now learns it is closed (409).
	"POST /obligations/{id}/not-applicable": {"POST", "/obligations/{obligation}/not-applicable", "reason=", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.ComplianceOfficer): 409, "other_reader": 404}}},
	// Merging a case into itself is refused (400) for writers: the shared
	// case stays as it is for the other rows.
	"POST /cases/{id}/merge": {"POST", "/cases/{case}/merge", "into={case}", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 400, string(access.ComplianceOfficer): 400, "other_reader": 404}}},
	// A form without a file is refused on the page (400) for those who
	// may add files.
	"POST /cases/{id}/files": {"POST", "/cases/{case}/files", "restricted=on", want{all: 403, except: readers(404, map[string]int{"anonymous": 401,
		string(access.Triager): 400, string(access.ComplianceOfficer): 400})}},
	"GET /cases/{id}/files/{file}": {"GET", "/cases/{case}/files/{file}", "", want{all: 403, except: readers(404, map[string]int{"anonymous": 303,
		string(access.Triager): 200, string(access.ComplianceOfficer): 200})}},
	"POST /cases/{id}/aliases": {"POST", "/cases/{case}/aliases", "alias=CVE-2026-0002", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Triager): 409, string(access.ComplianceOfficer): 303, "other_reader": 404}}},
	"GET /api/v1/cases/{id}/history": {"GET", "/api/v1/cases/{case}/history", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles),
		map[string]int{string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"GET /api/v1/cases": {"GET", "/api/v1/cases", "", want{all: 403, except: readers(200, copyMap(noTokenRoles))}},
	"POST /api/v1/cases": {"POST", "/api/v1/cases", `{"title":"x"}`, want{all: 403, except: readers(403, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 201, string(access.ComplianceOfficer): 201, "other_reader": 201}))}},
	"GET /api/v1/cases/{id}": {"GET", "/api/v1/cases/{case}", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	// The lifecycle: writers with sight of the case. The compliance officer
	// moves it first; the triager then finds the move made (409), and the
	// alias taken.
	"GET /api/v1/cases/{id}/transitions": {"GET", "/api/v1/cases/{case}/transitions", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"POST /api/v1/cases/{id}/transitions": {"POST", "/api/v1/cases/{case}/transitions", `{"to":"verifying","reason":"x"}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 200, string(access.Triager): 409, "other_reader": 404})}},
	"PUT /api/v1/cases/{id}/assessment": {"PUT", "/api/v1/cases/{case}/assessment", `{"grade":"high","scope":[{"product":"p","versions":"1.0"}]}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 200, string(access.Triager): 200, "other_reader": 404})}},
	"POST /api/v1/cases/{id}/t0": {"POST", "/api/v1/cases/{case}/t0", `{"t0":"2026-01-01T00:00:00Z","source":"internal","reason":"x"}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 200, string(access.Triager): 200, "other_reader": 404})}},
	// People and comments: the delete runs first (the rows are sorted), when
	// the target is on the case in no role yet.
	"GET /api/v1/cases/{id}/people": {"GET", "/api/v1/cases/{case}/people", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"POST /api/v1/cases/{id}/people": {"POST", "/api/v1/cases/{case}/people", `{"user_id":{target},"role":"watcher"}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 204, string(access.Triager): 204, "other_reader": 404})}},
	"DELETE /api/v1/cases/{id}/people/{user}": {"DELETE", "/api/v1/cases/{case}/people/{target}?role=watcher", "", want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 404, string(access.Triager): 404, "other_reader": 404})}},
	"GET /api/v1/cases/{id}/comments": {"GET", "/api/v1/cases/{case}/comments", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"POST /api/v1/cases/{id}/comments": {"POST", "/api/v1/cases/{case}/comments", `{"body":"checked"}`, want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 201, string(access.ComplianceOfficer): 201}))}},
	"POST /api/v1/cases/{id}/merge": {"POST", "/api/v1/cases/{case}/merge", `{"into":{case}}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 400, string(access.Triager): 400, "other_reader": 400})}},
	"GET /api/v1/cases/{id}/files": {"GET", "/api/v1/cases/{case}/files", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"POST /api/v1/cases/{id}/files": {"POST", "/api/v1/cases/{case}/files?name=notes.txt", "notes", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 201, string(access.ComplianceOfficer): 201}))}},
	"GET /api/v1/cases/{id}/files/{file}": {"GET", "/api/v1/cases/{case}/files/{file}", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"POST /api/v1/cases/{id}/aliases": {"POST", "/api/v1/cases/{case}/aliases", `{"alias":"CVE-2026-0001"}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 201, string(access.Triager): 409, "other_reader": 404})}},
	// The facts that decide a case's duties: read like the case, changed
	// by its writers.
	"GET /api/v1/cases/{id}/facts": {"GET", "/api/v1/cases/{case}/facts", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"PATCH /api/v1/cases/{id}/facts": {"PATCH", "/api/v1/cases/{case}/facts", `{"root_component":"libupgrade 1.2"}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 200, string(access.Triager): 200, "other_reader": 404})}},
	// Obligations: the clocks are read like the case; the board and the
	// settings by every reader of cases, each in their own organisation.
	// Only obligation.manage submits, closes a duty or changes the
	// settings, and only sharing.approve records a legal decision. The
	// case's package lacks its scope, so the submission is refused (409);
	// its root cause is not upstream, so the notice is refused (409); the
	// compliance officer then closes its NVDB duty as not applicable.
	"GET /api/v1/obligations": {"GET", "/api/v1/obligations", "", want{all: 403, except: readers(200, copyMap(noTokenRoles))}},
	// The written parts of a report (an unknown field is refused: 400 for
	// writers with sight of the case), the evidence pack and the dashboard.
	"PUT /api/v1/cases/{id}/packages/{duty}/fields": {"PUT", "/api/v1/cases/{case}/packages/eu.notification/fields", `{"fields":{"x":"y"}}`, want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 400, string(access.ComplianceOfficer): 400, "other_reader": 404})}},
	"GET /api/v1/cases/{id}/evidence": {"GET", "/api/v1/cases/{case}/evidence", "", want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Auditor): 200, "other_reader": 404, "other_tenant": 404})}},
	"GET /api/v1/obligations/dashboard": {"GET", "/api/v1/obligations/dashboard", "", want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Auditor): 200, "other_reader": 200, "other_tenant": 200})}},
	"POST /api/v1/obligations/{id}/not-applicable": {"POST", "/api/v1/obligations/{obligation}/not-applicable", `{"reason":"reported by the vendor"}`, want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 200, "other_reader": 404})}},
	"GET /api/v1/obligation-settings": {"GET", "/api/v1/obligation-settings", "", want{all: 403, except: readers(200, copyMap(noTokenRoles))}},
	"PUT /api/v1/obligation-settings": {"PUT", "/api/v1/obligation-settings", `{"regimes":{"CN-RMSV":true}}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.ComplianceOfficer): 200, "other_reader": 200})}},
	"GET /api/v1/cases/{id}/obligations": {"GET", "/api/v1/cases/{case}/obligations", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"GET /api/v1/cases/{id}/packages/{duty}": {"GET", "/api/v1/cases/{case}/packages/cn.nvdb_report", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"GET /api/v1/cases/{id}/submissions": {"GET", "/api/v1/cases/{case}/submissions", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"POST /api/v1/cases/{id}/submissions": {"POST", "/api/v1/cases/{case}/submissions", `{"duty":"cn.nvdb_report","reference":"NVDB-1"}`, want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 409, "other_reader": 404})}},
	"POST /api/v1/cases/{id}/upstream-notice": {"POST", "/api/v1/cases/{case}/upstream-notice", `{"channel":"manual","reference":"call"}`, want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 409, string(access.Triager): 409, "other_reader": 404})}},
	"GET /api/v1/cases/{id}/sharing-decisions": {"GET", "/api/v1/cases/{case}/sharing-decisions", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"POST /api/v1/cases/{id}/sharing-decisions": {"POST", "/api/v1/cases/{case}/sharing-decisions",
		`{"recipient":"ENISA single reporting platform","country":"EU","basis":"legal opinion","expires_at":"{expires}"}`, want{all: 403,
			except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 201, "other_reader": 404})}},
	// Intake: anyone submits, on both surfaces; the private link is the
	// reporter's credential, whoever else is signed in. Only triage staff
	// of the receiving organisation work the inbox; everyone else is
	// refused, and another organisation's triager would get 404.
	"GET /.well-known/security.txt":    {"GET", "/.well-known/security.txt", "", want{all: 200}},
	"GET /.well-known/openpgp-key.asc": {"GET", "/.well-known/openpgp-key.asc", "", want{all: 200}},
	// The CSAF provider: TLP:WHITE for everyone, other labels for
	// authenticated callers (401 without; each sees what it may read,
	// here nothing). No advisory is published in this matrix: the crawl
	// in csafprovider_test.go reads real documents.
	"GET /.well-known/csaf/provider-metadata.json": {"GET", "/.well-known/csaf/provider-metadata.json", "", want{all: 200}},
	"GET /.well-known/csaf/service.json":           {"GET", "/.well-known/csaf/service.json", "", want{all: 200}},
	"GET /.well-known/csaf/openpgp/{key}":          {"GET", "/.well-known/csaf/openpgp/0000.asc", "", want{all: 404}},
	"GET /.well-known/csaf/{folder}/{file}":        {"GET", "/.well-known/csaf/amber/index.txt", "", want{all: 200, except: map[string]int{"anonymous": 401}}},
	"GET /.well-known/csaf/{folder}/{year}/{file}": {"GET", "/.well-known/csaf/white/2026/emb-2026-0001-sa.json", "", want{all: 404}},
	"GET /report":            {"GET", "/report", "", want{all: 200}},
	"GET /policy":            {"GET", "/policy", "", want{all: 200}},
	"POST /report":           {"POST", "/report", "title=x&description=y", want{all: 201}},
	"GET /report/s/{secret}": {"GET", "/report/s/{secret}", "", want{all: 200}},
	"GET /report/s/{secret}/attachments/{id}":         {"GET", "/report/s/{secret}/attachments/{attachment}", "", want{all: 200}},
	"POST /report/s/{secret}/messages":                {"POST", "/report/s/{secret}/messages", "body=more", want{all: 303}},
	"POST /report/s/{secret}/preferences":             {"POST", "/report/s/{secret}/preferences", "credit=name", want{all: 303}},
	"GET /reports":                                    {"GET", "/reports", "", want{all: 403, except: map[string]int{"anonymous": 303, string(access.Triager): 200}}},
	"GET /reports/{tracking}":                         {"GET", "/reports/{report}", "", want{all: 403, except: map[string]int{"anonymous": 303, string(access.Triager): 200}}},
	"GET /reports/{tracking}/raw":                     {"GET", "/reports/{report}/raw", "", want{all: 403, except: map[string]int{"anonymous": 303, string(access.Triager): 200}}},
	"GET /reports/{tracking}/attachments/{id}":        {"GET", "/reports/{report}/attachments/{attachment}", "", want{all: 403, except: map[string]int{"anonymous": 303, string(access.Triager): 200}}},
	"POST /reports/{tracking}/triage":                 {"POST", "/reports/{report}/triage", "status=invalid&reason=x", want{all: 403, except: map[string]int{"anonymous": 401, string(access.Triager): 303}}},
	"POST /reports/{tracking}/attach":                 {"POST", "/reports/{report_attach_web}/attach", "case={case}", want{all: 403, except: map[string]int{"anonymous": 401, string(access.Triager): 303}}},
	"POST /reports/{tracking}/promote":                {"POST", "/reports/{report_web}/promote", "", want{all: 403, except: map[string]int{"anonymous": 401, string(access.Triager): 303}}},
	"POST /reports/{tracking}/messages":               {"POST", "/reports/{report}/messages", "body=thanks", want{all: 403, except: map[string]int{"anonymous": 401, string(access.Triager): 303}}},
	"POST /api/v1/reports":                            {"POST", "/api/v1/reports", `{"title":"x","description":"y"}`, want{all: 201}},
	"GET /api/v1/reports":                             {"GET", "/api/v1/reports", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 200})}},
	"GET /api/v1/reports/{tracking}":                  {"GET", "/api/v1/reports/{report}", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 200})}},
	"GET /api/v1/reports/{tracking}/raw":              {"GET", "/api/v1/reports/{report}/raw", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 200})}},
	"GET /api/v1/reports/{tracking}/attachments/{id}": {"GET", "/api/v1/reports/{report}/attachments/{attachment}", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 200})}},
	"GET /api/v1/reports/{tracking}/similar":          {"GET", "/api/v1/reports/{report}/similar", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 200})}},
	"POST /api/v1/reports/{tracking}/triage":          {"POST", "/api/v1/reports/{report}/triage", `{"status":"invalid","reason":"x"}`, want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 200})}},
	"POST /api/v1/reports/{tracking}/attach":          {"POST", "/api/v1/reports/{report_attach_api}/attach", `{"case_id":{case}}`, want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 200})}},
	"POST /api/v1/reports/{tracking}/promote":         {"POST", "/api/v1/reports/{report_api}/promote", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 201})}},
	"POST /api/v1/reports/{tracking}/messages":        {"POST", "/api/v1/reports/{report}/messages", `{"body":"thanks"}`, want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Triager): 201})}},
	// The audit log: audit.read holders (administrators, compliance
	// officers, auditors) read their own organisation's events.
	"GET /admin/audit":          {"GET", "/admin/audit?action=case.", "", want{all: 403, except: auditReaders(200, map[string]int{"anonymous": 303})}},
	"GET /admin/access-review":  {"GET", "/admin/access-review?format=csv", "", want{all: 403, except: auditReaders(200, map[string]int{"anonymous": 303})}},
	"GET /api/v1/access-review": {"GET", "/api/v1/access-review", "", want{all: 403, except: auditReaders(200, copyMap(noTokenRoles))}},
	// Quarterly records: their organisation's audit readers read them;
	// the first of those who may sign (the administrator) signs, the
	// compliance officer then finds it signed.
	"GET /admin/access-review/{id}": {"GET", "/admin/access-review/{review_web}", "", want{all: 403, except: merge(auditReaders(200,
		map[string]int{}), map[string]int{"anonymous": 303, "other_tenant": 404, "other_reader": 404})}},
	"GET /api/v1/access-reviews": {"GET", "/api/v1/access-reviews", "", want{all: 403, except: auditReaders(200, copyMap(noTokenRoles))}},
	"GET /api/v1/access-reviews/{id}": {"GET", "/api/v1/access-reviews/{review_api}", "", want{all: 403, except: merge(auditReaders(200,
		copyMap(noTokenRoles)), map[string]int{"other_tenant": 404, "other_reader": 404})}},
	"POST /admin/access-review/{id}/sign": {"POST", "/admin/access-review/{review_web}/sign", "note=ok", want{all: 403, except: map[string]int{
		"anonymous": 401, string(access.Administrator): 303, string(access.ComplianceOfficer): 409, "other_tenant": 404, "other_reader": 404}}},
	"POST /api/v1/access-reviews/{id}/sign": {"POST", "/api/v1/access-reviews/{review_api}/sign", `{"note":"ok"}`, want{all: 403, except: merge(copyMap(noTokenRoles),
		map[string]int{string(access.Administrator): 204, string(access.ComplianceOfficer): 409, "other_tenant": 404, "other_reader": 404})}},
	"POST /admin/audit/verify": {"POST", "/admin/audit/verify", "", want{all: 403, except: auditReaders(200, map[string]int{"anonymous": 401})}},
	"GET /api/v1/audit":        {"GET", "/api/v1/audit?limit=5", "", want{all: 403, except: auditReaders(200, copyMap(noTokenRoles))}},
	// Web: user administration, for administrators of their own organisation.
	"GET /admin/users": {"GET", "/admin/users", "", want{all: 403, except: map[string]int{
		"anonymous": 303, string(access.Administrator): 200, "other_tenant": 200}}},
	"POST /admin/users": {"POST", "/admin/users", "email=bad&role=engineer&country=CN", want{all: 403, except: map[string]int{
		"anonymous": 401, string(access.Administrator): 400, "other_tenant": 400}}},
	// Enabling a user of organisation 1: allowed to its administrator only;
	// another organisation's administrator is told it does not exist.
	"POST /admin/users/{action}": {"POST", "/admin/users/enable", "email=target@example.cn", want{all: 403, except: map[string]int{
		"anonymous": 401, string(access.Administrator): 303, "other_tenant": 404}}},
	// The product catalogue: readers of cases and keepers of products read
	// their organisation's; keepers change it. The administrator deletes the
	// product first; for the next keepers it is gone.
	"GET /products": {"GET", "/products", "", want{all: 200, except: map[string]int{"anonymous": 303, string(access.Auditor): 403,
		string(access.Reporter): 403, string(access.PartyContact): 403}}},
	"GET /products/export": {"GET", "/products/export?format=csv", "", want{all: 200, except: map[string]int{"anonymous": 303, string(access.Auditor): 403,
		string(access.Reporter): 403, string(access.PartyContact): 403}}},
	"POST /products/import": {"POST", "/products/import", "replace=on", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Administrator): 400, string(access.ComplianceOfficer): 400, string(access.Engineer): 400, "other_tenant": 400, "other_reader": 400}}},
	// What hits the catalogue's versions, what an advisory hits, and the
	// assets: case.read or product.manage, the caller's organisation's
	// only (another organisation's version does not exist for it).
	"GET /products/{id}/versions/{vid}": {"GET", "/products/{product}/versions/{version}", "", want{all: 200, except: map[string]int{"anonymous": 303,
		string(access.Auditor): 403, string(access.Reporter): 403, string(access.PartyContact): 403, "other_tenant": 404, "other_reader": 404}}},
	"GET /upstream/{id}": {"GET", "/upstream/GO-2099-0002", "", want{all: 200, except: map[string]int{"anonymous": 303,
		string(access.Auditor): 403, string(access.Reporter): 403, string(access.PartyContact): 403}}},
	"GET /assets": {"GET", "/assets", "", want{all: 200, except: map[string]int{"anonymous": 303,
		string(access.Auditor): 403, string(access.Reporter): 403, string(access.PartyContact): 403}}},
	// The import page: feed records for organisation administrators,
	// VEX and assets for product.manage; an import is seen only by its
	// sender (a made-up ID is nobody's).
	"GET /imports": {"GET", "/imports", "", want{all: 403, except: map[string]int{"anonymous": 303,
		string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Engineer): 200, "other_tenant": 200, "other_reader": 200}}},
	"POST /imports": {"POST", "/imports", "kind=nothing", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Administrator): 400, string(access.ComplianceOfficer): 400, string(access.Engineer): 400, "other_tenant": 400, "other_reader": 400}}},
	"GET /imports/{id}": {"GET", "/imports/NOSUCHIMPORT", "", want{all: 403, except: map[string]int{"anonymous": 303,
		string(access.Administrator): 404, string(access.ComplianceOfficer): 404, string(access.Engineer): 404, "other_tenant": 404, "other_reader": 404}}},
	"GET /api/v1/products": {"GET", "/api/v1/products", "", want{all: 200, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Auditor): 403})}},
	"POST /api/v1/products/import": {"POST", "/api/v1/products/import", `{"format":"embargo.products.v1","products":[]}`, want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Engineer): 200, "other_tenant": 200, "other_reader": 200})}},
	"DELETE /api/v1/products/{id}": {"DELETE", "/api/v1/products/{product_del}", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Administrator): 204, string(access.ComplianceOfficer): 404, string(access.Engineer): 404, "other_tenant": 404, "other_reader": 404})}},
	"GET /api/v1/products/{id}/versions": {"GET", "/api/v1/products/{product}/versions?range=%3E%3D1.0.1", "", want{all: 200, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Auditor): 403, "other_tenant": 404, "other_reader": 404})}},
	// Public subscriptions to a product's notices: product.manage, the
	// caller's organisation's products only.
	"GET /api/v1/products/{id}/subscriptions": {"GET", "/api/v1/products/{product}/subscriptions", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Engineer): 200, "other_tenant": 404, "other_reader": 404})}},
	// The exposure engine: advisories imported by administrators
	// (org.manage; they are public data shared by every organisation);
	// matches and assets read with case.read or product.manage, the
	// caller's organisation's only; assets imported with product.manage.
	"POST /api/v1/advisories": {"POST", "/api/v1/advisories", `{"schema_version":"1.6.0","id":"GO-2099-0001","modified":"2099-01-01T00:00:00Z"}`,
		want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Administrator): 200, "other_tenant": 200})}},
	"GET /api/v1/advisories/{id}/matches": {"GET", "/api/v1/advisories/GO-2099-0001/matches", "", want{all: 200, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Auditor): 403})}},
	"GET /api/v1/products/{id}/versions/{vid}/matches": {"GET", "/api/v1/products/{product}/versions/{version}/matches", "", want{all: 200, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Auditor): 403, "other_tenant": 404, "other_reader": 404})}},
	"GET /api/v1/assets": {"GET", "/api/v1/assets", "", want{all: 200, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Auditor): 403})}},
	"POST /api/v1/assets": {"POST", "/api/v1/assets?name=db1", `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[]}`, want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Engineer): 200, "other_tenant": 200, "other_reader": 200})}},
	// VEX statements: imported with product.manage, exported with
	// case.read or product.manage, each organisation its own.
	"POST /api/v1/vex": {"POST", "/api/v1/vex", `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://psirt.example.cn/vex/1","author":"PSIRT","timestamp":"2026-03-01T12:00:00Z","version":1,"statements":[{"vulnerability":{"name":"CVE-2099-0001"},"products":[{"@id":"pkg:golang/example.com/m@v1.0.0"}],"status":"not_affected","justification":"component_not_present"}]}`,
		want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
			string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Engineer): 200, "other_tenant": 200, "other_reader": 200})}},
	"GET /api/v1/vex": {"GET", "/api/v1/vex?format=csaf", "", want{all: 200, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Auditor): 403})}},
	// The outbox, for administrators (org.manage) of the message's
	// organisation; another organisation's administrator finds no message.
	"GET /admin/outbox": {"GET", "/admin/outbox?state=dead", "", want{all: 403, except: map[string]int{
		"anonymous": 303, string(access.Administrator): 200, "other_tenant": 200}}},
	"POST /admin/outbox/{id}/retry": {"POST", "/admin/outbox/{dead_web}/retry", "", want{all: 403, except: map[string]int{
		"anonymous": 401, string(access.Administrator): 303, "other_tenant": 404}}},
	"GET /api/v1/outbox": {"GET", "/api/v1/outbox?state=dead", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Administrator): 200, "other_tenant": 200})}},
	"POST /api/v1/outbox/{id}/retry": {"POST", "/api/v1/outbox/{dead_api}/retry", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Administrator): 204, "other_tenant": 404})}},
	// API: public description, then the caller's own identity and tokens.
	"GET /api/v1/openapi.json": {"GET", "/api/v1/openapi.json", "", want{all: 200}},
	"GET /api/v1/version":      {"GET", "/api/v1/version", "", want{all: 200}},
	"GET /api/v1/me":           {"GET", "/api/v1/me", "", want{all: 200, except: noTokenRoles}},
	"GET /api/v1/tokens":       {"GET", "/api/v1/tokens", "", want{all: 200, except: noTokenRoles}},
	"DELETE /api/v1/tokens/{id}": {"DELETE", "/api/v1/tokens/{other_token}", "",
		want{all: 404, except: noTokenRoles}}, // another user's token does not exist for the caller
	// Remediation and notices: read like the case; remediation.write
	// (engineers, compliance officers) records fixes and sends campaigns.
	// The case has no scope, so a fix is refused (400) and so is a
	// campaign (409: no fix yet); campaign 999 does not exist.
	"GET /cases/{id}/remediation": {"GET", "/cases/{case}/remediation", "", want{all: 403, except: readers(404, map[string]int{"anonymous": 303,
		string(access.Triager): 200, string(access.ComplianceOfficer): 200})}},
	"POST /cases/{id}/remediation": {"POST", "/cases/{case}/remediation", "target=line%3A1.x&status=fixed&fixed_version=1.2", want{all: 403,
		except: map[string]int{"anonymous": 401, string(access.ComplianceOfficer): 400, string(access.Engineer): 404, "other_reader": 404}}},
	"POST /cases/{id}/campaigns": {"POST", "/cases/{case}/campaigns", "message_en=upgrade", want{all: 403,
		except: map[string]int{"anonymous": 401, string(access.ComplianceOfficer): 409, string(access.Engineer): 404, "other_reader": 404}}},
	"GET /cases/{id}/campaigns/{campaign}": {"GET", "/cases/{case}/campaigns/999", "", want{all: 403, except: readers(404, map[string]int{"anonymous": 303})}},
	"POST /cases/{id}/campaigns/{campaign}/send": {"POST", "/cases/{case}/campaigns/999/send", "", want{all: 403,
		except: map[string]int{"anonymous": 401, string(access.ComplianceOfficer): 404, string(access.Engineer): 404, "other_reader": 404}}},
	"POST /cases/{id}/campaigns/{campaign}/resend": {"POST", "/cases/{case}/campaigns/999/resend", "", want{all: 403,
		except: map[string]int{"anonymous": 401, string(access.ComplianceOfficer): 404, string(access.Engineer): 404, "other_reader": 404}}},
	"GET /customers": {"GET", "/customers", "", want{all: 200, except: map[string]int{"anonymous": 303, string(access.Auditor): 403,
		string(access.Reporter): 403, string(access.PartyContact): 403}}},
	"POST /customers/import": {"POST", "/customers/import", "x=y", want{all: 403, except: map[string]int{"anonymous": 401,
		string(access.Administrator): 400, string(access.ComplianceOfficer): 400, string(access.Engineer): 400, "other_tenant": 400, "other_reader": 400}}},
	// The public pages of recipients and subscribers: anyone; a wrong link
	// is 404, the forms that only show a button are 200.
	"GET /notices/r/{token}":            {"GET", "/notices/r/wrong", "", want{all: 404}},
	"POST /notices/r/{token}/ack":       {"POST", "/notices/r/wrong/ack", "", want{all: 404}},
	"POST /notices/r/{token}/reply":     {"POST", "/notices/r/wrong/reply", "body=help", want{all: 404}},
	"GET /notices/subscribe/{product}":  {"GET", "/notices/subscribe/{product}", "", want{all: 200}},
	"POST /notices/subscribe/{product}": {"POST", "/notices/subscribe/{product}", "email=fan%40example.cn", want{all: 200}},
	"GET /notices/confirm/{token}":      {"GET", "/notices/confirm/wrong", "", want{all: 200}},
	"POST /notices/confirm/{token}":     {"POST", "/notices/confirm/wrong", "", want{all: 404}},
	"GET /notices/unsubscribe/{token}":  {"GET", "/notices/unsubscribe/wrong", "", want{all: 200}},
	"POST /notices/unsubscribe/{token}": {"POST", "/notices/unsubscribe/wrong", "List-Unsubscribe=One-Click", want{all: 404}},
	"GET /api/v1/cases/{id}/remediation": {"GET", "/api/v1/cases/{case}/remediation", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"PUT /api/v1/cases/{id}/remediation": {"PUT", "/api/v1/cases/{case}/remediation", `{"line":"1.x","status":"fixed","fixed_version":"1.2"}`, want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 400, string(access.Engineer): 404, "other_reader": 404})}},
	"GET /api/v1/cases/{id}/campaigns": {"GET", "/api/v1/cases/{case}/campaigns", "", want{all: 403, except: readers(404, merge(copyMap(noTokenRoles), map[string]int{
		string(access.Triager): 200, string(access.ComplianceOfficer): 200}))}},
	"POST /api/v1/cases/{id}/campaigns": {"POST", "/api/v1/cases/{case}/campaigns", `{"message_en":"upgrade"}`, want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 409, string(access.Engineer): 404, "other_reader": 404})}},
	"GET /api/v1/cases/{id}/campaigns/{campaign}": {"GET", "/api/v1/cases/{case}/campaigns/999", "", want{all: 403, except: readers(404, copyMap(noTokenRoles))}},
	"GET /api/v1/cases/{id}/campaigns/{campaign}/preview": {"GET", "/api/v1/cases/{case}/campaigns/999/preview", "", want{all: 403,
		except: readers(404, copyMap(noTokenRoles))}},
	"POST /api/v1/cases/{id}/campaigns/{campaign}/send": {"POST", "/api/v1/cases/{case}/campaigns/999/send", "", want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 404, string(access.Engineer): 404, "other_reader": 404})}},
	"POST /api/v1/cases/{id}/campaigns/{campaign}/resend": {"POST", "/api/v1/cases/{case}/campaigns/999/resend", "", want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 404, string(access.Engineer): 404, "other_reader": 404})}},
	"GET /api/v1/customers": {"GET", "/api/v1/customers", "", want{all: 200, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Auditor): 403})}},
	"PUT /api/v1/customers": {"PUT", "/api/v1/customers", `{"customers":[]}`, want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Administrator): 200, string(access.ComplianceOfficer): 200, string(access.Engineer): 200, "other_tenant": 200, "other_reader": 200})}},
	"DELETE /api/v1/customers/{name}": {"DELETE", "/api/v1/customers/nobody", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.Administrator): 404, string(access.ComplianceOfficer): 404, string(access.Engineer): 404, "other_tenant": 404, "other_reader": 404})}},
	// The case's advisory and the publication gate: read like the case;
	// advisory.write (publishers) drafts and edits, advisory.publish
	// (publishers, compliance officers) approves, schedules, publishes
	// and withdraws, sharing.approve (compliance officers) records MPS's
	// consent and keeps the blackout calendar. No one with advisory.write
	// is on the case's access list, so the case never gets an advisory
	// here: who may act gets 404 (the publisher does not see the case;
	// the compliance officer finds no advisory), everyone else 403.
	"GET /cases/{id}/publication": {"GET", "/cases/{case}/publication", "", want{all: 403, except: readers(404, map[string]int{"anonymous": 303,
		string(access.Triager): 200, string(access.ComplianceOfficer): 200})}},
	"GET /cases/{id}/publication/export/{format}": {"GET", "/cases/{case}/publication/export/csaf", "", want{all: 403,
		except: readers(404, map[string]int{"anonymous": 303})}},
	"POST /cases/{id}/publication": {"POST", "/cases/{case}/publication", "", want{all: 403,
		except: map[string]int{"anonymous": 401, string(access.Publisher): 404}}},
	"POST /cases/{id}/publication/{action}": {"POST", "/cases/{case}/publication/approve", "", want{all: 403,
		except: map[string]int{"anonymous": 401, string(access.Publisher): 404, string(access.ComplianceOfficer): 404, "other_reader": 404}}},
	// The public advisory channels: open to everyone. The advisory asked
	// for is TLP:AMBER, on a case only the triager and the compliance
	// officer may read: for everyone else it does not exist (CSAF-3).
	"GET /advisories":           {"GET", "/advisories", "", want{all: 200}},
	"GET /advisories/feed.rss":  {"GET", "/advisories/feed.rss", "", want{all: 200}},
	"GET /advisories/feed.atom": {"GET", "/advisories/feed.atom?lang=en", "", want{all: 200}},
	"GET /advisories/{ref}": {"GET", "/advisories/{advisory}", "", want{all: 404, except: map[string]int{string(access.Triager): 200,
		string(access.ComplianceOfficer): 200}}},
	"GET /blackouts": {"GET", "/blackouts", "", want{all: 403, except: map[string]int{"anonymous": 303, string(access.ComplianceOfficer): 200,
		string(access.Triager): 200, string(access.Engineer): 200, string(access.Publisher): 200, "other_reader": 200}}},
	"POST /blackouts": {"POST", "/blackouts", "name_zh=%E5%9B%BD%E5%BA%86&name_en=National+Day&start=2027-10-01T00%3A00&end=2027-10-08T00%3A00",
		want{all: 403, except: map[string]int{"anonymous": 401, string(access.ComplianceOfficer): 303, "other_reader": 303}}},
	"POST /blackouts/{id}/delete": {"POST", "/blackouts/999/delete", "", want{all: 403,
		except: map[string]int{"anonymous": 401, string(access.ComplianceOfficer): 404, "other_reader": 404}}},
	"GET /api/v1/cases/{id}/advisory":      {"GET", "/api/v1/cases/{case}/advisory", "", want{all: 403, except: readers(404, copyMap(noTokenRoles))}},
	"GET /api/v1/cases/{id}/advisory/csaf": {"GET", "/api/v1/cases/{case}/advisory/csaf", "", want{all: 403, except: readers(404, copyMap(noTokenRoles))}},

	// The published advisory in the other export formats.
	"GET /api/v1/cases/{id}/advisory/cve5":    {"GET", "/api/v1/cases/{case}/advisory/cve5", "", want{all: 403, except: readers(404, copyMap(noTokenRoles))}},
	"GET /api/v1/cases/{id}/advisory/osv":     {"GET", "/api/v1/cases/{case}/advisory/osv", "", want{all: 403, except: readers(404, copyMap(noTokenRoles))}},
	"GET /api/v1/cases/{id}/advisory/openvex": {"GET", "/api/v1/cases/{case}/advisory/openvex", "", want{all: 403, except: readers(404, copyMap(noTokenRoles))}},
	"POST /api/v1/cases/{id}/advisory": {"POST", "/api/v1/cases/{case}/advisory", "", want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.Publisher): 404})}},
	"PUT /api/v1/cases/{id}/advisory": {"PUT", "/api/v1/cases/{case}/advisory", `{"title":{"zh":"命令注入","en":"Command injection"}}`, want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.Publisher): 404})}},
	"POST /api/v1/cases/{id}/advisory/submit": {"POST", "/api/v1/cases/{case}/advisory/submit", "", want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.Publisher): 404})}},
	"POST /api/v1/cases/{id}/advisory/not-operator": {"POST", "/api/v1/cases/{case}/advisory/not-operator", `{"finding":"ipv4:192.0.2.1","reason":"ours"}`,
		want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.Publisher): 404})}},
	"POST /api/v1/cases/{id}/advisory/approve":          {"POST", "/api/v1/cases/{case}/advisory/approve", "", want{all: 403, except: publishers(404)}},
	"POST /api/v1/cases/{id}/advisory/schedule":         {"POST", "/api/v1/cases/{case}/advisory/schedule", `{}`, want{all: 403, except: publishers(404)}},
	"POST /api/v1/cases/{id}/advisory/publish":          {"POST", "/api/v1/cases/{case}/advisory/publish", `{}`, want{all: 403, except: publishers(404)}},
	"POST /api/v1/cases/{id}/advisory/withdraw":         {"POST", "/api/v1/cases/{case}/advisory/withdraw", `{"en":"in error"}`, want{all: 403, except: publishers(404)}},
	"PUT /api/v1/cases/{id}/advisory/early-publication": {"PUT", "/api/v1/cases/{case}/advisory/early-publication", `{}`, want{all: 403, except: publishers(404)}},
	"POST /api/v1/cases/{id}/advisory/mps-consent": {"POST", "/api/v1/cases/{case}/advisory/mps-consent",
		`{"blackout_id":1,"reference":"MPS-1","date":"2027-01-01T00:00:00Z"}`, want{all: 403, except: merge(copyMap(noTokenRoles),
			map[string]int{string(access.ComplianceOfficer): 404, "other_reader": 404})}},
	"GET /api/v1/blackouts": {"GET", "/api/v1/blackouts", "", want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{
		string(access.ComplianceOfficer): 200, string(access.Triager): 200, string(access.Engineer): 200, string(access.Publisher): 200, "other_reader": 200})}},
	"POST /api/v1/blackouts": {"POST", "/api/v1/blackouts", `{"name_zh":"国庆","name_en":"National Day","start":"2027-09-30T16:00:00Z","end":"2027-10-07T16:00:00Z"}`,
		want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 201, "other_reader": 201})}},
	"PUT /api/v1/blackouts/{id}": {"PUT", "/api/v1/blackouts/999", `{"name_zh":"国庆","name_en":"National Day","start":"2027-09-30T16:00:00Z","end":"2027-10-07T16:00:00Z"}`,
		want{all: 403, except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 404, "other_reader": 404})}},
	"DELETE /api/v1/blackouts/{id}": {"DELETE", "/api/v1/blackouts/999", "", want{all: 403,
		except: merge(copyMap(noTokenRoles), map[string]int{string(access.ComplianceOfficer): 404, "other_reader": 404})}},
}

// publishers returns the API statuses of a route that needs
// advisory.publish on the case: status for those who hold it (none sees an
// advisory here), 401 for those who hold no token.
func publishers(status int) map[string]int {
	return merge(copyMap(noTokenRoles), map[string]int{string(access.Publisher): status, string(access.ComplianceOfficer): status,
		"other_reader": status})
}

// TestAuthorizationMatrix sends every registered route's request as every
// caller and checks the documented answer. It fails for a route that the
// matrix does not document, so a new route cannot ship unreviewed.
func TestAuthorizationMatrix(t *testing.T) {
	h, callers := newMatrixServer(t)
	var patterns []string
	patterns = append(patterns, h.web.Patterns()...)
	patterns = append(patterns, h.api.Patterns()...)
	for _, p := range patterns {
		if _, ok := matrix[p]; !ok {
			t.Errorf("route %q has no row in the authorization matrix (cmd/embargo/authz_test.go)", p)
		}
	}
	wantReads := map[string]bool{} // actors who read the undisclosed case
	for _, pattern := range matrixOrder() {
		mr := matrix[pattern]
		if !slices.Contains(patterns, pattern) {
			t.Errorf("matrix row %q names no registered route", pattern)
			continue
		}
		for _, c := range callers {
			got := h.do(t, mr, c, callers)
			if w := mr.want.for_(c.name); got != w {
				t.Errorf("%s as %s: status %d, want %d", pattern, c.name, got, w)
			}
			if got == 200 && strings.HasSuffix(mr.path, "{case}") {
				actor := "user:" + strconv.FormatInt(c.userID, 10)
				if strings.HasPrefix(mr.path, "/api/") {
					actor = "token:" + strconv.FormatInt(c.tokenID, 10)
				}
				wantReads[actor] = true
			}
		}
	}
	checkCaseReadsAudited(t, h.db, wantReads)
}

// checkCaseReadsAudited requires a case.read audit event by each actor
// that read the undisclosed case, on whichever surface, and no other.
func checkCaseReadsAudited(t *testing.T, db *store.DB, want map[string]bool) {
	t.Helper()
	events, err := db.AuditEvents(context.Background(), audit.Main, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range events {
		if e.Action == "case.read" {
			got[e.Actor] = true
		}
	}
	if len(want) < 4 { // triager and compliance officer, each on web and API
		t.Errorf("only %d successful case reads in the matrix", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("case.read audit actors (-want +got):\n%s", diff)
	}
}

// matrixOrder returns the matrix's patterns sorted, with the requests that
// end sessions last.
func matrixOrder() []string {
	var first, last []string
	for p := range matrix {
		if endsSession[p] {
			last = append(last, p)
		} else {
			first = append(first, p)
		}
	}
	slices.Sort(first)
	slices.Sort(last)
	return append(first, last...)
}

type matrixServer struct {
	handler http.Handler
	web     *web.Handler
	api     *api.Handler
	caseID  int64
	db      *store.DB
	reports []report.Ack // five reports to organisation 1; the first has attachment 1
	dead    [2]int64     // dead outbound messages of organisation 1, for the web and the API
	review  [2]int64     // recorded access reviews of organisation 1, for the web and the API
	product [2]int64     // products of organisation 1: one to read, one to delete
	version int64        // a version of the product to read
	target  int64        // the user that administration routes act on
	file    int64        // a file on the case
	duty    int64        // the case's NVDB obligation
	amber   string       // a published TLP:AMBER advisory of another case
}

// do sends mr as caller c: web routes with c's session cookie, API routes
// with c's bearer token.
func (m *matrixServer) do(t *testing.T, mr matrixRequest, c caller, all []caller) int {
	t.Helper()
	path := strings.ReplaceAll(mr.path, "{own_token}", strconv.FormatInt(c.tokenID, 10))
	path = strings.ReplaceAll(path, "{other_token}", strconv.FormatInt(otherToken(c, all), 10))
	path = strings.ReplaceAll(path, "{case}", strconv.FormatInt(m.caseID, 10))
	path = strings.NewReplacer("{report}", m.reports[0].TrackingID, "{report_api}", m.reports[1].TrackingID,
		"{report_web}", m.reports[2].TrackingID, "{secret}", m.reports[0].Secret, "{attachment}", "1",
		"{report_attach_api}", m.reports[3].TrackingID, "{report_attach_web}", m.reports[4].TrackingID,
		"{dead_web}", strconv.FormatInt(m.dead[0], 10), "{dead_api}", strconv.FormatInt(m.dead[1], 10),
		"{review_web}", strconv.FormatInt(m.review[0], 10), "{review_api}", strconv.FormatInt(m.review[1], 10),
		"{product}", strconv.FormatInt(m.product[0], 10), "{product_del}", strconv.FormatInt(m.product[1], 10),
		"{version}", strconv.FormatInt(m.version, 10),
		"{target}", strconv.FormatInt(m.target, 10), "{file}", strconv.FormatInt(m.file, 10),
		"{obligation}", strconv.FormatInt(m.duty, 10), "{advisory}", m.amber).Replace(path)
	form := strings.NewReplacer("{target}", strconv.FormatInt(m.target, 10), "{case}", strconv.FormatInt(m.caseID, 10),
		"{expires}", time.Now().UTC().AddDate(0, 3, 0).Format(time.RFC3339)).Replace(mr.form)
	req := httptest.NewRequest(mr.method, path, strings.NewReader(form))
	req.RemoteAddr = "10.9.0." + strconv.Itoa(slices.IndexFunc(all, func(o caller) bool { return o.name == c.name })+1) + ":40000"
	switch {
	case strings.HasPrefix(mr.form, "{"):
		req.Header.Set("Content-Type", "application/json")
	case mr.form != "":
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.HasPrefix(path, "/api/") {
		if c.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+c.bearer)
		}
	} else if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "embargo_session", Value: c.cookie})
	}
	rec := httptest.NewRecorder()
	m.handler.ServeHTTP(rec, req)
	_, _ = io.Copy(io.Discard, rec.Body)
	return rec.Code
}

// otherToken returns the ID of a token that belongs to someone else.
func otherToken(c caller, all []caller) int64 {
	for _, o := range all {
		if o.tokenID != 0 && o.tokenID != c.tokenID {
			return o.tokenID
		}
	}
	return 999
}

// newMatrixServer builds the whole handler on a fresh instance with one
// user per role in organisation 1, and one administrator of organisation 2.
func newMatrixServer(t *testing.T) (*matrixServer, []caller) {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	mustSetUp(t, data)
	// Outbound mail is on, so that the recovery pages exist; the worker
	// does not run here.
	relay := notifytest.Start(t, &notifytest.Mailbox{}, nil)
	c, _, _ := parseConfig(envFrom(nil), "test", []string{"--data", data, "--mail-relay", relay, "--mail-relay-tls", "none"}, nil)
	db, kr, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var other int64
	err = db.Transact(ctx, func(tx *store.Tx) (err error) {
		other, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Other", Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := identity.NewService(db, identity.DefaultPolicy, nil).WithSealer(kr)
	callers := []caller{{name: "anonymous"}}
	for _, r := range access.Roles() {
		callers = append(callers, mustCaller(t, svc, string(r), 1, r))
	}
	callers = append(callers, mustCaller(t, svc, "other_tenant", other, access.Administrator),
		mustCaller(t, svc, "other_reader", other, access.ComplianceOfficer))
	target := mustCaller(t, svc, "target", 1, access.Engineer) // the user that administration routes act on
	// One undisclosed case, opened by the triager: on its access list are
	// the triager only; the compliance officer reads every case. Its
	// duties are raised as the server raises them.
	triager, _, _ := svc.Authenticate(ctx, callers[slices.IndexFunc(callers, func(c caller) bool { return c.name == "triager" })].cookie)
	cw := casework.NewService(db, kr, "EMB")
	duties := obligation.NewService(db, cw, kr)
	cw.WithChangeHook(duties.Reconcile)
	kase, err := cw.Create(ctx, triager, casework.NewCase{Title: "t", Summary: "s"})
	if err != nil {
		t.Fatal(err)
	}
	raised, err := duties.ForCase(ctx, triager, kase.ID)
	nvdb := slices.IndexFunc(raised, func(o obligation.Obligation) bool { return o.Duty == "cn.nvdb_report" })
	if err != nil || nvdb < 0 {
		t.Fatalf("the case's duties: %+v, %v", raised, err)
	}

	w, err := web.New(web.Config{Setup: identity.NewSetup(db), Identity: svc})
	if err != nil {
		t.Fatal(err)
	}
	app, err := newApp(ctx, c, c.Logger(io.Discard), db, kr, "http://127.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.reports.Close)
	handler := app.handler
	a, err := api.New(api.Config{Logger: c.Logger(io.Discard), Identity: svc, Orgs: db})
	if err != nil {
		t.Fatal(err)
	}
	intake := report.NewService(db, kr, report.Options{})
	defer intake.Close()
	var reports []report.Ack
	for i := range 5 {
		sub := report.Submission{Channel: report.API, Title: "matrix report", Description: "d", Raw: []byte{byte(i)}}
		if i == 0 {
			sub.Attachments = []report.Attachment{{Name: "poc.txt", Data: []byte("poc")}}
		}
		ack, err := intake.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, ack)
	}
	var dead [2]int64
	for i := range dead {
		if dead[i], err = app.outbound.svc.Enqueue(ctx, notify.Message{OrgID: 1, Kind: notify.Webhook, DedupKey: "matrix:" + strconv.Itoa(i),
			Target: "https://siem.example.cn/hook", Secret: "s", Event: "test", Data: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.ClaimOutbox(ctx, "matrix", time.Now(), 10, time.Minute)
	if err != nil || len(rows) != 2 {
		t.Fatalf("claim = %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if err := db.MarkOutboxFailed(ctx, r, notify.Failure{Error: "HTTP 400", Dead: true, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	var review [2]int64
	for i, at := range []time.Time{time.Now(), time.Now().AddDate(0, -3, 0)} {
		recs, err := app.review.cases.RecordQuarterlyReviews(ctx, access.System(), db, at)
		if err != nil || len(recs) != 2 || recs[0].OrgID != 1 {
			t.Fatalf("record reviews: %+v, %v", recs, err)
		}
		review[i] = recs[0].ID
	}
	file, err := casework.NewService(db, kr, "EMB").AddFile(ctx, triager, kase.ID, "crash.log", []byte("segfault"), false)
	if err != nil {
		t.Fatal(err)
	}
	var products [2]int64
	var version int64
	keeper := access.Operator()
	keeper.OrgID = 1
	for i, name := range []string{"AX3000 路由器", "旧型号交换机"} {
		pr, err := product.NewService(db).Create(ctx, keeper, product.Product{Name: name,
			Models: []product.Model{{Name: "M1", Versions: []product.Version{{Version: "1.0.0"}, {Version: "1.0.4"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		products[i] = pr.ID
		if i == 0 {
			version = pr.Models[0].Versions[0].ID
		}
	}
	if err := app.exposure.CatalogueChanged(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// An advisory for the web's advisory page (the API's is imported by
	// its own row).
	if _, err := app.exposure.ImportAdvisories(ctx, access.Operator(), []exposure.Advisory{{ID: "GO-2099-0002", Source: "osv"}}, nil); err != nil {
		t.Fatal(err)
	}
	// Published advisories for the public pages, each on a case of its
	// own (the matrix's case has none): a TLP:WHITE one and the AMBER one.
	mustPublishAdvisory(t, db, cw, triager, "")
	amber := mustPublishAdvisory(t, db, cw, triager, advisory.TLPAmber)
	return &matrixServer{handler: handler, web: w, api: a, caseID: kase.ID, db: db, reports: reports, dead: dead, review: review,
		product: products, version: version, target: target.userID, file: file.ID, duty: raised[nvdb].ID, amber: amber}, callers
}

// mustPublishAdvisory opens a case as p and stores a published advisory
// for it with label tlp, as the publication gate leaves one (the working
// copy is not read here), and returns its ref.
func mustPublishAdvisory(t *testing.T, db *store.DB, cw *casework.Service, p *access.Principal, tlp string) string {
	t.Helper()
	ctx := context.Background()
	c, err := cw.Create(ctx, p, casework.NewCase{Title: "advisory " + tlp, Summary: "s"})
	if err != nil {
		t.Fatal(err)
	}
	ref, now := c.Ref+"-SA", time.Now().UTC()
	err = db.Transact(ctx, func(tx *store.Tx) error {
		id, err := tx.CreateAdvisory(ctx, advisory.Advisory{OrgID: c.OrgID, CaseID: c.ID, Ref: ref, State: advisory.Published, Live: 1,
			PublishedAt: now, CreatedAt: now, UpdatedAt: now}, []byte("not read"))
		if err != nil {
			return err
		}
		ct := advisory.Content{Title: advisory.Text{ZH: "命令注入", EN: "Command injection"}, Grade: "high", TLP: tlp}
		return tx.AddRevision(ctx, c.OrgID, advisory.Revision{AdvisoryID: id, Number: 1, Kind: advisory.Release, Content: ct,
			PublishedAt: now, PublishedBy: "user:1", ApprovedBy: "user:2"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// mustCaller creates a user with role in org, signs them in and, when the
// role allows, gives them an API token with every permission of the role.
func mustCaller(t *testing.T, svc *identity.Service, name string, org int64, role access.Role) caller {
	t.Helper()
	ctx := context.Background()
	email := name + "@example.cn"
	_, err := svc.CreateUser(ctx, access.Operator(), identity.NewUser{Email: email, DisplayName: name,
		Password: "tangerine rooftop lantern", OrgID: org, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	cookie, _, err := svc.SignIn(ctx, email, "tangerine rooftop lantern", identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	p, _, _ := svc.Authenticate(ctx, cookie)
	c := caller{name: name, cookie: cookie, userID: p.UserID}
	if role.ReadsUndisclosed() { // two-factor is required: enrol, which also passes it
		en, err := svc.BeginTOTP(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(en.Secret, time.Now())
		if _, err := svc.ConfirmTOTP(ctx, p, cookie, code); err != nil {
			t.Fatal(err)
		}
		p, _, _ = svc.Authenticate(ctx, cookie)
	}
	var scopes []access.Permission
	for _, perm := range access.Permissions() {
		if role.Can(perm) {
			scopes = append(scopes, perm)
		}
	}
	if err := svc.AcceptStatement(ctx, p, 1); err != nil {
		t.Fatal(err)
	}
	p, _, _ = svc.Authenticate(ctx, cookie)
	if role.Can(access.ManageOwnTokens) {
		secret, tok, err := svc.CreateToken(ctx, p, identity.NewToken{Name: "matrix", Scopes: scopes})
		if err != nil {
			t.Fatal(err)
		}
		c.bearer, c.tokenID = secret, tok.ID
	}
	return c
}
