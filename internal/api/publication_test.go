package api

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/format/csaf/validate"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// TestAdvisoryAPI drafts, edits and approves a case's advisory, sees the
// gate refuse it during a blackout and publish it once MPS's consent is
// recorded, and checks every answer against openapi.json.
func TestAdvisoryAPI(t *testing.T) {
	ctx := context.Background()
	d := storetest.Open(t, storetest.SQLiteDSN(t), store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	cases := casework.NewService(d.DB, kr, "EMB").WithGuard(casework.Guards(remediation.Guard, casework.HandPublishGuard))
	var org int64
	if err := d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme", Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	w := &oblWorld{doc: mustLoadOpenAPI(t), tokens: map[string]string{}}
	for name, role := range map[string]access.Role{"publisher": access.Publisher, "compliance": access.ComplianceOfficer} {
		w.tokens[name] = mustToken(t, ids, org, name, role)
	}
	cfg := Config{Identity: ids, Orgs: d.DB, Cases: cases, Advisories: advisory.NewService(d.DB, cases, kr), CVEOrgID: "b3476cb9-2e3d-41a6-98d0-0f47421a65b6"}
	w.h = mustNew(t, cfg)

	c := mustDecode[Case](t, w.call(t, "compliance", "POST", "/cases", `{"title":"路由器命令注入","summary":"管理界面命令注入"}`, 201))
	id := []string{"{id}", strconv.FormatInt(c.ID, 10)}
	me := mustDecode[Me](t, w.call(t, "publisher", "GET", "/me", "", 200))
	if err := cases.AddPerson(ctx, access.SystemFor(org), c.ID, me.UserID, casework.Watcher); err != nil {
		t.Fatal(err)
	}
	w.call(t, "compliance", "PUT", "/cases/{id}/assessment", `{"grade":"high","scope":[{"product":"AX3000","versions":"<1.0.4"}]}`, 200, id...)
	for _, to := range []string{"verifying", "confirmed", "remediating"} {
		w.call(t, "compliance", "POST", "/cases/{id}/transitions", `{"to":"`+to+`"}`, 200, id...)
	}
	if _, err := remediation.NewService(d.DB, cases).Put(ctx, access.SystemFor(org), c.ID, remediation.Fix{
		Version: remediation.Version{Product: "AX3000", Version: "<1.0.4"}, Status: remediation.Fixed, FixedVersion: "1.0.4"}); err != nil {
		t.Fatal(err)
	}
	w.call(t, "compliance", "POST", "/cases/{id}/transitions", `{"to":"fixed"}`, 200, id...)
	w.wantProblem(t, "compliance", "POST", "/cases/{id}/transitions", `{"to":"published"}`, 409, "case.publish_by_advisory", id...)

	a := mustDecode[SecurityAdvisory](t, w.call(t, "publisher", "POST", "/cases/{id}/advisory", "", 201, id...))
	ct := a.Content
	ct.Title.EN, ct.Description.EN = "Command injection in AX3000", "The web UI passes a parameter to a shell."
	ct.Aliases = []string{"CVE-2026-4242"}
	ct.References = []advisory.Reference{{URL: "https://acme.example.cn/psirt/1", Kind: "advisory"}}
	w.call(t, "publisher", "PUT", "/cases/{id}/advisory", mustJSON(t, ct), 200, id...)
	w.call(t, "publisher", "POST", "/cases/{id}/advisory/submit", "", 200, id...)
	w.wantProblem(t, "publisher", "POST", "/cases/{id}/advisory/approve", "", 403, "advisory.four_eyes", id...)
	w.call(t, "compliance", "POST", "/cases/{id}/advisory/approve", "", 200, id...)
	w.call(t, "publisher", "POST", "/cases/{id}/advisory/not-operator", `{"finding":"url:https://acme.example.cn/psirt/1","reason":"our PSIRT page"}`, 200, id...)

	b := mustDecode[struct {
		ID int64 `json:"id"`
	}](t, w.call(t, "compliance", "POST", "/blackouts", `{"name_zh":"测试活动","name_en":"Test event","start":"`+
		time.Now().Add(-24*time.Hour).UTC().Format(time.RFC3339)+`","end":"`+time.Now().Add(30*24*time.Hour).UTC().Format(time.RFC3339)+`"}`, 201))
	v := mustDecode[SecurityAdvisory](t, w.call(t, "publisher", "GET", "/cases/{id}/advisory", "", 200, id...))
	var rules []string
	for _, x := range *v.Verdict {
		rules = append(rules, x.Rule+" "+x.Code)
	}
	if diff := cmp.Diff([]string{"CN-09-6 blackout"}, rules); diff != "" {
		t.Errorf("verdict (-want +got):\n%s", diff)
	}
	w.wantProblem(t, "compliance", "POST", "/cases/{id}/advisory/publish", `{}`, 409, "advisory.blocked", id...)
	for _, f := range []string{"csaf", "cve5", "osv", "openvex"} {
		w.wantProblem(t, "publisher", "GET", "/cases/{id}/advisory/"+f, "", 404, "advisory.not_published", id...)
	}
	w.call(t, "compliance", "POST", "/cases/{id}/advisory/mps-consent", `{"blackout_id":`+strconv.FormatInt(b.ID, 10)+
		`,"reference":"公安部函 1 号","date":"2026-12-01T00:00:00Z"}`, 200, id...)
	pub := mustDecode[SecurityAdvisory](t, w.call(t, "compliance", "POST", "/cases/{id}/advisory/publish", `{"zh":"首次发布","en":"Initial release"}`, 200, id...))
	if pub.State != "published" || pub.Live != 1 {
		t.Errorf("published: state %s, live %d", pub.State, pub.Live)
	}
	v = mustDecode[SecurityAdvisory](t, w.call(t, "publisher", "GET", "/cases/{id}/advisory", "", 200, id...))
	if len(*v.Revisions) != 1 || len(v.Preview["zh-CN"].Sections) == 0 || v.Preview["en"].Title != "Command injection in AX3000" {
		t.Errorf("after publishing: revisions %+v, preview %+v", *v.Revisions, v.Preview)
	}
	if got := mustDecode[Case](t, w.call(t, "compliance", "GET", "/cases/{id}", "", 200, id...)); got.Status != "published" {
		t.Errorf("case status %s, want published", got.Status)
	}
	// The published advisory as CSAF passes the mandatory tests of §6.1.
	doc := w.call(t, "publisher", "GET", "/cases/{id}/advisory/csaf?lang=en", "", 200, id...)
	vs, err := validate.Validate([]byte(doc.Body), nil)
	if err != nil || len(vs) > 0 {
		t.Errorf("the CSAF document: %v, %v\n%s", vs, err, doc.Body)
	}
	if !strings.Contains(doc.Body, `"title": "Command injection in AX3000"`) {
		t.Errorf("the CSAF document is not the English one:\n%s", doc.Body)
	}
	// The other formats (their schemas are checked in internal/advisory).
	for f, want := range map[string]string{"cve5": `"cveId": "CVE-2026-4242"`, "osv": `"id": "x_` + c.Ref + `-SA"`,
		"openvex": `upgrade to 1.0.4."`} {
		if doc := w.call(t, "publisher", "GET", "/cases/{id}/advisory/"+f, "", 200, id...); !strings.Contains(doc.Body, want) {
			t.Errorf("%s: want %s in\n%s", f, want, doc.Body)
		}
	}
	cfg.CVEOrgID = "" // no CNA: no CVE record
	w.h = mustNew(t, cfg)
	w.wantProblem(t, "publisher", "GET", "/cases/{id}/advisory/cve5", "", 409, "advisory.export", id...)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
