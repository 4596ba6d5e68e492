package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/api"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/server"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/web"
	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
)

type options struct {
	n, batch, concurrency, dispatch int
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("notices", flag.ContinueOnError)
	fs.IntVar(&o.n, "n", 10000, "customers (one notice each)")
	fs.IntVar(&o.batch, "batch", 50, "outbox messages one worker claim takes")
	fs.IntVar(&o.concurrency, "concurrency", 16, "outbox messages sent at once")
	fs.IntVar(&o.dispatch, "dispatch", 200, "recipients enqueued per transaction")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server, worker and sinks) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "embargo-noticebench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "embargo.db"), store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	kr, err := keyring.Open(ctx, keyring.NewKey(), db)
	if err != nil {
		return err
	}
	mailed, hooked := &atomic.Int64{}, &atomic.Int64{}
	smtpAddr, err := smtpSink(ctx, mailed)
	if err != nil {
		return err
	}
	hookURL, err := serve(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hooked.Add(1)
	}))
	if err != nil {
		return err
	}
	b, err := build(ctx, db, kr, smtpAddr, o)
	if err != nil {
		return err
	}
	if err := b.seed(ctx, o.n, hookURL); err != nil {
		return err
	}
	return b.measure(ctx, stdout, o, mailed, hooked)
}

// bench is the wired services of one run.
type bench struct {
	db      *store.DB
	cases   *casework.Service
	notices *notice.Service
	worker  *notify.Worker
	prods   *product.Service
	fixes   *remediation.Service
	p       *access.Principal
	caseID  int64
	probe   string // the web server's base URL
}

func build(ctx context.Context, db *store.DB, kr *keyring.Keyring, smtpAddr string, o options) (*bench, error) {
	b := &bench{db: db}
	out := notify.NewService(db, kr, nil)
	b.cases = casework.NewService(db, kr, "EMB").WithGuard(remediation.Guard)
	obl := obligation.NewService(db, b.cases, kr)
	b.cases.WithChangeHook(obl.Reconcile)
	b.fixes = remediation.NewService(db, b.cases)
	b.prods = product.NewService(db).WithCustomers(db, kr)
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: smtpAddr, TLS: notify.SMTPNoTLS, From: "psirt@acme.example.cn", HELO: "bench"})
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// As serve wires them: the worker tells the campaign runner of final
	// outcomes, and the runner wakes the worker after enqueuing.
	b.worker, err = notify.NewWorker(db, kr, notify.Senders{notify.Email: sender, notify.Webhook: &notify.WebhookSender{}},
		notify.WorkerOptions{Batch: o.batch, Concurrency: o.concurrency, SendTimeout: 10 * time.Second, Logger: quiet,
			Settled: func(r notify.Row, st notify.State) { b.notices.Settled(r, st) }})
	if err != nil {
		return nil, err
	}
	b.notices = notice.NewService(db, b.cases, obl, kr, notice.Config{Notifier: out, Wake: b.worker.Wake,
		BaseURL: "https://embargo.example.cn/", Email: true})
	b.notices.Batch = o.dispatch
	w, err := web.New(web.Config{Logger: quiet})
	if err != nil {
		return nil, err
	}
	a, err := api.New(api.Config{Logger: quiet})
	if err != nil {
		return nil, err
	}
	b.probe, err = serve(ctx, server.New(server.Config{Logger: quiet, Registry: prometheus.NewRegistry(), Ready: db.Ping, Web: w, API: a}))
	return b, err
}

// seed creates the organisation, a compliance officer, the product, the
// customers and a fixed case whose users must act.
func (b *bench) seed(ctx context.Context, n int, hookURL string) error {
	var org int64
	err := b.db.Transact(ctx, func(tx *store.Tx) (err error) {
		org, err = tx.CreateOrganisation(ctx, identity.Organisation{Name: "Acme", Kinds: []string{"provider"}, Country: "CN", CreatedAt: tx.Now()})
		return err
	})
	if err != nil {
		return err
	}
	u, err := identity.NewService(b.db, identity.DefaultPolicy, nil).CreateUser(ctx, access.Operator(), identity.NewUser{
		Email: "co@acme.example.cn", DisplayName: "co", Password: "tangerine rooftop lantern", OrgID: org, Role: access.ComplianceOfficer})
	if err != nil {
		return err
	}
	b.p = u.Principal(true)
	b.p.ConfidentialityAccepted = true
	var vs []product.Version
	for i := range 10 {
		vs = append(vs, product.Version{Version: fmt.Sprintf("1.%d", i), Line: "1.x"})
	}
	if _, err := b.prods.Create(ctx, b.p, product.Product{Name: "Router", Models: []product.Model{{Name: "R1", Versions: vs}}}); err != nil {
		return err
	}
	var cs []product.Customer
	for i := range n {
		c := product.Customer{Party: product.Party{Name: fmt.Sprintf("Customer %05d", i), Country: "CN"},
			Runs: []product.Run{{Product: "Router", Model: "R1", Version: fmt.Sprintf("1.%d", i%10)}}}
		if i%2 == 0 {
			c.Email = fmt.Sprintf("ops%05d@cust.example.cn", i)
		} else {
			c.WebhookURL = hookURL + fmt.Sprintf("/in/%d", i)
		}
		cs = append(cs, c)
	}
	if err := b.prods.PutCustomers(ctx, b.p, cs); err != nil {
		return err
	}
	return b.fixedCase(ctx)
}

