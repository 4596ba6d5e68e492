package product

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// MaxImportSize is the largest CSV or JSON file the parsers read.
const MaxImportSize = 32 << 20

// Problem is one thing wrong with imported input: where, and what.
type Problem struct {
	Line  int    // 1-based line of the input; 0 when not known
	Field string // the CSV column, or the JSON path ("products[0].models[1].name")
	Msg   string
}

// String renders p as "line 4, supplier_country: …".
func (p Problem) String() string {
	var where []string
	if p.Line > 0 {
		where = append(where, fmt.Sprintf("line %d", p.Line))
	}
	if p.Field != "" {
		where = append(where, p.Field)
	}
	if len(where) == 0 {
		return p.Msg
	}
	return strings.Join(where, ", ") + ": " + p.Msg
}

// ImportError lists the first problems (at most 20) found in imported
// input. It comes wrapped in an errs.Invalid error whose message names the
// first; errors.As finds it for the whole list.
type ImportError struct {
	Problems []Problem
}

// Error implements error.
func (e *ImportError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// importError wraps problems (at least one) as an errs.Invalid error.
func importError(ps []Problem) error {
	err := errs.Coded(errs.Invalid, "product.import", "%d problem(s) in the catalogue; the first: %s", len(ps), ps[0].String())
	var e *errs.E
	if errors.As(err, &e) {
		e.Err = &ImportError{Problems: ps}
	}
	return err
}

// checkCatalogue validates and normalises c: every product, names unique,
// one name one party across the whole catalogue.
func checkCatalogue(c *Catalogue) *checker {
	ch := newChecker()
	names := map[string]bool{}
	for i := range c.Products {
		path := fmt.Sprintf("products[%d]", i)
		ch.product(path, &c.Products[i])
		ch.unique(names, c.Products[i].Name, path, "product", where("", "product", c.Products[i].Name))
	}
	return ch
}

// problems renders issues with JSON paths as their fields.
func (c *checker) problems() []Problem {
	out := make([]Problem, 0, len(c.issues))
	for _, is := range c.issues {
		out = append(out, Problem{Field: is.path + "." + is.field, Msg: errs.Message(is.err)})
	}
	return out
}

// readLimited reads all of r, up to MaxImportSize, without a UTF-8 byte
// order mark (spreadsheets write one).
func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	if err != nil {
		return nil, fmt.Errorf("product: read import: %w", err)
	}
	if len(b) > MaxImportSize {
		return nil, errs.Coded(errs.TooLarge, "product.import_size", "the file is larger than %d MiB", MaxImportSize>>20)
	}
	return []byte(strings.TrimPrefix(string(b), "\ufeff")), nil
}

// ImportOptions tune Import.
type ImportOptions struct {
	// Replace makes each product in the catalogue replace the stored one
	// of that name: stored models, versions, components and customers the
	// catalogue lacks are deleted. Without it, Import merges: it adds and
	// updates, deletes nothing, and keeps a stored description, release
	// line or purl that the catalogue leaves empty.
	Replace bool
}

// ImportSummary says what an import did.
type ImportSummary struct {
	Created, Updated, Unchanged int // products
}

// Import stores catalogue c in p's organisation, all or nothing, in one
// transaction: products are matched by name, then their parts by name
// (IDs in c are ignored). Products the catalogue does not name are left
// alone. Needs access.ManageProducts. Errors: errs.Invalid with an
// *ImportError listing the first problems; errs.Conflict when a
// concurrent writer got in first. Audited (product.import), one event
// with the changes per product.
func (s *Service) Import(ctx context.Context, p *access.Principal, c Catalogue, opt ImportOptions) (ImportSummary, error) {
	if err := requireManage(p); err != nil {
		return ImportSummary{}, err
	}
	c = cloneCatalogue(c)
	for i := range c.Products {
		clearIDs(&c.Products[i])
	}
	if ch := checkCatalogue(&c); len(ch.issues) > 0 {
		return ImportSummary{}, importError(ch.problems())
	}
	var sum ImportSummary
	err := s.transact(ctx, p.OrgID, func(tx Tx) error {
		sum = ImportSummary{}
		changes := map[string]map[string]int{}
		for _, want := range c.Products {
			ch, err := importProduct(ctx, tx, p.OrgID, want, opt.Replace)
			if err != nil {
				return fmt.Errorf("product %q: %w", want.Name, err)
			}
			switch {
			case ch["product.create"] > 0:
				sum.Created++
			case len(ch) > 0:
				sum.Updated++
			default:
				sum.Unchanged++
			}
			if len(ch) > 0 {
				changes[want.Name] = ch
			}
		}
		mode := map[bool]string{false: "merge", true: "replace"}[opt.Replace]
		return record(ctx, tx, p, "product.import", "product:*", map[string]any{"mode": mode, "products": changes})
	})
	if err != nil {
		return ImportSummary{}, err
	}
	return sum, nil
}

// importProduct writes one imported product over the stored one of its
// name, if any, and returns what changed.
func importProduct(ctx context.Context, tx Tx, org int64, want Product, replace bool) (map[string]int, error) {
	w := newWriter(ctx, tx, org, replace)
	id, err := tx.ProductID(ctx, org, want.Name)
	if errs.Is(err, errs.NotFound) {
		_, err = w.product(nil, want)
		return w.changes, err
	}
	if err != nil {
		return nil, err
	}
	have, err := lockTree(ctx, tx, org, id)
	if err != nil {
		return nil, err
	}
	_, err = w.product(&have, want)
	return w.changes, err
}

// Export returns the catalogue of p's organisation, in canonical order.
// Needs access.ReadCases or access.ManageProducts.
func (s *Service) Export(ctx context.Context, p *access.Principal) (Catalogue, error) {
	ps, err := s.Products(ctx, p)
	return Catalogue{Products: ps}, err
}

// cloneCatalogue copies c deeply, so that normalising it leaves the
// caller's value alone.
func cloneCatalogue(c Catalogue) Catalogue {
	out := Catalogue{}
	for _, p := range c.Products {
		out.Products = append(out.Products, cloneProduct(p))
	}
	return out
}

func cloneProduct(p Product) Product {
	models := p.Models
	p.Models = nil
	for _, m := range models {
		versions := m.Versions
		m.Versions = nil
		for _, v := range versions {
			comps, custs := v.Components, v.Customers
			v.Components, v.Customers = nil, append([]Party(nil), custs...)
			for _, c := range comps {
				if c.Supplier != nil {
					s := *c.Supplier
					c.Supplier = &s
				}
				v.Components = append(v.Components, c)
			}
			m.Versions = append(m.Versions, v)
		}
		p.Models = append(p.Models, m)
	}
	return p
}
