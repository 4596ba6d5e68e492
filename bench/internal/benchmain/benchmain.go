// Package benchmain is the main of every program in bench/: a context
// that ends on SIGINT or SIGTERM, the arguments and output, and the exit
// status.
package benchmain

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Run calls fn with a context that ends on SIGINT or SIGTERM, the
// program's arguments and its standard output and error, and returns the
// exit status for main to pass to os.Exit: 0, or 1 after printing
// "name: error" on standard error.
func Run(name string, fn func(ctx context.Context, args []string, stdout, stderr io.Writer) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := fn(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	return 0
}
