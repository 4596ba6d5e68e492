// Command scan measures `embargo scan` as a user runs it: one whole
// process loading all 4,789 OSV records of golang.org/x/vulndb and 150
// CycloneDX SBOMs built from the go.mod files of real Go projects, then
// matching and printing. It builds the corpus into a cache directory the
// first time (fetching through the module proxy), builds ./cmd/embargo
// once, runs the scan several times and prints the median wall time and
// the largest peak RSS.
//
//	go run ./bench/scan
//	go run ./bench/scan -cache /tmp/scan-corpus -runs 5
//
// See bench/README.md for the figures measured.
package main

import (
	"os"

	"github.com/embargohq/embargo/bench/internal/benchmain"
)

func main() { os.Exit(benchmain.Run("scan", run)) }
