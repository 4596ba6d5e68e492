package obligation_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/notify/notifytest"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// clock is the injectable time of a test world.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

type world struct {
	d     storetest.Database
	clock *clock
	cases *casework.Service
	obl   *obligation.Service
	p     map[string]*access.Principal
	org   int64
	// signer signs evidence packs.
	signer evidence.Signer
	kr     *keyring.Keyring
}

func newWorld(t *testing.T, dsn string, start time.Time) *world {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: start}
	d := storetest.Open(t, dsn, store.Options{Now: clk.Now})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, clock: clk, p: map[string]*access.Principal{}, kr: kr}
	w.cases = casework.NewService(d.DB, kr, "EMB")
	w.obl = obligation.NewService(d.DB, w.cases, kr).WithNotices(obligation.Notices{
		Notifier: notify.NewService(d.DB, kr, nil), BaseURL: "https://embargo.example.cn/", Email: true,
		Channels: []obligation.Target{{Kind: notify.Webhook, Target: "https://hooks.example.cn/x", Secret: "s3cret-s3cret"}}})
	w.cases.WithChangeHook(w.obl.Reconcile)
	w.signer = evidence.NewSigner(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	w.obl.WithEvidence([]evidence.Signer{w.signer}, d.DB, "embargo.example.cn").WithSubmitterSecret(func(int64) string { return "submitter-secret-for-tests" })
	err = d.DB.Transact(ctx, func(tx *store.Tx) error {
		if w.org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme 网络", Kinds: []string{"provider"},
			Country: "CN", CreatedAt: tx.Now()}); err != nil {
			return err
		}
		for _, s := range []product.Party{{Name: "Upstream Inc.", Country: "US", Email: "psirt@upstream.example"},
			{Name: "无邮箱供应商", Country: "CN"}} {
			if _, err := tx.PutSupplier(ctx, w.org, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	for _, u := range []struct {
		name string
		role access.Role
	}{{"triager", access.Triager}, {"compliance", access.ComplianceOfficer}, {"engineer", access.Engineer}} {
		user, err := ids.CreateUser(ctx, access.Operator(), identity.NewUser{Email: u.name + "@acme.example.cn", DisplayName: u.name,
			Password: "tangerine rooftop lantern", OrgID: w.org, Role: u.role})
		if err != nil {
			t.Fatal(err)
		}
		p := user.Principal(true)
		p.ConfidentialityAccepted = true
		w.p[u.name] = p
	}
	return w
}

func (w *world) duties(t *testing.T, id int64) map[string]obligation.Obligation {
	t.Helper()
	os, err := w.obl.ForCase(context.Background(), w.p["compliance"], id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]obligation.Obligation{}
	for _, o := range os {
		out[o.Duty] = o
	}
	return out
}

func (w *world) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.d.Raw.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, err error, kind errs.Kind, code string) {
	t.Helper()
	var e *errs.E
	if !errors.As(err, &e) || e.Kind != kind || (code != "" && e.Code != code) {
		t.Fatalf("err = %v, want %s %s", err, kind, code)
	}
}

func TestEngine(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("provider case", func(t *testing.T) { testProviderCase(t, dsn(t)) })
			t.Run("escalations", func(t *testing.T) { testEscalations(t, dsn(t)) })
			t.Run("sharing gate", func(t *testing.T) { testSharingGate(t, dsn(t)) })
			t.Run("submitters", func(t *testing.T) { testSubmitters(t, dsn(t)) })
			t.Run("settings change", func(t *testing.T) { testSettingsChange(t, dsn(t)) })
			t.Run("notice over SMTP", func(t *testing.T) { testNoticeOverSMTP(t, dsn(t)) })
			t.Run("sharing decisions", func(t *testing.T) { testDecisions(t, dsn(t)) })
			t.Run("EU-14-6 CRA user notice", func(t *testing.T) { testCRAUserNotice(t, dsn(t)) })
		})
	}
}

