package notice_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

func TestNotices(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("ConfirmedToFixedAndNotified", func(t *testing.T) { testConfirmedToFixed(t, dsn(t)) })
			t.Run("ForeignRecipient", func(t *testing.T) { testForeignRecipient(t, dsn(t)) })
			t.Run("Subscriptions", func(t *testing.T) { testSubscriptions(t, dsn(t)) })
		})
	}
}

// customers run Router R1 1.0 (甲), 2.1 (bounces), 1.1 and 2.0 (a
// downstream vendor, by webhook), and 3.0, which is not affected.
func customers(hook string) []product.Customer {
	return []product.Customer{
		{Party: product.Party{Name: "甲客户", Country: "CN", Email: "ops@jia.example.cn"}, Language: "zh-CN",
			Runs: []product.Run{{Product: "Router", Model: "R1", Version: "1.0"}}},
		{Party: product.Party{Name: "Bounce Ltd", Country: "CN", Email: "bounce@cust.example.cn"}, Language: "en",
			Runs: []product.Run{{Product: "Router", Model: "R1", Version: "2.1"}}},
		{Party: product.Party{Name: "下游厂商", Country: "CN"}, Kind: product.DownstreamVendor, WebhookURL: hook + "/notices",
			Runs: []product.Run{{Product: "Router", Model: "R1", Version: "1.1"}, {Product: "Router", Model: "R1", Version: "2.0"}}},
		{Party: product.Party{Name: "Unaffected Co", Country: "CN", Email: "it@unaffected.example.cn"},
			Runs: []product.Run{{Product: "Router", Model: "R1", Version: "3.0"}}},
	}
}

