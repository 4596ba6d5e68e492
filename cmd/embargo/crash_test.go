package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// TestCrashKeepsAcknowledgedReports is the intake's durability promise
// (RMSV Art. 5, CN-05-2: nothing acknowledged is ever lost) tested the hard
// way: the real binary takes reports from 16 clients at once, is killed
// with SIGKILL in the middle of the load, and is started again on the same
// database. Every report whose acknowledgement reached a client must then
// be stored, with the receipt and content hash it was acknowledged with,
// and be in the receipt log that the CLI exports; both hash chains must
// verify.
// Reports committed but not yet acknowledged when the process died may be
// stored too; they are not counted.
func TestCrashKeepsAcknowledgedReports(t *testing.T) {
	bin := mustBuildBinary(t)
	for name, newDSN := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			var flags []string
			if name == "postgres" {
				flags = []string{"--database", newDSN(t)}
			}
			mustSetUp(t, data, flags...)
			flags = append([]string{"--data", data}, flags...)

			acks := submitUntilKilled(t, startChild(t, bin, flags...), 16, 1500*time.Millisecond)
			if len(acks) < 50 {
				t.Fatalf("only %d reports were acknowledged before the kill; the test proves nothing", len(acks))
			}
			t.Logf("%d reports acknowledged before SIGKILL", len(acks))

			srv := startChild(t, bin, flags...)
			checkStored(t, flags, acks)
			checkReceiptLog(t, bin, flags, acks)
			for _, verify := range [][]string{{"verify", "audit"}, {"verify", "receipts"}} {
				out, err := runBinary(bin, append(verify, flags...)...)
				if err != nil || strings.Contains(out, "BROKEN") || !strings.Contains(out, "receipt: intact") {
					t.Errorf("embargo %s after the crash = %v:\n%s", strings.Join(verify, " "), err, out)
				}
			}
			srv.stop(t)
		})
	}
}

// mustBuildBinary builds the embargo binary into a temporary directory
// of t and returns its path.
func mustBuildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "embargo")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs the built binary with a clean environment and returns
// its standard output (and standard error, when it fails).
func runBinary(bin string, args ...string) (string, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + os.TempDir(), "PATH=" + os.Getenv("PATH")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%v: %s", err, stderr.String())
	}
	return stdout.String(), nil
}

// child is an `embargo serve` running as a child process.
type child struct {
	cmd    *exec.Cmd
	base   string
	exited chan error // receives the process's exit once
	stderr *syncedBuffer
}

// startChild starts `embargo serve` with the report rate limit off and
// waits until it listens. The test's cleanup kills it if still running.
func startChild(t *testing.T, bin string, flags ...string) *child {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--report-rate", "0",
		"--log-level", "warn"}, flags...)...)
	cmd.Env = []string{"HOME=" + os.TempDir(), "PATH=" + os.Getenv("PATH")}
	out := &lineWriter{lines: make(chan string, 100)}
	c := &child{cmd: cmd, exited: make(chan error, 1), stderr: &syncedBuffer{}}
	cmd.Stdout, cmd.Stderr = out, c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	deadline := time.After(20 * time.Second)
	for {
		select {
		case l := <-out.lines:
			if u, ok := strings.CutPrefix(l, "Embargo is listening on "); ok {
				c.base = u
				return c
			}
		case err := <-c.exited:
			t.Fatalf("embargo serve exited before listening: %v\n%s", err, c.stderr)
		case <-deadline:
			t.Fatalf("embargo serve did not listen within 20s\n%s", c.stderr)
		}
	}
}

// stop sends SIGTERM and expects a clean exit.
func (c *child) stop(t *testing.T) {
	t.Helper()
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.exited:
		if err != nil {
			t.Errorf("embargo serve exited with %v after SIGTERM\n%s", err, c.stderr)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("embargo serve did not stop within 15s of SIGTERM")
	}
}

// syncedBuffer is a bytes.Buffer safe for one writer and other readers.
type syncedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ackedReport is what a client was told about its submission.
type ackedReport struct {
	TrackingID string         `json:"tracking_id"`
	Receipt    report.Receipt `json:"receipt"`
}

