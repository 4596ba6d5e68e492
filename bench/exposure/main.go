// Command exposure measures the exposure engine inside a running server,
// through its HTTP API, as an organisation uses it:
//
//   - importing the 4,789 OSV records of golang.org/x/vulndb, zipped, with
//     POST /api/v1/advisories (first into an empty instance, then again,
//     every record replaced);
//
//   - the server at catalogue scale: -versions product versions of
//     -components components each (sampled with a fixed seed from the
//     components of the 150 real SBOMs of bench/scan's corpus) written into
//     its database, the server restarted (the index is built from the
//     database at start), its memory read from /proc, and one new advisory
//     imported through the API, which matches it against every version and
//     opens the case.
//
//     go run ./bench/exposure                       # SQLite in a temporary directory
//     go run ./bench/exposure -postgres 'postgres://…'
//     go run ./bench/exposure -versions 0           # the import alone
//
// See bench/README.md for the figures measured.
package main

import (
	"os"

	"github.com/embargohq/embargo/bench/internal/benchmain"
)

func main() { os.Exit(benchmain.Run("exposure", run)) }
