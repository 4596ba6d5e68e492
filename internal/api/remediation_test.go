package api

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// newRemediationWorld is the API over a real store with remediation,
// notices and the customer list wired as the server wires them.
func newRemediationWorld(t *testing.T, dsn string) (*oblWorld, *notice.Service, *store.DB) {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	cases := casework.NewService(d.DB, kr, "EMB").WithGuard(remediation.Guard)
	obl := obligation.NewService(d.DB, cases, kr)
	cases.WithChangeHook(obl.Reconcile)
	notices := notice.NewService(d.DB, cases, obl, kr, notice.Config{Notifier: notify.NewService(d.DB, kr, nil),
		BaseURL: "https://embargo.example.cn/", Email: true})
	var org int64
	err = d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme 网络", Kinds: []string{"provider"}, Country: "CN",
			CreatedAt: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	w := &oblWorld{doc: mustLoadOpenAPI(t), tokens: map[string]string{}}
	for name, role := range map[string]access.Role{"triager": access.Triager, "compliance": access.ComplianceOfficer} {
		w.tokens[name] = mustToken(t, ids, org, name, role)
	}
	w.h = mustNew(t, Config{Identity: ids, Orgs: d.DB, Cases: cases, Obligations: obl, Products: product.NewService(d.DB).WithCustomers(d.DB, kr),
		Remediation: remediation.NewService(d.DB, cases), Notices: notices})
	return w, notices, d.DB
}

// TestRemediationAPI records fixes per release line, composes, previews
// and sends a campaign, and checks every answer against openapi.json.
func TestRemediationAPI(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) { testRemediationAPI(t, dsn(t)) })
	}
}

