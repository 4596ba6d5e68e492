package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

// document is a static JSON document with a precomputed strong ETag, so
// that clients can revalidate it cheaply.
type document struct {
	body []byte
	etag string
}

func newDocument(body []byte) *document {
	sum := sha256.Sum256(body)
	return &document{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// openAPICacheControl lets clients and proxies keep the document for a few
// minutes; after that the ETag makes revalidation a 304. The document
// changes only when the server is upgraded.
const openAPICacheControl = "public, max-age=300"

// serveOpenAPI serves the embedded OpenAPI document. http.ServeContent
// answers conditional (If-None-Match) and HEAD requests.
func (h *Handler) serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	hdr := w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Cache-Control", openAPICacheControl)
	hdr.Set("ETag", h.openAPI.etag)
	http.ServeContent(w, r, "openapi.json", time.Time{}, bytes.NewReader(h.openAPI.body))
	return nil
}

// Version is the body of GET /api/v1/version.
type Version struct {
	// Version is the server's release version, such as "v1.4.0" or "devel".
	Version string `json:"version"`
}

// serveVersion reports the server's release version.
func (h *Handler) serveVersion(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, Version{Version: h.version})
}
