package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/store"
)

func runVerify(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "evidence" { // a signed evidence pack, offline (CN-12-1)
		return runVerifyEvidence(e, args[1:])
	}
	if len(args) > 0 && args[0] == "receipts" { // the receipt log alone (CN-05-3)
		args = append([]string{"audit", "--stream", "receipt"}, args[1:]...)
	}
	if len(args) == 0 || args[0] != "audit" {
		return fmt.Errorf("%w: embargo verify audit [--stream audit|receipt|all] | embargo verify receipts", errUsage)
	}
	var stream string
	c, _, err := parseConfig(e, "verify audit", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&stream, "stream", "all", "which chain to verify: audit, receipt or all")
	})
	if err != nil {
		return err
	}
	streams := map[string][]audit.Stream{"all": {audit.Main, audit.Receipts},
		"audit": {audit.Main}, "receipt": {audit.Receipts}}[stream]
	if streams == nil {
		return fmt.Errorf("%w: --stream %q: want audit, receipt or all", errUsage, stream)
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range streams {
		if err := verifyStream(ctx, e, db, s); err != nil {
			return err
		}
	}
	return nil
}

// verifyStream verifies one chain and prints its outcome; a broken chain
// is returned as an error, so the exit status is non-zero.
func verifyStream(ctx context.Context, e *env, db *store.DB, s audit.Stream) error {
	rep, err := audit.Verify(ctx, db, s, func(n int64) {
		if n%100000 == 0 {
			fmt.Fprintf(e.stderr, "%s: %d events checked…\n", s, n)
		}
	})
	if err != nil {
		return err
	}
	if !rep.Intact() {
		fmt.Fprintf(e.stdout, "%s: BROKEN after %d good events\n", s, rep.Events)
		return fmt.Errorf("%s: %w", s, rep.Break)
	}
	fmt.Fprintf(e.stdout, "%s: intact, %d events, head %d %s\n", s, rep.Events, rep.Head.Seq, shortHash(rep.Head.Hash))
	return nil
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}