// A provider case from T0 late at night China time to its NVDB report and
// upstream notice (CN-07-1..7).
func testProviderCase(t *testing.T, dsn string) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 31, 23, 40, 0, 0, obligation.CST) // year end, late at night
	w := newWorld(t, dsn, t0.Add(20*time.Minute))
	tri, co := w.p["triager"], w.p["compliance"]
	c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "固件升级接口命令注入", Summary: "POST /upgrade 未校验文件名，可注入命令。",
		T0: t0, T0Source: "report:R-TEST"})
	if err != nil {
		t.Fatal(err)
	}
	ds := w.duties(t, c.ID)
	nv := ds["cn.nvdb_report"]
	if nv.Stored != obligation.Open || !nv.DueAt.Equal(t0.Add(48*time.Hour)) ||
		!nv.OuterBound.Equal(time.Date(2027, 1, 3, 0, 0, 0, 0, obligation.CST)) {
		t.Fatalf("NVDB duty = %+v, want open, due T0+48h, outer bound 2027-01-03 00:00 CST", nv)
	}
	if ds["cn.verify"].Stored != obligation.Open || len(ds) != 2 {
		t.Fatalf("duties = %v", ds)
	}

	// Verification starts: its duty is met by the transition.
	w.clock.Set(t0.Add(2 * time.Hour))
	if _, err := w.cases.Transition(ctx, tri, c.ID, casework.Move{To: casework.Verifying}); err != nil {
		t.Fatal(err)
	}
	v := w.duties(t, c.ID)["cn.verify"]
	if v.Stored != obligation.StoredMet || len(v.Evidence) != 1 || v.Evidence[0].Ref != "transition:verifying" {
		t.Fatalf("verify duty = %+v", v)
	}

	// CN-07-6: the package lacks the mandatory fields; it cannot be submitted.
	d, err := w.obl.Draft(ctx, co, c.ID, "cn.nvdb_report")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"product", "model", "version", "harm", "scope"}, d.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	_, err = w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "cn.nvdb_report", Reference: "NVDB-1"})
	wantCode(t, err, errs.Conflict, "obligation.incomplete")
	if n := w.count(t, `SELECT count(*) FROM submissions`); n != 0 {
		t.Fatalf("%d submissions after a refused one", n)
	}
	// A model missing on one entry still blocks.
	if _, err := w.cases.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		Scope: []casework.Affected{{Product: "AR 路由器", Model: "AR-100", Versions: "<2.4.1"}, {Product: "AR 路由器", Versions: "3.0"}}}); err != nil {
		t.Fatal(err)
	}
	_, err = w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "cn.nvdb_report"})
	wantCode(t, err, errs.Conflict, "obligation.incomplete")
	if _, err := w.cases.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		Scope: []casework.Affected{{Product: "AR 路由器", Model: "AR-100", Versions: "<2.4.1"}}}); err != nil {
		t.Fatal(err)
	}
	// Only those who manage obligations mark it submitted.
	_, err = w.obl.Submit(ctx, tri, c.ID, obligation.SubmitRequest{Duty: "cn.nvdb_report"})
	wantCode(t, err, errs.Forbidden, "")

	w.clock.Set(t0.Add(30 * time.Hour))
	sub, err := w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "cn.nvdb_report", Reference: "NVDB-2027-0001"})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sub.Snapshot)
	if sub.Version != 1 || sub.SHA256 != hex.EncodeToString(sum[:]) || !strings.Contains(string(sub.Snapshot), "AR-100") {
		t.Fatalf("submission = %+v", sub)
	}
	nv = w.duties(t, c.ID)["cn.nvdb_report"]
	if nv.Stored != obligation.StoredMet || len(nv.Evidence) != 1 || nv.Evidence[0].SHA256 != sub.SHA256 {
		t.Fatalf("NVDB duty after submission = %+v", nv)
	}

	// CN-07-7: the snapshot never changes, not even by hand in SQL.
	if _, err := w.d.Raw.Exec(`UPDATE submissions SET reference = 'edited' WHERE id = $1`, sub.ID); err == nil {
		t.Error("a submission's reference could be edited")
	}
	if _, err := w.d.Raw.Exec(`DELETE FROM submissions WHERE id = $1`, sub.ID); err == nil {
		t.Error("a submission could be deleted")
	}
	// A change afterwards is a supplementary report, version 2.
	if _, err := w.cases.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "critical",
		Scope: []casework.Affected{{Product: "AR 路由器", Model: "AR-100", Versions: "<2.4.2"}}}); err != nil {
		t.Fatal(err)
	}
	sub2, err := w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "cn.nvdb_report", Reference: "NVDB-2027-0001-补充"})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := w.obl.Submissions(ctx, co, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sub2.Version != 2 || !sub2.Supplementary() || len(subs) != 2 || subs[0].SHA256 != sub.SHA256 ||
		string(subs[0].Snapshot) != string(sub.Snapshot) || subs[1].SHA256 == sub.SHA256 {
		t.Fatalf("after a supplementary report: %+v", subs)
	}

	// CN-07-4: the root cause is upstream: a notice duty is raised at once.
	up := "Upstream Inc."
	comp := "libupgrade 1.2"
	if _, err := w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{Upstream: &up, RootComponent: &comp}); err != nil {
		t.Fatal(err)
	}
	un := w.duties(t, c.ID)["cn.upstream_notice"]
	if un.Stored != obligation.Open || !un.AnchorAt.Equal(t0.Add(30*time.Hour)) || !un.DueAt.Equal(t0.Add(54*time.Hour)) {
		t.Fatalf("upstream notice duty = %+v", un)
	}
	unknown := "Nobody Ltd"
	_, err = w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{Upstream: &unknown})
	wantCode(t, err, errs.Invalid, "case.supplier_unknown")
	// A foreign supplier is the provider of its component: the gate lets
	// the notice through (Art. 9(7)), audited; it is met once delivered.
	n, err := w.obl.SendUpstreamNotice(ctx, tri, c.ID, obligation.NoticeRequest{Channel: obligation.Mail})
	if err != nil {
		t.Fatal(err)
	}
	// Allowed: two domestic NVDB reports and this notice.
	if allowed := w.count(t, `SELECT count(*) FROM audit_events WHERE action = 'sharing.allowed'`); n.OutboxID == 0 || allowed != 3 {
		t.Fatalf("notice in outbox row %d; sharing.allowed events: %d, want 3", n.OutboxID, allowed)
	}
	if w.duties(t, c.ID)["cn.upstream_notice"].Stored != obligation.Open {
		t.Fatal("an undelivered notice met its duty")
	}
	sent := t0.Add(31 * time.Hour)
	if _, err := w.d.Raw.Exec(`UPDATE outbox SET state = 'sent', sent_at = $2 WHERE id = $1`, n.OutboxID, sent); err != nil {
		t.Fatal(err)
	}
	rep, err := w.obl.Sweep(ctx, t0.Add(32*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	un = w.duties(t, c.ID)["cn.upstream_notice"]
	if rep.Delivered != 1 || un.Stored != obligation.StoredMet || !un.ClosedAt.Equal(sent) {
		t.Fatalf("after delivery: %+v, duty %+v", rep, un)
	}
	if rep, _ := w.obl.Sweep(ctx, t0.Add(33*time.Hour)); rep.Delivered != 0 {
		t.Error("a delivery was recorded twice")
	}

	// CN-12-1: the evidence pack carries every duty with its evidence,
	// signed; it verifies against the instance's key and not another's.
	env, pack, err := w.obl.EvidencePack(ctx, co, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, vr, err := evidence.Verify(env, []ed25519.PublicKey{w.signer.PublicKey()})
	if err != nil || !vr.Trusted {
		t.Fatalf("verify the evidence pack: %v (trusted %v)", err, vr.Trusted)
	}
	states := map[string]evidence.State{}
	for _, d := range got.Duties {
		states[d.Code] = d.State
	}
	if diff := cmp.Diff(map[string]evidence.State{"cn.verify": evidence.Met, "cn.nvdb_report": evidence.Met,
		"cn.upstream_notice": evidence.Met}, states); diff != "" {
		t.Errorf("pack duties (-want +got):\n%s", diff)
	}
	if len(got.Submissions) != 3 || got.Submissions[0].SnapshotSHA256 != sub.SHA256 || len(pack.Timeline) == 0 ||
		got.AuditHead.Seq == 0 || strings.Contains(string(env), "未校验文件名") {
		t.Errorf("pack: %d submissions, %d timeline events, head %d; summary leaked: %v", len(got.Submissions), len(pack.Timeline),
			got.AuditHead.Seq, strings.Contains(string(env), "未校验文件名"))
	}
	other := evidence.NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)))
	if _, rep, err := evidence.Verify(env, []ed25519.PublicKey{other.PublicKey()}); err == nil && rep.Trusted {
		t.Error("the pack verified as trusted against another key")
	}
	// Engineers neither audit nor manage duties: no pack.
	_, _, err = w.obl.EvidencePack(ctx, w.p["engineer"], c.ID)
	wantCode(t, err, errs.Forbidden, "")

	// The compliance dashboard measures what happened.
	dash, err := w.obl.Dashboard(ctx, co, t0.Add(40*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	figures := map[string][3]int{}
	for _, st := range dash.Duties {
		if st.Total > 0 {
			figures[st.Duty] = [3]int{st.Total, st.MetOnTime, int(st.OnTimeRate * 100)}
		}
	}
	if diff := cmp.Diff(map[string][3]int{"cn.verify": {1, 1, 100}, "cn.nvdb_report": {1, 1, 100},
		"cn.upstream_notice": {1, 1, 100}}, figures); diff != "" {
		t.Errorf("dashboard (-want +got):\n%s", diff)
	}
	if dash.Verify.Median != 2*time.Hour || dash.Report.Median != 30*time.Hour || dash.Acknowledge.Count != 0 {
		t.Errorf("times: verify %v, report %v, acknowledge %d", dash.Verify.Median, dash.Report.Median, dash.Acknowledge.Count)
	}
	_, err = w.obl.Dashboard(ctx, w.p["engineer"], time.Now())
	wantCode(t, err, errs.Forbidden, "")

	// CN-07-1: correcting T0 moves the open duties, never the met ones.
	if _, err := w.cases.CorrectT0(ctx, tri, c.ID, t0.Add(-time.Hour), "internal", "found in an earlier log"); err != nil {
		t.Fatal(err)
	}
	if got := w.duties(t, c.ID)["cn.nvdb_report"]; !got.DueAt.Equal(nv.DueAt) || got.Stored != obligation.StoredMet {
		t.Errorf("a met duty moved: %+v", got)
	}
}

// Escalations at 24 h, 4 h and overdue fire once each, to the assignees,
// the compliance officers and the channels, naming no title.
func testEscalations(t *testing.T, dsn string) {
	ctx := context.Background()
	t0 := time.Date(2028, 2, 28, 22, 0, 0, 0, obligation.CST) // across a leap day
	w := newWorld(t, dsn, t0)
	c, err := w.cases.Create(ctx, w.p["triager"], casework.NewCase{Title: "秘密标题 secret title"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cases.AddPerson(ctx, w.p["triager"], c.ID, w.p["engineer"].UserID, casework.Assignee); err != nil {
		t.Fatal(err)
	}
	total := 0
	for h := 0; h <= 60; h++ {
		w.clock.Set(t0.Add(time.Duration(h) * time.Hour))
		rep, err := w.obl.Sweep(ctx, w.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		total += rep.Escalated
	}
	// cn.verify (24 h span: 4h, overdue) + cn.nvdb_report (24h, 4h, overdue).
	if total != 5 {
		t.Errorf("%d escalations, want 5", total)
	}
	if n := w.count(t, `SELECT count(*) FROM audit_events WHERE action = 'obligation.escalate'`); n != 5 {
		t.Errorf("%d escalation events, want 5", n)
	}
	// Each to engineer (assignee) + compliance officer by mail, and the webhook.
	if n := w.count(t, `SELECT count(*) FROM outbox WHERE dedup_key LIKE 'obligation:%'`); n != 15 {
		t.Errorf("%d escalation messages, want 15", n)
	}
	if n := w.count(t, `SELECT count(*) FROM outbox WHERE dedup_key LIKE 'obligation-digest:%'`); n < 1 {
		t.Error("no daily digest")
	}
	fired := w.duties(t, c.ID)["cn.nvdb_report"].Fired
	if diff := cmp.Diff([]string{"24h", "4h", "overdue"}, fired); diff != "" {
		t.Errorf("fired (-want +got):\n%s", diff)
	}
	// The messages are sealed; the masked targets show no title either.
	if n := w.count(t, `SELECT count(*) FROM outbox WHERE target LIKE '%secret%'`); n != 0 {
		t.Error("a title leaked into the outbox")
	}
}

// CN-09-7, EU-14-8: a CRA report to ENISA is foreign and not the product's
// provider: refused and audited until a legal decision is recorded.
func testSharingGate(t *testing.T, dsn string) {
	ctx := context.Background()
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, obligation.CST)
	w := newWorld(t, dsn, t0.Add(time.Hour))
	co, tri := w.p["compliance"], w.p["triager"]
	if err := w.obl.SetSettings(ctx, co, obligation.OrgSettings{Regimes: map[obligation.Regime]bool{obligation.EUCRA: true}}); err != nil {
		t.Fatal(err)
	}
	c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "被利用的漏洞", Summary: "在野利用。", T0: t0, T0Source: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	// EU-14-1: no exploited flag without evidence.
	at := t0.Add(30 * time.Minute)
	_, err = w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{ExploitedAt: &at})
	wantCode(t, err, errs.Invalid, "case.exploited_evidence")
	if _, err := w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{ExploitedAt: &at, ExploitedEvidence: "CERT 通报 2026-118"}); err != nil {
		t.Fatal(err)
	}
	ds := w.duties(t, c.ID)
	if !ds["eu.early_warning"].DueAt.Equal(at.Add(24*time.Hour)) || !ds["eu.notification"].DueAt.Equal(at.Add(72*time.Hour)) {
		t.Fatalf("CRA duties = %+v", ds)
	}
	if _, ok := ds["eu.final_report"]; ok {
		t.Fatal("a final-report clock runs without a fix (EU-14-4)")
	}
	if _, err := w.cases.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "high",
		Scope: []casework.Affected{{Product: "网关", Model: "G1", Versions: "1.0"}}}); err != nil {
		t.Fatal(err)
	}
	// EU-14-2: the early warning names the Member States.
	_, err = w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "eu.early_warning"})
	wantCode(t, err, errs.Conflict, "obligation.incomplete")
	if _, err := w.obl.SetFields(ctx, co, c.ID, "eu.early_warning", map[string]string{"nonsense": "x"}); err == nil {
		t.Error("an unknown field was accepted")
	}
	if _, err := w.obl.SetFields(ctx, co, c.ID, "eu.early_warning", map[string]string{"member_states": "DE, FR, NL"}); err != nil {
		t.Fatal(err)
	}
	_, err = w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "eu.early_warning"})
	wantCode(t, err, errs.Forbidden, "sharing.blocked")
	if n := w.count(t, `SELECT count(*) FROM audit_events WHERE action = 'sharing.blocked'`); n != 1 {
		t.Errorf("%d sharing.blocked events, want 1", n)
	}
	if n := w.count(t, `SELECT count(*) FROM submissions`); n != 0 {
		t.Errorf("%d submissions after a blocked one", n)
	}
	if _, err := w.obl.RecordDecision(ctx, co, c.ID, disclosure.NewDecision{Recipient: "ENISA single reporting platform",
		Country: "EU", Basis: "法务意见 2026-07：CRA 第14条报告", ExpiresAt: w.clock.Now().AddDate(0, 3, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "eu.early_warning", Reference: "SRP-1"}); err != nil {
		t.Fatal(err)
	}
	if w.duties(t, c.ID)["eu.early_warning"].Stored != obligation.StoredMet {
		t.Error("the early warning is not met")
	}
	subs, err := w.obl.Submissions(ctx, co, c.ID)
	if err != nil || len(subs) != 1 || !strings.Contains(string(subs[0].Snapshot), `"member_states":"DE, FR, NL"`) ||
		!strings.Contains(string(subs[0].Snapshot), `"format":"embargo-cra-report/1"`) {
		t.Errorf("CRA snapshot: %v %d submissions", err, len(subs))
	}
	// A fix starts the final-report clock: fix + 14 days.
	if _, err := w.cases.Transition(ctx, tri, c.ID, casework.Move{To: casework.Verifying}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []casework.Status{casework.Confirmed, casework.Remediating, casework.Fixed} {
		if _, err := w.cases.Transition(ctx, tri, c.ID, casework.Move{To: to}); err != nil {
			t.Fatal(err)
		}
	}
	fr := w.duties(t, c.ID)["eu.final_report"]
	if !fr.DueAt.Equal(w.clock.Now().Add(14 * 24 * time.Hour)) {
		t.Errorf("final report due %v, want fix + 14 days", fr.DueAt)
	}
}

// RecordDecision and Decisions (CN-09-7): only those who approve sharing
// record a decision, on a case they can see, with a recipient and its
// country, a basis and an expiry within a year; whoever may see the case
// lists the decisions, and nobody else learns the case exists.
func testDecisions(t *testing.T, dsn string) {
	ctx := context.Background()
	w := newWorld(t, dsn, time.Date(2026, 10, 1, 9, 0, 0, 0, obligation.CST))
	co, tri := w.p["compliance"], w.p["triager"]
	c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "境外共享", Summary: "需要法律决定。"})
	if err != nil {
		t.Fatal(err)
	}
	now := w.clock.Now()
	valid := disclosure.NewDecision{Recipient: " ENISA single reporting platform ", Country: "eu",
		Basis: "法务意见 2026-09：CRA 第14条报告", ExpiresAt: now.AddDate(0, 3, 0)}
	for _, tc := range []struct {
		name   string
		p      *access.Principal
		caseID int64
		change func(*disclosure.NewDecision)
		kind   errs.Kind
		code   string
	}{
		{"a triager may not decide", tri, c.ID, nil, errs.Forbidden, "access.denied"},
		{"no such case", co, c.ID + 100, nil, errs.NotFound, ""},
		{"no country", co, c.ID, func(d *disclosure.NewDecision) { d.Country = "" }, errs.Invalid, "sharing.recipient"},
		{"no basis", co, c.ID, func(d *disclosure.NewDecision) { d.Basis = " " }, errs.Invalid, "sharing.basis"},
		{"expired", co, c.ID, func(d *disclosure.NewDecision) { d.ExpiresAt = now.Add(-time.Hour) }, errs.Invalid, "sharing.expiry"},
		{"over a year", co, c.ID, func(d *disclosure.NewDecision) { d.ExpiresAt = now.AddDate(1, 0, 1) }, errs.Invalid, "sharing.expiry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nd := valid
			if tc.change != nil {
				tc.change(&nd)
			}
			_, err := w.obl.RecordDecision(ctx, tc.p, tc.caseID, nd)
			wantCode(t, err, tc.kind, tc.code)
		})
	}
	d, err := w.obl.RecordDecision(ctx, co, c.ID, valid)
	if err != nil {
		t.Fatal(err)
	}
	want := disclosure.Decision{ID: d.ID, CaseID: c.ID, Recipient: "ENISA single reporting platform", Country: "EU",
		Basis: valid.Basis, DecidedBy: co.Actor(), DecidedAt: now, ExpiresAt: valid.ExpiresAt}
	if diff := cmp.Diff(want, d); diff != "" || d.ID == 0 {
		t.Errorf("recorded decision (-want +got):\n%s", diff)
	}
	// The triager is on the case's access list; the engineer is not.
	got, err := w.obl.Decisions(ctx, tri, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]disclosure.Decision{want}, got); diff != "" {
		t.Errorf("decisions (-want +got):\n%s", diff)
	}
	_, err = w.obl.Decisions(ctx, w.p["engineer"], c.ID)
	wantCode(t, err, errs.NotFound, "")
	if n := w.count(t, `SELECT count(*) FROM audit_events WHERE action = 'sharing.decision'`); n != 1 {
		t.Errorf("%d sharing.decision events, want 1", n)
	}
}

