package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"text/tabwriter"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/demo"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store"
)

// runSeed implements `embargo seed demo`: the demo organisation and its
// work on an empty local instance (internal/demo), made through the same
// services as the server's, so that every rule, duty and audit record
// applies. It refuses an instance that has an organisation.
func runSeed(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(args, "", "demo")
	if err != nil {
		return err
	}
	if sub == "" {
		return fmt.Errorf("%w: embargo seed demo [flags]", errUsage)
	}
	c, _, err := parseConfig(e, "seed demo", args, nil)
	if err != nil {
		return err
	}
	db, kr, err := openInstance(ctx, c, e)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, err := demoServices(c, db, kr)
	if err != nil {
		return err
	}
	defer svc.Reports.Close()
	// Look before bootstrap writes anything: a refused run changes nothing.
	if empty, err := demo.Empty(ctx, svc.Identity); err != nil || !empty {
		if err == nil {
			err = demo.ErrNotEmpty
		}
		return err
	}
	token, err := bootstrap(ctx, db)
	if err != nil {
		return err
	}
	if token == "" {
		return demo.ErrNotEmpty
	}
	fmt.Fprintf(e.stdout, "Seeding the demo into %s\n", store.RedactURL(c.DatabaseURL))
	sum, err := demo.Seed(ctx, svc, token, func(step string) { fmt.Fprintf(e.stdout, "  · %s\n", step) })
	if err != nil {
		return err
	}
	printSeedSummary(e, sum)
	return nil
}

// demoServices wires the domain services as newApp does, without the
// server around them: no mail is sent, notices wait in the outbox.
func demoServices(c *Config, db *store.DB, kr *keyring.Keyring) (demo.Services, error) {
	policy, err := identityPolicy(c)
	if err != nil {
		return demo.Services{}, err
	}
	log := slog.New(slog.DiscardHandler)
	cases := casework.NewService(db, kr, "EMB").WithGuard(casework.Guards(remediation.Guard, casework.HandPublishGuard))
	if err := useGradeTable(c, log, cases); err != nil {
		return demo.Services{}, err
	}
	out, err := newOutbound(c, log, db, kr)
	if err != nil {
		return demo.Services{}, err
	}
	obligations := obligation.NewService(db, cases, kr).
		WithSubmitterSecret(func(org int64) string { return obligation.SubmitterSecret(kr, org) })
	cases.WithChangeHook(obligations.Reconcile)
	addr, _ := net.ResolveTCPAddr("tcp", c.Addr) // nil when it does not resolve: baseURL copes
	var a net.Addr = &net.TCPAddr{}
	if addr != nil {
		a = addr
	}
	// E-mail recipients are queued even without a relay: `embargo serve
	// --mail-relay` delivers them, and shows them undeliverable without.
	notices := notice.NewService(db, cases, obligations, kr, notice.Config{Notifier: out.svc, BaseURL: baseURL(c, a), Email: true})
	reports := report.NewService(db, kr, report.Options{AckTarget: c.AckTarget}).WithCases(cases)
	return demo.Services{
		Setup:       identity.NewSetup(db).WithBreached(policy.Breached),
		Identity:    identity.NewService(db, policy, nil).WithSealer(kr),
		Products:    product.NewService(db).WithCustomers(db, kr),
		Reports:     reports,
		Cases:       cases,
		Obligations: obligations,
		Fixes:       remediation.NewService(db, cases),
		Notices:     notices,
		Advisories:  advisory.NewService(db, cases, kr).WithCredits(reportCredits(reports)),
	}, nil
}

// printSeedSummary prints what the demo made and how to sign in.
func printSeedSummary(e *env, sum demo.Summary) {
	byStatus := map[casework.Status]int{}
	for _, c := range sum.Cases {
		byStatus[c.Status]++
	}
	var sts []string
	for _, st := range []casework.Status{casework.Received, casework.Verifying, casework.Confirmed, casework.Rejected,
		casework.Remediating, casework.Fixed, casework.Published, casework.Closed} {
		sts = append(sts, fmt.Sprintf("%s %d", st, byStatus[st]))
	}
	fmt.Fprintf(e.stdout, "\nDemo ready: %s\n", sum.Organisation.Name)
	fmt.Fprintf(e.stdout, "  products: %d, customers: %d, reports: %d\n", sum.Products, sum.Customers, sum.Reports)
	fmt.Fprintf(e.stdout, "  cases: %d (%s)\n", len(sum.Cases), strings.Join(sts, ", "))
	fmt.Fprintf(e.stdout, "  duties: %d met, %d open, %d overdue, %d withdrawn or not applicable\n",
		sum.Duties.Met, sum.Duties.Open, sum.Duties.Overdue, sum.Duties.Closed)
	fmt.Fprintf(e.stdout, "  notice campaigns sent: %d (queued in the outbox; serve with --mail-relay to deliver)\n", sum.Campaigns)
	fmt.Fprintf(e.stdout, "  advisories published: %s; in draft: %s\n", strings.Join(sum.Published, ", "), strings.Join(sum.Drafts, ", "))
	fmt.Fprintln(e.stdout, "\nSign in as (the same password for every demo account; shown once):")
	tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
	for _, a := range sum.Accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Email, a.Role, a.Name, a.Password)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nStart the server on the same data directory with `embargo serve` and open the URL it prints.")
	fmt.Fprintln(e.stdout, "Staff who read cases set up two-factor authentication at their first sign-in.")
}
