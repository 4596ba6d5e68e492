package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// listeningPrefix starts the line that `embargo serve` prints, last, once it
// accepts connections: "Embargo is listening on http://127.0.0.1:PORT/".
const listeningPrefix = "Embargo is listening on http://127.0.0.1:"

// buildDir holds the embargo binary; TestMain creates and removes it.
var buildDir string

// buildEmbargo builds ./cmd/embargo once per test binary.
var buildEmbargo = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(buildDir, "embargo")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/embargohq/embargo/cmd/embargo")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/embargo: %v\n%s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "embargo-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mustBuildEmbargo returns the path of the embargo binary, building it on
// first use.
func mustBuildEmbargo(t testing.TB) string {
	t.Helper()
	bin, err := buildEmbargo()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// instance is a running `embargo serve`.
type instance struct {
	Base    string // "http://127.0.0.1:PORT/"
	Data    string // its data directory
	Printed string // what it printed on stdout before it listened
	Stop    func() // stops it as the test's cleanup would; later calls do nothing
}

// startEmbargo starts an instance (see startInstance) and returns its base
// URL.
func startEmbargo(t testing.TB, args ...string) string {
	t.Helper()
	return startInstance(t, args...).Base
}

// startInstance runs `embargo serve` with a fresh data directory on a free
// port, with nothing from the environment but HOME and PATH. When the test
// ends, or when the test calls Stop, it sends SIGTERM and fails the test
// unless the server exits cleanly within 10 seconds.
func startInstance(t testing.TB, args ...string) instance {
	t.Helper()
	return startInstanceIn(t, t.TempDir(), args...)
}

// startInstanceIn is startInstance on an existing data directory: a
// restart of a stopped instance, which then reads what the CLI wrote.
func startInstanceIn(t testing.TB, data string, args ...string) instance {
	t.Helper()
	bin := mustBuildEmbargo(t)
	cmd := exec.Command(bin, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = ".." // the repository root, where --dev finds internal/web
	cmd.Env = []string{"HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")}
	stdout := &lineWatcher{prefix: listeningPrefix, found: make(chan string, 1)}
	var stderr syncBuffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := sync.OnceFunc(func() { stopEmbargo(t, cmd, exited, stdout, &stderr) })
	t.Cleanup(stop)

	select {
	case line := <-stdout.found:
		base := strings.TrimPrefix(line, "Embargo is listening on ")
		return instance{Base: base, Data: data, Printed: stdout.String(), Stop: stop}
	case err := <-exited:
		exited <- err // let the cleanup see it too
		t.Fatalf("embargo serve exited before listening: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, &stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("embargo serve did not report listening within 30s\nstdout:\n%s\nstderr:\n%s", stdout, &stderr)
	}
	panic("unreachable")
}

// stopEmbargo sends SIGTERM and waits for a clean exit.
func stopEmbargo(t testing.TB, cmd *exec.Cmd, exited chan error, stdout *lineWatcher, stderr *syncBuffer) {
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SIGTERM embargo: %v", err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("embargo serve exited with %v after SIGTERM\nstderr:\n%s", err, stderr)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		t.Errorf("embargo serve did not exit within 10s of SIGTERM\nstderr:\n%s", stderr)
	}
	if t.Failed() {
		t.Logf("embargo stdout:\n%s\nembargo stderr:\n%s", stdout, stderr)
	}
}

// lineWatcher keeps what the process writes and reports the first line
// that starts with prefix.
type lineWatcher struct {
	syncBuffer
	prefix  string
	found   chan string
	partial []byte
}

// Write implements io.Writer; exec calls it from one goroutine.
func (w *lineWatcher) Write(p []byte) (int, error) {
	w.syncBuffer.Write(p)
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.partial[:i])
		w.partial = w.partial[i+1:]
		if strings.HasPrefix(line, w.prefix) && w.found != nil {
			w.found <- line
			w.found = nil
		}
	}
}

// syncBuffer is a bytes.Buffer that may be read while a process writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what has been written so far.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
