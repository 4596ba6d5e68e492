// Command notices measures a notice campaign to many recipients: it seeds
// a fresh SQLite database (in a temporary directory) with a product, a
// fixed case and -n customers that run an affected version (half reached
// by e-mail, half by signed webhook), sends the campaign through the real
// outbox worker to an SMTP sink and a webhook sink on loopback, and, while
// it goes out, keeps probing the web server (GET /readyz over HTTP, which
// asks the database) and reading the case in-process as its page does (an
// audited read: a write transaction). It prints the campaign's throughput
// and the probes' latency percentiles during the send.
//
//	go run ./bench/notices
//	go run ./bench/notices -n 10000 -batch 50 -concurrency 16
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
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "notices:", err)
		os.Exit(1)
	}
}
