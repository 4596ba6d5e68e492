package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/format/gomod"
	"github.com/embargohq/embargo/internal/modtest"
)

// corpus is the input of the timed scans.
type corpus struct {
	osvDir     string   // a directory of OSV records
	records    int      // how many
	sboms      []string // CycloneDX files, one per module
	components int      // components in all SBOMs
}

// buildCorpus copies the vulndb records and writes one SBOM per module of
// modules into dir, unless they are already there, and returns the corpus.
func buildCorpus(ctx context.Context, dir string, stderr io.Writer) (corpus, error) {
	c := corpus{osvDir: filepath.Join(dir, "osv")}
	n, err := copyVulnDB(ctx, c.osvDir, stderr)
	if err != nil {
		return c, err
	}
	c.records = n
	for _, m := range modules {
		path, count, err := sbomFor(ctx, filepath.Join(dir, "sbom"), m, stderr)
		if err != nil {
			return c, err
		}
		c.sboms = append(c.sboms, path)
		c.components += count
	}
	return c, nil
}

// copyVulnDB copies vulndb's data/osv records into dst, once, and returns
// their number.
func copyVulnDB(ctx context.Context, dst string, stderr io.Writer) (int, error) {
	if names, err := filepath.Glob(filepath.Join(dst, "*.json")); err == nil && len(names) > 0 {
		return len(names), nil
	}
	fmt.Fprintf(stderr, "fetching %s\n", modtest.VulnDB)
	m, err := goModule(ctx, "download", modtest.VulnDB)
	if err != nil {
		return 0, err
	}
	src := filepath.Join(m.Dir, "data", "osv")
	tmp := dst + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return 0, err
	}
	if err := os.CopyFS(tmp, os.DirFS(src)); err != nil {
		return 0, fmt.Errorf("copy vulndb records: %w", err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return 0, err
	}
	names, err := fs.Glob(os.DirFS(dst), "*.json")
	return len(names), err
}

// sbomFor returns the SBOM of module path@version in dir, writing it from
// the module's go.mod if need be, and its number of components.
func sbomFor(ctx context.Context, dir, pathAtVersion string, stderr io.Writer) (string, int, error) {
	file := filepath.Join(dir, strings.NewReplacer("/", "_", "@", "_").Replace(pathAtVersion)+".cdx.json")
	if inv, err := exposure.ReadInventory(file); err == nil {
		return file, len(inv.Components), nil
	}
	fmt.Fprintf(stderr, "fetching the go.mod of %s\n", pathAtVersion)
	m, err := goModule(ctx, "list", pathAtVersion)
	if err != nil {
		return "", 0, err
	}
	b, err := os.ReadFile(m.GoMod)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", pathAtVersion, err)
	}
	f, err := gomod.ParseMod(m.GoMod, b)
	if err != nil {
		return "", 0, err
	}
	bom := sbomOf(m.Path, m.Version, f)
	if err := writeBOM(file, bom); err != nil {
		return "", 0, err
	}
	return file, len(*bom.Components), nil
}

// sbomOf returns a CycloneDX 1.6 BOM of a module: the module is the
// metadata component, each requirement of its go.mod a library.
func sbomOf(path, version string, f *gomod.File) *cdx.BOM {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	root := exposure.GoComponent(path, version)
	bom.Metadata = &cdx.Metadata{Component: &cdx.Component{
		BOMRef: root.Purl, Type: cdx.ComponentTypeApplication, Name: path, Version: version, PackageURL: root.Purl,
	}}
	comps := make([]cdx.Component, 0, len(f.Requires))
	for _, r := range f.Requires {
		if r.Version == "" { // replaced by a directory: local code
			continue
		}
		c := exposure.GoComponent(r.Path, r.Version)
		comps = append(comps, cdx.Component{
			BOMRef: c.Purl, Type: cdx.ComponentTypeLibrary, Name: r.Path, Version: r.Version, PackageURL: c.Purl,
		})
	}
	bom.Components = &comps
	return bom
}

// writeBOM writes bom as JSON to file, atomically.
func writeBOM(file string, bom *cdx.BOM) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// module is what the go command says of one module version.
type module struct {
	Path, Version, Dir, GoMod, Error string
}

// goModule runs `go list -m -json` (verb "list": the go.mod alone) or `go
// mod download -json` (verb "download": the whole module) on a module
// version, through the module proxy and cache.
func goModule(ctx context.Context, verb, pathAtVersion string) (module, error) {
	args := []string{"list", "-m", "-json", pathAtVersion}
	if verb == "download" {
		args = []string{"mod", "download", "-json", pathAtVersion}
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var m module
	if err := json.Unmarshal(out, &m); err != nil {
		return m, fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), runErr, stderr.String())
	}
	if m.Error != "" {
		return m, fmt.Errorf("go %s: %s", strings.Join(args, " "), m.Error)
	}
	return m, runErr
}
