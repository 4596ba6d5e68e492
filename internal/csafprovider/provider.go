// Package csafprovider is the instance's CSAF 2.0 trusted provider
// (CSAF 2.0 §7.1, roles csaf_provider and csaf_trusted_provider): the
// published security advisories as CSAF documents under
// /.well-known/csaf/, one folder per TLP label, each with its year
// folders, index.txt and changes.csv (requirements 11–13), a ROLIE feed
// (requirement 15) and service document (16), every document with its
// SHA-256 and SHA-512 files (18) and a detached OpenPGP signature by the
// instance key (19), whose public key is published too (20);
// provider-metadata.json (7) ties it together and security.txt points to
// it (8).
//
// TLP:WHITE documents are for everyone (requirement 4); GREEN, AMBER and
// RED ones only for an authenticated principal allowed to read the case
// (requirement 5): the advisory service decides and audits each such read.
// Withdrawn advisories leave the provider (CSAF 2.0 has no withdrawn
// status); their history stays on the advisory pages.
//
// Documents are built from the frozen revisions on demand and kept, with
// their hashes and signature, until a revision changes them.
package csafprovider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/format/csaf"
)

// Root is the provider's path on the instance (CSAF 2.0 §7.1.9).
const Root = "/.well-known/csaf/"

// Source is where the published advisories come from: the advisory
// service, which decides who may read which.
type Source interface {
	// Catalogue returns the published advisories p may read (nil p:
	// anonymous), auditing each read of a restricted one.
	Catalogue(ctx context.Context, p *access.Principal) ([]advisory.Public, error)
	// Labels returns the TLP labels that published advisories use.
	Labels(ctx context.Context) ([]string, error)
}

// Signer signs documents with the instance's OpenPGP key.
type Signer interface {
	SignDetached(data []byte) ([]byte, error)
	PublicKey() string
	Fingerprint() string
}

