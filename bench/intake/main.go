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
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "intake:", err)
		os.Exit(1)
	}
}