// Submitters: a report sent by e-mail or HTTP goes through the outbox and
// meets its duty once delivered; a duty without a submitter is refused.
func testSubmitters(t *testing.T, dsn string) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 21, 0, 0, 0, obligation.CST)
	w := newWorld(t, dsn, t0.Add(time.Hour))
	co, tri := w.p["compliance"], w.p["triager"]
	bad := obligation.OrgSettings{Submitters: map[string]obligation.Submitter{"cn.nvdb_report": {Channel: "http", Target: "http://plain.example"}}}
	wantCode(t, w.obl.SetSettings(ctx, co, bad), errs.Invalid, "obligation.submitter")
	c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "串口调试接口未关闭", Summary: "UART 可直接获得 root shell。", T0: t0, T0Source: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.cases.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "medium",
		Scope: []casework.Affected{{Product: "IPC 摄像机", Model: "C2", Versions: "all"}}}); err != nil {
		t.Fatal(err)
	}
	_, err = w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "cn.nvdb_report", Channel: obligation.HTTP})
	wantCode(t, err, errs.Conflict, "obligation.no_submitter")
	good := obligation.OrgSettings{Submitters: map[string]obligation.Submitter{
		"cn.nvdb_report": {Channel: obligation.HTTP, Target: "https://nvdb-connector.example.cn/reports"}}}
	if err := w.obl.SetSettings(ctx, co, good); err != nil {
		t.Fatal(err)
	}
	sub, err := w.obl.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: "cn.nvdb_report", Channel: obligation.HTTP})
	if err != nil {
		t.Fatal(err)
	}
	var kind, target string
	if err := w.d.Raw.QueryRow(`SELECT kind, target FROM outbox WHERE id = $1`, sub.OutboxID).Scan(&kind, &target); err != nil {
		t.Fatal(err)
	}
	if kind != "webhook" || !strings.HasPrefix(target, "https://nvdb-connector.example.cn") {
		t.Errorf("outbox message %s to %s", kind, target)
	}
	if w.duties(t, c.ID)["cn.nvdb_report"].Stored != obligation.Open {
		t.Fatal("an undelivered submission met its duty")
	}
	sent := t0.Add(90 * time.Minute)
	if _, err := w.d.Raw.Exec(`UPDATE outbox SET state = 'sent', sent_at = $2 WHERE id = $1`, sub.OutboxID, sent); err != nil {
		t.Fatal(err)
	}
	if rep, err := w.obl.Sweep(ctx, t0.Add(2*time.Hour)); err != nil || rep.Delivered != 1 {
		t.Fatalf("sweep: %+v, %v", rep, err)
	}
	if got := w.duties(t, c.ID)["cn.nvdb_report"]; got.Stored != obligation.StoredMet || !got.ClosedAt.Equal(sent) {
		t.Errorf("NVDB duty after delivery: %+v", got)
	}
}