// A case goes from confirmed to fixed with two affected release lines and
// customers on both; the campaign goes out over real SMTP and a webhook,
// delivery is recorded per recipient, the affected-user duty is met, and
// the bounced address shows as not reached and is resent.
func testConfirmedToFixed(t *testing.T, dsn string) {
	ctx := context.Background()
	w := newWorld(t, dsn)
	eng := w.p["engineer"]
	c := w.confirmedCase(t)

	// Not fixed until every affected version has a fix or mitigation.
	_, err := w.cases.Transition(ctx, w.p["triager"], c.ID, casework.Move{To: casework.Fixed})
	if code(err) != "remediation.incomplete" || !strings.Contains(errs.Message(err), "Router R1 2.1") {
		t.Fatalf("fixed without fixes: %v", err)
	}
	fixAt := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	if _, err := w.rem.Put(ctx, eng, c.ID, remediation.Fix{Version: remediation.Version{Line: "1.x"}, Status: remediation.Fixed,
		FixedVersion: "1.2", AvailableAt: fixAt}); err != nil {
		t.Fatal(err)
	}
	_, err = w.cases.Transition(ctx, w.p["triager"], c.ID, casework.Move{To: casework.Fixed})
	if code(err) != "remediation.incomplete" || strings.Contains(errs.Message(err), "1.0") {
		t.Fatalf("fixed with line 2.x open: %v", err)
	}
	if _, err := w.rem.Put(ctx, eng, c.ID, remediation.Fix{Version: remediation.Version{Line: "2.x"}, Status: remediation.Mitigated}); code(err) != "remediation.workaround_required" {
		t.Fatalf("mitigation without workaround: %v", err)
	}
	if _, err := w.rem.Put(ctx, eng, c.ID, remediation.Fix{Version: remediation.Version{Line: "2.x"}, Status: remediation.Fixed,
		FixedVersion: "2.2", Workaround: "关闭远程管理 / turn remote management off"}); err != nil {
		t.Fatal(err)
	}
	rows, err := w.rem.ForCase(ctx, eng, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Version.String()+" "+r.Version.Line+" "+string(r.Fix.Status)+" "+r.Fix.FixedVersion)
	}
	want := []string{"Router R1 1.0 1.x fixed 1.2", "Router R1 1.1 1.x fixed 1.2", "Router R1 2.0 2.x fixed 2.2", "Router R1 2.1 2.x fixed 2.2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("remediation plan (-want +got):\n%s", diff)
	}
	if f, _ := w.cases.FactsOf(ctx, eng, c.ID); !f.FixAvailableAt.Equal(fixAt) {
		t.Errorf("fix time = %v, want the earliest availability %v", f.FixAvailableAt, fixAt)
	}
	if _, err := w.cases.Transition(ctx, w.p["triager"], c.ID, casework.Move{To: casework.Fixed}); err != nil {
		t.Fatal(err)
	}
	duty := w.duty(t, c.ID, obligation.UserNoticeDuty)
	if duty.Stored != obligation.Open || !duty.AnchorAt.Equal(fixAt) {
		t.Fatalf("affected-user duty before the notice: %+v", duty)
	}

	// Who runs what, then the campaign.
	if err := w.products.PutCustomers(ctx, eng, customers(w.hooks.URL)); err != nil {
		t.Fatal(err)
	}
	cp, err := w.notices.Compose(ctx, eng, c.ID, notice.Content{MessageZH: "攻击者可远程执行命令，请立即升级。",
		MessageEN: "An attacker can run commands remotely; upgrade now."})
	if err != nil {
		t.Fatal(err)
	}
	_, rs, err := w.notices.Get(ctx, eng, c.ID, cp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{
		"甲客户 email o***@jia.example.cn zh-CN [Router R1 1.0] queued",
		"Bounce Ltd email b***@cust.example.cn en [Router R1 2.1] queued",
		"下游厂商 webhook " + w.hooks.URL + "/notices zh-CN [Router R1 1.1 Router R1 2.0] queued",
	}, summary(rs), sortedOpt); diff != "" {
		t.Errorf("recipients (-want +got):\n%s", diff)
	}
	if _, err := w.notices.Send(ctx, eng, c.ID, cp.ID); err != nil {
		t.Fatal(err)
	}
	w.drain(t)

	_, rs, _ = w.notices.Get(ctx, eng, c.ID, cp.ID)
	if diff := cmp.Diff([]string{"甲客户 delivered", "Bounce Ltd bounced", "下游厂商 delivered"}, states(rs), sortedOpt); diff != "" {
		t.Errorf("recipient states (-want +got):\n%s", diff)
	}
	mails := w.mail.Messages()
	if len(mails) != 1 || mails[0].To[0] != "ops@jia.example.cn" || !strings.Contains(decoded(mails[0].Raw), "升级到 1.2") {
		t.Fatalf("mail: %v", mails)
	}
	hooks := w.hooks.bodies()
	if len(hooks) != 1 || !strings.Contains(string(hooks[0].Data), `"title":"路由器远程命令执行"`) {
		t.Fatalf("webhooks: %+v", hooks)
	}
	cp = w.campaign(t, c.ID, cp.ID)
	duty = w.duty(t, c.ID, obligation.UserNoticeDuty)
	if cp.State != notice.Delivered || duty.Stored != obligation.StoredMet || len(duty.Evidence) != 1 ||
		duty.Evidence[0].Ref != "campaign:"+itoa(cp.ID) || duty.Evidence[0].Kind != obligation.ByNotice {
		t.Fatalf("campaign %s; duty %+v", cp.State, duty)
	}

	// The bounced customer gets a working address and the notice again.
	fixed := customers(w.hooks.URL)
	fixed[1].Email = "ops@bounce.example.cn"
	if err := w.products.PutCustomers(ctx, eng, fixed); err != nil {
		t.Fatal(err)
	}
	if _, err := w.notices.Resend(ctx, eng, c.ID, cp.ID); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	_, rs, _ = w.notices.Get(ctx, eng, c.ID, cp.ID)
	if diff := cmp.Diff([]string{"甲客户 delivered", "Bounce Ltd delivered", "下游厂商 delivered"}, states(rs), sortedOpt); diff != "" {
		t.Errorf("after the resend (-want +got):\n%s", diff)
	}
	if _, err := w.notices.Resend(ctx, eng, c.ID, cp.ID); code(err) != "notice.none_unreached" {
		t.Errorf("second resend: %v", err)
	}

	// The recipient acknowledges and asks for help through its link; the
	// reply is a comment on the case.
	token := linkToken(t, decoded(w.mail.Messages()[0].Raw))
	if v, err := w.notices.Acknowledge(ctx, token); err != nil || v.AcknowledgedAt.IsZero() {
		t.Fatalf("acknowledge: %+v, %v", v, err)
	}
	if err := w.notices.Reply(ctx, token, "升级后需要重启吗？"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.notices.Acknowledge(ctx, "0000"); code(err) != "notice.link" {
		t.Errorf("a wrong token: %v", err)
	}
	comments, err := w.cases.Comments(ctx, eng, c.ID)
	if err != nil || len(comments) != 1 || comments[0].Author != "recipient:甲客户" || !strings.Contains(comments[0].Body, "重启") {
		t.Errorf("comments: %+v, %v", comments, err)
	}
	_, rs, _ = w.notices.Get(ctx, eng, c.ID, cp.ID)
	if diff := cmp.Diff([]string{"甲客户 acknowledged", "Bounce Ltd delivered", "下游厂商 delivered"}, states(rs), sortedOpt); diff != "" {
		t.Errorf("after the acknowledgement (-want +got):\n%s", diff)
	}
	// Closed only now that every version is covered; it was fixed already.
	if _, err := w.cases.Transition(ctx, w.p["triager"], c.ID, casework.Move{To: casework.Closed}); err != nil {
		t.Errorf("close: %v", err)
	}
}

