package report_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// world is a store with two organisations, staff in them, and the intake
// service over the real store.
type world struct {
	d    storetest.Database
	kr   *keyring.Keyring
	svc  *report.Service
	orgs [2]int64
	p    map[string]*access.Principal
}

func newWorld(t testing.TB, dsn string) *world { return newWorldAt(t, dsn, nil) }

// newWorldAt is newWorld with the store's clock.
func newWorldAt(t testing.TB, dsn string, now func() time.Time) *world {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{Now: now})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, kr: kr, p: map[string]*access.Principal{}}
	w.svc = report.NewService(d.DB, kr, report.Options{}).WithCases(casework.NewService(d.DB, kr, "EMB"))
	t.Cleanup(w.svc.Close)
	ids := identity.NewService(d.DB, identity.DefaultPolicy, nil)
	err = d.DB.Transact(ctx, func(tx *store.Tx) error {
		for i, name := range []string{"Acme", "Other"} {
			var err error
			if w.orgs[i], err = tx.CreateOrganisation(ctx, identity.Organisation{Name: name, Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		name string
		org  int64
		role access.Role
	}{
		{"triager", w.orgs[0], access.Triager}, {"engineer", w.orgs[0], access.Engineer},
		{"other", w.orgs[1], access.Triager},
	} {
		user, err := ids.CreateUser(ctx, access.Operator(), identity.NewUser{Email: u.name + "@example.cn", DisplayName: u.name,
			Password: "tangerine rooftop lantern", OrgID: u.org, Role: u.role})
		if err != nil {
			t.Fatal(err)
		}
		p := user.Principal(true)
		p.ConfidentialityAccepted = true
		w.p[u.name] = p
	}
	return w
}

func forEachDialect(t *testing.T, fn func(*testing.T, *world)) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) { fn(t, newWorld(t, dsn(t))) })
	}
}

func sample() report.Submission {
	raw := `{"title":"路由器管理界面命令注入"}`
	return report.Submission{Channel: report.API, Title: "路由器管理界面命令注入", Description: "在 /cgi-bin/admin 中 ping 参数未过滤。\nPoC: ;id",
		Product: "AX3000 路由器", Version: "1.0.3", Reporter: report.Reporter{Name: "张三", Email: "zhangsan@example.cn"},
		Raw: []byte(raw), Actor: "anonymous", Language: "zh-CN",
		Attachments: []report.Attachment{{Name: "../../etc/poc.html", ContentType: "text/plain", Data: []byte("<script>alert(1)</script>")}}}
}

// TestSubmitWritesReceipt checks CN-05-2: a submission lands in the
// receipt log with every field, in the hash chain, before it is
// acknowledged, and its content is sealed at rest.
func TestSubmitWritesReceipt(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		sub := sample()
		ack, err := w.svc.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if !report.ValidTrackingID(ack.TrackingID) || ack.Secret == "" || ack.Receipt.Seq != 1 || ack.Receipt.ID != "rcpt-1" {
			t.Fatalf("ack = %+v", ack)
		}
		evs, err := w.d.DB.AuditEvents(ctx, audit.Receipts, 0, 10)
		if err != nil || len(evs) != 1 {
			t.Fatalf("receipt events = %v, %v", evs, err)
		}
		ev := evs[0]
		var det report.ReceiptDetails
		if err := json.Unmarshal([]byte(ev.Details), &det); err != nil {
			t.Fatal(err)
		}
		want := report.ReceiptDetails{Channel: report.API, TrackingID: ack.TrackingID, SHA256: sha256hex(sub.Raw),
			Size: int64(len(sub.Raw)), Attachments: 1}
		if ack.Receipt.SHA256 != sha256hex(sub.Raw) {
			t.Errorf("receipt sha256 = %s, want %s", ack.Receipt.SHA256, sha256hex(sub.Raw))
		}
		sealed := det.Sealed
		det.Sealed = ""
		if diff := cmp.Diff(want, det); diff != "" {
			t.Errorf("receipt details (-want +got):\n%s", diff)
		}
		if ev.OrgID != w.orgs[0] || ev.Actor != "anonymous" || ev.Action != "report.receive" || !ev.At.Equal(ack.Receipt.ReceivedAt) {
			t.Errorf("receipt event = %+v", ev)
		}
		// The reporter's identity and product are in the entry, sealed.
		if strings.Contains(ev.Details, "zhangsan") || strings.Contains(ev.Details, "AX3000") {
			t.Errorf("contact details in clear in the receipt log: %s", ev.Details)
		}
		ct, _ := base64.StdEncoding.DecodeString(sealed)
		plain, err := w.kr.Unseal(ct, []byte("receipt.sealed:"+ack.TrackingID))
		if err != nil || !strings.Contains(string(plain), "zhangsan@example.cn") || !strings.Contains(string(plain), "AX3000") {
			t.Errorf("sealed receipt part = %s, %v", plain, err)
		}
		rep, err := audit.Verify(ctx, w.d.DB, audit.Receipts, nil)
		if err != nil || !rep.Intact() || rep.Events != 1 {
			t.Errorf("verify receipts = %+v, %v", rep, err)
		}
		// Nothing of the content is stored in clear.
		var content, raw []byte
		if err := w.d.Raw.QueryRow(`SELECT content, raw FROM reports`).Scan(&content, &raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(content), "ping") || strings.Contains(string(raw), "title") {
			t.Error("report content stored in clear")
		}
		// Staff read it back, with the attachment's name cleaned.
		d, err := w.svc.Get(ctx, w.p["triager"], ack.TrackingID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Title != sub.Title || d.Description != sub.Description || d.Reporter != sub.Reporter || d.Status != report.New {
			t.Errorf("detail = %+v", d.Report)
		}
		if len(d.Attachments) != 1 || d.Attachments[0].Name != "poc.html" || d.Attachments[0].SniffedType != "text/html; charset=utf-8" {
			t.Errorf("attachments = %+v", d.Attachments)
		}
		raw, err = w.svc.Raw(ctx, w.p["triager"], ack.TrackingID)
		if err != nil || string(raw) != string(sub.Raw) {
			t.Errorf("raw = %q, %v", raw, err)
		}
	})
}

