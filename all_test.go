// Hygiene checks that run with the ordinary `go test ./...`: formatting,
// documentation of exported names, and rules of the house style that a
// compiler does not enforce.
package embargo_test

import (
	"encoding/json"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goFiles returns the repository's Go files, skipping generated artifacts.
func goFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata" || d.Name() == "artifacts") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGofmt(t *testing.T) {
	for _, f := range goFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := format.Source(src)
		if err != nil {
			t.Errorf("%s: %v", f, err)
		} else if string(out) != string(src) {
			t.Errorf("%s is not gofmt-formatted", f)
		}
	}
}

// TestExportedNamesAreDocumented requires a doc comment on every exported
// top-level name and a package comment in every package (house style §13).
func TestExportedNamesAreDocumented(t *testing.T) {
	pkgDoc := map[string]bool{}
	for _, f := range goFiles(t) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Dir(f)
		pkgDoc[dir] = pkgDoc[dir] || file.Doc != nil
		for _, name := range undocumented(file) {
			t.Errorf("%s: exported %s has no doc comment", f, name)
		}
	}
	for dir, ok := range pkgDoc {
		if !ok {
			t.Errorf("package in %s has no package comment", dir)
		}
	}
}

func undocumented(file *ast.File) []string {
	var out []string
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.IsExported() && d.Doc == nil && exportedRecv(d) {
				out = append(out, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if n := specName(s); n != "" && d.Doc == nil && specDoc(s) == nil && d.Lparen == token.NoPos {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// exportedRecv reports whether a method's receiver type is exported (or d
// is a plain function).
func exportedRecv(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}
	t := d.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if g, ok := t.(*ast.IndexExpr); ok {
		t = g.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

func specName(s ast.Spec) string {
	switch s := s.(type) {
	case *ast.TypeSpec:
		if s.Name.IsExported() {
			return s.Name.Name
		}
	case *ast.ValueSpec:
		for _, n := range s.Names {
			if n.IsExported() {
				return n.Name
			}
		}
	}
	return ""
}

func specDoc(s ast.Spec) *ast.CommentGroup {
	switch s := s.(type) {
	case *ast.TypeSpec:
		return s.Doc
	case *ast.ValueSpec:
		return s.Doc
	}
	return nil
}

// commandMains are the files holding a command's main function: the one
// place where a program may read its environment and exit.
var commandMains = map[string]bool{"cmd/embargo/main.go": true, "bench/intake/main.go": true, "bench/cases/main.go": true, "bench/scan/main.go": true,
	"bench/exposure/main.go": true, "bench/notices/main.go": true}

// TestHouseRules rejects patterns the house style forbids: environment
// reads and exits outside main, and the global default ServeMux.
func TestHouseRules(t *testing.T) {
	rules := []struct{ bad, why string }{
		{"os.Getenv(", "read the environment only in main, through run's getenv"},
		{"os.Exit(", "exit only in main"},
		{"log.Fatal", "return errors; exit only in main"},
		{"http.DefaultServeMux", "use a private ServeMux"},
		{"http.HandleFunc(", "register routes on a private ServeMux"},
		{"reflect.DeepEqual", "use cmp.Diff"},
	}
	for _, f := range goFiles(t) {
		// Commands' thin mains may exit; test support (the storetest and
		// modtest helpers) may read the test environment.
		if commandMains[f] || strings.HasSuffix(f, "_test.go") || strings.Contains(f, "storetest/") || strings.Contains(f, "modtest/") {
			continue
		}
		src, _ := os.ReadFile(f)
		for _, r := range rules {
			if strings.Contains(string(src), r.bad) {
				t.Errorf("%s uses %s: %s", f, r.bad, r.why)
			}
		}
	}
}

// codedError matches errs.Coded(kind, "code", …) calls.
var codedError = regexp.MustCompile(`errs\.Coded\([^,]+,\s*"([a-z0-9_.]+)"`)

// TestCodedErrorsAreTranslated requires a "problem.<code>" entry in every
// catalogue for each translation code the code base uses, so no reader
// sees an untranslated message.
func TestCodedErrorsAreTranslated(t *testing.T) {
	catalogs := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh-CN"} {
		b, err := os.ReadFile(filepath.Join("internal/i18n/catalog", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		catalogs[lang] = m
	}
	found := 0
	for _, f := range goFiles(t) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f)
		for _, m := range codedError.FindAllStringSubmatch(string(src), -1) {
			found++
			for lang, cat := range catalogs {
				if cat["problem."+m[1]] == "" {
					t.Errorf("%s: error code %q has no problem.%s in the %s catalogue", f, m[1], m[1], lang)
				}
			}
		}
	}
	if found == 0 {
		t.Error("found no errs.Coded calls: the pattern is stale")
	}
}
