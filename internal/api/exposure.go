package api

import (
	"context"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/format/assetcsv"
)

// Exposure is the part of exposure.Service the API uses.
type Exposure interface {
	ImportAdvisories(ctx context.Context, p *access.Principal, advs []exposure.Advisory, progress func(done, total int)) (exposure.ImportSummary, error)
	ImportAssets(ctx context.Context, p *access.Principal, invs []exposure.Inventory) (exposure.ImportSummary, error)
	AdvisoryMatches(ctx context.Context, p *access.Principal, id string) ([]exposure.Hit, error)
	VersionMatches(ctx context.Context, p *access.Principal, productID, id int64) ([]exposure.Hit, error)
	Assets(ctx context.Context, p *access.Principal) ([]exposure.Asset, error)
	ImportVEX(ctx context.Context, p *access.Principal, format string, ss []exposure.VEXStatement) (int, error)
	ExportVEX(ctx context.Context, p *access.Principal, format string, doc exposure.VEXDocument) ([]byte, error)
}

// The largest bodies the exposure imports take (see exposure.MaxAdvisoryBytes).
const (
	MaxAdvisoryBytes = exposure.MaxAdvisoryBytes
	MaxAssetBytes    = exposure.MaxAssetBytes
	MaxVEXBytes      = exposure.MaxVEXBytes
)

func (h *Handler) needExposure(next func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.exposure == nil {
			return errs.New(errs.NotFound, "no such page")
		}
		return next(w, r)
	}
}

// readBody reads a request body of at most n bytes.
func readBody(r *http.Request, n int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, n+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > n {
		return nil, errs.New(errs.TooLarge, "the body is too large")
	}
	return b, nil
}

// importAdvisories stores the advisories of one OSV, CVE JSON 5 or CSAF
// record, or of a zip of OSV records, all or nothing.
func (h *Handler) importAdvisories(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	b, err := readBody(r, MaxAdvisoryBytes)
	if err != nil {
		return err
	}
	advs, err := exposure.ReadAdvisories("body", b)
	if err != nil {
		return err
	}
	sum, err := h.exposure.ImportAdvisories(r.Context(), p, advs, nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, importResult(sum))
}

func importResult(sum exposure.ImportSummary) map[string]int {
	return map[string]int{"advisories": sum.Advisories, "assets": sum.Inventories, "cases_opened": sum.Opened, "cases_joined": sum.Joined}
}

// advisoryMatches lists what an advisory hits in the caller's organisation.
func (h *Handler) advisoryMatches(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	hits, err := h.exposure.AdvisoryMatches(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"matches": hitsJSON(hits)})
}

// versionMatches lists the advisories that hit a product version.
func (h *Handler) versionMatches(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	pid, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	vid, err2 := strconv.ParseInt(r.PathValue("vid"), 10, 64)
	if err1 != nil || err2 != nil {
		return errs.Coded(errs.NotFound, "exposure.not_found", "no such product version or asset")
	}
	hits, err := h.exposure.VersionMatches(r.Context(), p, pid, vid)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"matches": hitsJSON(hits)})
}

// listAssets lists the organisation's assets.
func (h *Handler) listAssets(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	as, err := h.exposure.Assets(r.Context(), p)
	if err != nil {
		return err
	}
	out := make([]assetJSON, 0, len(as))
	for _, a := range as {
		out = append(out, assetJSON{ID: a.ID, Name: a.Name, Host: a.Host, Components: len(a.Components), ImportedAt: a.ImportedAt})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"assets": out})
}

// importAssets stores assets from an asset CSV (text/csv) or from one SBOM
// (any other type: CycloneDX, SPDX, go.mod, sniffed by content).
func (h *Handler) importAssets(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	b, err := readBody(r, MaxAssetBytes)
	if err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	invs, err := assetcsv.ReadUpload("body", b, mt == "text/csv", r.URL.Query().Get("name"))
	if err != nil {
		return err
	}
	sum, err := h.exposure.ImportAssets(r.Context(), p, invs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, importResult(sum))
}
