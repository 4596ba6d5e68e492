package osv

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/embargohq/embargo/internal/modtest"
	"github.com/google/go-cmp/cmp"
)

// record returns a minimal valid record with the given ID.
func record(id string) string {
	return strings.Replace(minimal, "GO-2099-0001", id, 1)
}

func mustWrite(tb testing.TB, path, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func mustZip(tb testing.TB, path string, files map[string]string) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write([]byte(data)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func ids(recs []*Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	mustWrite(t, filepath.Join(good, "b.json"), record("B-1"))
	mustWrite(t, filepath.Join(good, "sub", "a.json"), record("A-1"))
	mustWrite(t, filepath.Join(good, "README.md"), "not a record")
	bad := filepath.Join(dir, "bad")
	mustWrite(t, filepath.Join(bad, "a.json"), record("A-1"))
	mustWrite(t, filepath.Join(bad, "b.json"), strings.Replace(record("B-1"), `"1.2.3"`, `"x"`, 1))
	dup := filepath.Join(dir, "dup")
	mustWrite(t, filepath.Join(dup, "a.json"), record("A-1"))
	mustWrite(t, filepath.Join(dup, "b.json"), record("A-1"))
	zipGood := filepath.Join(dir, "good.zip")
	mustZip(t, zipGood, map[string]string{"B-1.json": record("B-1"), "A-1.json": record("A-1"), "dir/": ""})
	zipBad := filepath.Join(dir, "bad.zip")
	mustZip(t, zipBad, map[string]string{"A-1.json": record("A-1"), "B-1.json": `{"id": "B-1"}`})
	single := filepath.Join(good, "b.json")

	tests := []struct {
		name, path string
		want       []string
		wantErr    string
	}{
		{"directory, recursively, sorted by file", good, []string{"B-1", "A-1"}, ""},
		{"single file", single, []string{"B-1"}, ""},
		{"zip", zipGood, []string{"A-1", "B-1"}, ""},
		{"one bad file spoils the directory", bad, nil, "osv: " + filepath.Join(bad, "b.json") + `: affected[0].ranges[0].events[1].fixed: "x" is not a SemVer 2.0 version (without a leading "v")`},
		{"duplicate IDs", dup, nil, "osv: " + filepath.Join(dup, "b.json") + `: id: "A-1" is also the ID of ` + filepath.Join(dup, "a.json")},
		{"one bad entry spoils the zip", zipBad, nil, "osv: " + zipBad + "!B-1.json: modified: missing; the record's last modification time is required"},
		{"missing", filepath.Join(dir, "nope"), nil, "osv: stat " + filepath.Join(dir, "nope") + ": no such file or directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int64
			recs, err := Load(tc.path, Options{Progress: func(int) { calls.Add(1) }})
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tc.wantErr, gotErr); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, ids(recs)); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
			if err == nil && int(calls.Load()) != len(tc.want) {
				t.Errorf("progress called %d times for %d records", calls.Load(), len(tc.want))
			}
		})
	}
}

// TestVulnDB parses every record of a pinned golang.org/x/vulndb.
func TestVulnDB(t *testing.T) {
	m := modtest.Download(t, modtest.VulnDB, true)
	recs, err := Load(filepath.Join(m.Dir, "data", "osv"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var withdrawn, ranges, aliases int
	for _, r := range recs {
		if !r.Withdrawn.IsZero() {
			withdrawn++
		}
		aliases += len(r.Aliases)
		for _, a := range r.Affected {
			ranges += len(a.Ranges)
		}
	}
	got := map[string]int{"records": len(recs), "withdrawn": withdrawn, "ranges": ranges, "aliases": aliases}
	want := map[string]int{"records": 4789, "withdrawn": 18, "ranges": 6843, "aliases": got["aliases"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("vulndb counts (-want +got):\n%s", diff)
	}
	// GO-2022-0236 is known by heart: two packages, stdlib in two ranges.
	for _, r := range recs {
		if r.ID != "GO-2022-0236" {
			continue
		}
		want := []Affected{
			{Package: Package{Name: "stdlib", Ecosystem: "Go"}, Ranges: []Range{{Type: "SEMVER", Events: []Event{{Introduced: "0"}, {Fixed: "1.15.12"}, {Introduced: "1.16.0-0"}, {Fixed: "1.16.4"}}}}},
			{Package: Package{Name: "golang.org/x/net", Ecosystem: "Go"}, Ranges: []Range{{Type: "SEMVER", Events: []Event{{Introduced: "0"}, {Fixed: "0.0.0-20210428140749-89ef3d95e781"}}}}},
		}
		got := r.Affected
		for i := range got {
			got[i].EcosystemSpecific = nil
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GO-2022-0236 affected (-want +got):\n%s", diff)
		}
	}
}
