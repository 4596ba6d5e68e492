package product

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
)

// CSVColumns are the columns of the catalogue CSV format, in the order
// WriteCSV writes them (docs/products.md). Each row names a product and,
// optionally, one of its models, one version of that model, and one
// component of the version (with its supplier) and/or one customer of the
// version. Rows about the same product, model or version merge.
var CSVColumns = []string{
	"product", "product_description", "model", "version", "line",
	"component", "component_version", "purl", "third_party", "supplier", "supplier_country", "supplier_email",
	"customer", "customer_country", "customer_email",
}

// csvColumn maps an entity's field (as the checker names it) to its column.
var csvColumn = map[string]string{
	"product.name": "product", "product.description": "product_description",
	"model.name": "model", "version.version": "version", "version.line": "line",
	"component.name": "component", "component.version": "component_version", "component.purl": "purl",
	"component.third_party": "third_party", "component.supplier": "supplier",
	"supplier.name": "supplier", "supplier.country": "supplier_country", "supplier.email": "supplier_email",
	"customer.name": "customer", "customer.country": "customer_country", "customer.email": "customer_email",
}

// WriteCSV writes c in the CSV format: a header, then for every version
// one row per component and one per customer (a bare row when it has
// neither), a bare row for a model without versions and for a product
// without models. Descriptions and lines repeat on every row they apply
// to, so that the rows can be sorted or filtered in a spreadsheet.
func WriteCSV(w io.Writer, c Catalogue) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	for _, p := range c.Products {
		for _, row := range productRows(p) {
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func productRows(p Product) [][]string {
	base := []string{p.Name, p.Description, "", "", ""}
	rows := [][]string{}
	row := func(fields ...string) { rows = append(rows, append(append([]string{}, base...), pad(fields)...)) }
	if len(p.Models) == 0 {
		row()
	}
	for _, m := range p.Models {
		base[2], base[3], base[4] = m.Name, "", ""
		if len(m.Versions) == 0 {
			row()
		}
		for _, v := range m.Versions {
			base[3], base[4] = v.Version, v.Line
			if len(v.Components)+len(v.Customers) == 0 {
				row()
			}
			for _, k := range v.Components {
				s := Party{}
				if k.Supplier != nil {
					s = *k.Supplier
				}
				row(k.Name, k.Version, k.PURL, strconv.FormatBool(k.ThirdParty), s.Name, s.Country, s.Email)
			}
			for _, k := range v.Customers {
				row("", "", "", "", "", "", "", k.Name, k.Country, k.Email)
			}
		}
	}
	return rows
}

// pad extends the fields after the version's to their full width.
func pad(fields []string) []string {
	return append(fields, make([]string, len(CSVColumns)-5-len(fields))...)
}

// ParseCSV reads a catalogue in the CSV format. Columns may come in any
// order and any of them but product may be left out; a UTF-8 byte order
// mark is skipped. Errors: errs.Invalid wrapping an *ImportError whose
// problems name line and column; errs.TooLarge over MaxImportSize.
func ParseCSV(r io.Reader) (Catalogue, error) {
	data, err := readLimited(r)
	if err != nil {
		return Catalogue{}, err
	}
	b := newCSVBuilder()
	b.read(data)
	// The rows that did merge are checked too, so that one pass reports
	// as much as it can; problems come in line order.
	for _, is := range checkCatalogue(&b.cat).issues {
		b.problem(b.lineOf(is.path), csvColumn[is.entity+"."+is.field], errs.Message(is.err))
	}
	if len(b.problems) > 0 {
		slices.SortStableFunc(b.problems, func(x, y Problem) int { return cmp.Compare(x.Line, y.Line) })
		return Catalogue{}, importError(b.problems)
	}
	sortProducts(b.cat.Products)
	return b.cat, nil
}

// csvBuilder merges CSV rows into a catalogue, remembering the line where
// each part first appeared.
type csvBuilder struct {
	cat      Catalogue
	col      map[string]int
	lines    map[string]int // path of a part → first line
	index    map[string]int // "p\x00m\x00v…" → index in its parent
	problems []Problem
}

func newCSVBuilder() *csvBuilder {
	return &csvBuilder{lines: map[string]int{}, index: map[string]int{}}
}

func (b *csvBuilder) problem(line int, field, msg string) {
	if len(b.problems) < maxIssues {
		b.problems = append(b.problems, Problem{Line: line, Field: field, Msg: msg})
	}
}

// lineOf returns the line of path or, failing that, of its nearest parent.
func (b *csvBuilder) lineOf(path string) int {
	for path != "" {
		if n, ok := b.lines[path]; ok {
			return n
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

func (b *csvBuilder) read(data []byte) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		b.csvError(err, "the file has no header row naming its columns")
		return
	}
	if !b.header(header) {
		return
	}
	for len(b.problems) < maxIssues {
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			b.csvError(err, "")
			return
		}
		line, _ := cr.FieldPos(0)
		b.row(line, rec)
	}
}

func (b *csvBuilder) csvError(err error, onEOF string) {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		b.problem(1, "", onEOF)
	case errors.As(err, &pe):
		b.problem(pe.Line, "", fmt.Sprintf("column %d: %v", pe.Column, pe.Err))
	default:
		b.problem(0, "", err.Error())
	}
}

// header reads the column names.
func (b *csvBuilder) header(names []string) bool {
	b.col = map[string]int{}
	known := map[string]bool{}
	for _, c := range CSVColumns {
		known[c] = true
	}
	for i, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		switch {
		case !known[n]:
			b.problem(1, n, fmt.Sprintf("unknown column; the columns are %s", strings.Join(CSVColumns, ", ")))
		case b.col[n] > 0:
			b.problem(1, n, "the column appears twice")
		}
		b.col[n] = i + 1 // 0 stands for absent
	}
	if b.col["product"] == 0 {
		b.problem(1, "product", "the product column is missing")
	}
	return len(b.problems) == 0
}

// get returns the value of column name in rec ("" when absent).
func (b *csvBuilder) get(rec []string, name string) string {
	if i := b.col[name]; i > 0 && i <= len(rec) {
		return strings.TrimSpace(rec[i-1])
	}
	return ""
}
