package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browserTimeout bounds each test's whole conversation with the browser.
const browserTimeout = 60 * time.Second

// chromiumPath returns the browser to drive. It skips the test when there is
// none, or fails it when EMBARGO_REQUIRE_BROWSER=1 says there must be one.
func chromiumPath(t testing.TB) string {
	t.Helper()
	path := os.Getenv("EMBARGO_TEST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if fi, err := os.Stat(path); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
		return path
	}
	msg := "no Chromium at " + path + " (install Debian's chromium, or set EMBARGO_TEST_CHROMIUM)"
	if os.Getenv("EMBARGO_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg + "; EMBARGO_REQUIRE_BROWSER=1 requires one")
	}
	t.Skip(msg)
	return ""
}

// browser is one headless Chromium with one tab, and what its console said.
type browser struct {
	ctx     context.Context // a chromedp context for the tab
	console *consoleLog
}

// newBrowser starts headless Chromium with a fresh profile that sends
// acceptLanguage as its Accept-Language header. It stops with the test.
func newBrowser(t testing.TB, acceptLanguage string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(mustProfileDir(t)),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	// Start the browser on a context without a deadline: a deadline on the
	// first call would bound the browser's whole life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	b := &browser{ctx: ctx, console: &consoleLog{}}
	if err := chromedp.Listen(ctx, b.console.record); err != nil {
		t.Fatal(err)
	}
	_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": acceptLanguage},
	})
	if err != nil {
		t.Fatalf("set Accept-Language: %v", err)
	}
	return b
}

// mustProfileDir returns a fresh Chromium profile directory. Chromium's
// helper processes may still write there for a moment after it stops, so
// removal retries instead of failing the test as t.TempDir would.
func mustProfileDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "embargo-e2e-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove %s", dir)
	})
	return dir
}

// mustDo runs actions in the tab with a deadline, failing the test on error.
func (b *browser) mustDo(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// mustNavigateBy runs an action that loads a new page, such as a click on a
// link or a form's button, and waits for that page to load.
func (b *browser) mustNavigateBy(t testing.TB, what string, action chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, action); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// mustRun runs one action that returns a value, failing the test on error.
func mustRun[T any](t testing.TB, b *browser, what string, action chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, browserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshot saves a full-page PNG of the tab as <test name>-<label>.png in
// the artifacts directory.
func (b *browser) screenshot(t testing.TB, label string) {
	t.Helper()
	png := mustRun(t, b, "screenshot", chromedp.FullScreenshot(100))
	dir := os.Getenv("EMBARGO_TEST_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+"-"+label+".png")
	if err := os.WriteFile(name, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", name)
}

// consoleLog collects what the page wrote to the console: browser log
// entries (where Chromium reports Content-Security-Policy violations),
// console API calls and uncaught exceptions.
type consoleLog struct {
	mu      sync.Mutex
	entries []string
	csp     []string
	thrown  []string
}

// record is a chromedp listener. It runs on chromedp's reading goroutine,
// so it only appends.
func (c *consoleLog) record(ev any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var text string
	switch ev := ev.(type) {
	case *log.EventEntryAdded:
		text = string(ev.Entry.Level) + " " + string(ev.Entry.Source) + ": " + ev.Entry.Text
	case *runtime.EventConsoleAPICalled:
		text = "console." + string(ev.Type) + ": " + consoleArgs(ev.Args)
	case *runtime.EventExceptionThrown:
		text = "exception: " + ev.ExceptionDetails.Text + " " + exceptionDescription(ev.ExceptionDetails)
		c.thrown = append(c.thrown, text)
	default:
		return
	}
	c.entries = append(c.entries, text)
	if strings.Contains(text, "Content Security Policy") || strings.Contains(text, "Content-Security-Policy") {
		c.csp = append(c.csp, text)
	}
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		if a.Description != "" {
			parts = append(parts, a.Description)
		} else {
			parts = append(parts, string(a.Value))
		}
	}
	return strings.Join(parts, " ")
}

func exceptionDescription(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// check fails the test if the page violated the Content-Security-Policy or
// threw an uncaught exception, and logs everything else the console said.
func (c *consoleLog) check(t testing.TB) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		t.Logf("console: %s", e)
	}
	for _, e := range c.csp {
		t.Errorf("Content-Security-Policy violation: %s", e)
	}
	for _, e := range c.thrown {
		t.Errorf("uncaught exception: %s", e)
	}
}
