package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/store"
)

// runAdvisories implements `embargo advisories import PATH...`: advisory
// feed records (OSV files, directories and zips, CVE JSON 5 records, CSAF
// documents, sniffed by content) stored on the local instance, all or
// nothing; new matches open cases there. A running server sees them at
// its next start; POST /api/v1/advisories updates a running one at once.
func runAdvisories(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(args, "", "import")
	if err != nil {
		return err
	}
	if sub == "" {
		return fmt.Errorf("%w: embargo advisories import [--progress] PATH...", errUsage)
	}
	var progress bool
	c, paths, err := parseConfig(e, "advisories import", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&progress, "progress", false, "report progress on standard error")
	})
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return fmt.Errorf("%w: embargo advisories import [--progress] PATH...", errUsage)
	}
	var advs []exposure.Advisory
	for _, p := range paths {
		got, err := exposure.ReadAdvisoryPath(p)
		if err != nil {
			return err
		}
		advs = append(advs, got...)
	}
	db, kr, err := openInstance(ctx, c, e)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := localExposure(db, kr)
	if _, err := svc.Load(ctx); err != nil {
		return err
	}
	start := time.Now()
	var report func(done, total int)
	if progress {
		report = func(done, total int) { fmt.Fprintf(e.stderr, "stored %d/%d advisories\n", done, total) }
	}
	sum, err := svc.ImportAdvisories(ctx, access.Operator(), advs, report)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %d advisories in %s: %d cases opened, %d joined\n", sum.Advisories,
		time.Since(start).Round(time.Millisecond), sum.Opened, sum.Joined)
	return nil
}

// localExposure is the exposure engine over the local instance, opening
// cases whose duties follow them as on the server.
func localExposure(db *store.DB, kr *keyring.Keyring) *exposure.Service {
	cases := casework.NewService(db, kr, "EMB")
	cases.WithChangeHook(obligation.NewService(db, cases, kr).Reconcile)
	return exposure.NewService(db, cases)
}