// submitUntilKilled runs clients that POST reports one after another,
// kills the server with SIGKILL after d, and returns every acknowledgement
// the clients received. Any failure before the kill fails the test.
func submitUntilKilled(t *testing.T, srv *child, clients int, d time.Duration) []ackedReport {
	t.Helper()
	var (
		mu     sync.Mutex
		acks   []ackedReport
		killed atomic.Bool
		wg     sync.WaitGroup
		n      atomic.Int64
	)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	defer hc.CloseIdleConnections()
	for range clients {
		wg.Go(func() {
			for {
				ack, err := postReport(hc, srv.base, n.Add(1))
				if err != nil {
					if !killed.Load() {
						t.Errorf("before the kill: %v", err)
					}
					return
				}
				mu.Lock()
				acks = append(acks, ack)
				mu.Unlock()
			}
		})
	}
	time.Sleep(d)
	killed.Store(true)
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if err := <-srv.exited; err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("embargo serve exited with %v, want killed by SIGKILL", err)
	}
	return acks
}

// postReport submits report n anonymously and returns its
// acknowledgement; anything but a 201 with a valid tracking ID is an error.
func postReport(hc *http.Client, base string, n int64) (ackedReport, error) {
	body := fmt.Sprintf(`{"title":"崩溃测试 %d","description":"ping 参数未过滤 %d","product":"AX3000",`+
		`"reporter":{"name":"张三","email":"zhangsan@example.cn"}}`, n, n)
	resp, err := hc.Post(base+"api/v1/reports", "application/json", strings.NewReader(body))
	if err != nil {
		return ackedReport{}, err
	}
	defer resp.Body.Close()
	var ack ackedReport
	if err := json.NewDecoder(resp.Body).Decode(&ack); err != nil {
		return ackedReport{}, fmt.Errorf("report %d: %d, undecodable answer: %v", n, resp.StatusCode, err)
	}
	sum := sha256.Sum256([]byte(body))
	if resp.StatusCode != http.StatusCreated || !report.ValidTrackingID(ack.TrackingID) ||
		!strings.HasPrefix(ack.Receipt.ID, "rcpt-") || ack.Receipt.SHA256 != hex.EncodeToString(sum[:]) {
		return ackedReport{}, fmt.Errorf("report %d: %d %+v", n, resp.StatusCode, ack)
	}
	return ack, nil
}

// checkStored finds every acknowledged report in the reports table, with
// the receipt and content hash it was acknowledged with.
func checkStored(t *testing.T, flags []string, acks []ackedReport) {
	t.Helper()
	ctx := context.Background()
	c, _, err := parseConfig(envFrom(nil), "test", flags, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lost := 0
	err = db.Transact(ctx, func(tx *store.Tx) error {
		for _, a := range acks {
			r, err := tx.ReportByTracking(ctx, a.TrackingID)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return err
			}
			if err != nil || report.ReceiptID(r.ReceiptSeq) != a.Receipt.ID || r.RawSHA256 != a.Receipt.SHA256 {
				if lost++; lost <= 10 {
					t.Errorf("acknowledged report %s (%s) not stored as acknowledged: %v", a.TrackingID, a.Receipt.ID, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged reports lost", lost, len(acks))
	}
}

// checkReceiptLog exports the receipt log with the CLI and finds every
// acknowledged report in it under the receipt it was acknowledged with.
func checkReceiptLog(t *testing.T, bin string, flags []string, acks []ackedReport) {
	t.Helper()
	out, err := runBinary(bin, append([]string{"export", "receipts", "--format", "json"}, flags...)...)
	if err != nil {
		t.Fatalf("export receipts: %v", err)
	}
	logged := map[string]string{} // receipt ID → tracking ID
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r report.ReceiptRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		logged[r.ReceiptID] = r.TrackingID
	}
	lost := 0
	for _, a := range acks {
		if logged[a.Receipt.ID] != a.TrackingID {
			if lost++; lost <= 10 {
				t.Errorf("receipt %s (%s) acknowledged but not in the receipt log", a.Receipt.ID, a.TrackingID)
			}
		}
	}
	if lost > 0 || len(logged) < len(acks) {
		t.Errorf("receipt log holds %d entries; %d of %d acknowledged reports missing", len(logged), lost, len(acks))
	}
	t.Logf("receipt log: %d entries (committed but not yet acknowledged at the kill: %d)", len(logged), len(logged)-len(acks))
}
