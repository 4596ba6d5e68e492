package notice_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/notify/notifytest"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/emersion/go-smtp"
)

// world is an organisation on a real store, with a real SMTP server on
// loopback (which refuses bounce@…), a webhook receiver and the real
// outbox worker.
type world struct {
	d        storetest.Database
	kr       *keyring.Keyring
	cases    *casework.Service
	obl      *obligation.Service
	rem      *remediation.Service
	notices  *notice.Service
	products *product.Service
	worker   *notify.Worker
	mail     *notifytest.Mailbox
	hooks    *receiver
	p        map[string]*access.Principal
	org      int64
}

// receiver is a webhook endpoint that keeps what it receives.
type receiver struct {
	*httptest.Server
	mu   sync.Mutex
	got  []notify.WebhookBody
	fail bool
}

func (rc *receiver) bodies() []notify.WebhookBody {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]notify.WebhookBody(nil), rc.got...)
}

func newReceiver(t testing.TB) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body notify.WebhookBody
		if err := json.Unmarshal(b, &body); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, body)
		rc.mu.Unlock()
	}))
	t.Cleanup(rc.Close)
	return rc
}

const baseURL = "https://embargo.example.cn/"

func newWorld(t testing.TB, dsn string) *world {
	t.Helper()
	ctx := context.Background()
	d := storetest.Open(t, dsn, store.Options{})
	kr, err := keyring.Open(ctx, keyring.NewKey(), d.DB)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, kr: kr, p: map[string]*access.Principal{}, products: product.NewService(d.DB).WithCustomers(d.DB, kr),
		mail: &notifytest.Mailbox{RejectTo: map[string]*smtp.SMTPError{
			"bounce@cust.example.cn": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}}}
	w.hooks = newReceiver(t)
	out := notify.NewService(d.DB, kr, nil)
	w.cases = casework.NewService(d.DB, kr, "EMB").WithGuard(remediation.Guard)
	w.obl = obligation.NewService(d.DB, w.cases, kr)
	w.cases.WithChangeHook(w.obl.Reconcile)
	w.rem = remediation.NewService(d.DB, w.cases)
	w.notices = notice.NewService(d.DB, w.cases, w.obl, kr, notice.Config{Notifier: out, BaseURL: baseURL, Email: true})
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: notifytest.Start(t, w.mail, nil), TLS: notify.SMTPNoTLS,
		From: "psirt@acme.example.cn", HELO: "embargo.test"})
	if err != nil {
		t.Fatal(err)
	}
	w.worker, err = notify.NewWorker(d.DB, kr, notify.Senders{notify.Email: sender, notify.Webhook: &notify.WebhookSender{}},
		notify.WorkerOptions{Batch: 50, Concurrency: 16, Settled: w.notices.Settled})
	if err != nil {
		t.Fatal(err)
	}
	w.setUp(t)
	return w
}

func (w *world) setUp(t testing.TB) {
	ctx := context.Background()
	err := w.d.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		w.org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme 网络", Kinds: []string{"provider"},
			Country: "CN", CreatedAt: tx.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := identity.NewService(w.d.DB, identity.DefaultPolicy, nil)
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
	var vs []product.Version
	for _, v := range []struct{ v, line string }{{"1.0", "1.x"}, {"1.1", "1.x"}, {"2.0", "2.x"}, {"2.1", "2.x"}, {"3.0", "3.x"}} {
		vs = append(vs, product.Version{Version: v.v, Line: v.line})
	}
	if _, err := w.products.Create(ctx, w.p["engineer"], product.Product{Name: "Router", Models: []product.Model{{Name: "R1", Versions: vs}}}); err != nil {
		t.Fatal(err)
	}
}

// drain runs the campaign work and the outbox worker until nothing is
// left to send.
func (w *world) drain(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	for range 100 {
		if err := w.notices.Work(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := w.worker.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			if err := w.notices.Work(ctx); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatal("the outbox did not drain")
}

// confirmedCase opens a case about Router R1 1.x and 2.x whose users must
// act, and confirms it.
func (w *world) confirmedCase(t testing.TB) casework.Case {
	t.Helper()
	ctx := context.Background()
	tri := w.p["triager"]
	c, err := w.cases.Create(ctx, tri, casework.NewCase{Title: "路由器远程命令执行", Summary: "管理接口未校验输入。",
		T0: time.Now().Add(-48 * time.Hour), T0Source: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cases.AddPerson(ctx, tri, c.ID, w.p["engineer"].UserID, casework.Assignee); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err := w.cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{UserAction: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cases.Assess(ctx, tri, c.ID, casework.Assessment{Grade: "high",
		Scope: []casework.Affected{{Product: "Router", Model: "R1", Versions: "1.x || 2.x"}}}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []casework.Status{casework.Verifying, casework.Confirmed, casework.Remediating} {
		if c, err = w.cases.Transition(ctx, tri, c.ID, casework.Move{To: to}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}
