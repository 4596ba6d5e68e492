package main

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// TestFeedPullFailuresAreLogged pulls a feed that answers 500 and one
// that serves no advisories: each failure is logged with its URL, nothing
// is imported, and the job returns for the next pull.
func TestFeedPullFailuresAreLogged(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/down.zip" {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte("<html>not a feed</html>"))
	}))
	defer ts.Close()
	d := storetest.Open(t, storetest.SQLiteDSN(t), store.Options{})
	svc := exposure.NewService(d.DB, nil)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	feeds := exposure.NewFeeds(svc, d.DB, ts.Client(), []string{ts.URL + "/down.zip", ts.URL + "/page.json"})
	pullFeeds(log, feeds)(t.Context())
	out := logs.String()
	if n := strings.Count(out, "advisory feed pull failed"); n != 2 || !strings.Contains(out, "HTTP 500") || !strings.Contains(out, "page.json") {
		t.Errorf("log (%d failures):\n%s", n, out)
	}
	if n, _ := svc.Len(); n != 0 {
		t.Errorf("%d advisories imported; want none", n)
	}
}
