package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/errs"
)

// staticPrefix is the URL path under which static files are served.
const staticPrefix = "/static/"

// contentType returns the media type of a static file by its extension,
// or "" for files that are not served. The table is ours rather than the
// mime package's, whose answers depend on the host's /etc/mime.types.
func contentType(ext string) string {
	switch ext {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return ""
}

// asset is one static file, addressed by a name that carries its hash.
type asset struct {
	data  []byte
	hash  string // hex SHA-256 prefix of data
	ctype string
}

// assets are the static files, keyed by their plain name ("app.css") and by
// their hashed file name ("app.0123456789abcdef.css").
type assets struct {
	byName map[string]*asset
	byFile map[string]string // hashed file name → plain name
}

// loadAssets reads every file under static/ whose extension has a content
// type; other files (README, licences) are not served.
func loadAssets(fsys fs.FS) (*assets, error) {
	names, err := fs.Glob(fsys, "static/*")
	if err != nil {
		return nil, err
	}
	a := &assets{byName: map[string]*asset{}, byFile: map[string]string{}}
	for _, name := range names {
		ctype := contentType(path.Ext(name))
		if ctype == "" {
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read static file: %w", err)
		}
		a.add(path.Base(name), data, ctype)
	}
	return a, nil
}

// add registers one file.
func (a *assets) add(name string, data []byte, ctype string) {
	sum := sha256.Sum256(data)
	as := &asset{data: data, hash: hex.EncodeToString(sum[:8]), ctype: ctype}
	a.byName[name] = as
	a.byFile[hashedName(name, as.hash)] = name
}

// hashedName inserts hash before the extension: app.css → app.<hash>.css.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// url returns the content-hashed URL of the static file name. Templates call
// it as {{static "app.css"}}; an unknown name fails the render.
func (a *assets) url(name string) (string, error) {
	as, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return staticPrefix + hashedName(name, as.hash), nil
}

// serveStatic serves a static file by its hashed name. The content behind a
// hashed URL never changes, so browsers may cache it for a year. Returns
// errs.NotFound for an unknown file or a stale hash.
func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) error {
	s, err := h.currentSite()
	if err != nil {
		return err
	}
	file := r.PathValue("file")
	name, ok := s.assets.byFile[file]
	if !ok {
		return errs.New(errs.NotFound, "no such file")
	}
	as := s.assets.byName[name]
	hd := w.Header()
	hd.Set("Content-Type", as.ctype)
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("ETag", `"`+as.hash+`"`)
	http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(as.data))
	return nil
}
