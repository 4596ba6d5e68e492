package gomod

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/modtest"
)

// azidentity is a real project whose requirements have upper-case paths.
const azidentity = "github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.8.0"

func TestParseModReal(t *testing.T) {
	m := modtest.Download(t, azidentity, true)
	b, err := os.ReadFile(m.GoMod)
	if err != nil {
		modtest.Unavailable(t, "no go.mod of "+azidentity+": "+err.Error())
	}
	got, err := ParseMod("go.mod", b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Module != "github.com/Azure/azure-sdk-for-go/sdk/azidentity" {
		t.Errorf("Module = %q", got.Module)
	}
	want := []Module{
		{Path: "github.com/Azure/azure-sdk-for-go/sdk/azcore", Version: "v1.14.0"},
		{Path: "github.com/Azure/azure-sdk-for-go/sdk/azidentity/cache", Version: "v0.3.0"},
		{Path: "github.com/Azure/azure-sdk-for-go/sdk/internal", Version: "v1.10.0"},
		{Path: "github.com/AzureAD/microsoft-authentication-library-for-go", Version: "v1.2.2"},
		{Path: "github.com/golang-jwt/jwt/v5", Version: "v5.2.1"},
		{Path: "github.com/google/uuid", Version: "v1.6.0"},
		{Path: "github.com/redis/go-redis/v9", Version: "v9.6.1"},
		{Path: "github.com/stretchr/testify", Version: "v1.9.0"},
		{Path: "golang.org/x/crypto", Version: "v0.27.0"},
		{Path: "github.com/AzureAD/microsoft-authentication-extensions-for-go/cache", Version: "v0.1.1", Indirect: true},
		{Path: "github.com/cespare/xxhash/v2", Version: "v2.3.0", Indirect: true},
		{Path: "github.com/davecgh/go-spew", Version: "v1.1.1", Indirect: true},
		{Path: "github.com/dgryski/go-rendezvous", Version: "v0.0.0-20200823014737-9f7001d12a5f", Indirect: true},
		{Path: "github.com/keybase/go-keychain", Version: "v0.0.0-20231219164618-57a3676c3af6", Indirect: true},
		{Path: "github.com/kylelemons/godebug", Version: "v1.1.0", Indirect: true},
		{Path: "github.com/pkg/browser", Version: "v0.0.0-20240102092130-5ac0b6a4141c", Indirect: true},
		{Path: "github.com/pmezard/go-difflib", Version: "v1.0.0", Indirect: true},
		{Path: "golang.org/x/net", Version: "v0.29.0", Indirect: true},
		{Path: "golang.org/x/sys", Version: "v0.25.0", Indirect: true},
		{Path: "golang.org/x/text", Version: "v0.18.0", Indirect: true},
		{Path: "gopkg.in/yaml.v3", Version: "v3.0.1", Indirect: true},
	}
	if diff := cmp.Diff(want, got.Requires); diff != "" {
		t.Errorf("Requires (-want +got):\n%s", diff)
	}
}

// TestParseSumReal checks a real go.sum against its go.mod: every module
// the go.mod requires has a content checksum (Go ≥ 1.17 modules).
func TestParseSumReal(t *testing.T) {
	m := modtest.Download(t, azidentity, true)
	sum := mustRead(t, filepath.Join(m.Dir, "go.sum"))
	got, err := ParseSum("go.sum", sum)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, mod := range got {
		have[mod.Path+"@"+mod.Version] = true
		if strings.HasSuffix(mod.Version, "/go.mod") {
			t.Errorf("/go.mod line kept: %+v", mod)
		}
	}
	mod, err := ParseMod("go.mod", mustRead(t, filepath.Join(m.Dir, "go.mod")))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range mod.Requires {
		if !have[r.Path+"@"+r.Version] {
			t.Errorf("go.sum lacks %s@%s", r.Path, r.Version)
		}
	}
	if !have["github.com/AzureAD/microsoft-authentication-library-for-go@v1.2.2"] {
		t.Errorf("upper-case path lost its case: %v", got)
	}
}

func TestParseModDirectives(t *testing.T) {
	tests := []struct {
		name, mod string
		want      *File
	}{
		{"replace all versions", "module example.com/m\nrequire github.com/BurntSushi/toml v1.2.0\nreplace github.com/BurntSushi/toml => github.com/Fork/toml v1.3.0\n",
			&File{Module: "example.com/m", Requires: []Module{{Path: "github.com/Fork/toml", Version: "v1.3.0", Replaces: "github.com/BurntSushi/toml@v1.2.0"}}}},
		{"replace one version", "module m\nrequire (\n\ta.example/x v1.0.0 // indirect\n\tb.example/y v1.0.0\n)\nreplace a.example/x v1.0.0 => a.example/x v1.0.1\nreplace b.example/y v0.9.0 => b.example/z v1.0.0\n",
			&File{Module: "m", Requires: []Module{
				{Path: "a.example/x", Version: "v1.0.1", Indirect: true, Replaces: "a.example/x@v1.0.0"},
				{Path: "b.example/y", Version: "v1.0.0"},
			}}},
		{"exact replace wins", "module m\nrequire a.example/x v1.0.0\nreplace a.example/x v1.0.0 => a.example/exact v1.0.0\nreplace a.example/x => a.example/any v2.0.0\n",
			&File{Module: "m", Requires: []Module{{Path: "a.example/exact", Version: "v1.0.0", Replaces: "a.example/x@v1.0.0"}}}},
		{"replace by directory", "module m\nrequire a.example/x v1.0.0\nreplace a.example/x => ../x\n",
			&File{Module: "m", Requires: []Module{{Path: "a.example/x", Dir: "../x", Replaces: "a.example/x@v1.0.0"}}}},
		{"exclude", "module m\nrequire (\n\ta.example/x v1.0.0\n\tb.example/y v1.2.0\n)\nexclude a.example/x v1.0.0\nexclude b.example/y v1.1.0\n",
			&File{Module: "m", Requires: []Module{{Path: "b.example/y", Version: "v1.2.0"}}}},
		{"no module line", "go 1.22\n", &File{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMod("go.mod", []byte(tc.mod))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseMod (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSum(t *testing.T) {
	sum := "github.com/BurntSushi/toml v1.2.0 h1:abc=\n" +
		"github.com/BurntSushi/toml v1.2.0/go.mod h1:def=\n" +
		"golang.org/x/text v0.3.0/go.mod h1:ghi=\n" +
		"\n" +
		"github.com/BurntSushi/toml v1.3.0 h1:jkl=\n" +
		"github.com/BurntSushi/toml v1.2.0 h1:abc=\n"
	got, err := ParseSum("go.sum", []byte(sum))
	if err != nil {
		t.Fatal(err)
	}
	want := []Module{{Path: "github.com/BurntSushi/toml", Version: "v1.2.0"}, {Path: "github.com/BurntSushi/toml", Version: "v1.3.0"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseSum (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		sum  bool
		in   string
		want string
	}{
		{"mod syntax", false, "module m\nrequire a.example/x\n", "go.mod:2: usage: require module/path v1.2.3"},
		{"mod bad version", false, "module m\n\nrequire a.example/x 1.0\n", "go.mod:3:"},
		{"mod unknown directive", false, "module m\nfrobnicate x\n", "go.mod:2: unknown directive: frobnicate"},
		{"sum fields", true, "a.example/x v1.0.0 h1:x=\na.example/y v1.0.0\n", "go.sum:2: want \"path version hash\", got 2 fields"},
		{"sum version", true, "a.example/x 1.0 h1:x=\n", "go.sum:1: a.example/x@1.0: invalid version"},
		{"sum path", true, "A..b v1.0.0 h1:x=\n", "go.sum:1: malformed module path"},
		{"sum hash", true, "a.example/x v1.0.0 xyz\n", `go.sum:1: hash "xyz" has no algorithm prefix`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			var err error
			if tc.sum {
				var mods []Module
				mods, err = ParseSum("go.sum", []byte(tc.in))
				if mods != nil {
					got = mods
				}
			} else {
				var f *File
				f, err = ParseMod("go.mod", []byte(tc.in))
				if f != nil {
					got = f
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if got != nil {
				t.Errorf("returned %+v with the error", got)
			}
		})
	}
}

func FuzzParseMod(f *testing.F) {
	f.Add([]byte("module example.com/m\n\ngo 1.22\n\nrequire (\n\tgithub.com/Azure/x v1.0.0 // indirect\n)\nreplace github.com/Azure/x => ../x\nexclude github.com/Azure/x v0.9.0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ParseMod("go.mod", b)
		if (file == nil) == (err == nil) {
			t.Fatalf("ParseMod: %v with err %v", file, err)
		}
		if err != nil {
			return
		}
		for _, m := range file.Requires {
			if m.Path == "" || (m.Version == "") == (m.Dir == "") {
				t.Errorf("module with neither or both of version and dir: %+v", m)
			}
		}
	})
}

func FuzzParseSum(f *testing.F) {
	f.Add([]byte("github.com/Azure/x v1.0.0 h1:abc=\ngithub.com/Azure/x v1.0.0/go.mod h1:def=\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		mods, err := ParseSum("go.sum", b)
		if err != nil && mods != nil {
			t.Fatalf("ParseSum returned %v with err %v", mods, err)
		}
		for _, m := range mods {
			if m.Path == "" || m.Version == "" {
				t.Errorf("module without path or version: %+v", m)
			}
		}
	})
}

// mustRead returns the contents of a file, skipping the test (failing it
// in CI) when it cannot be read.
func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		modtest.Unavailable(t, err.Error())
	}
	return b
}
