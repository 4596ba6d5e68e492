package i18n

import (
	"embed"
	"encoding/json"
	"fmt"

	"golang.org/x/text/language"
)

// catalogFS holds one flat JSON object per supported language, named by its
// tag: catalog/zh-CN.json, catalog/en.json.
//
//go:embed catalog/*.json
var catalogFS embed.FS

// Catalog holds the messages of every supported language. It is immutable
// after Load, so one Catalog may be shared by all goroutines.
type Catalog struct {
	messages map[language.Tag]map[string]string
}

// Load parses the embedded catalogues. It fails only if a catalogue is
// missing or is not a JSON object of strings, which the package's tests
// rule out.
func Load() (*Catalog, error) {
	c := &Catalog{messages: make(map[language.Tag]map[string]string)}
	for _, tag := range Supported() {
		m, err := readCatalog(tag)
		if err != nil {
			return nil, err
		}
		c.messages[tag] = m
	}
	return c, nil
}

// readCatalog reads and decodes the catalogue of one language.
func readCatalog(tag language.Tag) (map[string]string, error) {
	name := "catalog/" + tag.String() + ".json"
	b, err := catalogFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("i18n: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", name, err)
	}
	return m, nil
}

// T returns the message for key in lang, formatted with args by fmt.Sprintf
// when there are any ("%s", "%[2]d": translations may reorder arguments).
// A language Embargo does not support is mapped to the closest supported
// one. A key missing from lang falls back to English, and a key missing
// there too is returned as is, so that a gap shows on the page instead of
// failing it.
func (c *Catalog) T(lang language.Tag, key string, args ...any) string {
	msg, ok := c.lookup(lang, key)
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Has reports whether key exists in the catalogues.
func (c *Catalog) Has(key string) bool {
	_, ok := c.messages[English][key]
	return ok
}

// lookup finds key in lang's catalogue, then in English's.
func (c *Catalog) lookup(lang language.Tag, key string) (string, bool) {
	if !isSupported(lang) {
		lang = closest(lang)
	}
	if msg, ok := c.messages[lang][key]; ok {
		return msg, true
	}
	msg, ok := c.messages[English][key]
	return msg, ok
}

// For returns a Localizer that looks messages up in lang.
func (c *Catalog) For(lang language.Tag) Localizer {
	if !isSupported(lang) {
		lang = closest(lang)
	}
	return Localizer{catalog: c, lang: lang}
}

// Localizer is a Catalog bound to one language: the value a page, an email
// or an advisory renders with. Templates call {{.T "key"}} on it.
type Localizer struct {
	catalog *Catalog
	lang    language.Tag
}

// Lang returns the Localizer's language, always one of Supported.
func (l Localizer) Lang() language.Tag { return l.lang }

// T is Catalog.T in the Localizer's language.
func (l Localizer) T(key string, args ...any) string {
	return l.catalog.T(l.lang, key, args...)
}