// Config sets the provider up.
type Config struct {
	// Name is the provider's publisher name in provider-metadata.json;
	// "" takes the publishing organisation's name when there is one, else
	// "Embargo".
	Name string
	// Lang is the documents' language, "en" (the default) or "zh-CN":
	// one document per advisory, as CSAF file names follow the tracking
	// ID. The other language is on the advisory pages and the API.
	Lang string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Provider serves the CSAF documents of the instance.
type Provider struct {
	src  Source
	sign Signer
	cfg  Config

	mu   sync.Mutex
	docs map[string]map[string]*Document // by base, then by ref and revision number
}

// maxBases bounds the instance URLs documents are kept for: without a
// configured base URL each Host a client sends is one, and an attacker
// must not make the provider keep (and sign) a set of documents per Host.
const maxBases = 4

// New returns a Provider over src, signing with s.
func New(src Source, s Signer, cfg Config) *Provider {
	if cfg.Lang != "zh-CN" {
		cfg.Lang = "en"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Provider{src: src, sign: s, cfg: cfg, docs: map[string]map[string]*Document{}}
}

// Document is one CSAF document as served.
type Document struct {
	Ref       string // the tracking ID
	Title     string
	Label     string // TLP label, upper case
	Path      string // under Root: white/2026/emb-2026-0001-sa.json
	Released  time.Time
	Updated   time.Time
	JSON      []byte
	SHA256    string // hex
	SHA512    string // hex
	Signature []byte // armored, detached
}

// Folder returns the folder of TLP label under Root: "white", "amber" ….
func Folder(label string) string { return strings.ToLower(label) }

// labelOf returns the TLP label of folder name f, or "".
func labelOf(f string) string {
	for _, l := range advisory.TLPs {
		if Folder(l) == f {
			return l
		}
	}
	return ""
}

// FeedName returns the ROLIE feed's file name in label's folder.
func FeedName(label string) string { return "csaf-feed-tlp-" + Folder(label) + ".json" }

// Path returns the path of advisory a's document under Root: its TLP
// folder, the year of its first publication (§7.1.11) and its file name
// (§5.1).
func Path(a advisory.Public) string {
	return Folder(a.Label()) + "/" + strconv.Itoa(a.Released().UTC().Year()) + "/" + csaf.FileName(a.Ref)
}

// Documents returns the documents p may read (nil p: anonymous), most
// recently updated first; base is the instance's absolute URL, ending in
// "/".
func (pr *Provider) Documents(ctx context.Context, p *access.Principal, base string) ([]*Document, error) {
	pubs, err := pr.published(ctx, p)
	if err != nil {
		return nil, err
	}
	return pr.documents(base, pubs)
}

// published returns the advisories p may read that are not withdrawn,
// most recently updated first.
func (pr *Provider) published(ctx context.Context, p *access.Principal) ([]advisory.Public, error) {
	pubs, err := pr.src.Catalogue(ctx, p)
	if err != nil {
		return nil, err
	}
	// A new slice: the source's is left as it is.
	out := make([]advisory.Public, 0, len(pubs))
	for _, a := range pubs {
		if !a.Withdrawn() {
			out = append(out, a)
		}
	}
	return out, nil
}

// documents returns the documents of pubs, in their order.
func (pr *Provider) documents(base string, pubs []advisory.Public) ([]*Document, error) {
	out := make([]*Document, 0, len(pubs))
	for _, a := range pubs {
		d, err := pr.document(base, a)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// document returns a's document, built and signed once per revision and
// instance URL.
func (pr *Provider) document(base string, a advisory.Public) (*Document, error) {
	key := a.Ref + "\x00" + strconv.Itoa(a.Current().Number)
	pr.mu.Lock()
	d, ok := pr.docs[base][key]
	pr.mu.Unlock()
	if ok {
		return d, nil
	}
	doc, err := advisory.ToCSAF(a.Ref, a.Revisions, advisory.CSAFPublisher{Name: a.Publisher, Namespace: namespace(base)}, pr.cfg.Lang)
	if err != nil {
		return nil, err
	}
	b, err := csaf.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("csafprovider: %s: %w", a.Ref, err)
	}
	sig, err := pr.sign.SignDetached(b)
	if err != nil {
		return nil, fmt.Errorf("csafprovider: sign %s: %w", a.Ref, err)
	}
	s256, s512 := sha256.Sum256(b), sha512.Sum512(b)
	d = &Document{Ref: a.Ref, Title: doc.Document.Title, Label: a.Label(), Path: Path(a), Released: a.Released(),
		Updated: a.Updated(), JSON: b, SHA256: hex.EncodeToString(s256[:]),
		SHA512: hex.EncodeToString(s512[:]), Signature: sig}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	docs, ok := pr.docs[base]
	if !ok {
		if len(pr.docs) >= maxBases {
			clear(pr.docs)
		}
		docs = map[string]*Document{}
		pr.docs[base] = docs
	}
	docs[key] = d
	return d, nil
}

// namespace is the publisher's namespace: the instance's URL without
// the trailing slash.
func namespace(base string) string { return strings.TrimSuffix(base, "/") }

// File is a file the provider serves.
type File struct {
	Body        []byte
	ContentType string
	Modified    time.Time
}

// errNoFile is the answer for a file that does not exist or that the
// caller may not read.
func errNoFile(path string) error {
	return errs.Coded(errs.NotFound, "csaf.no_file", "no CSAF file %s", path)
}

// Open returns the file at path under Root as p may read it: a document,
// its .sha256, .sha512 or .asc, a folder's index.txt, changes.csv or ROLIE
// feed. A restricted folder needs a principal: errs.Unauthenticated
// without one; a file p may not read is errs.NotFound.
func (pr *Provider) Open(ctx context.Context, p *access.Principal, base, path string) (File, error) {
	folder, rest, ok := strings.Cut(path, "/")
	label := labelOf(folder)
	if !ok || label == "" || rest == "" {
		return File{}, errNoFile(path)
	}
	if advisory.Restricted(label) && p == nil {
		return File{}, errs.Coded(errs.Unauthenticated, "csaf.restricted",
			"TLP:GREEN, AMBER and RED documents are for authenticated parties: send an API token")
	}
	pubs, err := pr.published(ctx, p)
	if err != nil {
		return File{}, err
	}
	pubs = slices.DeleteFunc(pubs, func(a advisory.Public) bool { return a.Label() != label })
	if rest == "index.txt" || rest == "changes.csv" || rest == FeedName(label) {
		docs, err := pr.documents(base, pubs)
		if err != nil {
			return File{}, err
		}
		var modified time.Time
		for _, d := range docs {
			if d.Updated.After(modified) {
				modified = d.Updated
			}
		}
		switch rest {
		case "index.txt":
			return File{Body: index(docs), ContentType: "text/plain; charset=utf-8", Modified: modified}, nil
		case "changes.csv":
			b, err := changes(docs)
			return File{Body: b, ContentType: "text/csv; charset=utf-8", Modified: modified}, err
		}
		b, err := pr.feed(base, label, pr.name(pubs), docs)
		return File{Body: b, ContentType: "application/json", Modified: modified}, err
	}
	// A document or one of its files: only that document is built.
	for _, a := range pubs {
		file := strings.TrimPrefix(Path(a), folder+"/")
		suffix, ok := strings.CutPrefix(rest, file)
		if !ok || (suffix != "" && suffix != ".sha256" && suffix != ".sha512" && suffix != ".asc") {
			continue
		}
		d, err := pr.document(base, a)
		if err != nil {
			return File{}, err
		}
		switch suffix {
		case "":
			return File{Body: d.JSON, ContentType: "application/json", Modified: d.Updated}, nil
		case ".sha256":
			return File{Body: []byte(d.SHA256 + "  " + csaf.FileName(d.Ref) + "\n"), ContentType: "text/plain; charset=utf-8", Modified: d.Updated}, nil
		case ".sha512":
			return File{Body: []byte(d.SHA512 + "  " + csaf.FileName(d.Ref) + "\n"), ContentType: "text/plain; charset=utf-8", Modified: d.Updated}, nil
		}
		return File{Body: d.Signature, ContentType: "application/pgp-signature", Modified: d.Updated}, nil
	}
	return File{}, errNoFile(path)
}

// index is a folder's index.txt (§7.1.12): every document's path relative
// to the folder, one a line.
func index(docs []*Document) []byte {
	var lines []string
	for _, d := range docs {
		_, rel, _ := strings.Cut(d.Path, "/")
		lines = append(lines, rel)
	}
	slices.Sort(lines)
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	return b.Bytes()
}

// changes is a folder's changes.csv (§7.1.13): each document's path and
// current release date, most recent first.
func changes(docs []*Document) ([]byte, error) {
	sorted := slices.Clone(docs)
	slices.SortStableFunc(sorted, func(a, b *Document) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, d := range sorted {
		_, rel, _ := strings.Cut(d.Path, "/")
		if err := w.Write([]string{rel, d.Updated.UTC().Format(time.RFC3339)}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// Link is a ROLIE link.
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// Category is a ROLIE category.
type Category struct {
	Scheme string `json:"scheme,omitempty"`
	Term   string `json:"term"`
}

// csafCategory marks ROLIE feeds and collections of CSAF documents.
var csafCategory = Category{Scheme: "urn:ietf:params:rolie:category:information-type", Term: "csaf"}

// Feed is a ROLIE feed (RFC 8322) of CSAF documents, as §7.1.15 shapes
// it.
type Feed struct {
	Feed struct {
		ID       string     `json:"id"`
		Title    string     `json:"title"`
		Link     []Link     `json:"link"`
		Category []Category `json:"category"`
		Updated  time.Time  `json:"updated"`
		Entry    []Entry    `json:"entry"`
	} `json:"feed"`
}

// Entry is one document in a ROLIE feed.
type Entry struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Link      []Link    `json:"link"`
	Published time.Time `json:"published"`
	Updated   time.Time `json:"updated"`
	Summary   *struct {
		Content string `json:"content"`
	} `json:"summary,omitempty"`
	Content struct {
		Type string `json:"type"`
		Src  string `json:"src"`
	} `json:"content"`
	Format struct {
		Schema  string `json:"schema"`
		Version string `json:"version"`
	} `json:"format"`
}

// feed writes label's ROLIE feed.
func (pr *Provider) feed(base, label, name string, docs []*Document) ([]byte, error) {
	var f Feed
	f.Feed.ID = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://"), "/") + "-csaf-feed-tlp-" + Folder(label)
	f.Feed.Title = name + " CSAF feed (TLP:" + label + ")"
	f.Feed.Link = []Link{{Rel: "self", Href: base + strings.TrimPrefix(Root, "/") + Folder(label) + "/" + FeedName(label)}}
	f.Feed.Category = []Category{csafCategory}
	f.Feed.Updated = pr.cfg.Now().UTC().Truncate(time.Second)
	f.Feed.Entry = []Entry{}
	for _, d := range docs {
		url := base + strings.TrimPrefix(Root, "/") + d.Path
		e := Entry{ID: d.Ref, Title: d.Title, Published: d.Released.UTC(), Updated: d.Updated.UTC(),
			Link: []Link{{Rel: "self", Href: url}, {Rel: "hash", Href: url + ".sha256"}, {Rel: "hash", Href: url + ".sha512"},
				{Rel: "signature", Href: url + ".asc"}}}
		e.Content.Type, e.Content.Src = "application/json", url
		e.Format.Schema, e.Format.Version = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "2.0"
		f.Feed.Entry = append(f.Feed.Entry, e)
	}
	return json.MarshalIndent(f, "", "  ")
}

// name returns the provider's publisher name: the configured one, else
// the one organisation that published pubs, else "Embargo".
func (pr *Provider) name(pubs []advisory.Public) string {
	if pr.cfg.Name != "" {
		return pr.cfg.Name
	}
	var names []string
	for _, a := range pubs {
		if !slices.Contains(names, a.Publisher) {
			names = append(names, a.Publisher)
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return "Embargo"
}

// Metadata is provider-metadata.json (§7.1.7).
type Metadata struct {
	CanonicalURL        string         `json:"canonical_url"`
	Distributions       []Distribution `json:"distributions"`
	LastUpdated         time.Time      `json:"last_updated"`
	ListOnAggregators   bool           `json:"list_on_CSAF_aggregators"`
	MetadataVersion     string         `json:"metadata_version"`
	MirrorOnAggregators bool           `json:"mirror_on_CSAF_aggregators"`
	PublicOpenPGPKeys   []PublicKey    `json:"public_openpgp_keys"`
	Publisher           csaf.Publisher `json:"publisher"`
	Role                string         `json:"role"`
}

// Distribution is one way the documents are distributed: a directory or
// ROLIE feeds.
type Distribution struct {
	DirectoryURL string `json:"directory_url,omitempty"`
	ROLIE        *struct {
		Feeds    []FeedRef `json:"feeds"`
		Services []string  `json:"services,omitempty"`
	} `json:"rolie,omitempty"`
}

// FeedRef names a ROLIE feed in provider-metadata.json.
type FeedRef struct {
	Summary string `json:"summary"`
	TLP     string `json:"tlp_label"`
	URL     string `json:"url"`
}

// PublicKey is an OpenPGP key documents are signed with.
type PublicKey struct {
	Fingerprint string `json:"fingerprint"`
	URL         string `json:"url"`
}

// KeyPath returns the public key's path under Root.
func (pr *Provider) KeyPath() string { return "openpgp/" + pr.sign.Fingerprint() + ".asc" }

// PublicKey returns the armored public key the documents are signed with.
func (pr *Provider) PublicKey() string { return pr.sign.PublicKey() }

// Metadata writes provider-metadata.json for the instance at base: the
// TLP:WHITE folder and feed always, and a feed for each restricted label
// that has a document, whoever asks (the feeds themselves need
// authentication); the last update is the newest document's.
func (pr *Provider) Metadata(ctx context.Context, base string) ([]byte, error) {
	root := base + strings.TrimPrefix(Root, "/")
	white, err := pr.published(ctx, nil)
	if err != nil {
		return nil, err
	}
	labels, err := pr.labels(ctx)
	if err != nil {
		return nil, err
	}
	m := Metadata{CanonicalURL: root + "provider-metadata.json", ListOnAggregators: true, MirrorOnAggregators: true,
		MetadataVersion: "2.0", Role: "csaf_trusted_provider",
		Publisher:         csaf.Publisher{Category: "vendor", Name: pr.name(white), Namespace: namespace(base)},
		PublicOpenPGPKeys: []PublicKey{{Fingerprint: pr.sign.Fingerprint(), URL: root + pr.KeyPath()}}}
	m.LastUpdated = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, a := range white {
		if a.Updated().After(m.LastUpdated) {
			m.LastUpdated = a.Updated().UTC()
		}
	}
	rolie := Distribution{ROLIE: &struct {
		Feeds    []FeedRef `json:"feeds"`
		Services []string  `json:"services,omitempty"`
	}{Services: []string{root + "service.json"}}}
	for _, l := range labels {
		rolie.ROLIE.Feeds = append(rolie.ROLIE.Feeds, FeedRef{Summary: "TLP:" + l + " advisories of " + m.Publisher.Name,
			TLP: l, URL: root + Folder(l) + "/" + FeedName(l)})
	}
	m.Distributions = []Distribution{{DirectoryURL: root + Folder(advisory.TLPWhite) + "/"}, rolie}
	return json.MarshalIndent(m, "", "  ")
}

// labels returns TLP:WHITE and the restricted labels in use, in the order
// of advisory.TLPs, without opening any restricted document.
func (pr *Provider) labels(ctx context.Context) ([]string, error) {
	used, err := pr.src.Labels(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range advisory.TLPs {
		if l == advisory.TLPWhite || slices.Contains(used, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

// Service writes the ROLIE service document (§7.1.16): one workspace
// with a collection per feed.
func (pr *Provider) Service(ctx context.Context, base string) ([]byte, error) {
	labels, err := pr.labels(ctx)
	if err != nil {
		return nil, err
	}
	white, err := pr.published(ctx, nil)
	if err != nil {
		return nil, err
	}
	type collection struct {
		Title      string `json:"title"`
		Href       string `json:"href"`
		Categories struct {
			Category []Category `json:"category"`
		} `json:"categories"`
	}
	var doc struct {
		Service struct {
			Workspace []struct {
				Title      string       `json:"title"`
				Collection []collection `json:"collection"`
			} `json:"workspace"`
		} `json:"service"`
	}
	ws := struct {
		Title      string       `json:"title"`
		Collection []collection `json:"collection"`
	}{Title: pr.name(white) + " CSAF feeds"}
	root := base + strings.TrimPrefix(Root, "/")
	for _, l := range labels {
		c := collection{Title: pr.name(white) + " CSAF feed (TLP:" + l + ")", Href: root + Folder(l) + "/" + FeedName(l)}
		c.Categories.Category = []Category{csafCategory}
		ws.Collection = append(ws.Collection, c)
	}
	doc.Service.Workspace = append(doc.Service.Workspace, ws)
	return json.MarshalIndent(doc, "", "  ")
}
