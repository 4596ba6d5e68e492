package main

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/embargohq/embargo/bench/internal/benchserver"
	"github.com/embargohq/embargo/bench/internal/corpus"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/store"
)

// options are the command's flags.
type options struct {
	cache      string // the corpus, shared with bench/scan
	postgres   string // PostgreSQL server URL; empty: SQLite
	imports    int    // timed imports of the vulndb zip
	versions   int    // product versions to seed; 0: skip the scale phase
	components int    // components per version
	probe      string // the vulndb record copied as the new advisory
	keep       bool   // leave the instance in place
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("exposure", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.cache, "cache", corpus.DefaultCache(), "directory holding the corpus (built on first use)")
	fs.StringVar(&o.postgres, "postgres", "", "PostgreSQL server URL; a fresh database is created on it and dropped after")
	fs.IntVar(&o.imports, "imports", 3, "timed imports of the 4,789 records (the first into an empty instance)")
	fs.IntVar(&o.versions, "versions", 10000, "product versions to seed for the scale phase (0: skip it)")
	fs.IntVar(&o.components, "components", 200, "components per product version")
	fs.StringVar(&o.probe, "probe", "GO-2022-1059", "the vulndb record whose copy is imported as a new advisory")
	fs.BoolVar(&o.keep, "keep", false, "leave the instance's directory (and database) in place, and say where")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case fs.NArg() > 0:
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.imports < 1:
		return o, errors.New("-imports must be at least 1")
	case o.versions < 0 || o.components < 1:
		return o, errors.New("-versions must be 0 or more and -components at least 1")
	}
	return o, nil
}

// run builds the corpus, starts a server and measures it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	c, err := corpus.Build(ctx, o.cache, stderr)
	if err != nil {
		return err
	}
	records, err := zipDir(c.OSVDir)
	if err != nil {
		return err
	}
	srv, err := benchserver.Start(ctx, "", benchserver.Options{Postgres: o.postgres, Stderr: stderr, Keep: o.keep})
	if err != nil {
		return err
	}
	defer srv.Stop()
	if o.keep {
		fmt.Fprintf(stdout, "kept: %s (database %s)\n", srv.Dir, cmp.Or(srv.DSN, filepath.Join(srv.Data, "embargo.db")))
	}
	token, err := srv.Token(ctx)
	if err != nil {
		return err
	}
	api := client{base: srv.Base, token: token}
	fmt.Fprintf(stdout, "server: %s on %s (%s)\n", srv.Bin, srv.Base, srv.Dialect)
	fmt.Fprintf(stdout, "POST /api/v1/advisories, a zip of %d OSV records (%.1f MB):\n", c.Records, float64(len(records))/1e6)
	for i := range o.imports {
		took, body, err := api.post(ctx, "/api/v1/advisories", "application/zip", records)
		if err != nil {
			return err
		}
		rss, peak, _ := srv.Memory()
		what := "into an empty instance"
		if i > 0 {
			what = "again, every record replaced"
		}
		fmt.Fprintf(stdout, "  import %d (%s): %s  %s  server RSS %s, peak %s\n", i+1, what, seconds(took), strings.TrimSpace(body), mb(rss), mb(peak))
	}
	if o.versions == 0 {
		return nil
	}
	return scale(ctx, srv, api, c, o, stdout, stderr)
}

// scale seeds the catalogue, restarts the server and measures it at that
// size.
func scale(ctx context.Context, srv *benchserver.Server, api client, c corpus.Corpus, o options, stdout, stderr io.Writer) error {
	pool, err := componentPool(c)
	if err != nil {
		return err
	}
	if len(pool) < o.components {
		return fmt.Errorf("the corpus has %d distinct components, fewer than -components %d", len(pool), o.components)
	}
	srv.Halt()
	start := time.Now()
	if err := seed(ctx, srv, pool, o, stderr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seeded %d product versions × %d components (from %d distinct real components) in %s\n",
		o.versions, o.components, len(pool), seconds(time.Since(start)))
	took, err := srv.Restart()
	if err != nil {
		return err
	}
	api.base = srv.Base // a new port
	rss, peak, err := srv.Memory()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restart (index built from the database) until listening: %s  server RSS %s, peak %s\n", seconds(took), mb(rss), mb(peak))
	rec, err := os.ReadFile(filepath.Join(c.OSVDir, o.probe+".json"))
	if err != nil {
		return err
	}
	for i := range 3 {
		probe, err := newAdvisory(rec, fmt.Sprintf("BENCH-2026-%04d", i+1))
		if err != nil {
			return err
		}
		took, body, err := api.post(ctx, "/api/v1/advisories", "application/json", probe)
		if err != nil {
			return err
		}
		mt, matches, err := api.get(ctx, fmt.Sprintf("/api/v1/advisories/BENCH-2026-%04d/matches", i+1))
		if err != nil {
			return err
		}
		rss, peak, _ := srv.Memory()
		fmt.Fprintf(stdout, "new advisory (a copy of %s) through the API: %s  %s; its %d matches listed in %s  server RSS %s, peak %s\n",
			o.probe, ms(took), strings.TrimSpace(body), matches, ms(mt), mb(rss), mb(peak))
	}
	return nil
}

