package exposure_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// OSV records of golang.org/x/net below 0.2.0, which hit the world's
// version 1.0 (x/net v0.1.0).
const (
	feedRecord = `{"schema_version":"1.6.0","id":"GO-2099-0001","modified":"2099-01-01T00:00:00Z","aliases":["CVE-2099-0001"],
		"summary":"x/net test record","affected":[{"package":{"ecosystem":"Go","name":"golang.org/x/net"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.2.0"}]}]}]}`
	feedWithdrawn = `{"schema_version":"1.6.0","id":"GO-2099-0001","modified":"2099-02-01T00:00:00Z","withdrawn":"2099-02-01T00:00:00Z",
		"aliases":["CVE-2099-0001"],"summary":"x/net test record","affected":[{"package":{"ecosystem":"Go","name":"golang.org/x/net"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.2.0"}]}]}]}`
	feedNew = `{"schema_version":"1.6.0","id":"GO-2099-0002","modified":"2099-02-01T00:00:00Z","aliases":["CVE-2099-0002"],
		"summary":"another x/net test record","affected":[{"package":{"ecosystem":"Go","name":"golang.org/x/net"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.3.0"}]}]}]}`
)

// feedServer serves one OSV zip with an ETag and a Last-Modified, answers
// 304 when asked with the current ETag, and records the conditional
// headers of every request.
type feedServer struct {
	mu            sync.Mutex
	body          []byte
	etag, lastMod string
	fail          bool
	seen          []conditional
}

// conditional is what one request asked: its If-None-Match and
// If-Modified-Since, and the status it got.
type conditional struct {
	IfNoneMatch, IfModifiedSince string
	Status                       int
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := conditional{IfNoneMatch: r.Header.Get("If-None-Match"), IfModifiedSince: r.Header.Get("If-Modified-Since")}
	switch {
	case s.fail:
		c.Status = http.StatusBadGateway
	case c.IfNoneMatch == s.etag:
		c.Status = http.StatusNotModified
	default:
		c.Status = http.StatusOK
		w.Header().Set("ETag", s.etag)
		w.Header().Set("Last-Modified", s.lastMod)
	}
	s.seen = append(s.seen, c)
	w.WriteHeader(c.Status)
	if c.Status == http.StatusOK {
		_, _ = w.Write(s.body)
	}
}

// set makes the server serve records under etag.
func (s *feedServer) set(t testing.TB, etag, lastMod string, records ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body, s.etag, s.lastMod = mustZip(t, records...), etag, lastMod
}

func mustZip(t testing.TB, records ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i, r := range records {
		f, err := zw.Create([]string{"a.json", "b.json", "c.json"}[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFeedsPull pulls a feed from a loopback server: the first pull
// imports it (200 with an ETag), the next asks conditionally and gets 304,
// as does a restarted server (the validators are in the database); a
// failure imports nothing and is retried; a changed feed with a new ETag
// is imported, its new record matching and its withdrawn one not.
func TestFeedsPull(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, dsn(t))
			srv := &feedServer{}
			srv.set(t, `"v1"`, "Mon, 01 Jun 2026 08:00:00 GMT", feedRecord)
			ts := httptest.NewTLSServer(srv)
			defer ts.Close()
			url := ts.URL + "/Go/all.zip"
			pull := func(svc *exposure.Service) exposure.PullResult {
				t.Helper()
				rs := exposure.NewFeeds(svc, w.db, ts.Client(), []string{url}).Pull(ctx)
				if len(rs) != 1 || rs[0].URL != url {
					t.Fatalf("Pull = %+v; want one result for %s", rs, url)
				}
				return rs[0]
			}
			if r := pull(w.svc); r.Err != nil || r.NotModified || r.Import.Advisories != 1 || r.Import.Opened != 2 {
				t.Errorf("first pull = %+v; want 1 advisory imported, a case in each organisation", r)
			}
			checkHits(t, w, w.svc, []string{"GO-2099-0001"})
			if r := pull(w.svc); r.Err != nil || !r.NotModified {
				t.Errorf("second pull = %+v; want 304", r)
			}
			restarted := exposure.NewService(w.db, w.cases)
			if _, err := restarted.Load(ctx); err != nil {
				t.Fatal(err)
			}
			if r := pull(restarted); r.Err != nil || !r.NotModified {
				t.Errorf("pull after a restart = %+v; want 304", r)
			}
			srv.mu.Lock()
			srv.fail = true
			srv.mu.Unlock()
			if r := pull(restarted); r.Err == nil {
				t.Errorf("pull from a failing server = %+v; want an error", r)
			}
			srv.mu.Lock()
			srv.fail = false
			srv.mu.Unlock()
			srv.set(t, `"v2"`, "Tue, 02 Jun 2026 08:00:00 GMT", feedWithdrawn, feedNew)
			if r := pull(restarted); r.Err != nil || r.NotModified || r.Import.Advisories != 2 {
				t.Errorf("pull of the changed feed = %+v; want 2 advisories imported", r)
			}
			checkHits(t, w, restarted, []string{"GO-2099-0002"})
			v1 := conditional{`"v1"`, "Mon, 01 Jun 2026 08:00:00 GMT", 304}
			want := []conditional{{"", "", 200}, v1, v1, {`"v1"`, "Mon, 01 Jun 2026 08:00:00 GMT", 502}, {`"v1"`, "Mon, 01 Jun 2026 08:00:00 GMT", 200}}
			if diff := cmp.Diff(want, srv.seen); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// checkHits checks which advisories svc says hit Acme's version.
func checkHits(t *testing.T, w *world, svc *exposure.Service, want []string) {
	t.Helper()
	hits, err := svc.VersionMatches(context.Background(), w.p["acme"], w.product, w.version)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range hits {
		got = append(got, h.Advisory)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("advisories hitting Acme's version (-want +got):\n%s", diff)
	}
}
