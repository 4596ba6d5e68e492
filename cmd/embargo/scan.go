package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"

	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/format/osv"
)

// listFlag is a flag that may be given many times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// progressEvery is how many records pass between two progress lines.
const progressEvery = 1000

// runScan implements `embargo scan --advisories PATH... --sbom PATH...`:
// it loads OSV advisories (files, directories, zip archives) and
// inventories (SBOMs, go.mod files), matches them in memory and prints
// the matches. It needs no server and no database.
func runScan(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("embargo scan", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var advPaths, sbomPaths listFlag
	fs.Var(&advPaths, "advisories", "OSV record, directory or zip of OSV records, CVE JSON 5 record or CSAF document (repeatable)")
	fs.Var(&sbomPaths, "sbom", "SBOM or go.mod file (repeatable)")
	format := fs.String("format", "table", "output format: json or table")
	progress := fs.Bool("progress", false, "report loading progress on stderr (the default when stderr is a terminal)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || len(advPaths) == 0 || len(sbomPaths) == 0 || (*format != "json" && *format != "table") {
		return fmt.Errorf("%w: embargo scan --advisories PATH... --sbom PATH... [--format json|table] [--progress]", errUsage)
	}
	showProgress := *progress || isTerminal(e.stderr)
	x := exposure.NewIndex()
	invs, err := loadInventories(x, sbomPaths)
	if err != nil {
		return err
	}
	if err := loadAdvisories(x, advPaths, e.stderr, showProgress); err != nil {
		return err
	}
	results, undecided := scanResults(x, invs)
	if undecided > 0 {
		fmt.Fprintf(e.stderr, "embargo scan: %d components are named by advisories that cannot judge their version (GIT ranges, unparsable versions); they are not listed\n", undecided)
	}
	// One write per 64 KiB, not one per table cell: on a large scan the
	// system calls cost more than the matching.
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	if *format == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		err = enc.Encode(scanOutput{Results: results})
	} else {
		err = printScanTable(out, results)
	}
	if err != nil {
		return err
	}
	return out.Flush()
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// loadAdvisories parses every advisory path and puts its records in x.
func loadAdvisories(x *exposure.Index, paths []string, stderr io.Writer, progress bool) error {
	total := 0
	for _, p := range paths {
		opt := osv.Options{}
		if progress {
			opt.Progress = func(n int) {
				if n%progressEvery == 0 {
					fmt.Fprintf(stderr, "embargo scan: %s: %d records read\n", p, n)
				}
			}
		}
		if n, ok, err := loadOtherFormat(x, p); ok || err != nil {
			if err != nil {
				return err
			}
			total += n
			continue
		}
		recs, err := osv.Load(p, opt)
		if err != nil {
			return err
		}
		for _, r := range recs {
			x.PutAdvisory(exposure.FromOSV(r))
		}
		total += len(recs)
	}
	if progress {
		fmt.Fprintf(stderr, "embargo scan: %d advisories loaded\n", total)
	}
	return nil
}

// loadOtherFormat loads a CVE JSON 5 record or a CSAF document at path, as
// the server's importer does; ok is false for anything else (OSV files,
// directories and zips, which osv.Load reads with progress).
func loadOtherFormat(x *exposure.Index, path string) (n int, ok bool, err error) {
	st, err := os.Stat(path)
	if err != nil || st.IsDir() {
		return 0, false, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false, err
	}
	if f := exposure.AdvisoryFormat(b); f != "cve5" && f != "csaf" {
		return 0, false, nil
	}
	advs, err := exposure.ReadAdvisories(path, b)
	if err != nil {
		return 0, true, err
	}
	for _, a := range advs {
		x.PutAdvisory(a)
	}
	return len(advs), true, nil
}

// loadInventories reads every SBOM and puts it in x, under its path.
func loadInventories(x *exposure.Index, paths []string) ([]exposure.Inventory, error) {
	// The files are read and parsed on every CPU (150 SBOMs take longer
	// than the matching), then put into the index in order.
	invs := make([]exposure.Inventory, len(paths))
	errs := make([]error, len(paths))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(paths); i = int(next.Add(1) - 1) {
				invs[i], errs[i] = readInventory(paths[i])
			}
		})
	}
	wg.Wait()
	for i, p := range paths {
		if errs[i] != nil {
			return nil, errs[i]
		}
		invs[i].Source = p
		x.PutInventory(invs[i])
	}
	return invs, nil
}

// readInventory reads an SBOM, a go.mod or go.sum file.
func readInventory(path string) (exposure.Inventory, error) { return exposure.ReadInventory(path) }

// scanOutput is the JSON output of embargo scan.
type scanOutput struct {
	Results []scanResult `json:"results"`
}

type scanResult struct {
	Source  string      `json:"source"`
	Product scanProduct `json:"product"`
	Matches []scanMatch `json:"matches"`
}

type scanProduct struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type scanMatch struct {
	Purl      string   `json:"purl"`
	Ecosystem string   `json:"ecosystem"`
	Package   string   `json:"package"`
	Version   string   `json:"version"`
	Advisory  string   `json:"advisory"`
	Aliases   []string `json:"aliases"`
	Fixed     []string `json:"fixed"`
}

// scanResults returns each inventory's matches, in the order given, and
// the number of matches left out for being undecidable.
func scanResults(x *exposure.Index, invs []exposure.Inventory) ([]scanResult, int) {
	results := make([]scanResult, 0, len(invs))
	undecided := 0
	for _, inv := range invs {
		r := scanResult{Source: inv.Source, Product: scanProduct{inv.Name, inv.Version}, Matches: []scanMatch{}}
		for _, m := range x.MatchInventory(inv.Source) {
			if m.NotEvaluable != "" {
				undecided++
				continue
			}
			c := m.Component
			r.Matches = append(r.Matches, scanMatch{
				Purl: c.Purl, Ecosystem: c.Ecosystem, Package: c.Package, Version: c.Version,
				Advisory: m.Advisory, Aliases: nonNil(m.Aliases), Fixed: nonNil(m.Fixed),
			})
		}
		results = append(results, r)
	}
	return results, undecided
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// printScanTable prints one line a match.
func printScanTable(w io.Writer, results []scanResult) error {
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SBOM\tPACKAGE\tVERSION\tADVISORY\tALIASES\tFIXED")
	for _, r := range results {
		for _, m := range r.Matches {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Source, m.Package, m.Version, m.Advisory, strings.Join(m.Aliases, ","), strings.Join(m.Fixed, ","))
		}
	}
	return tw.Flush()
}
