package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/api"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/csafprovider"
	"github.com/embargohq/embargo/internal/document"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/mailin"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/pgp"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/ratelimit"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/server"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

func runServe(ctx context.Context, e *env, args []string) error {
	c, _, err := parseConfig(e, "serve", args, nil)
	if err != nil {
		return err
	}
	log := c.Logger(e.stderr)
	db, kr, err := openInstance(ctx, c, e)
	if err != nil {
		return err
	}
	defer func() {
		if err := db.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()
	token, err := bootstrap(ctx, db)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	defer ln.Close()
	base := baseURL(c, ln.Addr())
	a, err := newApp(ctx, c, log, db, kr, base)
	if err != nil {
		return err
	}
	// After the server: requests in flight finish their submissions first.
	defer a.reports.Close()
	// Mail intake reads bounces of the outbox's e-mail before reports:
	// the envelope sender of notices is the intake address by default.
	if err := startMailIntake(ctx, c, log, mailin.WithBounces(a.reports, bounces{a.outbound.svc}, log), a.key); err != nil {
		return err
	}
	// Scheduled work: the receipt log's retention daily, security.txt's
	// Expires checked daily, the quarter's access review recorded once its
	// quarter begins, overdue reports raised every ten minutes, the legal
	// clocks swept, scheduled advisories released each minute (after the
	// publication gate), the advisory feeds pulled.
	go every(ctx, time.Minute, 24*time.Hour, purgeReceipts(log, db, c.ReceiptRetention))
	go every(ctx, 0, 24*time.Hour, func(context.Context) { a.security.warn(log) })
	go every(ctx, time.Minute, 6*time.Hour, recordReviews(log, a.review))
	go every(ctx, 10*time.Minute, 10*time.Minute, alertOverdue(log, a.reports))
	go every(ctx, 30*time.Second, 5*time.Minute, sweepDuties(log, a.obligations))
	go every(ctx, 15*time.Second, time.Minute, releaseAdvisories(log, a.advisories))
	if len(c.AdvisoryFeeds) > 0 {
		feeds := exposure.NewFeeds(a.exposure, db, &http.Client{Timeout: feedTimeout}, c.AdvisoryFeeds)
		go every(ctx, 30*time.Second, c.AdvisoryPullInterval, pullFeeds(log, feeds))
	}
	wctx, stopWorker := context.WithCancel(ctx)
	delivered := make(chan struct{})
	campaigns := make(chan struct{})
	go func() { a.outbound.run(wctx, log); close(delivered) }()
	go func() { a.notices.Run(wctx, log, 30*time.Second); close(campaigns) }()
	defer func() { stopWorker(); <-delivered; <-campaigns }() // the workers stop before the database closes
	if !a.outbound.email {
		log.Warn("outbound mail is off (no --mail-relay): reporters get no acknowledgement e-mail")
	}
	if token != "" {
		fmt.Fprintf(e.stdout, "No administrator exists yet. Create the first one within %s at this one-time link:\n  %s\n",
			setupTokenTTL, base+"setup?token="+url.QueryEscape(token))
	}
	// This line comes last: scripts and tests wait for it.
	fmt.Fprintf(e.stdout, "Embargo is listening on %s\n", base)
	log.Info("serving", "addr", ln.Addr().String(), "database", db.Dialect().String(), "version", buildVersion())
	return serve(ctx, c, log, ln, a.handler)
}

// app is the wired server: its handler and the services that outlive a
// request.
type app struct {
	handler http.Handler
	// reports is the intake service; close it after the server has
	// stopped, to commit queued submissions.
	reports *report.Service
	key     *pgp.Key // the instance's OpenPGP key
	// security builds security.txt; serve watches its Expires.
	security *securityFile
	// outbound delivers the outbox; serve runs its worker.
	outbound *outbound
	// review records the quarterly access reviews.
	review reviewer
	// obligations runs the legal clocks; serve sweeps them.
	obligations *obligation.Service
	// notices sends notice campaigns; serve runs its runner.
	notices *notice.Service
	// exposure is the exposure engine with its index.
	exposure *exposure.Service
	// advisories releases scheduled advisories; serve sweeps them.
	advisories *advisory.Service
}

// newApp wires the surfaces into the server.
// base is the instance's public URL, for links in mail.
func newApp(ctx context.Context, c *Config, log *slog.Logger, db *store.DB, kr *keyring.Keyring, base string) (_ *app, err error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector())
	policy, err := identityPolicy(c)
	if err != nil {
		return nil, err
	}
	ids := identity.NewService(db, policy, nil).WithSealer(kr)
	products := product.NewService(db).WithCustomers(db, kr)
	cases := casework.NewService(db, kr, "EMB").WithGuard(casework.Guards(remediation.Guard, casework.HandPublishGuard))
	if err := useGradeTable(c, log, cases); err != nil {
		return nil, err
	}
	out, err := newOutbound(c, log, db, kr)
	if err != nil {
		return nil, err
	}
	if out.email {
		cases.WithReviewNotices(out.svc, base, out.worker.Wake)
		ids.WithMail(out.svc, base, out.worker.Wake)
	}
	notices, err := reportNotices(c, out, base)
	if err != nil {
		return nil, err
	}
	duties, err := dutyNotices(c, out, base)
	if err != nil {
		return nil, err
	}
	signers, err := evidenceSigners(c, log, kr)
	if err != nil {
		return nil, err
	}
	obligations := obligation.NewService(db, cases, kr).WithNotices(duties).
		WithEvidence(signers, db, base).
		WithSubmitterSecret(func(org int64) string { return obligation.SubmitterSecret(kr, org) })
	cases.WithChangeHook(obligations.Reconcile)
	fixes := remediation.NewService(db, cases)
	campaigns := notice.NewService(db, cases, obligations, kr, notice.Config{Notifier: out.svc, Wake: out.worker.Wake, BaseURL: base,
		Email: out.email})
	out.settled = append(out.settled, campaigns.Settled)
	exp, err := loadExposure(ctx, log, db, cases, products)
	if err != nil {
		return nil, err
	}
	reports := report.NewService(db, kr, report.Options{AckTarget: c.AckTarget}).WithCases(cases).WithNotices(notices)
	advisories := advisory.NewService(db, cases, kr).WithCredits(reportCredits(reports)).WithObligations(obligations)
	defer func() {
		if err != nil {
			reports.Close()
		}
	}()
	key, err := openPGPKey(ctx, c, db, kr)
	if err != nil {
		return nil, err
	}
	reports.WithDecrypter(key)
	sec := newSecurityFile(c, key)
	var submissions *ratelimit.Limiter
	if c.ReportRate > 0 {
		submissions = ratelimit.New(c.ReportRate, time.Hour, nil)
	} else {
		submissions = ratelimit.New(1<<30, time.Second, nil)
	}
	wc := web.Config{Logger: log, Version: buildVersion(), Dev: c.Dev, DevDir: "internal/web", TLS: c.TLS(),
		Setup: identity.NewSetup(db).WithBreached(policy.Breached), Identity: ids, Sealer: kr, Cases: cases, Confidentiality: ids,
		Audit: audit.NewViewer(db), Review: reviewer{cases: cases, store: db},
		Reports: reports, Submissions: submissions, SecurityTxt: sec.Text, OpenPGPKey: key.PublicKey(),
		SecurityExpires: func() time.Time { return sec.Expires(time.Now()) }, AckTarget: c.AckTarget, ReportMail: reportMail(c),
		Outbox: out.svc, Products: products, Exposure: exp, Imports: exp, Obligations: obligations, PDF: pdfFont(c, log),
		Remediation: fixes, Notices: campaigns, Advisories: advisories, PublicAdvisories: advisories, BaseURL: c.BaseURL, CVEOrgID: c.CVEOrgID,
		Tokens: ids.AuthenticateToken, CSAF: csafprovider.New(advisories, key, csafprovider.Config{Name: c.CSAFPublisher, Lang: c.CSAFLang})}
	if out.email {
		wc.Recovery = ids
	}
	if sso := newSSO(c, log, ids); sso != nil {
		wc.SSO = sso
	}
	w, err := web.New(wc)
	if err != nil {
		return nil, err
	}
	a, err := api.New(api.Config{Logger: log, Version: buildVersion(), Identity: ids, Orgs: db, Cases: cases,
		Audit: audit.NewViewer(db), Review: reviewer{cases: cases, store: db}, Reports: reports, Submissions: submissions,
		Outbox: out.svc, Products: products, Obligations: obligations, Exposure: exp, Remediation: fixes, Notices: campaigns,
		Advisories: advisories, CVEOrgID: c.CVEOrgID, BaseURL: c.BaseURL})
	if err != nil {
		return nil, err
	}
	return &app{advisories: advisories, obligations: obligations, notices: campaigns, exposure: exp, reports: reports, key: key, security: sec, outbound: out, review: reviewer{cases: cases, store: db}, handler: server.New(server.Config{
		Logger: log, Registry: reg, Ready: db.Ping, TLS: c.TLS(),
		MaxBodyBytes: c.MaxBodyBytes, Web: w, API: a,
		TrustedProxies: c.TrustedProxies,
		BodyLimits: map[string]int64{"POST /report": web.MaxReportUpload, "POST /api/v1/reports": api.MaxReportBytes,
			"POST /api/v1/products/import": api.MaxCatalogueBytes + 1<<20,
			"POST /api/v1/advisories":      api.MaxAdvisoryBytes + 1<<20, "POST /api/v1/assets": api.MaxAssetBytes + 1<<20, "POST /api/v1/vex": api.MaxVEXBytes + 1<<20, "POST /products/import": api.MaxCatalogueBytes + 1<<20, "POST /imports": web.MaxImportUpload,
			// Files on cases; the other case routes take small JSON or forms, with their own limits.
			"POST /api/v1/cases/": casework.MaxFileBytes + 1<<20, "POST /cases/": casework.MaxFileBytes + 1<<20},
	})}, nil
}

