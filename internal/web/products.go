package web

import (
	"context"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/product"
)

// Products is the part of product.Service the web UI uses.
type Products interface {
	Export(ctx context.Context, p *access.Principal) (product.Catalogue, error)
	Import(ctx context.Context, p *access.Principal, c product.Catalogue, opt product.ImportOptions) (product.ImportSummary, error)
	Customers(ctx context.Context, p *access.Principal) ([]product.Customer, error)
	PutCustomers(ctx context.Context, p *access.Principal, cs []product.Customer) error
}

// productsPage is the data of /products.
type productsPage struct {
	Products []product.Product
	CanWrite bool
	Problem  string
	Imported *product.ImportSummary
	// Matches says the versions link to what hits them.
	Matches bool
}

func (h *Handler) products(r *http.Request) (*access.Principal, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, err
	}
	if h.cfg.Products == nil {
		return nil, errs.New(errs.NotFound, "no such page")
	}
	return p, nil
}

// showProducts shows the organisation's catalogue as a tree.
func (h *Handler) showProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := h.products(r)
	if err != nil {
		return err
	}
	return h.renderProducts(w, r, p, http.StatusOK, productsPage{})
}

func (h *Handler) renderProducts(w http.ResponseWriter, r *http.Request, p *access.Principal, status int, data productsPage) error {
	c, err := h.cfg.Products.Export(r.Context(), p)
	if err != nil {
		return err
	}
	data.Products, data.CanWrite, data.Matches = c.Products, p.Can(access.ManageProducts), h.cfg.Exposure != nil
	noStore(w)
	return h.render(w, r, status, pageProducts, data)
}

// importProducts takes a CSV or JSON file (by its extension) and stores it,
// all or nothing; a refused file is explained with its line and field.
func (h *Handler) importProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := h.products(r)
	if err != nil {
		return err
	}
	// The service decides; asking first spares a reader the upload.
	if err := p.Require(access.ManageProducts); err != nil {
		return err
	}
	body, isCSV, done, err := catalogueUpload(r)
	if err != nil {
		return h.renderProducts(w, r, p, http.StatusBadRequest, productsPage{Problem: h.problem(r, err)})
	}
	defer done()
	var c product.Catalogue
	if isCSV {
		c, err = product.ParseCSV(body)
	} else {
		c, err = product.ParseJSON(body)
	}
	var sum product.ImportSummary
	if err == nil {
		sum, err = h.cfg.Products.Import(r.Context(), p, c, product.ImportOptions{Replace: r.FormValue("replace") == "on"})
	}
	if errs.Is(err, errs.Invalid) {
		return h.renderProducts(w, r, p, http.StatusBadRequest, productsPage{Problem: h.problem(r, err)})
	}
	if err != nil {
		return err
	}
	return h.renderProducts(w, r, p, http.StatusOK, productsPage{Imported: &sum})
}

// catalogueUpload opens the form's "file" for a catalogue or customer
// import, limited to product.MaxImportSize (and one byte more, so that the
// parser tells a file over the limit), and says whether it is CSV (by its
// extension) or JSON; done closes it. A form without a file is
// errs.Invalid (product.media_type).
func catalogueUpload(r *http.Request) (body io.Reader, isCSV bool, done func(), err error) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, false, nil, errs.Coded(errs.Invalid, "product.media_type", "send the catalogue as text/csv or application/json")
	}
	return io.LimitReader(f, product.MaxImportSize+1), strings.EqualFold(path.Ext(hdr.Filename), ".csv"), func() { f.Close() }, nil
}

// exportProducts downloads the catalogue as CSV or JSON.
func (h *Handler) exportProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := h.products(r)
	if err != nil {
		return err
	}
	c, err := h.cfg.Products.Export(r.Context(), p)
	if err != nil {
		return err
	}
	noStore(w)
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="products.csv"`)
		return product.WriteCSV(w, c)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="products.json"`)
	return product.WriteJSON(w, c)
}
