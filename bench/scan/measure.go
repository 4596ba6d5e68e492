package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"

	"github.com/embargohq/embargo/bench/internal/corpus"
)

// result is what the timed runs measured.
type result struct {
	walls []time.Duration // sorted
	rssKB []int64         // peak RSS of each run, sorted
	out   int64           // bytes printed by the last run
}

// measure runs embargo scan on the corpus runs times, one process each.
func measure(ctx context.Context, bin string, c corpus.Corpus, runs int, stderr io.Writer) (result, error) {
	args := []string{"scan", "--advisories", c.OSVDir}
	for _, s := range c.SBOMs {
		args = append(args, "--sbom", s)
	}
	var res result
	for i := range runs {
		wall, rss, out, err := runOnce(ctx, bin, args)
		if err != nil {
			return res, err
		}
		fmt.Fprintf(stderr, "run %d: %v, peak RSS %d MB\n", i+1, wall.Round(time.Millisecond), rss/1024)
		res.walls = append(res.walls, wall)
		res.rssKB = append(res.rssKB, rss)
		res.out = out
	}
	slices.Sort(res.walls)
	slices.Sort(res.rssKB)
	return res, nil
}

// runOnce runs the binary once and returns its wall time, its peak RSS in
// KB (getrusage's ru_maxrss) and the size of its output.
func runOnce(ctx context.Context, bin string, args []string) (time.Duration, int64, int64, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var out countWriter
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("embargo scan: %w", err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if ru == nil {
		return wall, 0, out.n, nil
	}
	return wall, ru.Maxrss, out.n, nil
}

// countWriter counts and discards what is written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func (r result) print(w io.Writer, c corpus.Corpus) {
	n := len(r.walls)
	fmt.Fprintf(w, "embargo scan, %d OSV records × %d SBOMs (%d components), %d runs\n", c.Records, len(c.SBOMs), c.Components, n)
	fmt.Fprintf(w, "wall time: median %v (min %v, max %v)\n",
		r.walls[n/2].Round(time.Millisecond), r.walls[0].Round(time.Millisecond), r.walls[n-1].Round(time.Millisecond))
	fmt.Fprintf(w, "peak RSS:  max %d MB (min %d MB)\n", r.rssKB[n-1]/1024, r.rssKB[0]/1024)
	fmt.Fprintf(w, "output:    %d bytes of table\n", r.out)
}