func sha256hex(b []byte) string { return fmt.Sprintf("%x", sha256sum(b)) }

// TestBadInputStoresNothing checks that refused submissions get a clear,
// coded error and leave no trace in the reports or the receipt log.
func TestBadInputStoresNothing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		tests := []struct {
			name string
			edit func(*report.Submission)
			code string
			kind errs.Kind
		}{
			{"no title", func(s *report.Submission) { s.Title = " \n\t" }, "report.title", errs.Invalid},
			{"long title", func(s *report.Submission) { s.Title = strings.Repeat("漏", 301) }, "report.title", errs.Invalid},
			{"no description", func(s *report.Submission) { s.Description = "" }, "report.description", errs.Invalid},
			{"huge description", func(s *report.Submission) { s.Description = strings.Repeat("a", 256<<10+1) }, "report.description", errs.TooLarge},
			{"bad e-mail", func(s *report.Submission) { s.Reporter.Email = "not an address" }, "email.invalid", errs.Invalid},
			{"e-mail with name", func(s *report.Submission) { s.Reporter.Email = "Bob <bob@example.cn>" }, "email.invalid", errs.Invalid},
			{"too many files", func(s *report.Submission) { s.Attachments = make([]report.Attachment, 11) }, "report.attachments", errs.TooLarge},
			{"huge file", func(s *report.Submission) {
				s.Attachments = []report.Attachment{{Name: "a.bin", Data: make([]byte, 10<<20+1)}}
			}, "report.attachment", errs.TooLarge},
			{"long product", func(s *report.Submission) { s.Product = strings.Repeat("p", 201) }, "report.product", errs.Invalid},
			{"unknown organisation", func(s *report.Submission) { s.OrgID = 999 }, "report.no_org", errs.NotFound},
		}
		for _, tc := range tests {
			sub := sample()
			tc.edit(&sub)
			_, err := w.svc.Submit(ctx, sub)
			code, _ := errs.CodeOf(err)
			if code != tc.code || errs.KindOf(err) != tc.kind {
				t.Errorf("%s: err = %v (code %q, kind %v), want %q %v", tc.name, err, code, errs.KindOf(err), tc.code, tc.kind)
			}
		}
		head, err := w.d.DB.AuditHead(ctx, audit.Receipts)
		if err != nil || head.Last.Seq != 0 {
			t.Errorf("receipt head after refusals = %+v, %v", head, err)
		}
		var n int
		if err := w.d.Raw.QueryRow(`SELECT count(*) FROM reports`).Scan(&n); err != nil || n != 0 {
			t.Errorf("reports stored = %d, %v", n, err)
		}
	})
}

