package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/modtest"
)

// TestImportPage uploads all of the Go vulnerability database's OSV
// records, zipped, through the web import page of a real instance, follows
// the import on its progress page until it is done, and then uploads a
// zip with one broken record: that import fails with the record named, and
// nothing of it is stored. Another administrator cannot see the import.
func TestImportPage(t *testing.T) {
	vulndb := modtest.Download(t, modtest.VulnDB, true)
	ctx := context.Background()
	data := t.TempDir()
	mustSetUp(t, data)
	c, _, _ := parseConfig(envFrom(nil), "test", []string{"--data", data}, nil)
	db, kr, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	app, err := newApp(ctx, c, c.Logger(io.Discard), db, kr, "http://127.0.0.1/")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.reports.Close)
	svc := identity.NewService(db, identity.DefaultPolicy, nil).WithSealer(kr)
	admin := mustCaller(t, svc, "feeds", 1, access.Administrator)
	other := mustCaller(t, svc, "second", 1, access.Administrator)

	records, err := filepath.Glob(filepath.Join(vulndb.Dir, "data", "osv", "*.json"))
	if err != nil || len(records) < 4000 {
		t.Fatalf("vulndb records: %d, %v", len(records), err)
	}
	all := zipFiles(t, records, nil)

	loc := postImport(t, app.handler, admin.cookie, "advisories", "vulndb.zip", all)
	page := waitImport(t, app.handler, admin.cookie, loc)
	if !strings.Contains(page, `data-stage="done"`) {
		t.Fatalf("the import did not finish:\n%s", page)
	}
	if want := strconv.Itoa(len(records)) + " advisories imported"; !strings.Contains(page, want) {
		t.Errorf("the page does not say %q:\n%s", want, excerpt(page))
	}
	if n, _ := app.exposure.Len(); n != len(records) {
		t.Errorf("the index holds %d advisories, want %d", n, len(records))
	}
	if got := get(t, app.handler, other.cookie, loc); got.status != http.StatusNotFound {
		t.Errorf("another administrator reading the import: %d, want 404", got.status)
	}
	if list := get(t, app.handler, admin.cookie, "/imports"); !strings.Contains(list.body, "vulndb.zip") {
		t.Errorf("the import page does not list the import")
	}

	// A zip of two records, the second broken: all or nothing.
	good := `{"id": "NEW-2099-0001", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "Go",
		"name": "example.com/x"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}`
	broken := zipFiles(t, nil, map[string][]byte{"NEW-2099-0001.json": []byte(good),
		"BROKEN.json": []byte(`{"id": "NEW-2099-0002", "modified": `)})
	loc = postImport(t, app.handler, admin.cookie, "advisories", "broken.zip", broken)
	page = waitImport(t, app.handler, admin.cookie, loc)
	if !strings.Contains(page, `data-stage="failed"`) || !strings.Contains(page, "BROKEN.json") {
		t.Errorf("the broken zip's page does not say it failed on BROKEN.json:\n%s", excerpt(page))
	}
	if n, _ := app.exposure.Len(); n != len(records) {
		t.Errorf("after the failed import the index holds %d advisories, want %d", n, len(records))
	}
	if _, err := app.exposure.Advisory(ctx, access.Operator(), "NEW-2099-0001"); err == nil {
		t.Errorf("the good record of the failed import was stored")
	}

	// A file that is not what the form says.
	loc = postImport(t, app.handler, admin.cookie, "vex", "notes.json", []byte(`{"hello": "world"}`))
	if page = waitImport(t, app.handler, admin.cookie, loc); !strings.Contains(page, `data-stage="failed"`) {
		t.Errorf("a JSON file that is no VEX document did not fail:\n%s", excerpt(page))
	}
}

// postImport sends file to POST /imports as the form does and returns the
// progress page it redirects to.
func postImport(t *testing.T, h http.Handler, cookie, kind, name string, file []byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("kind", kind); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(file); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "embargo_session", Value: cookie})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !regexp.MustCompile(`^/imports/[A-Z2-7]{26}$`).MatchString(loc) {
		t.Fatalf("POST /imports: %d, Location %q\n%s", rec.Code, loc, excerpt(rec.Body.String()))
	}
	return loc
}

// waitImport reads the progress page until the import ends, checking that
// the page asks to be refreshed exactly while it runs, and returns the
// last page.
func waitImport(t *testing.T, h http.Handler, cookie, loc string) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got := get(t, h, cookie, loc)
		if got.status != http.StatusOK {
			t.Fatalf("GET %s: %d", loc, got.status)
		}
		running := !strings.Contains(got.body, `data-stage="done"`) && !strings.Contains(got.body, `data-stage="failed"`)
		if refresh := strings.Contains(got.body, `http-equiv="refresh"`); refresh != running {
			t.Fatalf("the page asks to refresh: %v, while the import runs: %v", refresh, running)
		}
		if !running {
			return got.body
		}
		if time.Now().After(deadline) {
			t.Fatalf("the import did not end in 2 minutes:\n%s", excerpt(got.body))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type page struct {
	status int
	body   string
}

func get(t *testing.T, h http.Handler, cookie, path string) page {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: "embargo_session", Value: cookie})
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return page{rec.Code, rec.Body.String()}
}

// zipFiles zips the files at paths (under their base names) and extra.
func zipFiles(t *testing.T, paths []string, extra map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write(b)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		add(filepath.Base(p), b)
	}
	for name, b := range extra {
		add(name, b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// excerpt is the main element of an HTML page, for failure messages.
func excerpt(html string) string {
	if i := strings.Index(html, "<main"); i >= 0 {
		html = html[i:]
	}
	if i := strings.Index(html, "</main>"); i >= 0 {
		html = html[:i]
	}
	return html
}
