// Command cases measures the case list and search server-side: it seeds a
// fresh database with 100,000 cases and 1,000,000 audit events (SQLite in
// a temporary directory, or a fresh database on a PostgreSQL server), then
// calls casework.Service.Search in-process, as a request does minus HTTP,
// and prints the latency percentiles of each operation.
//
//	go run ./bench/cases
//	go run ./bench/cases -postgres postgres://…
//
// See bench/README.md for the figures measured.
package main

import (
	"os"

	"github.com/embargohq/embargo/bench/internal/benchmain"
)

func main() { os.Exit(benchmain.Run("cases", run)) }