// componentPool reads the corpus SBOMs and returns their distinct
// components (by purl), in a stable order.
func componentPool(c corpus.Corpus) ([]product.Component, error) {
	seen := map[string]bool{}
	var pool []product.Component
	for _, f := range c.SBOMs {
		inv, err := exposure.ReadInventory(f)
		if err != nil {
			return nil, err
		}
		for _, comp := range inv.Components {
			if comp.Purl == "" || seen[comp.Purl] {
				continue
			}
			seen[comp.Purl] = true
			pool = append(pool, product.Component{Name: comp.Package, Version: comp.Version, PURL: comp.Purl})
		}
	}
	slices.SortFunc(pool, func(a, b product.Component) int { return strings.Compare(a.PURL, b.PURL) })
	return pool, nil
}

// seed writes o.versions versions of o.components components each into
// the halted server's database: 100 versions per product, in
// transactions of one product, through the store's catalogue methods.
func seed(ctx context.Context, srv *benchserver.Server, pool []product.Component, o options, stderr io.Writer) error {
	dsn := srv.DSN
	if dsn == "" {
		dsn = filepath.Join(srv.Data, "embargo.db")
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	orgs, err := db.OrgIDs(ctx)
	if err != nil {
		return err
	}
	if len(orgs) != 1 {
		return fmt.Errorf("the instance has %d organisations, want 1", len(orgs))
	}
	org := orgs[0]
	rng := rand.New(rand.NewPCG(2026, 12))
	const perProduct = 100
	for p := 0; p*perProduct < o.versions; p++ {
		err := db.TransactProducts(ctx, func(tx product.Tx) error {
			pid, err := tx.CreateProduct(ctx, product.Product{OrgID: org, Name: fmt.Sprintf("Bench product %04d", p+1)})
			if err != nil {
				return err
			}
			mid, err := tx.CreateModel(ctx, org, pid, product.Model{Name: "M1"})
			if err != nil {
				return err
			}
			for v := 0; v < perProduct && p*perProduct+v < o.versions; v++ {
				vid, err := tx.CreateVersion(ctx, org, mid, product.Version{Version: fmt.Sprintf("%d.%d.0", v/10+1, v%10)})
				if err != nil {
					return err
				}
				// A version names each component once: the pool may hold
				// one module at several versions.
				names := make(map[string]bool, o.components)
				for _, i := range rng.Perm(len(pool)) {
					if len(names) == o.components {
						break
					}
					if names[pool[i].Name] {
						continue
					}
					names[pool[i].Name] = true
					if _, err := tx.CreateComponent(ctx, org, vid, pool[i], 0); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed product %d: %w", p+1, err)
		}
		if (p+1)%10 == 0 {
			fmt.Fprintf(stderr, "seeded %d versions\n", min((p+1)*perProduct, o.versions))
		}
	}
	return nil
}

// newAdvisory returns the OSV record rec as a new advisory: id, no
// aliases, modified now.
func newAdvisory(rec []byte, id string) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(rec, &m); err != nil {
		return nil, err
	}
	m["id"] = id
	delete(m, "aliases")
	m["modified"] = time.Now().UTC().Format(time.RFC3339)
	return json.Marshal(m)
}

// zipDir returns a zip of the .json files of dir.
func zipDir(dir string) ([]byte, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		w, err := zw.Create(filepath.Base(name))
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
	}
	err = zw.Close()
	return buf.Bytes(), err
}

// client calls the API with a token.
type client struct {
	base, token string
}

// post sends body and returns the time to the whole answer and its body;
// an answer other than 200 is an error.
func (c client) post(ctx context.Context, path, contentType string, body []byte) (time.Duration, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(c.base, "/")+path, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", contentType)
	return c.do(req)
}

// get returns the time to the whole answer and the length of the JSON
// array it holds under "matches" (or at the top).
func (c client) get(ctx context.Context, path string) (time.Duration, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.base, "/")+path, nil)
	if err != nil {
		return 0, 0, err
	}
	took, body, err := c.do(req)
	if err != nil {
		return 0, 0, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		var obj struct{ Matches []json.RawMessage }
		if err := json.Unmarshal([]byte(body), &obj); err != nil {
			return 0, 0, fmt.Errorf("GET %s: %v", path, err)
		}
		list = obj.Matches
	}
	return took, len(list), nil
}

func (c client) do(req *http.Request) (time.Duration, string, error) {
	req.Header.Set("Authorization", "Bearer "+c.token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	took := time.Since(start)
	if err != nil {
		return 0, "", err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, "", fmt.Errorf("%s %s: %s: %.500s", req.Method, req.URL.Path, resp.Status, b)
	}
	return took, string(b), nil
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func ms(d time.Duration) string      { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
func mb(kib int64) string            { return fmt.Sprintf("%d MB", kib/1024) }
