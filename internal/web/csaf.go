package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/csafprovider"
	"github.com/embargohq/embargo/internal/errs"
)

// CSAFProvider is the CSAF 2.0 provider under /.well-known/csaf/
// (internal/csafprovider).
type CSAFProvider interface {
	Metadata(ctx context.Context, base string) ([]byte, error)
	Service(ctx context.Context, base string) ([]byte, error)
	Open(ctx context.Context, p *access.Principal, base, path string) (csafprovider.File, error)
	KeyPath() string
	PublicKey() string
}

// csafBase is the instance's absolute URL, ending in "/", that the
// provider's documents and feeds name.
func (h *Handler) csafBase(r *http.Request) string {
	if h.cfg.BaseURL != "" {
		return strings.TrimSuffix(h.cfg.BaseURL, "/") + "/"
	}
	return h.absolute(r, "/")
}

// csafMetadata serves provider-metadata.json (CSAF 2.0 §7.1.7).
func (h *Handler) csafMetadata(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.CSAF == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	b, err := h.cfg.CSAF.Metadata(r.Context(), h.csafBase(r))
	if err != nil {
		return err
	}
	serveCSAF(w, r, csafprovider.File{Body: b, ContentType: "application/json"}, true)
	return nil
}

// csafService serves the ROLIE service document (CSAF 2.0 §7.1.16).
func (h *Handler) csafService(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.CSAF == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	b, err := h.cfg.CSAF.Service(r.Context(), h.csafBase(r))
	if err != nil {
		return err
	}
	serveCSAF(w, r, csafprovider.File{Body: b, ContentType: "application/atomsvc+json"}, true)
	return nil
}

// csafKey serves the OpenPGP public key the documents are signed with
// (CSAF 2.0 §7.1.20).
func (h *Handler) csafKey(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.CSAF == nil || "openpgp/"+r.PathValue("key") != h.cfg.CSAF.KeyPath() {
		return errs.New(errs.NotFound, "no such key")
	}
	serveCSAF(w, r, csafprovider.File{Body: []byte(h.cfg.CSAF.PublicKey()), ContentType: "application/pgp-keys"}, true)
	return nil
}

// csafFile serves a document, its hashes and signature, or a TLP folder's
// index.txt, changes.csv and ROLIE feed. TLP:WHITE is public; the other
// labels need a signed-in session or an API token ("Authorization: Bearer"),
// and show only what the caller may read (CSAF 2.0 §7.1.4, §7.1.5).
func (h *Handler) csafFile(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.CSAF == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	p, err := h.csafCaller(r)
	if err == nil {
		path := strings.TrimPrefix(r.URL.Path, csafprovider.Root)
		var f csafprovider.File
		if f, err = h.cfg.CSAF.Open(r.Context(), p, h.csafBase(r), path); err == nil {
			serveCSAF(w, r, f, strings.HasPrefix(path, csafprovider.Folder("WHITE")+"/"))
			return nil
		}
	}
	if errs.Is(err, errs.Unauthenticated) {
		// A downloader gets 401 and the scheme to use, not the sign-in page.
		w.Header().Set("WWW-Authenticate", `Bearer realm="CSAF"`)
		http.Error(w, h.problem(r, err), http.StatusUnauthorized)
		return nil
	}
	return err
}

// csafCaller returns the session's principal, else the API token's named
// in the Authorization header, else nil; a bad token is
// errs.Unauthenticated.
func (h *Handler) csafCaller(r *http.Request) (*access.Principal, error) {
	if p := access.From(r.Context()); p != nil {
		return p, nil
	}
	hdr := r.Header.Get("Authorization")
	if hdr == "" {
		return nil, nil
	}
	scheme, secret, ok := strings.Cut(hdr, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" || h.cfg.Tokens == nil {
		return nil, errs.Coded(errs.Unauthenticated, "csaf.restricted", "send an API token as \"Authorization: Bearer <token>\"")
	}
	return h.cfg.Tokens(r.Context(), strings.TrimSpace(secret))
}

// serveCSAF writes f with its validators, answering conditional requests
// (304) and ranges; public files may be cached by anyone, restricted ones
// by no one.
func serveCSAF(w http.ResponseWriter, r *http.Request, f csafprovider.File, public bool) {
	sum := sha256.Sum256(f.Body)
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	if public {
		w.Header().Set("Cache-Control", "public, max-age=300")
	} else {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	http.ServeContent(w, r, "", f.Modified, bytes.NewReader(f.Body))
}