// A recipient abroad that is not the product's provider gets no
// undisclosed detail unless a legal decision allows it.
func testForeignRecipient(t *testing.T, dsn string) {
	ctx := context.Background()
	w := newWorld(t, dsn)
	eng := w.p["engineer"]
	c := w.confirmedCase(t)
	if _, err := w.rem.Put(ctx, eng, c.ID, remediation.Fix{Version: remediation.Version{Line: "2.x"}, Status: remediation.Fixed,
		FixedVersion: "2.2", Workaround: "关闭远程管理"}); err != nil {
		t.Fatal(err)
	}
	foreign := []product.Customer{{Party: product.Party{Name: "Beta GmbH", Country: "DE", Email: "psirt@beta.example.de"},
		Language: "en", WebhookURL: w.hooks.URL + "/beta", Runs: []product.Run{{Product: "Router", Model: "R1", Version: "2.0"}}}}
	if err := w.products.PutCustomers(ctx, eng, foreign); err != nil {
		t.Fatal(err)
	}
	send := func() {
		cp, err := w.notices.Compose(ctx, eng, c.ID, notice.Content{MessageEN: "Remote command execution in the admin interface."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.notices.Send(ctx, eng, c.ID, cp.ID); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
	}
	send()
	secrets := []string{"路由器远程命令执行", "Remote command execution", "关闭远程管理", c.Ref, "high"}
	mail := decoded(w.mail.Messages()[0].Raw)
	hook := w.hooks.bodies()[0]
	for _, s := range secrets {
		if strings.Contains(mail, s) || strings.Contains(string(hook.Data), s) || strings.Contains(hook.Text, s) {
			t.Errorf("the foreign recipient got %q:\n%s\n%s", s, mail, hook.Data)
		}
	}
	if !strings.Contains(mail, "upgrade to 2.2") || !strings.Contains(string(hook.Data), `"detail":"reduced"`) {
		t.Errorf("the reduced notice lacks the fix:\n%s\n%s", mail, hook.Data)
	}
	if n := w.count(t, `SELECT count(*) FROM audit_events WHERE action = 'sharing.blocked'`); n != 2 {
		t.Errorf("sharing.blocked events: %d, want 2", n)
	}
	// A legal decision lets the details through.
	if _, err := w.obl.RecordDecision(ctx, w.p["compliance"], c.ID, disclosure.NewDecision{Recipient: "Beta GmbH", Country: "DE",
		Basis: "法务审批 2026-117", ExpiresAt: time.Now().Add(30 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	send()
	mail = decoded(w.mail.Messages()[1].Raw)
	if !strings.Contains(mail, "Remote command execution") || !strings.Contains(mail, c.Ref) {
		t.Errorf("with a legal decision, the notice lacks its details:\n%s", mail)
	}
}

// Subscriptions: double opt-in, then the product's notices (reduced) with
// a one-click unsubscribe.
func testSubscriptions(t *testing.T, dsn string) {
	ctx := context.Background()
	w := newWorld(t, dsn)
	eng := w.p["engineer"]
	c := w.confirmedCase(t)
	if _, err := w.rem.Put(ctx, eng, c.ID, remediation.Fix{Version: remediation.Version{Line: "1.x"}, Status: remediation.Fixed,
		FixedVersion: "1.2"}); err != nil {
		t.Fatal(err)
	}
	prods, err := w.products.Products(ctx, eng)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.notices.Subscribe(ctx, prods[0].ID, "Fan@Example.cn", "en"); err != nil {
		t.Fatal(err)
	}
	if err := w.notices.Subscribe(ctx, prods[0].ID, "fan@example.cn", "en"); err != nil {
		t.Fatalf("asking twice: %v", err)
	}
	if err := w.notices.Subscribe(ctx, 9999, "fan@example.cn", "en"); code(err) != "notice.product" {
		t.Errorf("no such product: %v", err)
	}
	// Not confirmed: no notice.
	if _, err := w.notices.Compose(ctx, eng, c.ID, notice.Content{Subscribers: true}); code(err) != "notice.no_recipients" {
		t.Fatalf("compose to an unconfirmed subscriber: %v", err)
	}
	w.drain(t)
	msgs := w.mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d confirmation mails, want 1", len(msgs))
	}
	confirm := regexp.MustCompile(`notices/confirm/([0-9a-f]+)`).FindStringSubmatch(decoded(msgs[0].Raw))
	if confirm == nil {
		t.Fatalf("no confirmation link:\n%s", msgs[0].Raw)
	}
	if sub, err := w.notices.Confirm(ctx, confirm[1]); err != nil || sub.State != "active" {
		t.Fatalf("confirm: %+v, %v", sub, err)
	}
	cp, err := w.notices.Compose(ctx, eng, c.ID, notice.Content{Subscribers: true, MessageEN: "secret detail"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.notices.Send(ctx, eng, c.ID, cp.ID); err != nil {
		t.Fatal(err)
	}
	w.drain(t)
	raw := string(w.mail.Messages()[1].Raw)
	if !strings.Contains(raw, "List-Unsubscribe-Post: List-Unsubscribe=One-Click") || strings.Contains(decoded(raw), "secret detail") {
		t.Fatalf("subscriber notice:\n%s", raw)
	}
	unsub := regexp.MustCompile(`notices/unsubscribe/([0-9a-f]+)`).FindStringSubmatch(raw)
	if sub, err := w.notices.Unsubscribe(ctx, unsub[1]); err != nil || sub.State != "ended" {
		t.Fatalf("unsubscribe: %+v, %v", sub, err)
	}
	if _, err := w.notices.Compose(ctx, eng, c.ID, notice.Content{Subscribers: true}); code(err) != "notice.no_recipients" {
		t.Errorf("compose after unsubscribing: %v", err)
	}
}

var sortedOpt = cmp.Transformer("sorted", func(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return out
})

func summary(rs []notice.Recipient) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name+" "+string(r.Channel)+" "+r.Target+" "+r.Language+" ["+strings.Join(r.Versions, " ")+"] "+string(r.State()))
	}
	return out
}

func states(rs []notice.Recipient) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Name+" "+string(r.State()))
	}
	return out
}

func (w *world) duty(t *testing.T, caseID int64, duty string) obligation.Obligation {
	t.Helper()
	os, err := w.obl.ForCase(context.Background(), w.p["compliance"], caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range os {
		if o.Duty == duty {
			return o
		}
	}
	t.Fatalf("no duty %s", duty)
	return obligation.Obligation{}
}

func (w *world) campaign(t *testing.T, caseID, id int64) notice.Campaign {
	t.Helper()
	cp, _, err := w.notices.Get(context.Background(), w.p["engineer"], caseID, id)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

func (w *world) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := w.d.Raw.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var tokenRE = regexp.MustCompile(`notices/r/([0-9a-f]{40})`)

func linkToken(t *testing.T, text string) string {
	t.Helper()
	m := tokenRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in:\n%s", text)
	}
	return m[1]
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// decoded undoes the quoted-printable encoding of a raw message, enough
// to search its text.
func decoded(raw any) string {
	var b []byte
	switch v := raw.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	}
	out, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
	return string(out)
}

func code(err error) string {
	c, _ := errs.CodeOf(err)
	return c
}
