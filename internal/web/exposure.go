package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/exposure"
	"github.com/embargohq/embargo/internal/i18n"
	"github.com/embargohq/embargo/internal/product"
)

// Exposure is the part of exposure.Service the web UI uses: what hits
// the organisation's product versions and assets, and why.
type Exposure interface {
	VersionMatches(ctx context.Context, p *access.Principal, productID, id int64) ([]exposure.Hit, error)
	AdvisoryMatches(ctx context.Context, p *access.Principal, id string) ([]exposure.Hit, error)
	AssetMatches(ctx context.Context, p *access.Principal, id int64) ([]exposure.Hit, error)
	Assets(ctx context.Context, p *access.Principal) ([]exposure.Asset, error)
	Advisory(ctx context.Context, p *access.Principal, id string) (exposure.Advisory, error)
	CaseOfHit(p *access.Principal, h exposure.Hit) int64
}

// hitRow is one match as a page shows it.
type hitRow struct {
	exposure.Hit
	// Why says which range includes the version, in the reader's
	// language.
	Why string
	// Case is the case the match opened or joined, when the reader may
	// see it.
	Case *casework.Case
}

// versionPage is the data of /products/{id}/versions/{vid}.
type versionPage struct {
	Product product.Product
	Model   product.Model
	Version product.Version
	Hits    []hitRow
}

// advisoryPage is the data of /upstream/{id}.
type advisoryPage struct {
	Advisory exposure.Advisory
	Hits     []hitRow
}

// assetsPage is the data of /assets.
type assetsPage struct {
	Assets []assetRow
}

// assetRow is one asset with what hits it.
type assetRow struct {
	exposure.Asset
	Hits []hitRow
}

var errNoVersion = errs.Coded(errs.NotFound, "exposure.not_found", "no such product version or asset")

// exposureReader returns the signed-in reader, or NotFound when the exposure
// pages are off.
func (h *Handler) exposureReader(r *http.Request) (*access.Principal, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, err
	}
	if h.cfg.Exposure == nil || h.cfg.Products == nil {
		return nil, errs.New(errs.NotFound, "no such page")
	}
	return p, nil
}

// showVersion shows what hits one product version, and why.
func (h *Handler) showVersion(w http.ResponseWriter, r *http.Request) error {
	p, err := h.exposureReader(r)
	if err != nil {
		return err
	}
	pid, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	vid, err2 := strconv.ParseInt(r.PathValue("vid"), 10, 64)
	if err1 != nil || err2 != nil {
		return errNoVersion
	}
	// The catalogue names the version even when nothing hits it, and
	// holds only the reader's organisation's.
	c, err := h.cfg.Products.Export(r.Context(), p)
	if err != nil {
		return err
	}
	data, ok := findVersion(c, pid, vid)
	if !ok {
		return errNoVersion
	}
	hits, err := h.cfg.Exposure.VersionMatches(r.Context(), p, pid, vid)
	if err != nil {
		return err
	}
	slices.SortFunc(hits, func(a, b exposure.Hit) int { return cmp.Compare(a.Advisory, b.Advisory) })
	if data.Hits, err = h.hitRows(r, p, hits); err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageVersion, data)
}

// findVersion finds version vid of product pid in a catalogue.
func findVersion(c product.Catalogue, pid, vid int64) (versionPage, bool) {
	for _, pr := range c.Products {
		if pr.ID != pid {
			continue
		}
		for _, m := range pr.Models {
			for _, v := range m.Versions {
				if v.ID == vid {
					return versionPage{Product: pr, Model: m, Version: v}, true
				}
			}
		}
	}
	return versionPage{}, false
}