// Turning a regime on (for a product) brings the duties of the open cases
// in line at once; turning it off withdraws the open ones.
func testSettingsChange(t *testing.T, dsn string) {
	ctx := context.Background()
	t0 := time.Date(2026, 9, 30, 23, 30, 0, 0, obligation.CST)
	w := newWorld(t, dsn, t0.Add(time.Hour))
	co, tri := w.p["compliance"], w.p["triager"]
	c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "网关远程代码执行", T0: t0, T0Source: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(10 * time.Minute)
	if _, err := w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{ExploitedAt: &at, ExploitedEvidence: "蜜罐捕获"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cases.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "critical",
		Scope: []casework.Affected{{Product: "网关", Model: "G1", Versions: "<2.0"}}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.duties(t, c.ID)["eu.early_warning"]; ok {
		t.Fatal("a CRA duty with CRA off")
	}
	on := obligation.OrgSettings{ProductRegimes: map[string][]obligation.Regime{"网关": {obligation.EUCRA}}}
	if err := w.obl.SetSettings(ctx, co, on); err != nil {
		t.Fatal(err)
	}
	if ew, ok := w.duties(t, c.ID)["eu.early_warning"]; !ok || ew.Stored != obligation.Open || !ew.DueAt.Equal(at.Add(24*time.Hour)) {
		t.Fatalf("after turning CRA on for the product: %+v, %v", ew, ok)
	}
	if err := w.obl.SetSettings(ctx, co, obligation.OrgSettings{}); err != nil {
		t.Fatal(err)
	}
	if ew := w.duties(t, c.ID)["eu.early_warning"]; ew.Stored != obligation.StoredWithdr {
		t.Errorf("after turning CRA off: %+v", ew)
	}
}

// The upstream notice goes out through the real outbox worker and a real
// SMTP session; its duty is met when the outbox records the delivery.
func testNoticeOverSMTP(t *testing.T, dsn string) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 22, 0, 0, 0, obligation.CST)
	w := newWorld(t, dsn, t0.Add(time.Hour))
	mb := &notifytest.Mailbox{}
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: notifytest.Start(t, mb, nil), TLS: notify.SMTPNoTLS,
		From: "psirt@acme.example.cn", HELO: "embargo.test"})
	if err != nil {
		t.Fatal(err)
	}
	worker, err := notify.NewWorker(w.d.DB, w.kr, notify.Senders{notify.Email: sender}, notify.WorkerOptions{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	tri := w.p["triager"]
	c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "第三方库反序列化漏洞", Summary: "libupgrade 的解析器可被利用。", T0: t0, T0Source: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	up, comp := "Upstream Inc.", "libupgrade 1.2"
	if _, err := w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{Upstream: &up, RootComponent: &comp}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.obl.SendUpstreamNotice(ctx, tri, c.ID, obligation.NoticeRequest{Channel: obligation.Mail}); err != nil {
		t.Fatal(err)
	}
	if n, err := worker.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("outbox worker sent %d, %v", n, err)
	}
	msgs := mb.Wait(t, 1, 10*time.Second)
	if len(msgs[0].To) != 1 || msgs[0].To[0] != "psirt@upstream.example" || !strings.Contains(string(msgs[0].Raw), c.Ref) {
		t.Fatalf("delivered to %v:\n%.300s", msgs[0].To, msgs[0].Raw)
	}
	if rep, err := w.obl.Sweep(ctx, w.clock.Now()); err != nil || rep.Delivered != 1 {
		t.Fatalf("sweep: %+v, %v", rep, err)
	}
	if un := w.duties(t, c.ID)["cn.upstream_notice"]; un.Stored != obligation.StoredMet || len(un.Evidence) != 1 ||
		un.Evidence[0].Kind != obligation.ByNotice {
		t.Errorf("upstream notice duty after delivery: %+v", un)
	}
}

