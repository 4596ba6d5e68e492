package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/embargohq/embargo/internal/store"
)

// server is an `embargo serve` this command started.
type server struct {
	bin, base, dialect string
	stop               func()
}

// startServer builds ./cmd/embargo into a temporary directory, starts it
// on a free loopback port with the report rate limit off, on SQLite in
// that directory or on a fresh database of the PostgreSQL server pgURL, and
// creates the first administrator so that the instance takes reports.
func startServer(ctx context.Context, pgURL string, stderr io.Writer) (_ *server, err error) {
	dir, err := os.MkdirTemp("", "embargo-bench-")
	if err != nil {
		return nil, err
	}
	var cleanup []func()
	stop := func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	cleanup = append(cleanup, func() { os.RemoveAll(dir) })
	defer func() {
		if err != nil {
			stop()
		}
	}()
	s := &server{bin: filepath.Join(dir, "embargo"), dialect: "sqlite", stop: stop}
	build := exec.CommandContext(ctx, "go", "build", "-o", s.bin, "github.com/embargohq/embargo/cmd/embargo")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/embargo: %v\n%s", err, out)
	}
	args := []string{"serve", "--data", filepath.Join(dir, "data"), "--addr", "127.0.0.1:0", "--report-rate", "0",
		"--log-level", "warn"}
	if pgURL != "" {
		dsn, drop, err := freshDatabase(ctx, pgURL)
		if err != nil {
			return nil, err
		}
		cleanup = append(cleanup, drop)
		args, s.dialect = append(args, "--database", dsn), "postgres"
	}
	token, wait, err := launch(s, args, stderr)
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, wait)
	return s, createAdmin(ctx, s.base, token)
}

// launch starts the server and reads its setup token and base URL from
// what it prints; the returned function stops it with SIGTERM.
func launch(s *server, args []string, stderr io.Writer) (token string, stop func(), err error) {
	cmd := exec.Command(s.bin, args...)
	cmd.Env = cleanEnv()
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() {
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
			s.base = b
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return token, stop, nil
		}
	}
	stop()
	return "", nil, errors.New("embargo serve exited before it listened")
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
	form := url.Values{"token": {token}, "email": {"admin@example.cn"}, "display_name": {"Bench Admin"},
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

// freshDatabase creates an empty database on the PostgreSQL server at
// pgURL and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, pgURL string) (string, func(), error) {
	dsn, drop, err := store.CreatePostgresDatabase(ctx, pgURL, "embargo_bench_")
	if err != nil {
		return "", nil, err
	}
	return dsn, func() { _ = drop() }, nil
}
