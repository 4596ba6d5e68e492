package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/embargohq/embargo/bench/internal/benchserver"
)

// options are the command's flags.
type options struct {
	url         string        // base URL of a running server
	token       string        // API token (optional; anonymous otherwise)
	concurrency int           // clients submitting at once
	duration    time.Duration // how long to submit (when requests is 0)
	requests    int           // total submissions; 0 means until duration
	warmup      time.Duration // submissions during this lead time are not counted
	size        int           // bytes of description per report
	serve       bool          // build and start a server of our own
	postgres    string        // with serve: PostgreSQL server URL
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("intake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "base URL of a running Embargo, e.g. http://127.0.0.1:8080/")
	fs.StringVar(&o.token, "token", "", "API token to submit with (default: anonymous)")
	fs.IntVar(&o.concurrency, "c", 32, "concurrent clients")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "how long to submit (ignored when -n is set)")
	fs.IntVar(&o.requests, "n", 0, "total submissions to send (0: run for -d)")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "lead time whose submissions are not counted")
	fs.IntVar(&o.size, "size", 400, "bytes of description per report")
	fs.BoolVar(&o.serve, "serve", false, "build ./cmd/embargo and start a fresh server on loopback (SQLite unless -postgres)")
	fs.StringVar(&o.postgres, "postgres", "", "with -serve: PostgreSQL server URL; a fresh database is created on it and dropped after")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.serve == (o.url != ""):
		return o, errors.New("give either -url or -serve")
	case o.postgres != "" && !o.serve:
		return o, errors.New("-postgres needs -serve")
	case o.concurrency < 1:
		return o, errors.New("-c must be at least 1")
	}
	return o, nil
}

// run parses args, starts a server when asked, runs the load and prints
// the result.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.serve {
		// The per-client report rate limit would refuse the load after 60
		// reports.
		srv, err := benchserver.Start(ctx, "", benchserver.Options{Postgres: o.postgres, Args: []string{"--report-rate", "0"}, Stderr: stderr})
		if err != nil {
			return err
		}
		defer srv.Stop()
		o.url, o.token = srv.Base, ""
		fmt.Fprintf(stderr, "started %s on %s (%s)\n", srv.Bin, srv.Base, srv.Dialect)
	}
	if o.warmup > 0 && o.requests == 0 {
		fmt.Fprintf(stderr, "warming up for %s\n", o.warmup)
		load(ctx, o, o.warmup)
	}
	fmt.Fprintf(stderr, "submitting with %d clients\n", o.concurrency)
	res := load(ctx, o, o.duration)
	res.print(stdout, o)
	if res.acked == 0 {
		return fmt.Errorf("no submission was acknowledged (%d errors)", res.errors)
	}
	return nil
}
