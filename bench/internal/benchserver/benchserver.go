// Package benchserver builds and runs the real `embargo serve` for the
// programs in bench/: a fresh instance on loopback, SQLite in a temporary
// directory or a fresh database on a PostgreSQL server, with its first
// administrator created through the one-time setup link as a person would.
package benchserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/embargohq/embargo/internal/store"
)

// Admin is the first administrator's e-mail address on every instance
// Start creates.
const Admin = "admin@example.cn"

// Build builds ./cmd/embargo into dir as a release would (no cgo) and
// returns the binary's path.
func Build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "embargo")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/embargohq/embargo/cmd/embargo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/embargo: %v\n%s", err, out)
	}
	return bin, nil
}

// Options say how to start an instance.
type Options struct {
	Postgres string   // PostgreSQL server URL; empty: SQLite in the data directory
	Args     []string // more flags for embargo serve
	Stderr   io.Writer
	// Keep leaves the instance's directory (and PostgreSQL database) in
	// place when it stops, for a look at what the run left.
	Keep bool
}

// Server is an instance Start started.
type Server struct {
	Bin, Base, Dialect string
	Dir                string // the instance's own temporary directory
	Data               string // its data directory (the SQLite database is Data/embargo.db)
	DSN                string // the database flag it was started with ("" on SQLite)
	opt                Options
	proc               *exec.Cmd
	stopProc           func()
	cleanup            []func()
}

// Start builds ./cmd/embargo into a temporary directory (unless bin is
// set), starts it on a free loopback port on a fresh database, and creates
// the first administrator (Admin) and organisation.
func Start(ctx context.Context, bin string, opt Options) (_ *Server, err error) {
	if opt.Stderr == nil {
		opt.Stderr = io.Discard
	}
	dir, err := os.MkdirTemp("", "embargo-bench-")
	if err != nil {
		return nil, err
	}
	s := &Server{Bin: bin, Dir: dir, Data: filepath.Join(dir, "data"), Dialect: "sqlite", opt: opt}
	if !opt.Keep {
		s.cleanup = append(s.cleanup, func() { os.RemoveAll(dir) })
	}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if s.Bin == "" {
		if s.Bin, err = Build(ctx, dir); err != nil {
			return nil, err
		}
	}
	if opt.Postgres != "" {
		dsn, drop, err := store.CreatePostgresDatabase(ctx, opt.Postgres, "embargo_bench_")
		if err != nil {
			return nil, err
		}
		if !opt.Keep {
			s.cleanup = append(s.cleanup, func() { _ = drop() })
		}
		s.DSN, s.Dialect = dsn, "postgres"
	}
	token, err := s.launch()
	if err != nil {
		return nil, err
	}
	return s, createAdmin(ctx, s.Base, token)
}

// flags are the flags of embargo serve and of the other subcommands that
// open this instance's database.
func (s *Server) flags() []string {
	args := []string{"--data", s.Data}
	if s.DSN != "" {
		args = append(args, "--database", s.DSN)
	}
	return args
}

// launch starts the server process and reads its setup token (on a fresh
// database) and base URL from what it prints.
func (s *Server) launch() (token string, err error) {
	args := append([]string{"serve"}, s.flags()...)
	args = append(args, "--addr", "127.0.0.1:0", "--log-level", "warn")
	cmd := exec.Command(s.Bin, append(args, s.opt.Args...)...)
	cmd.Env = cleanEnv()
	cmd.Stderr = s.opt.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	s.proc = cmd
	s.stopProc = func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if _, t, ok := strings.Cut(line, "setup?token="); ok {
			token, _ = url.QueryUnescape(t)
		}
		if b, ok := strings.CutPrefix(line, "Embargo is listening on "); ok {
			s.Base = b
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return token, nil
		}
	}
	s.stopProc()
	s.stopProc = nil
	return "", errors.New("embargo serve exited before it listened")
}

// Restart stops the server process and starts it again on the same
// database, returning how long it took from the start of the process to
// listening.
func (s *Server) Restart() (time.Duration, error) {
	s.Halt()
	start := time.Now()
	_, err := s.launch()
	return time.Since(start), err
}

// Halt stops the server process (SIGTERM), keeping its database.
func (s *Server) Halt() {
	if s.stopProc != nil {
		s.stopProc()
		s.stopProc = nil
	}
}

// Stop stops the server and removes its directory and database (unless
// Options.Keep).
func (s *Server) Stop() {
	s.Halt()
	for i := len(s.cleanup) - 1; i >= 0; i-- {
		s.cleanup[i]()
	}
	s.cleanup = nil
}

// Memory returns the server process's resident set size now and its peak
// (VmRSS and VmHWM of /proc/PID/status), in KiB.
func (s *Server) Memory() (rss, peak int64, err error) {
	if s.proc == nil || s.stopProc == nil {
		return 0, 0, errors.New("the server is not running")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.proc.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			peak = n
		}
	}
	return rss, peak, nil
}

// Token creates an API token for the administrator with `embargo token
// create`, as the instance's operator would, and returns its secret. The
// token may manage the organisation and its catalogue (feeds, assets).
func (s *Server) Token(ctx context.Context) (string, error) {
	args := append([]string{"token", "create"}, s.flags()...)
	args = append(args, "--user", Admin, "--name", "bench", "--scopes", "org.manage,product.manage")
	cmd := exec.CommandContext(ctx, s.Bin, args...)
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("embargo token create: %v: %s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1]), nil
}

// cleanEnv is this process's environment without EMBARGO_* settings, so
// that only the flags configure the server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EMBARGO_") {
			env = append(env, kv)
		}
	}
	return env
}

// createAdmin creates the first administrator and organisation through
// the one-time setup link, as a person would.
func createAdmin(ctx context.Context, base, token string) error {
	if token == "" {
		return errors.New("embargo serve printed no setup link: is the database fresh?")
	}
	form := url.Values{"token": {token}, "email": {Admin}, "display_name": {"Bench Admin"},
		"password": {"tangerine rooftop lantern"}, "organisation": {"Bench PSIRT"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"setup", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("setup: %s: %.300s", resp.Status, b)
	}
	return nil
}
