package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/embargohq/embargo/bench/internal/benchserver"
	"github.com/embargohq/embargo/bench/internal/corpus"
)

// options are the command's flags.
type options struct {
	cache string // where the corpus and the binary are kept
	runs  int    // timed runs of embargo scan
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.cache, "cache", corpus.DefaultCache(), "directory holding the corpus (built on first use) and the binary")
	fs.IntVar(&o.runs, "runs", 5, "timed runs of embargo scan")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.runs < 1:
		return o, errors.New("-runs must be at least 1")
	}
	return o, nil
}

// run builds the corpus and the binary, times the scans and prints the
// result.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	c, err := corpus.Build(ctx, o.cache, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "corpus: %d OSV records, %d SBOMs, %d components\n", c.Records, len(c.SBOMs), c.Components)
	bin, err := benchserver.Build(ctx, o.cache)
	if err != nil {
		return err
	}
	res, err := measure(ctx, bin, c, o.runs, stderr)
	if err != nil {
		return err
	}
	res.print(stdout, c)
	return nil
}
