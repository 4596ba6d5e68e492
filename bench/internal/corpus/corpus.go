// Package corpus builds the real data the programs in bench/ measure
// against, once, into a cache directory: the 4,789 OSV records of
// golang.org/x/vulndb and one CycloneDX 1.6 SBOM per go.mod of 150 real Go
// projects at fixed versions (Modules), fetched through the module proxy.
package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	gomodule "golang.org/x/mod/module"

	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/format/gomod"
	"github.com/embargohq/embargo/internal/modtest"
)

// Corpus is the data, on disk.
type Corpus struct {
	OSVDir     string   // a directory of OSV records
	Records    int      // how many
	SBOMs      []string // CycloneDX files, one per module of Modules
	Components int      // components in all SBOMs
}

// DefaultCache is a directory under the user's cache, or the temporary
// directory when there is none.
func DefaultCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "embargo-bench-scan")
}

// Build copies the vulndb records and writes one SBOM per module of
// Modules into dir, unless they are already there, and returns the corpus.
// It tells stderr what it fetches.
func Build(ctx context.Context, dir string, stderr io.Writer) (Corpus, error) {
	c := Corpus{OSVDir: filepath.Join(dir, "osv")}
	n, err := copyVulnDB(ctx, c.OSVDir, stderr)
	if err != nil {
		return c, err
	}
	c.Records = n
	for _, m := range Modules {
		path, count, err := sbomFor(ctx, filepath.Join(dir, "sbom"), m, stderr)
		if err != nil {
			return c, err
		}
		c.SBOMs = append(c.SBOMs, path)
		c.Components += count
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
	m, err := downloadModule(ctx, modtest.VulnDB)
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
	path, version, _ := strings.Cut(pathAtVersion, "@")
	b, err := fetchGoMod(ctx, path, version)
	if err != nil {
		return "", 0, err
	}
	f, err := gomod.ParseMod(pathAtVersion+"/go.mod", b)
	if err != nil {
		return "", 0, err
	}
	bom := sbomOf(path, version, f)
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

// fetchGoMod returns the go.mod of a module version from the first module
// proxy the go command is configured with. It asks for the .mod file
// alone, as the go command does to build a module graph: some versions
// here have their .mod served while their .info and .zip are refused
// (403), and the go command, which asks for the .info first, gives up on
// those.
func fetchGoMod(ctx context.Context, path, version string) ([]byte, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOPROXY").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOPROXY: %w", err)
	}
	proxy, _, _ := strings.Cut(strings.TrimSpace(string(out)), ",")
	if !strings.HasPrefix(proxy, "http") {
		return nil, fmt.Errorf("GOPROXY %q names no module proxy to fetch go.mod files from", proxy)
	}
	epath, err := gomodule.EscapePath(path)
	if err != nil {
		return nil, err
	}
	ever, err := gomodule.EscapeVersion(version)
	if err != nil {
		return nil, err
	}
	url := strings.TrimSuffix(proxy, "/") + "/" + epath + "/@v/" + ever + ".mod"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, nil
}

// module is what the go command says of one module version.
type module struct {
	Path, Version, Dir, Error string
}

// downloadModule runs `go mod download -json` on a module version,
// through the module proxy and cache.
func downloadModule(ctx context.Context, pathAtVersion string) (module, error) {
	args := []string{"mod", "download", "-json", pathAtVersion}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
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