func (b *bench) fixedCase(ctx context.Context) error {
	c, err := b.cases.Create(ctx, b.p, casework.NewCase{Title: "路由器远程命令执行", Summary: "管理接口未校验输入。"})
	if err != nil {
		return err
	}
	b.caseID = c.ID
	yes := true
	if _, err := b.cases.SetFacts(ctx, b.p, c.ID, casework.FactsChange{UserAction: &yes}); err != nil {
		return err
	}
	if _, err := b.cases.Assess(ctx, b.p, c.ID, casework.Assessment{Grade: "high",
		Scope: []casework.Affected{{Product: "Router", Model: "R1", Versions: "1.x"}}}); err != nil {
		return err
	}
	for _, to := range []casework.Status{casework.Verifying, casework.Confirmed, casework.Remediating} {
		if _, err := b.cases.Transition(ctx, b.p, c.ID, casework.Move{To: to}); err != nil {
			return err
		}
	}
	if _, err := b.fixes.Put(ctx, b.p, c.ID, remediation.Fix{Version: remediation.Version{Line: "1.x"}, Status: remediation.Fixed,
		FixedVersion: "1.10"}); err != nil {
		return err
	}
	_, err = b.cases.Transition(ctx, b.p, c.ID, casework.Move{To: casework.Fixed})
	return err
}

// measure sends the campaign and probes the server until it is settled.
func (b *bench) measure(ctx context.Context, stdout io.Writer, o options, mailed, hooked *atomic.Int64) error {
	cp, err := b.notices.Compose(ctx, b.p, b.caseID, notice.Content{MessageZH: "请升级。", MessageEN: "Upgrade."})
	if err != nil {
		return err
	}
	wctx, stopWork := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.worker.Run(wctx) })
	wg.Go(func() { b.notices.Run(wctx, slog.New(slog.NewTextHandler(io.Discard, nil)), 5*time.Second) })
	ready, page := &probe{}, &probe{}
	wg.Go(func() { ready.loop(wctx, 20*time.Millisecond, b.ready) })
	wg.Go(func() {
		page.loop(wctx, 50*time.Millisecond, func(ctx context.Context) error { _, err := b.cases.Get(ctx, b.p, b.caseID); return err })
	})
	start := time.Now()
	if _, err := b.notices.Send(ctx, b.p, b.caseID, cp.ID); err != nil {
		stopWork()
		return err
	}
	sendCall := time.Since(start)
	var settled time.Duration
	for settled == 0 && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
		c, _, err := b.notices.Get(ctx, b.p, b.caseID, cp.ID)
		if err != nil {
			stopWork()
			return err
		}
		if c.State == notice.Delivered || c.State == notice.Failed {
			settled = time.Since(start)
		}
	}
	stopWork()
	wg.Wait()
	_, rs, err := b.notices.Get(ctx, b.p, b.caseID, cp.ID)
	if err != nil {
		return err
	}
	reached := 0
	for _, r := range rs {
		if r.Reached() {
			reached++
		}
	}
	fmt.Fprintf(stdout, "%d notices (%d e-mail received, %d webhooks received), %d reached; batch %d, concurrency %d, dispatch %d\n",
		len(rs), mailed.Load(), hooked.Load(), reached, o.batch, o.concurrency, o.dispatch)
	fmt.Fprintf(stdout, "Send returned in %s; settled (all delivered, duty met) after %s: %.0f notices/s\n",
		sendCall.Round(time.Microsecond), settled.Round(time.Millisecond), float64(len(rs))/settled.Seconds())
	fmt.Fprintf(stdout, "during the send:\n%s%s", ready.report("GET /readyz (HTTP)"), page.report("case read (audited)"))
	return nil
}

func (b *bench) ready(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", b.probe+"readyz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("readyz: %d", resp.StatusCode)
	}
	return nil
}

// probe records the latency of one request repeated at an interval.
type probe struct {
	times  []time.Duration
	errors int
}

func (p *probe) loop(ctx context.Context, every time.Duration, do func(context.Context) error) {
	for ctx.Err() == nil {
		t := time.Now()
		if err := do(context.WithoutCancel(ctx)); err != nil {
			p.errors++
		} else {
			p.times = append(p.times, time.Since(t))
		}
		select {
		case <-ctx.Done():
		case <-time.After(every):
		}
	}
}

func (p *probe) report(name string) string {
	slices.Sort(p.times)
	pct := func(q int) time.Duration {
		if len(p.times) == 0 {
			return 0
		}
		return p.times[min(len(p.times)-1, len(p.times)*q/100)]
	}
	return fmt.Sprintf("  %-22s n=%d errors=%d p50=%s p90=%s p99=%s max=%s\n", name, len(p.times), p.errors,
		pct(50).Round(10*time.Microsecond), pct(90).Round(10*time.Microsecond), pct(99).Round(10*time.Microsecond),
		pct(100).Round(10*time.Microsecond))
}

// serve runs h on a loopback port until ctx ends and returns its base URL.
func serve(ctx context.Context, h http.Handler) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	context.AfterFunc(ctx, func() { srv.Close() })
	return "http://" + l.Addr().String() + "/", nil
}

// smtpSink runs an SMTP server on loopback that accepts and counts every
// message.
func smtpSink(ctx context.Context, n *atomic.Int64) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := smtp.NewServer(sinkBackend{n})
	srv.Domain, srv.ReadTimeout, srv.WriteTimeout = "sink.test", 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(l) }()
	context.AfterFunc(ctx, func() { srv.Close() })
	return l.Addr().String(), nil
}

type sinkBackend struct{ n *atomic.Int64 }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return sinkSession(b), nil }

type sinkSession struct{ n *atomic.Int64 }

func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s sinkSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	if err == nil {
		s.n.Add(1)
	}
	return err
}
func (sinkSession) Reset()        {}
func (sinkSession) Logout() error { return nil }
