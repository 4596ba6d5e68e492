package api

import (
	"cmp"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/exposure"
)

// vexMediaTypes are the media types of the exported VEX formats.
var vexMediaTypes = map[string]string{
	exposure.VEXOpenVEX:   "application/json",
	exposure.VEXCSAF:      "application/json",
	exposure.VEXCycloneDX: "application/vnd.cyclonedx+json",
}

// importVEX stores the statements of one OpenVEX, CSAF csaf_vex or
// CycloneDX VEX document (sniffed by content) as the caller's
// organisation's, all or nothing.
func (h *Handler) importVEX(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	b, err := readBody(r, MaxVEXBytes)
	if err != nil {
		return err
	}
	format, ss, err := exposure.ReadVEX(b)
	if err != nil {
		return err
	}
	n, err := h.exposure.ImportVEX(r.Context(), p, format, ss)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"format": format, "statements": n})
}

// exportVEX writes the caller's organisation's statements as one
// document: ?format=openvex (the default), csaf or cyclonedx. The
// organisation is the author; the CSAF publisher's namespace is this
// instance's URL as the request names it.
func (h *Handler) exportVEX(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	format := cmp.Or(r.URL.Query().Get("format"), exposure.VEXOpenVEX)
	doc := exposure.VEXDocument{ID: "EMBARGO-VEX-ORG-" + strconv.FormatInt(p.OrgID, 10), Namespace: h.namespace(r) + "/",
		Author: "Organisation " + strconv.FormatInt(p.OrgID, 10), Timestamp: time.Now().UTC().Truncate(time.Second), Version: 1}
	if h.orgs != nil {
		if org, err := h.orgs.Organisation(r.Context(), p.OrgID); err == nil && org.Name != "" {
			doc.Author = org.Name
		}
	}
	b, err := h.exposure.ExportVEX(r.Context(), p, format, doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", vexMediaTypes[format])
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // a failed write means the client has gone
	return nil
}
