package api

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/product"
)

// Products is the part of product.Service the API uses.
type Products interface {
	Export(ctx context.Context, p *access.Principal) (product.Catalogue, error)
	Import(ctx context.Context, p *access.Principal, c product.Catalogue, opt product.ImportOptions) (product.ImportSummary, error)
	Delete(ctx context.Context, p *access.Principal, id int64) error
	SelectVersions(ctx context.Context, p *access.Principal, id int64, expr string) ([]product.Selected, error)
	Customers(ctx context.Context, p *access.Principal) ([]product.Customer, error)
	PutCustomers(ctx context.Context, p *access.Principal, cs []product.Customer) error
	DeleteCustomer(ctx context.Context, p *access.Principal, name string) error
}

// MaxCatalogueBytes is the largest catalogue an import takes.
const MaxCatalogueBytes = product.MaxImportSize

func (h *Handler) needProducts() error {
	if h.products == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	return nil
}

// exportProducts returns the organisation's catalogue as JSON
// (embargo.products.v1) or, with ?format=csv, as CSV.
func (h *Handler) exportProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := h.productsCaller(r)
	if err != nil {
		return err
	}
	c, err := h.products.Export(r.Context(), p)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		return product.WriteCSV(w, c)
	}
	w.Header().Set("Content-Type", "application/json")
	return product.WriteJSON(w, c)
}

// importProducts stores a catalogue sent as JSON or CSV (by Content-Type),
// all or nothing; ?replace=true makes each named product match the file.
func (h *Handler) importProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := h.productsCaller(r)
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := io.LimitReader(r.Body, MaxCatalogueBytes+1)
	var c product.Catalogue
	switch mt {
	case "text/csv":
		c, err = product.ParseCSV(body)
	case "application/json":
		c, err = product.ParseJSON(body)
	default:
		return errs.Coded(errs.Invalid, "product.media_type", "send the catalogue as text/csv or application/json")
	}
	if err != nil {
		return err
	}
	sum, err := h.products.Import(r.Context(), p, c, product.ImportOptions{Replace: r.URL.Query().Get("replace") == "true"})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"created": sum.Created, "updated": sum.Updated, "unchanged": sum.Unchanged})
}

// productID reads the product's ID from the path.
func productID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, errs.Coded(errs.NotFound, "product.not_found", "no such product")
	}
	return id, nil
}

// productCall is the preamble of the routes about one product: the
// caller, and the product's ID from the path.
func (h *Handler) productCall(r *http.Request) (*access.Principal, int64, error) {
	p, err := h.productsCaller(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := productID(r)
	return p, id, err
}

// productsCaller returns the caller of a catalogue route; NotFound when
// the server has no catalogue.
func (h *Handler) productsCaller(r *http.Request) (*access.Principal, error) {
	p, err := caller(r)
	if err != nil {
		return nil, err
	}
	return p, h.needProducts()
}

// deleteProduct deletes a product and everything under it.
func (h *Handler) deleteProduct(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.productCall(r)
	if err != nil {
		return err
	}
	if err := h.products.Delete(r.Context(), p, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// SelectedVersion is a version a range selects.
type SelectedVersion struct {
	Model   string `json:"model"`
	Version string `json:"version"`
	Line    string `json:"line,omitempty"`
}

// selectVersions lists the versions of a product that ?range= selects.
func (h *Handler) selectVersions(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.productCall(r)
	if err != nil {
		return err
	}
	sel, err := h.products.SelectVersions(r.Context(), p, id, r.URL.Query().Get("range"))
	if err != nil {
		return err
	}
	out := []SelectedVersion{}
	for _, s := range sel {
		out = append(out, SelectedVersion{Model: s.Model, Version: s.Version.Version, Line: s.Version.Line})
	}
	return writeJSON(w, http.StatusOK, out)
}
