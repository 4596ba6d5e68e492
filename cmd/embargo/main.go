// Command embargo runs and operates an Embargo instance: the server, its
// database migrations, configuration and integrity checks.
//
// Usage: embargo <command> [flags]; run "embargo help" for the commands.
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
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "embargo:", err)
		os.Exit(1)
	}
}