// showUpstream shows an upstream advisory and which of the organisation's product
// versions and assets it hits.
func (h *Handler) showUpstream(w http.ResponseWriter, r *http.Request) error {
	p, err := h.exposureReader(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	adv, err := h.cfg.Exposure.Advisory(r.Context(), p, id)
	if err != nil {
		return err
	}
	hits, err := h.cfg.Exposure.AdvisoryMatches(r.Context(), p, id)
	if err != nil {
		return err
	}
	slices.SortFunc(hits, func(a, b exposure.Hit) int { return cmp.Compare(where(a), where(b)) })
	data := advisoryPage{Advisory: adv}
	if data.Hits, err = h.hitRows(r, p, hits); err != nil {
		return err
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageAdvisory, data)
}

// where orders hits: product versions by name, then assets.
func where(h exposure.Hit) string {
	if v := h.Version; v != nil {
		return "1 " + v.Product + "\x00" + v.Model + "\x00" + v.Version
	}
	if a := h.Asset; a != nil {
		return "2 " + a.Name
	}
	return "3"
}

// showAssets lists the organisation's assets with what hits each.
func (h *Handler) showAssets(w http.ResponseWriter, r *http.Request) error {
	p, err := h.exposureReader(r)
	if err != nil {
		return err
	}
	as, err := h.cfg.Exposure.Assets(r.Context(), p)
	if err != nil {
		return err
	}
	slices.SortFunc(as, func(a, b exposure.Asset) int { return cmp.Compare(a.Name, b.Name) })
	var all []exposure.Hit
	data := assetsPage{Assets: make([]assetRow, len(as))}
	for i, a := range as {
		data.Assets[i].Asset = a
		hits, err := h.cfg.Exposure.AssetMatches(r.Context(), p, a.ID)
		if err != nil && !errs.Is(err, errs.NotFound) { // imported since the index last loaded it: nothing yet
			return err
		}
		all = append(all, hits...)
	}
	rows, err := h.hitRows(r, p, all)
	if err != nil {
		return err
	}
	for _, row := range rows {
		i := slices.IndexFunc(data.Assets, func(a assetRow) bool { return a.ID == row.Asset.ID })
		data.Assets[i].Hits = append(data.Assets[i].Hits, row)
	}
	noStore(w)
	return h.render(w, r, http.StatusOK, pageAssets, data)
}

// hitRows explains each hit in the reader's language and finds the case
// it opened, when the reader may see that case.
func (h *Handler) hitRows(r *http.Request, p *access.Principal, hits []exposure.Hit) ([]hitRow, error) {
	cases, err := h.visibleCases(r, p, hits)
	if err != nil {
		return nil, err
	}
	loc := h.catalog.For(h.language(r))
	rows := make([]hitRow, len(hits))
	for i, hit := range hits {
		rows[i] = hitRow{Hit: hit, Why: why(loc, hit.Match)}
		if c, ok := cases[h.cfg.Exposure.CaseOfHit(p, hit)]; ok {
			rows[i].Case = &c
		}
	}
	return rows, nil
}

// visibleCases returns the cases that hits opened and the reader may see,
// by ID. One search, audited as searches are, spares a read of each case.
func (h *Handler) visibleCases(r *http.Request, p *access.Principal, hits []exposure.Hit) (map[int64]casework.Case, error) {
	want := map[int64]bool{}
	for _, hit := range hits {
		if id := h.cfg.Exposure.CaseOfHit(p, hit); id != 0 {
			want[id] = true
		}
	}
	if len(want) == 0 || h.cfg.Cases == nil || !p.Can(access.ReadCases) {
		return nil, nil
	}
	cs, err := h.cfg.Cases.Search(r.Context(), p, casework.Filter{Limit: 500})
	if err != nil {
		return nil, err
	}
	out := map[int64]casework.Case{}
	for _, c := range cs {
		if want[c.ID] {
			out[c.ID] = c
		}
	}
	return out, nil
}

// why says why a component's version is affected: the range that
// includes it, or the advisory's list of versions.
func why(loc i18n.Localizer, m exposure.Match) string {
	switch {
	case m.NotEvaluable != "":
		return loc.T("exposure.why_not_evaluable", m.NotEvaluable)
	case m.Range == nil:
		return loc.T("exposure.why_listed", m.Component.Version)
	}
	var parts []string
	for _, e := range m.Range.Events {
		switch {
		case e.Introduced != "":
			parts = append(parts, loc.T("exposure.event_introduced", e.Introduced))
		case e.Fixed != "":
			parts = append(parts, loc.T("exposure.event_fixed", e.Fixed))
		case e.LastAffected != "":
			parts = append(parts, loc.T("exposure.event_last_affected", e.LastAffected))
		case e.Limit != "":
			parts = append(parts, loc.T("exposure.event_limit", e.Limit))
		}
	}
	return loc.T("exposure.why_range", m.Range.Type, strings.Join(parts, loc.T("exposure.event_sep")), m.Component.Version)
}