// TestConcurrentSubmissions checks the group commit: every acknowledged
// submission is stored once, with a receipt of its own, in one intact
// chain.
func TestConcurrentSubmissions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		const n = 300
		acks := make([]report.Ack, n)
		var wg sync.WaitGroup
		var failed sync.Map
		for i := range n {
			wg.Go(func() {
				sub := sample()
				sub.Title = fmt.Sprintf("report %d", i)
				sub.Attachments = nil
				var err error
				if acks[i], err = w.svc.Submit(ctx, sub); err != nil {
					failed.Store(i, err)
				}
			})
		}
		wg.Wait()
		failed.Range(func(k, v any) bool { t.Errorf("submission %v: %v", k, v); return true })
		seqs := map[int64]bool{}
		for _, a := range acks {
			seqs[a.Receipt.Seq] = true
		}
		if len(seqs) != n {
			t.Errorf("%d distinct receipts for %d submissions", len(seqs), n)
		}
		rep, err := audit.Verify(ctx, w.d.DB, audit.Receipts, nil)
		if err != nil || !rep.Intact() || rep.Events != n {
			t.Errorf("verify = %+v, %v", rep, err)
		}
		var stored int
		if err := w.d.Raw.QueryRow(`SELECT count(*) FROM reports`).Scan(&stored); err != nil || stored != n {
			t.Errorf("stored %d, want %d (%v)", stored, n, err)
		}
	})
}

// TestDedupKey checks that a resubmission with the same key (a mailbox
// polled again after a crash) returns the first acknowledgement.
func TestDedupKey(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		sub := sample()
		sub.Channel, sub.DedupKey = report.IMAP, "imap:1:42"
		first, err := w.svc.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.Submit(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Duplicate || again.TrackingID != first.TrackingID || again.Receipt != first.Receipt || again.Secret != "" {
			t.Errorf("again = %+v, first = %+v", again, first)
		}
		head, _ := w.d.DB.AuditHead(ctx, audit.Receipts)
		if head.Last.Seq != 1 {
			t.Errorf("receipts = %d, want 1", head.Last.Seq)
		}
	})
}

// TestNeedToKnowAndAudit checks that only triage staff of the receiving
// organisation read reports, and that each read is audited.
func TestNeedToKnowAndAudit(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		ack, err := w.svc.Submit(ctx, sample())
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			who  string
			want errs.Kind
		}{{"engineer", errs.Forbidden}, {"other", errs.NotFound}} {
			if _, err := w.svc.Get(ctx, w.p[tc.who], ack.TrackingID); errs.KindOf(err) != tc.want {
				t.Errorf("%s: Get err = %v, want %v", tc.who, err, tc.want)
			}
			if _, err := w.svc.Inbox(ctx, w.p[tc.who], report.Filter{}); tc.who == "engineer" && !errs.Is(err, errs.Forbidden) {
				t.Errorf("%s: Inbox err = %v", tc.who, err)
			}
		}
		if got, err := w.svc.Inbox(ctx, w.p["other"], report.Filter{}); err != nil || len(got) != 0 {
			t.Errorf("other organisation's inbox = %v, %v", got, err)
		}
		list, err := w.svc.Inbox(ctx, w.p["triager"], report.Filter{Status: report.New})
		if err != nil || len(list) != 1 || list[0].Title != sample().Title {
			t.Fatalf("inbox = %+v, %v", list, err)
		}
		if _, err := w.svc.Get(ctx, w.p["triager"], ack.TrackingID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := w.svc.Attachment(ctx, w.p["triager"], ack.TrackingID, 1); err != nil {
			t.Fatal(err)
		}
		evs, err := w.d.DB.SearchAudit(ctx, audit.Filter{Stream: audit.Main, Actor: w.p["triager"].Actor(), Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.Action+" "+e.Subject)
		}
		want := []string{"report.read_attachment report:" + ack.TrackingID, "report.read report:" + ack.TrackingID, "report.list report:inbox"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
	})
}

