package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"time"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/i18n"
)

// feedSize is how many advisories a feed carries: the most recently
// updated.
const feedSize = 50

// atomNS is the Atom namespace (RFC 4287 §2).
const atomNS = "http://www.w3.org/2005/Atom"

// rssFeed is an RSS 2.0 document (https://www.rssboard.org/rss-specification).
type rssFeed struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

// rssChannel is the channel of an RSS feed; Self is the atom:link to the
// feed itself that feed readers look for.
type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Self          atomLink  `xml:"http://www.w3.org/2005/Atom link"`
	Items         []rssItem `xml:"item"`
}

// rssItem is one advisory in an RSS feed.
type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	Description string   `xml:"description"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Categories  []string `xml:"category,omitempty"`
}

// rssGUID is an item's permanent ID: here its permalink.
type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// atomFeed is an Atom 1.0 feed document (RFC 4287 §4.1.1).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

// atomEntry is one advisory in an Atom feed (RFC 4287 §4.1.2).
type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Authors    []atomPerson   `xml:"author"`
	Links      []atomLink     `xml:"link"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
}

// atomLink is an atom:link (RFC 4287 §4.2.7).
type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

// atomPerson names an author (RFC 4287 §3.2).
type atomPerson struct {
	Name string `xml:"name"`
}

// atomText is a plain-text construct (RFC 4287 §3.1).
type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// atomCategory is an atom:category (RFC 4287 §4.2.2).
type atomCategory struct {
	Term string `xml:"term,attr"`
}

// feedEntry is what both feeds say of one advisory, in the feed's
// language.
type feedEntry struct {
	Ref, Title, Summary, Link, Publisher, Grade string
	Released, Updated                           time.Time
}

// feedData is what both feeds hold.
type feedData struct {
	Lang, Title, Description string
	Page, Self               string // the HTML list and the feed itself, absolute
	Updated                  time.Time
	Entries                  []feedEntry
}

// feedRSS serves /advisories/feed.rss.
func (h *Handler) feedRSS(w http.ResponseWriter, r *http.Request) error {
	f, err := h.feed(r)
	if err != nil {
		return err
	}
	return serveFeed(w, r, "application/rss+xml; charset=utf-8", f.Updated, rssOf(f))
}

// feedAtom serves /advisories/feed.atom.
func (h *Handler) feedAtom(w http.ResponseWriter, r *http.Request) error {
	f, err := h.feed(r)
	if err != nil {
		return err
	}
	return serveFeed(w, r, "application/atom+xml; charset=utf-8", f.Updated, atomOf(f))
}

// feed reads the feed of r: the feedSize most recently updated TLP:WHITE
// advisories, in the language of ?lang= (zh-CN when absent). Feeds are
// read anonymously whoever asks, so that a restricted advisory never lands
// in a shared reader. Returns errs.Invalid for an unsupported language.
func (h *Handler) feed(r *http.Request) (feedData, error) {
	svc, err := h.publicAdvisories()
	if err != nil {
		return feedData{}, err
	}
	tag := i18n.Chinese
	if q := r.URL.Query().Get("lang"); q != "" {
		var ok bool
		if tag, ok = i18n.Lookup(q); !ok {
			return feedData{}, errs.New(errs.Invalid, "unsupported language: ask for lang=zh-CN or lang=en")
		}
	}
	all, err := svc.Catalogue(r.Context(), nil)
	if err != nil {
		return feedData{}, err
	}
	lang, l := tag.String(), h.catalog.For(tag)
	self := h.absolute(r, r.URL.Path)
	f := feedData{Lang: lang, Title: l.T("advisories.feed_title"), Description: l.T("advisories.lead"),
		Page: h.absolute(r, "/advisories"), Self: self + "?" + url.Values{"lang": {lang}}.Encode()}
	for _, a := range all {
		if advisory.Restricted(a.Label()) {
			continue // the service gives none to nil; never risk one
		}
		if len(f.Entries) == feedSize {
			break
		}
		f.Entries = append(f.Entries, entryOf(h.absolute(r, "/advisories/"+a.Ref), a, lang, l.T("advisories.withdrawn")))
		f.Updated = maxTime(f.Updated, a.Updated())
	}
	return f, nil
}

// entryOf writes advisory a as a feed entry in lang; a withdrawn one's
// title says so.
func entryOf(link string, a advisory.Public, lang, withdrawn string) feedEntry {
	ct := a.Content()
	e := feedEntry{Ref: a.Ref, Title: ct.Title.In(lang), Summary: ct.Summary.In(lang), Link: link, Publisher: a.Publisher,
		Grade: ct.Grade, Released: a.Released(), Updated: a.Updated()}
	if e.Summary == "" {
		e.Summary = ct.Description.In(lang)
	}
	if a.Withdrawn() {
		e.Title = "[" + withdrawn + "] " + e.Title
	}
	e.Title = a.Ref + ": " + e.Title
	return e
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// rssOf writes f as RSS 2.0. Times are RFC 822 dates (RFC1123Z), as RSS
// asks.
func rssOf(f feedData) rssFeed {
	c := rssChannel{Title: f.Title, Link: f.Page, Description: f.Description, Language: f.Lang,
		Self: atomLink{Href: f.Self, Rel: "self", Type: "application/rss+xml"}}
	if !f.Updated.IsZero() {
		c.LastBuildDate = f.Updated.UTC().Format(time.RFC1123Z)
	}
	for _, e := range f.Entries {
		it := rssItem{Title: e.Title, Link: e.Link, Description: e.Summary, GUID: rssGUID{IsPermaLink: true, Value: e.Link},
			PubDate: e.Updated.UTC().Format(time.RFC1123Z)}
		if e.Grade != "" {
			it.Categories = []string{e.Grade}
		}
		c.Items = append(c.Items, it)
	}
	return rssFeed{Version: "2.0", Channel: c}
}

// atomOf writes f as Atom 1.0. The feed's id is its own URL and an
// entry's its permalink, which do not change when the advisory is
// updated (RFC 4287 §4.2.6). An empty feed is updated at the Unix epoch.
func atomOf(f feedData) atomFeed {
	updated := f.Updated
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	out := atomFeed{Lang: f.Lang, ID: f.Self, Title: f.Title, Updated: updated.UTC().Format(time.RFC3339),
		Links: []atomLink{{Href: f.Self, Rel: "self", Type: "application/atom+xml"}, {Href: f.Page, Rel: "alternate", Type: "text/html"}}}
	for _, e := range f.Entries {
		en := atomEntry{ID: e.Link, Title: e.Title, Updated: e.Updated.UTC().Format(time.RFC3339),
			Published: e.Released.UTC().Format(time.RFC3339), Authors: []atomPerson{{Name: e.Publisher}},
			Links: []atomLink{{Href: e.Link, Rel: "alternate", Type: "text/html"}}}
		if e.Summary != "" {
			en.Summary = &atomText{Type: "text", Body: e.Summary}
		}
		if e.Grade != "" {
			en.Categories = []atomCategory{{Term: e.Grade}}
		}
		out.Entries = append(out.Entries, en)
	}
	return out
}

// serveFeed writes doc as XML with its ETag (a hash of the bytes) and
// Last-Modified (the newest update), so that a reader that asks again
// with If-None-Match or If-Modified-Since gets 304 Not Modified.
func serveFeed(w http.ResponseWriter, r *http.Request, contentType string, modified time.Time, doc any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	hd := w.Header()
	hd.Set("Content-Type", contentType)
	hd.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	hd.Set("Cache-Control", "max-age=300")
	http.ServeContent(w, r, "", modified, bytes.NewReader(buf.Bytes()))
	return nil
}