func testRemediationAPI(t *testing.T, dsn string) {
	w, notices, db := newRemediationWorld(t, dsn)
	w.call(t, "compliance", "POST", "/products/import", `{"format":"embargo.products.v1","products":[{"name":"Router","models":[{"name":"R1",
		"versions":[{"version":"1.0","line":"1.x"},{"version":"2.0","line":"2.x"}]}]}]}`, 200)
	w.call(t, "compliance", "PUT", "/customers", `{"customers":[{"name":"下游厂商","kind":"downstream_vendor","country":"CN",
		"webhook_url":"https://psirt.example.cn/in","runs":[{"product":"Router","model":"R1","version":"2.0"}]}]}`, 200)
	got := mustDecode[struct {
		Customers []struct {
			Name string `json:"name"`
		} `json:"customers"`
	}](t, w.call(t, "triager", "GET", "/customers", "", 200))
	if len(got.Customers) != 1 || got.Customers[0].Name != "下游厂商" {
		t.Errorf("customers: %+v", got)
	}
	c := mustDecode[Case](t, w.call(t, "compliance", "POST", "/cases", `{"title":"路由器远程命令执行","summary":"s"}`, 201))
	id := []string{"{id}", strconv.FormatInt(c.ID, 10)}
	w.call(t, "compliance", "PUT", "/cases/{id}/assessment", `{"grade":"high","scope":[{"product":"Router","model":"R1","versions":"*"}]}`, 200, id...)
	for _, to := range []string{"verifying", "confirmed", "remediating"} {
		w.call(t, "compliance", "POST", "/cases/{id}/transitions", `{"to":"`+to+`"}`, 200, id...)
	}
	w.wantProblem(t, "compliance", "POST", "/cases/{id}/transitions", `{"to":"fixed"}`, 409, "remediation.incomplete", id...)
	w.wantProblem(t, "triager", "PUT", "/cases/{id}/remediation", `{"line":"1.x","status":"fixed","fixed_version":"1.1"}`, 403, "access.denied", id...)
	w.wantProblem(t, "compliance", "POST", "/cases/{id}/campaigns", `{}`, 409, "notice.no_fix", id...)
	w.call(t, "compliance", "PUT", "/cases/{id}/remediation", `{"line":"1.x","status":"fixed","fixed_version":"1.1"}`, 200, id...)
	w.call(t, "compliance", "PUT", "/cases/{id}/remediation", `{"product":"Router","model":"R1","version":"2.0","status":"mitigated",
		"workaround":"关闭远程管理","available_at":"2026-01-02T03:04:05Z"}`, 200, id...)
	plan := mustDecode[[]Fix](t, w.call(t, "compliance", "GET", "/cases/{id}/remediation", "", 200, id...))
	var lines []string
	for _, f := range plan {
		lines = append(lines, f.Version+" "+f.Line+" "+f.Status+" "+strconv.FormatBool(f.Covered))
	}
	if diff := cmp.Diff([]string{"1.0 1.x fixed true", "2.0 2.x mitigated true"}, lines); diff != "" {
		t.Errorf("remediation (-want +got):\n%s", diff)
	}
	w.call(t, "compliance", "POST", "/cases/{id}/transitions", `{"to":"fixed"}`, 200, id...)

	cp := mustDecode[Campaign](t, w.call(t, "compliance", "POST", "/cases/{id}/campaigns", `{"message_zh":"请升级","message_en":"Upgrade"}`, 201, id...))
	if cp.State != "draft" || len(cp.Recipients) != 1 || cp.Recipients[0].State != "queued" || cp.Recipients[0].Channel != "webhook" {
		t.Fatalf("campaign: %+v", cp)
	}
	cid := append(id, "{campaign}", strconv.FormatInt(cp.ID, 10))
	previews := mustDecode[[]NoticePreview](t, w.call(t, "compliance", "GET", "/cases/{id}/campaigns/{campaign}/preview", "", 200, cid...))
	if len(previews) != 4 {
		t.Errorf("%d previews, want 4", len(previews))
	}
	sent := mustDecode[Campaign](t, w.call(t, "compliance", "POST", "/cases/{id}/campaigns/{campaign}/send", "", 202, cid...))
	if sent.State != "sending" {
		t.Errorf("after send: %s", sent.State)
	}
	w.wantProblem(t, "compliance", "POST", "/cases/{id}/campaigns/{campaign}/send", "", 409, "notice.not_draft", cid...)
	w.wantProblem(t, "compliance", "POST", "/cases/{id}/campaigns/{campaign}/resend", "", 409, "notice.none_unreached", cid...)
	w.call(t, "compliance", "GET", "/cases/{id}/campaigns", "", 200, id...)
	w.call(t, "compliance", "GET", "/cases/{id}/campaigns/{campaign}", "", 200, cid...)
	w.wantProblem(t, "compliance", "DELETE", "/customers/{name}", "", 404, "product.customer_not_found", "{name}", "nobody")

	// Public subscriptions, listed masked for those who keep the catalogue.
	vs, err := db.ProductVersions(context.Background(), 0)
	if err != nil || len(vs) == 0 {
		t.Fatalf("versions: %v, %v", vs, err)
	}
	pid := []string{"{id}", strconv.FormatInt(vs[0].ProductID, 10)}
	if err := notices.Subscribe(context.Background(), vs[0].ProductID, "Reader@Example.org", "en"); err != nil {
		t.Fatal(err)
	}
	subs := mustDecode[struct {
		Subscriptions []SubscriptionJSON `json:"subscriptions"`
	}](t, w.call(t, "compliance", "GET", "/products/{id}/subscriptions", "", 200, pid...))
	if len(subs.Subscriptions) != 1 || subs.Subscriptions[0].State != "pending" || subs.Subscriptions[0].Language != "en" ||
		strings.Contains(subs.Subscriptions[0].Email, "reader@example.org") {
		t.Errorf("subscriptions: %+v; want one pending, in English, its address masked", subs)
	}
	w.wantProblem(t, "triager", "GET", "/products/{id}/subscriptions", "", 403, "access.denied", pid...)
}