// TestTriageAndReporterSide walks a report through triage while the
// reporter follows it through the private link.
func TestTriageAndReporterSide(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		ctx := context.Background()
		tri := w.p["triager"]
		first, err := w.svc.Submit(ctx, sample())
		if err != nil {
			t.Fatal(err)
		}
		second, err := w.svc.Submit(ctx, sample())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.ForReporter(ctx, "not-the-secret-at-all-xxxxxxxx"); !errs.Is(err, errs.NotFound) {
			t.Errorf("wrong secret: err = %v", err)
		}
		v, err := w.svc.ForReporter(ctx, second.Secret)
		if err != nil || v.TrackingID != second.TrackingID || v.Status != report.New || !v.AckedAt.IsZero() {
			t.Fatalf("reporter view = %+v, %v", v, err)
		}
		// Triage refuses half decisions.
		if _, err := w.svc.Triage(ctx, tri, second.TrackingID, report.Decision{Status: report.Spam}); !errs.Is(err, errs.Invalid) {
			t.Errorf("spam without reason: err = %v", err)
		}
		if _, err := w.svc.Triage(ctx, tri, second.TrackingID, report.Decision{Status: report.Duplicate, DuplicateOf: second.TrackingID}); !errs.Is(err, errs.Invalid) {
			t.Errorf("duplicate of itself: err = %v", err)
		}
		// Similar finds the first report for the second.
		sugg, err := w.svc.Similar(ctx, tri, second.TrackingID, 5)
		if err != nil || len(sugg) != 1 || sugg[0].TrackingID != first.TrackingID || sugg[0].Score < 0.99 {
			t.Errorf("similar = %+v, %v", sugg, err)
		}
		r, err := w.svc.Triage(ctx, tri, second.TrackingID, report.Decision{Status: report.Duplicate, DuplicateOf: first.TrackingID})
		if err != nil || r.Status != report.Duplicate || r.DuplicateOf != first.TrackingID || r.AckedAt.IsZero() {
			t.Errorf("triaged = %+v, %v", r, err)
		}
		// The two-way thread.
		if _, err := w.svc.Reply(ctx, tri, first.TrackingID, "感谢报告，我们正在验证。"); err != nil {
			t.Fatal(err)
		}
		m, err := w.svc.AddFromReporter(ctx, first.Secret, "补充：固件 1.0.4 也受影响。",
			[]report.Attachment{{Name: "log.txt", ContentType: "text/plain", Data: []byte("trace")}})
		if err != nil || len(m.Attachments) != 1 {
			t.Fatalf("reporter message = %+v, %v", m, err)
		}
		if err := w.svc.SetPreferences(ctx, first.Secret, report.Preferences{Credit: report.CreditName, ConsentShare: true}); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SetPreferences(ctx, first.Secret, report.Preferences{Credit: "loud"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("bad credit: err = %v", err)
		}
		c, err := w.svc.Promote(ctx, tri, first.TrackingID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Promote(ctx, tri, first.TrackingID); !errs.Is(err, errs.Conflict) {
			t.Errorf("second promote: err = %v", err)
		}
		v, err = w.svc.ForReporter(ctx, first.Secret)
		if err != nil {
			t.Fatal(err)
		}
		var thread []string
		for _, m := range v.Messages {
			thread = append(thread, fmt.Sprintf("%v %s %d", m.FromReporter, m.Body, len(m.Attachments)))
		}
		if diff := cmp.Diff([]string{"false 感谢报告，我们正在验证。 0", "true 补充：固件 1.0.4 也受影响。 1"}, thread); diff != "" {
			t.Errorf("thread (-want +got):\n%s", diff)
		}
		if v.Status != report.Promoted || !v.InCase || v.Credit != report.CreditName || !v.ConsentShare || v.AckedAt.IsZero() {
			t.Errorf("reporter view = %+v", v)
		}
		if _, data, err := w.svc.ReporterAttachment(ctx, first.Secret, m.Attachments[0].ID); err != nil || string(data) != "trace" {
			t.Errorf("reporter attachment = %q, %v", data, err)
		}
		// The reporter cannot read another report's files through their link.
		if _, _, err := w.svc.ReporterAttachment(ctx, second.Secret, m.Attachments[0].ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("other report's attachment: err = %v", err)
		}
		cs, err := casework.NewService(w.d.DB, w.kr, "EMB").Get(ctx, tri, c.ID)
		if err != nil || cs.Title != sample().Title || !strings.Contains(cs.Summary, "AX3000") {
			t.Errorf("case = %+v, %v", cs, err)
		}
	})
}

// TestClose checks that a closed service refuses new submissions clearly.
func TestClose(t *testing.T) {
	forEachDialect(t, func(t *testing.T, w *world) {
		w.svc.Close()
		if _, err := w.svc.Submit(context.Background(), sample()); !errs.Is(err, errs.Unavailable) {
			t.Errorf("after Close: err = %v", err)
		}
	})
}
