package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// oblWorld is the API over a real store, with the casework and obligations
// services wired as the server wires them, and an API token per person.
type oblWorld struct {
	h      *Handler
	doc    *openapi3.T
	tokens map[string]string // "triager", "compliance", "engineer" → bearer secret
}

func newOblWorld(t *testing.T, dsn string) *oblWorld {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	cases := casework.NewService(d.DB, kr, "EMB")
	obl := obligation.NewService(d.DB, cases, kr).WithEvidence([]evidence.Signer{evidence.SignerFromInstanceKey(kr)}, d.DB, "https://embargo.example.cn/")
	cases.WithChangeHook(obl.Reconcile)
	var org int64
	err = d.DB.Transact(ctx, func(tx *store.Tx) error {
		if org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme 网络", Kinds: []string{"provider"},
			Country: "CN", CreatedAt: tx.Now()}); err != nil {
			return err
		}
		_, err := tx.PutSupplier(ctx, org, product.Party{Name: "Upstream Inc.", Country: "US", Email: "psirt@upstream.example"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	w := &oblWorld{doc: mustLoadOpenAPI(t), tokens: map[string]string{}}
	for name, role := range map[string]access.Role{"triager": access.Triager, "compliance": access.ComplianceOfficer,
		"engineer": access.Engineer} {
		w.tokens[name] = mustToken(t, ids, org, name, role)
	}
	// A compliance officer working from Singapore: a foreign recipient.
	w.tokens["abroad"] = mustTokenIn(t, ids, org, "abroad", access.ComplianceOfficer, "SG")
	w.h = mustNew(t, Config{Identity: ids, Orgs: d.DB, Cases: cases, Obligations: obl})
	return w
}

// mustToken creates a person with role who accepted the confidentiality
// statement, and an API token with every permission of the role.
func mustToken(t testing.TB, ids *identity.Service, org int64, name string, role access.Role) string {
	t.Helper()
	return mustTokenIn(t, ids, org, name, role, "CN")
}

// mustTokenIn is mustToken for a person in country.
func mustTokenIn(t testing.TB, ids *identity.Service, org int64, name string, role access.Role, country string) string {
	t.Helper()
	ctx := context.Background()
	u, err := ids.CreateUser(ctx, access.Operator(), identity.NewUser{Email: name + "@acme.example.cn", DisplayName: name,
		Password: "tangerine rooftop lantern", OrgID: org, Role: role, Country: country})
	if err != nil {
		t.Fatal(err)
	}
	p := u.Principal(true)
	if err := ids.AcceptStatement(ctx, p, 1); err != nil {
		t.Fatal(err)
	}
	var scopes []access.Permission
	for _, perm := range access.Permissions() {
		if role.Can(perm) {
			scopes = append(scopes, perm)
		}
	}
	secret, _, err := ids.CreateToken(ctx, p, identity.NewToken{Name: "obligations", Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// call sends a request as who to the operation tmpl (a path of
// openapi.json, such as "/cases/{id}/facts") with its parameters replaced
// by vars ("{id}", "7", …). It fails t unless the status is want, and
// checks a success's body against the operation's documented schema.
func (w *oblWorld) call(t *testing.T, who, method, tmpl, body string, want int, vars ...string) response {
	t.Helper()
	path := apiServerURL + strings.NewReplacer(vars...).Replace(tmpl)
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	r := newRequest(method, path, ct, body)
	r.Header.Set("Authorization", "Bearer "+w.tokens[who])
	got := serve(w.h, r)
	if got.Status != want {
		t.Fatalf("%s %s as %s: status %d, want %d; problem %+v", method, path, who, got.Status, want, got.Problem)
	}
	if got.Problem == nil {
		w.mustMatchSchema(t, method, tmpl, got)
	}
	return got
}

// wantProblem is call for a refusal: it also checks the problem's code.
func (w *oblWorld) wantProblem(t *testing.T, who, method, tmpl, body string, status int, code string, vars ...string) {
	t.Helper()
	got := w.call(t, who, method, tmpl, body, status, vars...)
	if got.Problem == nil || got.Problem.Code != code {
		t.Fatalf("%s %s as %s: problem %+v, want code %q", method, tmpl, who, got.Problem, code)
	}
}

// mustMatchSchema validates a success's body against the schema that
// openapi.json documents for it, so that the document says what the API
// sends (additionalProperties false catches an undocumented member).
func (w *oblWorld) mustMatchSchema(t *testing.T, method, tmpl string, got response) {
	t.Helper()
	tmpl, _, _ = strings.Cut(tmpl, "?") // the query is not part of the path
	item := w.doc.Paths.Find(tmpl)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("openapi.json has no operation %s %s", method, tmpl)
	}
	resp := item.GetOperation(method).Responses.Status(got.Status)
	if resp == nil || resp.Value.Content.Get("application/json") == nil {
		t.Fatalf("openapi.json documents no JSON response %d for %s %s", got.Status, method, tmpl)
	}
	var v any
	if err := json.Unmarshal([]byte(got.Body), &v); err != nil {
		t.Fatalf("%s %s: %v", method, tmpl, err)
	}
	if err := resp.Value.Content.Get("application/json").Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		t.Errorf("%s %s: the response does not match openapi.json: %v\n%s", method, tmpl, err, got.Body)
	}
}

// mustDecode decodes a response body into a T.
func mustDecode[T any](t testing.TB, got response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(got.Body), &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, got.Body)
	}
	return v
}

// byDuty indexes obligations by their duty code.
func byDuty(os []Obligation) map[string]Obligation {
	out := map[string]Obligation{}
	for _, o := range os {
		out[o.Duty] = o
	}
	return out
}

// mustCase opens a case as the triager with T0 at t0 and assesses it; an
// empty scope leaves the NVDB package incomplete.
func (w *oblWorld) mustCase(t *testing.T, t0 time.Time, scope string) string {
	t.Helper()
	body := `{"title":"固件升级接口命令注入","summary":"POST /upgrade 未校验文件名，可注入命令。","t0":"` + t0.Format(time.RFC3339) + `","t0_source":"internal"}`
	c := mustDecode[Case](t, w.call(t, "triager", "POST", "/cases", body, 201))
	id := strconv.FormatInt(c.ID, 10)
	if scope != "" {
		w.call(t, "triager", "PUT", "/cases/{id}/assessment", `{"grade":"high","scope":`+scope+`}`, 200, "{id}", id)
	}
	return id
}

func TestObligationsAPI(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("NVDB report", func(t *testing.T) { testNVDBReportAPI(t, newOblWorld(t, dsn(t))) })
			t.Run("upstream notice", func(t *testing.T) { testUpstreamAPI(t, newOblWorld(t, dsn(t))) })
			t.Run("sharing gate", func(t *testing.T) { testSharingGateAPI(t, newOblWorld(t, dsn(t))) })
		})
	}
}

