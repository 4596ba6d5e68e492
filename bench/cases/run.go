package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/casework/caseseed"
	"github.com/embargohq/embargo/internal/keyring"
	"github.com/embargohq/embargo/internal/store"
)

// options are the command's flags.
type options struct {
	postgres string // PostgreSQL server URL; "" for SQLite
	dir      string // keep the seeded database here, and reuse it when seeded
	cases    int
	events   int
	n        int // measured calls per operation
	warmup   int // unmeasured calls per operation first
	verify   bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("cases", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.postgres, "postgres", "", "PostgreSQL server URL; a fresh database is created on it (and dropped after, unless -dir)")
	fs.StringVar(&o.dir, "dir", "", "keep the seeded database (and what a rerun needs) in this directory; a rerun with it skips seeding")
	fs.IntVar(&o.cases, "cases", 100_000, "cases to seed")
	fs.IntVar(&o.events, "events", 1_000_000, "audit events to seed")
	fs.IntVar(&o.n, "n", 300, "measured calls per operation")
	fs.IntVar(&o.warmup, "warmup", 30, "unmeasured calls per operation before those")
	fs.BoolVar(&o.verify, "verify", true, "verify the audit chain after seeding")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.cases < 100 || o.n < 1:
		return o, errors.New("-cases must be at least 100 and -n at least 1")
	}
	return o, nil
}

// saved is what a rerun with -dir needs besides the database.
type saved struct {
	DSN   string // the PostgreSQL database kept, or "" for SQLite
	World *caseseed.World
}

// run seeds (or reopens) the database, measures and prints the result.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "embargo-casebench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var sv saved
	b, err := os.ReadFile(filepath.Join(dir, "world.json"))
	reuse := err == nil
	if reuse {
		if err := json.Unmarshal(b, &sv); err != nil {
			return fmt.Errorf("%s/world.json: %w", dir, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	dsn := filepath.Join(dir, "embargo.db")
	switch {
	case sv.DSN != "":
		dsn = sv.DSN
	case o.postgres != "" && reuse:
		return fmt.Errorf("%s holds an SQLite run; give another -dir for PostgreSQL", dir)
	case o.postgres != "":
		var drop func()
		if dsn, drop, err = freshDatabase(ctx, o.postgres); err != nil {
			return err
		}
		if o.dir == "" {
			defer drop()
		}
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	key, _, err := keyring.LoadOrCreateKey(filepath.Join(dir, "instance.key"))
	if err != nil {
		return err
	}
	w := sv.World
	if !reuse {
		if w, err = seed(ctx, db, o, key, stderr); err != nil {
			return err
		}
		if o.dir != "" {
			if dsn != filepath.Join(dir, "embargo.db") {
				sv.DSN = dsn
			}
			sv.World = w
			b, _ := json.MarshalIndent(sv, "", "\t")
			if err := os.WriteFile(filepath.Join(dir, "world.json"), b, 0o600); err != nil {
				return err
			}
		}
	} else {
		fmt.Fprintf(stderr, "reusing the database seeded in %s\n", dir)
		kr, err := keyring.Open(ctx, key, db)
		if err != nil {
			return err
		}
		w.Service = casework.NewService(db, kr, "EMB")
	}
	fmt.Fprintf(stdout, "%s: %d cases in the organisation measured (%d in all), triager on %d, newcomer on %d; %d audit events\n",
		db.Dialect(), w.Cases, o.cases, w.TriagerCases, w.NewcomerCases, w.Events)
	// A sanity check of the seeded data: a case reads back, summary and all.
	if _, err := w.Service.Get(ctx, w.Compliance, 1); err != nil {
		return fmt.Errorf("read back case 1: %w", err)
	}
	results, err := measure(ctx, w, db, o, stderr)
	if err != nil {
		return err
	}
	printResults(stdout, db.Dialect().String(), o, results)
	return nil
}

// seed fills the database and verifies the audit chain.
func seed(ctx context.Context, db *store.DB, o options, key *keyring.Key, stderr io.Writer) (*caseseed.World, error) {
	start := time.Now()
	last := start
	w, err := caseseed.Seed(ctx, db, caseseed.Config{Cases: o.cases, Events: o.events, Key: key,
		Progress: func(cases, events int) {
			if time.Since(last) >= 5*time.Second || cases == o.cases {
				last = time.Now()
				fmt.Fprintf(stderr, "seeded %d/%d cases, %d audit events (%s)\n", cases, o.cases, events, time.Since(start).Round(time.Second))
			}
		}})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(stderr, "seeded in %s\n", time.Since(start).Round(time.Second))
	if o.verify {
		start = time.Now()
		rep, err := audit.Verify(ctx, db, audit.Main, nil)
		if err != nil {
			return nil, fmt.Errorf("verify audit chain: %w", err)
		}
		if !rep.Intact() {
			return nil, fmt.Errorf("the seeded audit chain is broken: %v", rep.Break)
		}
		fmt.Fprintf(stderr, "audit chain of %d events verified in %s\n", w.Events, time.Since(start).Round(time.Second))
	}
	return w, nil
}

// freshDatabase creates an empty database on the PostgreSQL server at
// pgURL and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, pgURL string) (string, func(), error) {
	dsn, drop, err := store.CreatePostgresDatabase(ctx, pgURL, "embargo_casebench_")
	if err != nil {
		return "", nil, err
	}
	return dsn, func() { _ = drop() }, nil
}
