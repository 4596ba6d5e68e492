package web

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustCopySite copies the embedded templates and static files into a fresh
// directory, for tests that edit them.
func mustCopySite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, siteFS); err != nil {
		t.Fatal(err)
	}
	return dir
}

func mustWriteFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDevModeRereads(t *testing.T) {
	dir := mustCopySite(t)
	h := mustNew(t, Config{Dev: true, DevDir: dir})
	_, doc := mustGetPage(t, h, httptest.NewRequest("GET", "/", nil))
	oldCSS := doc.first(t, "link[rel=stylesheet]").attrs["href"]

	mustWriteFile(t, filepath.Join(dir, "static", "app.css"), "body { color: red; }\n")
	home := filepath.Join(dir, "templates", "home.tmpl")
	tmpl, err := os.ReadFile(home)
	if err != nil {
		t.Fatal(err)
	}
	mustWriteFile(t, home, strings.Replace(string(tmpl), `{{.T "home.heading"}}`, "Edited", 1))

	_, doc = mustGetPage(t, h, httptest.NewRequest("GET", "/", nil))
	if got := doc.first(t, "main h1").textContent(); got != "Edited" {
		t.Errorf("heading after edit = %q, want %q", got, "Edited")
	}
	newCSS := doc.first(t, "link[rel=stylesheet]").attrs["href"]
	if newCSS == oldCSS {
		t.Errorf("stylesheet URL %s did not change with its content", newCSS)
	}
	resp := serve(h, httptest.NewRequest("GET", newCSS, nil))
	if body, _ := io.ReadAll(resp.Body); string(body) != "body { color: red; }\n" {
		t.Errorf("GET %s = %q, want the edited file", newCSS, body)
	}
}

func TestNewChecksTemplates(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(t *testing.T, dir string)
		wantErr string
	}{
		{"missing page", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "templates", "error.tmpl"))
		}, "parse page error"},
		{"page without content", func(t *testing.T, dir string) {
			mustWriteFile(t, filepath.Join(dir, "templates", "home.tmpl"), `{{define "title"}}x{{end}}`)
		}, `page home does not define "content"`},
		{"syntax error", func(t *testing.T, dir string) {
			mustWriteFile(t, filepath.Join(dir, "templates", "layout.tmpl"), `{{define "layout"}}{{if}}{{end}}`)
		}, "parse layout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := mustCopySite(t)
			tc.edit(t, dir)
			_, err := New(Config{Dev: true, DevDir: dir})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("New() error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewNeedsDevDir(t *testing.T) {
	if _, err := New(Config{Dev: true}); err == nil {
		t.Error("New(Dev without DevDir) succeeded")
	}
}