// The clocks of a new provider case, the board, the NVDB package refused
// while incomplete (409), then submitted and frozen with its SHA-256
// (CN-07-5..7), and a duty closed as not applicable.
func testNVDBReportAPI(t *testing.T, w *oblWorld) {
	t0 := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
	id := w.mustCase(t, t0, "")
	ds := byDuty(mustDecode[[]Obligation](t, w.call(t, "compliance", "GET", "/cases/{id}/obligations", "", 200, "{id}", id)))
	nv := ds["cn.nvdb_report"]
	due := t0.Add(48 * time.Hour)
	type clock struct {
		State, Requirement, TitleZH, DueAtCST string
		DueAt                                 time.Time
		OuterBound                            bool
	}
	want := clock{State: "pending", Requirement: "CN-07-5", TitleZH: "向工业和信息化部网络安全威胁和漏洞信息共享平台报送",
		DueAtCST: due.In(obligation.CST).Format(time.RFC3339), DueAt: due, OuterBound: true}
	got := clock{nv.State, nv.Requirement, nv.TitleZH, nv.DueAtCST, nv.DueAt, nv.OuterBoundAt != nil}
	if diff := cmp.Diff(want, got); diff != "" || len(ds) != 2 || ds["cn.verify"].State != "pending" {
		t.Fatalf("NVDB clock (-want +got):\n%s\nduties: %+v", diff, ds)
	}

	// The board: the triager's case is on it; the engineer sees no case.
	board := mustDecode[[]Obligation](t, w.call(t, "triager", "GET", "/obligations", "", 200))
	if len(board) != 2 || board[0].Duty != "cn.verify" || board[0].CaseRef == "" {
		t.Errorf("board = %+v, want cn.verify then cn.nvdb_report with the case's reference", board)
	}
	if b := mustDecode[[]Obligation](t, w.call(t, "engineer", "GET", "/obligations", "", 200)); len(b) != 0 {
		t.Errorf("the engineer's board = %+v, want empty", b)
	}

	// CN-07-6: the package lacks the mandatory fields; it is not submitted.
	pkg := "/cases/{id}/packages/{duty}"
	draft := mustDecode[PackageDraft](t, w.call(t, "compliance", "GET", pkg, "", 200, "{id}", id, "{duty}", "cn.nvdb_report"))
	if diff := cmp.Diff([]string{"product", "model", "version", "harm", "scope"}, draft.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	w.wantProblem(t, "compliance", "GET", pkg, "", 400, "obligation.duty", "{id}", id, "{duty}", "cn.verify")
	subs := "/cases/{id}/submissions"
	submit := `{"duty":"cn.nvdb_report","channel":"manual","reference":"NVDB-2027-0001"}`
	w.wantProblem(t, "compliance", "POST", subs, submit, 409, "obligation.incomplete", "{id}", id)
	w.wantProblem(t, "triager", "POST", subs, submit, 403, "access.denied", "{id}", id)

	w.call(t, "triager", "PUT", "/cases/{id}/assessment",
		`{"grade":"high","scope":[{"product":"AR 路由器","model":"AR-100","versions":"<2.4.1"}]}`, 200, "{id}", id)
	sub := mustDecode[Submission](t, w.call(t, "compliance", "POST", subs, submit, 201, "{id}", id))
	sum := sha256.Sum256(sub.Snapshot)
	if sub.SHA256 != hex.EncodeToString(sum[:]) || sub.Version != 1 || sub.Country != "CN" || !strings.Contains(string(sub.Snapshot), "AR-100") {
		t.Fatalf("submission = %+v, snapshot %s", sub, sub.Snapshot)
	}
	listed := mustDecode[[]Submission](t, w.call(t, "triager", "GET", subs, "", 200, "{id}", id))
	if len(listed) != 1 || listed[0].SHA256 != sub.SHA256 || string(listed[0].Snapshot) != string(sub.Snapshot) {
		t.Errorf("submissions = %+v, want the one with the same snapshot", listed)
	}
	nv = byDuty(mustDecode[[]Obligation](t, w.call(t, "compliance", "GET", "/cases/{id}/obligations", "", 200, "{id}", id)))["cn.nvdb_report"]
	if nv.State != "met" || len(nv.Evidence) != 1 || nv.Evidence[0].SHA256 != sub.SHA256 {
		t.Errorf("NVDB duty after the submission = %+v", nv)
	}
	draft = mustDecode[PackageDraft](t, w.call(t, "compliance", "GET", pkg, "", 200, "{id}", id, "{duty}", "cn.nvdb_report"))
	if len(draft.Missing) != 0 || len(draft.Submissions) != 1 || draft.Submissions[0].Snapshot != nil {
		t.Errorf("draft after the submission = %+v, want nothing missing and the submission without its snapshot", draft)
	}

	// A duty that does not apply is closed with the reason, once.
	na := "/obligations/{id}/not-applicable"
	verify := strconv.FormatInt(ds["cn.verify"].ID, 10)
	w.wantProblem(t, "triager", "POST", na, `{"reason":"x"}`, 403, "access.denied", "{id}", verify)
	closed := mustDecode[Obligation](t, w.call(t, "compliance", "POST", na, `{"reason":"verified before T0 by the vendor"}`, 200, "{id}", verify))
	if closed.State != "not_applicable" || closed.Reason != "verified before T0 by the vendor" || closed.ClosedAt == nil {
		t.Errorf("closed duty = %+v", closed)
	}
	w.wantProblem(t, "compliance", "POST", na, `{"reason":"again"}`, 409, "obligation.closed", "{id}", verify)
	w.wantProblem(t, "compliance", "POST", na, `{"reason":"x"}`, 404, "obligation.not_found", "{id}", "x")
}

// CN-07-4: the facts attribute the root cause upstream, which raises the
// notice duty; a notice given by other means meets it.
func testUpstreamAPI(t *testing.T, w *oblWorld) {
	id := w.mustCase(t, time.Now().UTC().Add(-time.Hour), `[{"product":"AR 路由器","model":"AR-100","versions":"<2.4.1"}]`)
	facts := "/cases/{id}/facts"
	w.wantProblem(t, "engineer", "GET", facts, "", 404, "case.not_found", "{id}", id) // not on the access list
	notice := "/cases/{id}/upstream-notice"
	w.wantProblem(t, "triager", "POST", notice, `{"channel":"manual","reference":"call"}`, 409, "obligation.not_upstream", "{id}", id)
	w.wantProblem(t, "triager", "PATCH", facts, `{"upstream_supplier":"Nobody Ltd"}`, 400, "case.supplier_unknown", "{id}", id)
	w.call(t, "triager", "PATCH", facts, `{"fix_available_at":"yesterday"}`, 400, "{id}", id)
	w.call(t, "triager", "PATCH", facts, `{"upstream_supplier":"Upstream Inc.","root_component":"libupgrade 1.2"}`, 200, "{id}", id)
	// null leaves a fact as it is.
	got := mustDecode[Facts](t, w.call(t, "triager", "PATCH", facts, `{"root_component":null,"user_action":true}`, 200, "{id}", id))
	want := Facts{RootComponent: "libupgrade 1.2", UpstreamSupplier: "Upstream Inc.", UpstreamCountry: "US",
		UpstreamAt: got.UpstreamAt, UserAction: true}
	if diff := cmp.Diff(want, got); diff != "" || got.UpstreamAt == nil {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(got, mustDecode[Facts](t, w.call(t, "compliance", "GET", facts, "", 200, "{id}", id))); diff != "" {
		t.Errorf("facts read back (-patched +read):\n%s", diff)
	}
	obls := "/cases/{id}/obligations"
	if un := byDuty(mustDecode[[]Obligation](t, w.call(t, "triager", "GET", obls, "", 200, "{id}", id)))["cn.upstream_notice"]; un.State != "pending" {
		t.Fatalf("upstream notice duty = %+v, want pending", un)
	}
	w.wantProblem(t, "triager", "POST", notice, `{"channel":"manual"}`, 400, "obligation.reference_required", "{id}", id)
	n := mustDecode[Submission](t, w.call(t, "triager", "POST", notice, `{"channel":"manual","reference":"ticket UP-4411"}`, 201, "{id}", id))
	if n.Duty != "cn.upstream_notice" || n.Recipient != "Upstream Inc." || n.Country != "US" || !strings.Contains(string(n.Snapshot), "libupgrade 1.2") {
		t.Errorf("notice = %+v, snapshot %s", n, n.Snapshot)
	}
	if un := byDuty(mustDecode[[]Obligation](t, w.call(t, "triager", "GET", obls, "", 200, "{id}", id)))["cn.upstream_notice"]; un.State != "met" {
		t.Errorf("upstream notice duty after the notice = %+v, want met", un)
	}
}

// CN-09-7, EU-14-8: with EU-CRA turned on through the settings, an
// exploited case owes ENISA an early warning, which the sharing gate
// refuses (403 sharing.blocked) until a legal decision is recorded.
func testSharingGateAPI(t *testing.T, w *oblWorld) {
	settings := "/obligation-settings"
	st := mustDecode[ObligationSettings](t, w.call(t, "engineer", "GET", settings, "", 200))
	if len(st.Packs) != 2 || st.Packs[1].Regime != "EU-CRA" || st.Packs[1].Enabled || !st.Packs[0].Enabled {
		t.Fatalf("packs = %+v, want CN-RMSV on and EU-CRA off", st.Packs)
	}
	w.wantProblem(t, "triager", "PUT", settings, `{"regimes":{"EU-CRA":true}}`, 403, "access.denied")
	w.wantProblem(t, "compliance", "PUT", settings, `{"regimes":{"US-CIRCIA":true}}`, 400, "obligation.regime")
	st = mustDecode[ObligationSettings](t, w.call(t, "compliance", "PUT", settings, `{"regimes":{"EU-CRA":true},"escalations":"4h,overdue"}`, 200))
	if !st.Packs[1].Enabled || !st.Regimes["EU-CRA"] || st.Escalations != "4h,overdue" {
		t.Fatalf("settings after the change = %+v", st)
	}

	id := w.mustCase(t, time.Now().UTC().Add(-14*time.Hour), `[{"product":"网关","model":"G1","versions":"1.0"}]`)
	aware := time.Now().UTC().Add(-13 * time.Hour).Format(time.RFC3339) // the early warning is due in 11 hours
	facts := "/cases/{id}/facts"
	w.wantProblem(t, "triager", "PATCH", facts, `{"exploited_at":"`+aware+`"}`, 400, "case.exploited_evidence", "{id}", id)
	w.call(t, "triager", "PATCH", facts, `{"exploited_at":"`+aware+`","exploited_evidence":"CERT 通报 2026-118"}`, 200, "{id}", id)
	ds := byDuty(mustDecode[[]Obligation](t, w.call(t, "compliance", "GET", "/cases/{id}/obligations", "", 200, "{id}", id)))
	if ds["eu.early_warning"].State != "due_soon" || ds["eu.notification"].State != "pending" ||
		ds["eu.user_notice"].State != "pending" || ds["eu.user_notice"].Requirement != "EU-14-6" {
		t.Fatalf("CRA duties = %+v", ds)
	}

	// CN-09-7 on the API: a foreign API client reads no undisclosed case,
	// nor its duties, without a legal decision naming it.
	w.wantProblem(t, "abroad", "GET", "/cases/{id}", "", 403, "sharing.blocked", "{id}", id)
	w.wantProblem(t, "abroad", "GET", "/cases/{id}/obligations", "", 403, "sharing.blocked", "{id}", id)
	if board := mustDecode[[]Obligation](t, w.call(t, "abroad", "GET", "/obligations", "", 200)); len(board) != 0 {
		t.Errorf("a foreign client's clock board shows %d duties", len(board))
	}

	subs := "/cases/{id}/submissions"
	warning := `{"duty":"eu.early_warning","reference":"SRP-1"}`
	// EU-14-2: the early warning needs the Member States, written first.
	w.wantProblem(t, "compliance", "POST", subs, warning, 409, "obligation.incomplete", "{id}", id)
	fields := "/cases/{id}/packages/{duty}/fields"
	w.wantProblem(t, "compliance", "PUT", fields, `{"fields":{"nonsense":"x"}}`, 400, "obligation.field", "{id}", id, "{duty}", "eu.early_warning")
	written := mustDecode[[]ReportField](t, w.call(t, "compliance", "PUT", fields, `{"fields":{"member_states":"DE, FR"}}`, 200,
		"{id}", id, "{duty}", "eu.early_warning"))
	if len(written) != 1 || written[0].Key != "member_states" || written[0].Value != "DE, FR" || !written[0].Mandatory {
		t.Fatalf("written fields = %+v", written)
	}
	draft := mustDecode[PackageDraft](t, w.call(t, "compliance", "GET", "/cases/{id}/packages/{duty}", "", 200, "{id}", id,
		"{duty}", "eu.early_warning"))
	if draft.CRA == nil || draft.CRA.WrittenFields["member_states"] != "DE, FR" || len(draft.Missing) != 0 {
		t.Fatalf("CRA draft = %+v", draft)
	}
	w.wantProblem(t, "compliance", "POST", subs, warning, 403, "sharing.blocked", "{id}", id)
	decisions := "/cases/{id}/sharing-decisions"
	if got := mustDecode[[]SharingDecision](t, w.call(t, "triager", "GET", decisions, "", 200, "{id}", id)); len(got) != 0 {
		t.Fatalf("decisions = %+v, want none", got)
	}
	decision := `{"recipient":"ENISA single reporting platform","country":"EU","basis":"法务意见 2026-07：CRA 第14条报告","expires_at":"` +
		time.Now().UTC().AddDate(0, 3, 0).Format(time.RFC3339) + `"}`
	w.wantProblem(t, "triager", "POST", decisions, decision, 403, "access.denied", "{id}", id)
	w.wantProblem(t, "compliance", "POST", decisions, `{"recipient":"ENISA","country":"EU","basis":"x","expires_at":"2020-01-01T00:00:00Z"}`,
		400, "sharing.expiry", "{id}", id)
	d := mustDecode[SharingDecision](t, w.call(t, "compliance", "POST", decisions, decision, 201, "{id}", id))
	got := mustDecode[[]SharingDecision](t, w.call(t, "triager", "GET", decisions, "", 200, "{id}", id))
	if diff := cmp.Diff([]SharingDecision{d}, got); diff != "" || d.Country != "EU" {
		t.Fatalf("decisions (-want +got):\n%s", diff)
	}
	sub := mustDecode[Submission](t, w.call(t, "compliance", "POST", subs, warning, 201, "{id}", id))
	if sub.Recipient != "ENISA single reporting platform" || sub.Country != "EU" {
		t.Errorf("submission = %+v", sub)
	}

	// The dashboard counts the early warning met on time; the evidence
	// pack carries it, signed, and verifies.
	dash := mustDecode[ComplianceDashboard](t, w.call(t, "compliance", "GET", "/obligations/dashboard", "", 200))
	for _, f := range dash.Duties {
		if f.Duty == "eu.early_warning" && (f.MetOnTime != 1 || f.OnTimeRate == nil || *f.OnTimeRate != 1) {
			t.Errorf("dashboard early warning = %+v", f)
		}
	}
	w.wantProblem(t, "engineer", "GET", "/obligations/dashboard", "", 403, "access.denied")
	env := w.call(t, "compliance", "GET", "/cases/{id}/evidence", "", 200, "{id}", id)
	pack, _, err := evidence.Verify([]byte(env.Body), nil)
	if err != nil {
		t.Fatalf("verify the evidence pack: %v", err)
	}
	met := false
	for _, d := range pack.Duties {
		met = met || (d.Code == "eu.early_warning" && d.State == evidence.Met)
	}
	if !met {
		t.Errorf("evidence pack duties = %+v", pack.Duties)
	}
	// The case's history has what happened, not the reads.
	var actions []string
	for _, e := range mustDecode[[]AuditEvent](t, w.call(t, "compliance", "GET", "/cases/{id}/history", "", 200, "{id}", id)) {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"case.create", "obligation.raise", "case.facts", "sharing.blocked", "sharing.decision", "obligation.submit", "obligation.met"} {
		if !slices.Contains(actions, want) {
			t.Errorf("history lacks %s: %v", want, actions)
		}
	}
	if slices.Contains(actions, "case.read") {
		t.Error("the history lists reads")
	}
}

// Without an obligations engine the routes do not exist.
func TestObligationsAPIAbsent(t *testing.T) {
	h := mustNew(t, Config{})
	for _, path := range []string{"/api/v1/obligations", "/api/v1/obligation-settings", "/api/v1/cases/1/obligations"} {
		if got := serve(h, newRequest("GET", path, "", "")); got.Status != 404 {
			t.Errorf("GET %s: %d, want 404", path, got.Status)
		}
	}
}
