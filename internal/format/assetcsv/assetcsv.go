// Package assetcsv reads the operator's asset inventory from CSV: one row
// per component installed on an asset, rows of the same asset merged into
// one exposure.Inventory.
//
// The first row names the columns, in any order and any case:
//
//	asset      required: the asset's name, the inventory it goes to
//	host       optional: where the asset runs; one per asset
//	component  the component's name in its ecosystem
//	version    the component's version
//	purl       the component's package URL
//	ecosystem  optional: an OSV ecosystem (Go, npm, PyPI, Maven, crates.io,
//	           RubyGems, NuGet, Packagist)
//
// Each row names its component by purl, or by ecosystem, component and
// version together (Maven components as group:artifact, npm ones as
// @scope/name), from which the purl is built. A purl without version takes
// the version column; a purl with one must agree with it.
//
// A malformed file yields an error naming its line and column, and no
// inventories.
package assetcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/embargohq/embargo/internal/exposure"
)

// columns lists the known columns; required ones are true.
var columns = map[string]bool{
	"asset": true, "host": false, "component": false, "version": false,
	"purl": false, "ecosystem": false,
}

// Read reads an asset CSV; path names the file in errors and in each
// inventory's Source (with the host, when given: "assets.csv (host db1)").
// It returns one inventory per asset, in order of first appearance.
func Read(path string, r io.Reader) ([]exposure.Inventory, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	invs, err := parse(path, bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return invs, nil
}

// parse does the work of Read; its errors lack the file name.
func parse(path string, b []byte) ([]exposure.Inventory, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty file: want a header row (asset,host,component,version,purl)")
	}
	if err != nil {
		return nil, csvError(err, 0)
	}
	cols, err := headerColumns(header)
	if err != nil {
		return nil, err
	}
	m := newMerger(path)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err, len(header))
		}
		line, _ := cr.FieldPos(0)
		if err := m.add(line, row(cols, rec)); err != nil {
			return nil, err
		}
	}
	return m.inventories(), nil
}

// headerColumns maps column names to their index, checking that every
// name is known, none repeats and the required ones are there.
func headerColumns(header []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, ok := columns[name]; !ok {
			return nil, fmt.Errorf("line 1, column %d: unknown column %q (want asset, host, component, version, purl, ecosystem)", i+1, h)
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("line 1, column %d: column %q twice", i+1, name)
		}
		cols[name] = i
	}
	for name, required := range columns {
		if _, ok := cols[name]; required && !ok {
			return nil, fmt.Errorf("line 1: no %q column", name)
		}
	}
	if _, ok := cols["purl"]; !ok {
		for _, name := range []string{"ecosystem", "component", "version"} {
			if _, ok := cols[name]; !ok {
				return nil, fmt.Errorf("line 1: no purl column, so an %q column is needed", name)
			}
		}
	}
	return cols, nil
}

// row returns the named fields of rec, trimmed.
func row(cols map[string]int, rec []string) map[string]string {
	out := make(map[string]string, len(cols))
	for name, i := range cols {
		out[name] = strings.TrimSpace(rec[i])
	}
	return out
}

// csvError rewrites a CSV syntax error as "line L, character C: …" (the
// CSV reader counts bytes, not fields).
func csvError(err error, fields int) error {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
		return fmt.Errorf("line %d: %w (want %d, as in the header)", pe.Line, pe.Err, fields)
	case errors.As(err, &pe):
		return fmt.Errorf("line %d, character %d: %w", pe.Line, pe.Column, pe.Err)
	}
	return err
}
