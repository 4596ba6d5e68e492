// Command intake is a load generator for Embargo's report intake: it POSTs
// anonymous reports to /api/v1/reports from many clients at once and
// reports how many were acknowledged per second and with what latency.
//
// Against a running server:
//
//	go run ./bench/intake -url http://127.0.0.1:8080/ -c 32 -d 20s
//
// Or let it build and start a fresh server itself (SQLite in a temporary
// directory, or a fresh database on a PostgreSQL server):
//
//	go run ./bench/intake -serve -c 32 -d 20s
//	go run ./bench/intake -serve -postgres postgres://… -c 32 -d 20s
//
// See bench/README.md for the figures measured.
package main

import (
	"os"

	"github.com/embargohq/embargo/bench/internal/benchmain"
)

func main() { os.Exit(benchmain.Run("intake", run)) }
