// Package gomod reads the modules a Go project builds with from its go.mod
// and go.sum files.
//
// go.mod is parsed by golang.org/x/mod/modfile, the go command's own
// parser: every require directive (indirect ones included) becomes a
// module, replace directives are applied and excluded versions dropped.
// go.sum lists every module version whose content was checksummed; its
// /go.mod lines, which only vouch for a go.mod file, are skipped.
//
// Module paths keep their case: github.com/Azure/… is not
// github.com/azure/… to the go command, nor to us.
//
// Spec: https://go.dev/ref/mod#go-mod-file, https://go.dev/ref/mod#go-sum-files
package gomod

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// File is what Embargo takes from a go.mod file.
type File struct {
	// Module is the path on the module line: the product; empty when the
	// file has no module line.
	Module string
	// Requires are the required modules, in file order, replacements
	// applied and excluded versions left out.
	Requires []Module
}

// Module is one module version.
type Module struct {
	Path    string
	Version string // empty when replaced by a directory
	// Indirect is set for "// indirect" requirements.
	Indirect bool
	// Replaces is "path@version" of the requirement a replace directive
	// swapped for this module; empty when none did.
	Replaces string
	// Dir is the directory a replace directive put in the module's place:
	// local code, which has no version.
	Dir string
}

// ParseMod parses a go.mod file; name is used in error messages. It
// returns an error naming the line of the first problem, and no File,
// when the file is not a valid go.mod.
func ParseMod(name string, b []byte) (*File, error) {
	f, err := modfile.Parse(name, b, nil)
	if err != nil {
		return nil, err // "name:line: …" already
	}
	out := &File{}
	if f.Module != nil {
		out.Module = f.Module.Mod.Path
	}
	excluded := map[module.Version]bool{}
	for _, e := range f.Exclude {
		excluded[e.Mod] = true
	}
	for _, r := range f.Require {
		if excluded[r.Mod] {
			continue
		}
		out.Requires = append(out.Requires, replace(f.Replace, Module{Path: r.Mod.Path, Version: r.Mod.Version, Indirect: r.Indirect}))
	}
	return out, nil
}

// replace applies the replace directive that matches m, if any: one for
// m's exact version wins over one for all its versions.
func replace(reps []*modfile.Replace, m Module) Module {
	var match *modfile.Replace
	for _, r := range reps {
		if r.Old.Path != m.Path || (r.Old.Version != "" && r.Old.Version != m.Version) {
			continue
		}
		if match == nil || r.Old.Version != "" {
			match = r
		}
	}
	if match == nil {
		return m
	}
	out := Module{Indirect: m.Indirect, Replaces: m.Path + "@" + m.Version}
	if match.New.Version == "" { // a directory: local code
		out.Path, out.Dir = m.Path, match.New.Path
	} else {
		out.Path, out.Version = match.New.Path, match.New.Version
	}
	return out
}

// ParseSum parses a go.sum file; name is used in error messages. It
// returns each module version with a content checksum once, in file
// order, or an error naming the line of the first malformed entry and no
// modules.
func ParseSum(name string, b []byte) ([]Module, error) {
	var out []Module
	seen := map[module.Version]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, len(b)+1)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		mv, err := sumLine(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if mv.Path == "" || seen[mv] {
			continue
		}
		seen[mv] = true
		out = append(out, Module{Path: mv.Path, Version: mv.Version})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// sumLine parses one go.sum line, "path version hash"; it returns a zero
// Version for a /go.mod line.
func sumLine(line string) (module.Version, error) {
	f := strings.Fields(line)
	if len(f) != 3 {
		return module.Version{}, fmt.Errorf("want \"path version hash\", got %d fields", len(f))
	}
	if !strings.Contains(f[2], ":") {
		return module.Version{}, fmt.Errorf("hash %q has no algorithm prefix (h1:)", f[2])
	}
	version, goMod := strings.CutSuffix(f[1], "/go.mod")
	if err := module.Check(f[0], version); err != nil {
		return module.Version{}, err
	}
	if goMod {
		return module.Version{}, nil
	}
	return module.Version{Path: f[0], Version: version}, nil
}