// loadExposure builds the exposure engine's index from the database and
// tells it of every change to a catalogue, logging how long the load took
// and what it holds.
func loadExposure(ctx context.Context, log *slog.Logger, db *store.DB, cases *casework.Service, products *product.Service) (*exposure.Service, error) {
	exp := exposure.NewService(db, cases)
	sum, err := exp.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("exposure index: %w", err)
	}
	log.Info("exposure index loaded", "advisories", sum.Advisories, "inventories", sum.Inventories, "took", sum.Took.Round(time.Millisecond))
	products.WithChangeHook(func(ctx context.Context, org int64) {
		if err := exp.CatalogueChanged(ctx, org); err != nil {
			log.Error("exposure: catalogue change not matched", "org", org, "err", err)
		}
	})
	return exp, nil
}

// serve runs the HTTP server until ctx is done, then lets in-flight
// requests finish (up to the shutdown timeout).
func serve(ctx context.Context, c *Config, log *slog.Logger, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() {
		if c.TLS() {
			srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			errc <- srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down; waiting for in-flight requests", "timeout", c.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// baseURL is the configured public URL, or one made from the address the
// server actually listens on.
func baseURL(c *Config, addr net.Addr) string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	scheme := "http"
	if c.TLS() {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("%s://%s/", scheme, net.JoinHostPort(host, port))
}

// pdfFont loads the PDF font on first use, so that an instance without one
// still starts: --pdf-font, or the first usable font of the usual paths.
func pdfFont(c *Config, log *slog.Logger) func() (*document.Font, error) {
	return sync.OnceValues(func() (*document.Font, error) {
		var f *document.Font
		var err error
		if c.PDFFont != "" {
			f, err = document.LoadFont(c.PDFFont)
		} else {
			f, err = document.FindFont()
		}
		if err != nil {
			log.Error("no font for PDF output", "err", err)
		} else {
			log.Info("PDF font", "path", f.Path())
		}
		return f, err
	})
}

// feedTimeout bounds one download of an advisory feed.
const feedTimeout = 10 * time.Minute

// pullFeeds pulls the advisory feeds and logs what each pull did. A
// failed pull is logged and left to the next one: the server goes on.
func pullFeeds(log *slog.Logger, feeds *exposure.Feeds) func(context.Context) {
	return func(ctx context.Context) {
		for _, r := range feeds.Pull(ctx) {
			url := store.RedactURL(r.URL)
			switch {
			case r.Err != nil:
				log.Error("advisory feed pull failed; retried at the next pull", "url", url, "err", r.Err)
			case r.NotModified:
				log.Debug("advisory feed unchanged", "url", url)
			default:
				log.Info("advisory feed imported", "url", url, "advisories", r.Import.Advisories,
					"cases_opened", r.Import.Opened, "cases_joined", r.Import.Joined, "took", r.Took.Round(time.Millisecond))
			}
		}
	}
}

// sweepDuties runs the obligations engine's timed work: escalations, the
// daily digest, and recording delivered notices.
func sweepDuties(log *slog.Logger, obl *obligation.Service) func(context.Context) {
	return func(ctx context.Context) {
		rep, err := obl.Sweep(ctx, time.Now())
		if err != nil {
			log.Error("legal-duty sweep failed", "err", err)
		} else if rep.Escalated+rep.Delivered > 0 {
			log.Info("legal duties", "escalated", rep.Escalated, "notices_delivered", rep.Delivered)
		}
	}
}

// releaseAdvisories releases the scheduled advisories that are due, each
// after the publication gate at that moment; one the gate holds stays
// unpublished, with the reason on the advisory.
func releaseAdvisories(log *slog.Logger, adv *advisory.Service) func(context.Context) {
	return func(ctx context.Context) {
		rep, err := adv.Sweep(ctx, time.Now())
		if err != nil {
			log.Error("scheduled advisory release failed; retried at the next sweep", "err", err)
		}
		if rep.Published+rep.Held > 0 {
			log.Info("scheduled advisories", "published", rep.Published, "held_by_the_gate", rep.Held)
		}
	}
}

// reportCredits drafts an advisory's credits from the reporters who
// agreed to be named.
func reportCredits(reports *report.Service) advisory.CreditSource {
	return func(ctx context.Context, tracking []string) ([]advisory.Credit, error) {
		cs, err := reports.Credits(ctx, tracking)
		var out []advisory.Credit
		for _, c := range cs {
			out = append(out, advisory.Credit{Name: c.Name, Report: c.Tracking})
		}
		return out, err
	}
}

// alertOverdue tells the team of reports no one has answered by their
// acknowledgement target (ISO-29147-1).
func alertOverdue(log *slog.Logger, reports *report.Service) func(context.Context) {
	return func(ctx context.Context) {
		if n, err := reports.AlertOverdue(ctx, access.System(), time.Now()); err != nil {
			log.Error("overdue report alerts failed", "err", err)
		} else if n > 0 {
			log.Warn("reports past their acknowledgement target", "count", n)
		}
	}
}

// purgeReceipts applies the receipt log's retention (CN-05-3). Each run
// is audited; several nodes purging at once simply find nothing left.
func purgeReceipts(log *slog.Logger, db *store.DB, months int) func(context.Context) {
	return func(ctx context.Context) {
		p, err := report.PurgeReceipts(ctx, db, access.System(), months, false)
		if err != nil {
			log.Error("receipt log retention purge failed", "err", err)
		} else {
			log.Info("receipt log retention purge", "removed", p.Count, "cutoff", p.Cutoff, "held_by", p.HeldBy)
		}
	}
}

// every runs job after first and then every interval, until ctx ends.
func every(ctx context.Context, first, interval time.Duration, job func(context.Context)) {
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		job(ctx)
		t.Reset(interval)
	}
}

// useGradeTable grades cases with --grade-table, or says in the log that
// grades come from the provisional default table.
func useGradeTable(c *Config, log *slog.Logger, cases *casework.Service) error {
	if c.GradeTable == "" {
		log.Warn("GB/T 30279 grades come from the provisional default table; set --grade-table to one transcribed from the standard",
			"table_sha256", cases.GradeTable().SHA256())
		return nil
	}
	f, err := os.Open(c.GradeTable)
	if err != nil {
		return fmt.Errorf("grade-table: %w", err)
	}
	defer f.Close()
	t, err := gbt30279.LoadTable(f)
	if err != nil {
		return fmt.Errorf("grade-table %s: %w", c.GradeTable, err)
	}
	cases.WithGradeTable(t)
	log.Info("GB/T 30279 grade table", "name", t.Name(), "table_sha256", t.SHA256(), "provisional", t.Provisional())
	return nil
}
