package web

import (
	"context"
	"net/http"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/csafprovider"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/route"
)

// PublicAdvisories is the part of advisory.Service behind the public
// advisory channels (ISO-29147-2): the catalogue of published advisories
// and one of them, as reader p may read them (nil p: anonymous, TLP:WHITE
// only).
type PublicAdvisories interface {
	Catalogue(ctx context.Context, p *access.Principal) ([]advisory.Public, error)
	Published(ctx context.Context, p *access.Principal, ref string) (advisory.Public, error)
}

// advisoryRow is one line of /advisories, in the reader's language.
type advisoryRow struct {
	Ref       string
	Title     string
	Grade     string // GB/T 30279: critical, high, medium, low or ""
	CVSS      string
	Aliases   []string
	Label     string // the TLP label of a restricted advisory; "" for WHITE
	Released  time.Time
	Updated   time.Time
	Withdrawn bool
}

// advisoriesPage is the data of /advisories.
type advisoriesPage struct {
	Rows []advisoryRow
	Zone *time.Location
}

// publicAdvisoryPage is the data of /advisories/{ref}: the advisory as
// the staff's preview shows it, with what surrounds it publicly.
type publicAdvisoryPage struct {
	Page      advisory.Page
	Publisher string
	Grade     string
	Label     string // as in advisoryRow
	CSAF      string // the CSAF document's path; "" when there is none
	Withdrawn *advisory.Revision
	Zone      *time.Location
}

// publicAdvisories returns the catalogue service; errs.NotFound when the
// instance has none.
func (h *Handler) publicAdvisories() (PublicAdvisories, error) {
	if h.cfg.PublicAdvisories == nil {
		return nil, errs.New(errs.NotFound, "no such page")
	}
	return h.cfg.PublicAdvisories, nil
}

// listAdvisories serves /advisories: the published advisories, most
// recently updated first, without signing in. A signed-in reader also
// sees the restricted ones of cases they may read, with their TLP label.
func (h *Handler) listAdvisories(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.publicAdvisories()
	if err != nil {
		return err
	}
	p := access.From(r.Context())
	all, err := svc.Catalogue(r.Context(), p)
	if err != nil {
		return err
	}
	lang := h.language(r).String()
	data := advisoriesPage{Zone: chinaTime}
	for _, a := range all {
		ct := a.Content()
		data.Rows = append(data.Rows, advisoryRow{Ref: a.Ref, Title: ct.Title.In(lang), Grade: ct.Grade, CVSS: ct.CVSS,
			Aliases: ct.Aliases, Label: restrictedLabel(a), Released: a.Released(), Updated: a.Updated(), Withdrawn: a.Withdrawn()})
	}
	privateIfSignedIn(w, p)
	return h.render(w, r, http.StatusOK, pageAdvisories, data)
}

// showPublicAdvisory serves /advisories/{ref}: every public field of
// GB/T 28458 (GB-28458-1) and the revision history, exactly as the
// preview on the case showed them, and a banner when withdrawn. A
// restricted advisory the reader may not read is not found.
func (h *Handler) showPublicAdvisory(w http.ResponseWriter, r *http.Request) error {
	svc, err := h.publicAdvisories()
	if err != nil {
		return err
	}
	p := access.From(r.Context())
	a, err := svc.Published(r.Context(), p, r.PathValue("ref"))
	if err != nil {
		return err
	}
	lang := h.language(r).String()
	data := publicAdvisoryPage{Page: advisory.Preview(a.Ref, a.Content(), lang, a.Revisions), Publisher: a.Publisher,
		Grade: a.Content().Grade, Label: restrictedLabel(a), Zone: chinaTime}
	if a.Withdrawn() {
		last := a.Current()
		data.Withdrawn = &last
	} else if data.Label == "" {
		data.CSAF = csafprovider.Root + csafprovider.Path(a) // the trusted provider serves TLP:WHITE documents to anyone (CSAF-3)
	}
	privateIfSignedIn(w, p)
	return h.render(w, r, http.StatusOK, pagePublicAdvisory, data)
}

// restrictedLabel returns a's TLP label when it is restricted, "" for
// TLP:WHITE.
func restrictedLabel(a advisory.Public) string {
	if advisory.Restricted(a.Label()) {
		return a.Label()
	}
	return ""
}

// privateIfSignedIn keeps a page that a signed-in reader sees (which may
// hold restricted advisories) out of shared caches; an anonymous reader's
// page may be kept for a few minutes.
func privateIfSignedIn(w http.ResponseWriter, p *access.Principal) {
	if p != nil {
		noStore(w)
		return
	}
	w.Header().Set("Cache-Control", "max-age=300")
}

// publicRead throttles anonymous requests for next (no session, no API
// token) per client address (PublicReads); signed-in readers and
// downloaders with a token are not counted.
func (h *Handler) publicRead(next route.Handler) route.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if access.From(r.Context()) == nil && r.Header.Get("Authorization") == "" {
			if err := h.throttle(w, r, h.cfg.PublicReads); err != nil {
				return err
			}
		}
		return next(w, r)
	}
}
