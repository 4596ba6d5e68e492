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
	"io"
	"os"

	"github.com/embargohq/embargo/bench/internal/benchmain"
)

func main() {
	os.Exit(benchmain.Run("notices", func(ctx context.Context, args []string, stdout, _ io.Writer) error {
		return run(ctx, args, stdout)
	}))
}