// EU-14-6 (CRA Art. 14(8)): an exploited case in an organisation with the
// CRA on gets eu.user_notice; it is met only when both a delivered notice
// campaign and a published advisory (the CSAF document) are recorded on
// it, whichever comes second, in either order; a case that is not
// exploited never gets it. The hooks run in the caller's transaction.
func testCRAUserNotice(t *testing.T, dsn string) {
	ctx := context.Background()
	t0 := time.Date(2026, 10, 1, 9, 0, 0, 0, obligation.CST)
	w := newWorld(t, dsn, t0.Add(time.Hour))
	co, tri := w.p["compliance"], w.p["triager"]
	if err := w.obl.SetSettings(ctx, co, obligation.OrgSettings{Regimes: map[obligation.Regime]bool{obligation.EUCRA: true}}); err != nil {
		t.Fatal(err)
	}
	campaign := func(id int) obligation.Evidence {
		return obligation.Evidence{Ref: fmt.Sprintf("campaign:%d", id), At: w.clock.Now(), SHA256: strings.Repeat("a", 64),
			Note: "notice campaign delivered"}
	}
	advisory := func(rev int) obligation.Evidence {
		return obligation.Evidence{Ref: fmt.Sprintf("advisory:EMB-2026-0001-SA/%d", rev), At: w.clock.Now(),
			SHA256: strings.Repeat("b", 64), Note: "advisory published"}
	}
	hook := func(caseID int64, e obligation.Evidence) {
		t.Helper()
		err := w.d.DB.TransactObligations(ctx, func(tx obligation.Tx) error {
			if strings.HasPrefix(e.Ref, "campaign:") {
				return w.obl.NoticeDelivered(ctx, tx, caseID, e)
			}
			return w.obl.AdvisoryPublished(ctx, tx, caseID, e)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	exploited := func(title string) casework.Case {
		t.Helper()
		c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: title, T0: t0, T0Source: "internal"})
		if err != nil {
			t.Fatal(err)
		}
		at := t0.Add(30 * time.Minute)
		if _, err := w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{ExploitedAt: &at, ExploitedEvidence: "CERT 通报 2026-118"}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	refs := func(o obligation.Obligation) []string {
		var out []string
		for _, e := range o.Evidence {
			out = append(out, string(e.Kind)+" "+e.Ref)
		}
		return out
	}

	// Notice first: the campaign alone leaves the duty open, its evidence
	// recorded; a repeat records nothing; the advisory then meets it.
	c := exploited("被利用的网关漏洞")
	un, ok := w.duties(t, c.ID)[obligation.CRAUserNoticeDuty]
	if !ok || un.Stored != obligation.Open || un.Requirement != "EU-14-6" || !un.DueAt.Equal(t0.Add(30*time.Minute+72*time.Hour)) {
		t.Fatalf("eu.user_notice = %+v (raised %v), want open, EU-14-6, due awareness + 72 h", un, ok)
	}
	w.clock.Set(t0.Add(5 * time.Hour))
	hook(c.ID, campaign(7))
	hook(c.ID, campaign(7))
	un = w.duties(t, c.ID)[obligation.CRAUserNoticeDuty]
	if diff := cmp.Diff([]string{"notice campaign:7"}, refs(un)); un.Stored != obligation.Open || diff != "" {
		t.Fatalf("after the campaign alone: %s, evidence (-want +got):\n%s", un.Stored, diff)
	}
	w.clock.Set(t0.Add(30 * time.Hour))
	hook(c.ID, advisory(1))
	un = w.duties(t, c.ID)[obligation.CRAUserNoticeDuty]
	if diff := cmp.Diff([]string{"notice campaign:7", "advisory advisory:EMB-2026-0001-SA/1"}, refs(un)); un.Stored != obligation.StoredMet ||
		!un.ClosedAt.Equal(t0.Add(30*time.Hour)) || diff != "" {
		t.Fatalf("after the advisory too: %s at %v, evidence (-want +got):\n%s", un.Stored, un.ClosedAt, diff)
	}
	// Met is final: a later campaign or revision changes nothing.
	hook(c.ID, campaign(8))
	hook(c.ID, advisory(2))
	if got := refs(w.duties(t, c.ID)[obligation.CRAUserNoticeDuty]); len(got) != 2 {
		t.Errorf("evidence after the duty was met: %v", got)
	}

	// Advisory first, then two revisions while waiting; the campaign meets it.
	c2 := exploited("被利用的路由器漏洞")
	hook(c2.ID, advisory(1))
	hook(c2.ID, advisory(1))
	hook(c2.ID, advisory(2))
	if un := w.duties(t, c2.ID)[obligation.CRAUserNoticeDuty]; un.Stored != obligation.Open || len(un.Evidence) != 2 {
		t.Fatalf("after the advisory alone: %s, %v", un.Stored, refs(un))
	}
	hook(c2.ID, campaign(9))
	un = w.duties(t, c2.ID)[obligation.CRAUserNoticeDuty]
	if un.Stored != obligation.StoredMet || un.Evidence[len(un.Evidence)-1].Ref != "campaign:9" {
		t.Fatalf("after the campaign too: %s, %v", un.Stored, refs(un))
	}

	// Audited like every duty: partial evidence, then met, once each.
	for action, want := range map[string]int{"obligation.evidence": 3, "obligation.met": 2} {
		if n := w.count(t, `SELECT count(*) FROM audit_events WHERE action = $1 AND details LIKE '%eu.user_notice%'`, action); n != want {
			t.Errorf("%d %s events for eu.user_notice, want %d", n, action, want)
		}
	}

	// A case that is not exploited never gets the duty; the hooks leave it be.
	c3, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "未被利用的漏洞", T0: t0, T0Source: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	hook(c3.ID, campaign(10))
	hook(c3.ID, advisory(1))
	if un, ok := w.duties(t, c3.ID)[obligation.CRAUserNoticeDuty]; ok {
		t.Errorf("a case that is not exploited has eu.user_notice: %+v", un)
	}
}
