package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/store/storetest"
)

// lineWriter hands each complete line written to it to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		s := w.buf.String()
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.lines <- s[:i]
		w.buf.Reset()
		w.buf.WriteString(s[i+1:])
	}
}

// startServe runs `embargo serve` in-process on a free port and returns its
// base URL and the lines it printed before serving; it stops when t ends.
func startServe(t *testing.T, args ...string) (base string, printed []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 100)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"embargo", "serve", "--addr", "127.0.0.1:0"}, args...),
			func(string) string { return "" }, out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	})
	deadline := time.After(20 * time.Second)
	for {
		select {
		case l := <-out.lines:
			printed = append(printed, l)
			if u, ok := strings.CutPrefix(l, "Embargo is listening on "); ok {
				return u, printed
			}
		case err := <-done:
			done <- err // for the cleanup, which would otherwise wait forever
			t.Fatalf("serve exited early: %v (printed %q)", err, printed)
		case <-deadline:
			t.Fatalf("serve did not start; printed %q", printed)
		}
	}
}

func mustGet(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestServeFreshMachine starts Embargo the way the README says, on an empty
// data directory (SQLite) and on PostgreSQL when configured, and checks the
// endpoints a fresh install must answer.
func TestServeFreshMachine(t *testing.T) {
	for name, newDSN := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			args := []string{"--data", data}
			if name == "postgres" {
				args = append(args, "--database", newDSN(t))
			}
			base, printed := startServe(t, args...)
			joined := strings.Join(printed, "\n")
			if !strings.Contains(joined, base+"setup?token=") {
				t.Errorf("first start printed no setup link:\n%s", joined)
			}
			for _, tc := range []struct{ path, want, ctype string }{
				{"", "Embargo", "text/html"},
				{"healthz", "ok", "text/plain"},
				{"readyz", "ready", "text/plain"},
				{"metrics", "embargo_http_requests_total", "text/plain"},
			} {
				resp, body := mustGet(t, base+tc.path)
				if resp.StatusCode != 200 || !strings.Contains(body, tc.want) || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) {
					t.Errorf("GET /%s = %d %q, body lacks %q or type is %q", tc.path, resp.StatusCode,
						resp.Header.Get("Content-Type"), tc.want, tc.ctype)
				}
				if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Request-ID") == "" {
					t.Errorf("GET /%s lacks CSP or request ID headers", tc.path)
				}
			}
			out, err := runCLI(t, append([]string{"verify", "audit"}, args...)...)
			if err != nil || !strings.Contains(out, "audit: intact, 2 events") {
				t.Errorf("verify after first start = %q, %v; want instance.init and setup.token.issue", out, err)
			}
		})
	}
}

// TestServeDrainsInFlightRequests cancels the server's context while a
// slow request is in flight and checks that the request still completes.
func TestServeDrainsInFlightRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "finished")
	})
	ctx, cancel := context.WithCancel(context.Background())
	c := &Config{ShutdownTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, c.Logger(io.Discard), ln, h) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(bufio.NewReader(resp.Body))
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	if body := <-got; body != "finished" {
		t.Errorf("in-flight request got %q, want it to finish", body)
	}
	if err := <-done; err != nil {
		t.Errorf("serve = %v, want a clean stop", err)
	}
}

// TestServeRestarts starts the server twice on the same database: the
// second start finds the instance initialised, which on PostgreSQL once
// aborted the bootstrap transaction and stopped the server.
func TestServeRestarts(t *testing.T) {
	for name, newDSN := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			args := []string{"--data", t.TempDir()}
			if name == "postgres" {
				args = append(args, "--database", newDSN(t))
			}
			for range 2 {
				t.Run("start", func(t *testing.T) { startServe(t, args...) })
			}
			out, err := runCLI(t, append([]string{"verify", "audit"}, args...)...)
			if err != nil || !strings.Contains(out, "audit: intact, 3 events") {
				t.Errorf("verify after two starts = %q, %v; want instance.init and two setup tokens", out, err)
			}
		})
	}
}
