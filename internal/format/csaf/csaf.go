// Package csaf reads CSAF 2.0 documents (OASIS Common Security Advisory
// Framework): the document's metadata, the product tree (branches, full
// product names, relationships, with their purl and CPE identification
// helpers) and the vulnerabilities with their product status. It models
// what Embargo reads; unknown members are ignored on reading.
package csaf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// MaxDocumentSize bounds one document (large vendor advisories run to a
// few megabytes).
const MaxDocumentSize = 32 << 20

// Document is one CSAF document.
type Document struct {
	Document        Meta            `json:"document"`
	ProductTree     *ProductTree    `json:"product_tree,omitempty"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities,omitempty"`
}

// Meta is the document member.
type Meta struct {
	Category    string    `json:"category"`
	CSAFVersion string    `json:"csaf_version"`
	Title       string    `json:"title"`
	Lang        string    `json:"lang,omitempty"`
	Publisher   Publisher `json:"publisher"`
	Tracking    Tracking  `json:"tracking"`
	// Distribution, Notes, References and Acknowledgments are optional;
	// a security advisory carries them.
	Distribution    *Distribution    `json:"distribution,omitempty"`
	Notes           []Note           `json:"notes,omitempty"`
	References      []Reference      `json:"references,omitempty"`
	Acknowledgments []Acknowledgment `json:"acknowledgments,omitempty"`
}

// Distribution says who may receive the document.
type Distribution struct {
	TLP *TLP `json:"tlp,omitempty"`
}

// TLP is the Traffic Light Protocol label (AMBER, GREEN, RED, WHITE).
type TLP struct {
	Label string `json:"label"`
	URL   string `json:"url,omitempty"`
}

// Reference is a link to further information: category "self" or
// "external".
type Reference struct {
	Category string `json:"category,omitempty"`
	Summary  string `json:"summary"`
	URL      string `json:"url"`
}

// Acknowledgment thanks those who helped.
type Acknowledgment struct {
	Names        []string `json:"names,omitempty"`
	Organization string   `json:"organization,omitempty"`
	Summary      string   `json:"summary,omitempty"`
}

// Publisher is who issued the document.
type Publisher struct {
	Category  string `json:"category"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

// Tracking identifies the document and its revision.
type Tracking struct {
	ID                 string    `json:"id"`
	Status             string    `json:"status"` // draft, interim, final
	Version            string    `json:"version"`
	InitialReleaseDate time.Time `json:"initial_release_date"`
	CurrentReleaseDate time.Time `json:"current_release_date"`
	// RevisionHistory is required by the schema; Embargo writes it and
	// does not read it.
	RevisionHistory []Revision `json:"revision_history,omitempty"`
}

// Revision is one entry of the revision history.
type Revision struct {
	Date    time.Time `json:"date"`
	Number  string    `json:"number"`
	Summary string    `json:"summary"`
}

// ProductTree names the products the document speaks of.
type ProductTree struct {
	Branches         []Branch          `json:"branches,omitempty"`
	FullProductNames []FullProductName `json:"full_product_names,omitempty"`
	Relationships    []Relationship    `json:"relationships,omitempty"`
	ProductGroups    []ProductGroup    `json:"product_groups,omitempty"`
}

// ProductGroup names a set of products.
type ProductGroup struct {
	GroupID    string   `json:"group_id"`
	ProductIDs []string `json:"product_ids"`
}

// Branch is a node of the product tree: vendor, product name, version…
type Branch struct {
	Category string           `json:"category"`
	Name     string           `json:"name"`
	Branches []Branch         `json:"branches,omitempty"`
	Product  *FullProductName `json:"product,omitempty"`
}

// FullProductName is a product with its ID.
type FullProductName struct {
	Name      string  `json:"name"`
	ProductID string  `json:"product_id"`
	Helper    *Helper `json:"product_identification_helper,omitempty"`
}

// Helper identifies a product for machines.
type Helper struct {
	CPE  string `json:"cpe,omitempty"`
	PURL string `json:"purl,omitempty"`
}

// Relationship combines products (a component "installed on" a platform).
type Relationship struct {
	Category                  string          `json:"category"`
	ProductReference          string          `json:"product_reference"`
	RelatesToProductReference string          `json:"relates_to_product_reference"`
	FullProductName           FullProductName `json:"full_product_name"`
}

// Vulnerability is one vulnerability of the document.
type Vulnerability struct {
	CVE           string         `json:"cve,omitempty"`
	IDs           []ID           `json:"ids,omitempty"`
	Title         string         `json:"title,omitempty"`
	ProductStatus *ProductStatus `json:"product_status,omitempty"`
	Flags         []Flag         `json:"flags,omitempty"`
	Threats       []Threat       `json:"threats,omitempty"`
	Remediations  []Remediation  `json:"remediations,omitempty"`
	Scores        []Score        `json:"scores,omitempty"`
	Notes         []Note         `json:"notes,omitempty"`
	References    []Reference    `json:"references,omitempty"`
	// ReleaseDate is when the vulnerability was first published.
	ReleaseDate *time.Time `json:"release_date,omitempty"`
}

// Note is a note on a vulnerability (category: description, details,
// general, other, summary, …).
type Note struct {
	Category string `json:"category"`
	Text     string `json:"text"`
	Title    string `json:"title,omitempty"`
}

// Remediation is a fix, workaround or mitigation for some products.
type Remediation struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	URL        string   `json:"url,omitempty"`
	ProductIDs []string `json:"product_ids,omitempty"`
	GroupIDs   []string `json:"group_ids,omitempty"`
}

// Score is a CVSS score for some products; the vectors are kept raw.
type Score struct {
	Products []string        `json:"products"`
	CVSSv3   json.RawMessage `json:"cvss_v3,omitempty"`
	CVSSv2   json.RawMessage `json:"cvss_v2,omitempty"`
}

// ID is an identifier from another system (GHSA, CNVD, a vendor's).
type ID struct {
	SystemName string `json:"system_name"`
	Text       string `json:"text"`
}

// ProductStatus lists the products by their status for the vulnerability.
type ProductStatus struct {
	FirstAffected      []string `json:"first_affected,omitempty"`
	FirstFixed         []string `json:"first_fixed,omitempty"`
	Fixed              []string `json:"fixed,omitempty"`
	KnownAffected      []string `json:"known_affected,omitempty"`
	KnownNotAffected   []string `json:"known_not_affected,omitempty"`
	LastAffected       []string `json:"last_affected,omitempty"`
	Recommended        []string `json:"recommended,omitempty"`
	UnderInvestigation []string `json:"under_investigation,omitempty"`
}

// Affected returns the products the vulnerability affects.
func (s *ProductStatus) Affected() []string {
	if s == nil {
		return nil
	}
	return join(s.FirstAffected, s.KnownAffected, s.LastAffected)
}

// Flag is a VEX justification for products not affected.
type Flag struct {
	Label      string   `json:"label"`
	ProductIDs []string `json:"product_ids,omitempty"`
	GroupIDs   []string `json:"group_ids,omitempty"`
}

// Threat is a threat statement (category "impact" carries VEX impact
// statements).
type Threat struct {
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids,omitempty"`
}

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Parse reads one document and checks what Embargo relies on: CSAF 2.0,
// the document's category, title, publisher and tracking ID, and that
// every product ID the vulnerabilities name is defined in the product tree
// (the standard's mandatory test 6.1.1). Errors name the member.
func Parse(b []byte) (Document, error) {
	var d Document
	if len(b) > MaxDocumentSize {
		return d, fmt.Errorf("csaf: document of %d bytes is over the %d-byte limit", len(b), MaxDocumentSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		return Document{}, fmt.Errorf("csaf: %w", err)
	}
	if dec.More() {
		return Document{}, errors.New("csaf: trailing data after the document")
	}
	if err := d.check(); err != nil {
		return Document{}, fmt.Errorf("csaf: %s: %w", d.Document.Tracking.ID, err)
	}
	return d, nil
}

func (d Document) check() error {
	m := d.Document
	switch {
	case m.CSAFVersion != "2.0":
		return fmt.Errorf("/document/csaf_version is %q, want 2.0", m.CSAFVersion)
	case strings.TrimSpace(m.Category) == "":
		return errors.New("/document/category is missing")
	case strings.TrimSpace(m.Title) == "":
		return errors.New("/document/title is missing")
	case m.Publisher.Name == "" || m.Publisher.Namespace == "":
		return errors.New("/document/publisher needs a name and a namespace")
	case strings.TrimSpace(m.Tracking.ID) == "":
		return errors.New("/document/tracking/id is missing")
	}
	return d.checkProductIDs()
}

// checkProductIDs is the standard's mandatory test 6.1.1: every product
// ID the document uses — in product groups, relationships, product status,
// flags, threats, remediations and scores — is defined in the product tree.
func (d Document) checkProductIDs() error {
	defined := d.Products()
	check := func(where string, ids ...string) error {
		for _, id := range ids {
			if _, ok := defined[id]; !ok {
				return fmt.Errorf("%s names product %q, which the product tree does not define", where, id)
			}
		}
		return nil
	}
	var errs []error
	if t := d.ProductTree; t != nil {
		for i, g := range t.ProductGroups {
			errs = append(errs, check(fmt.Sprintf("/product_tree/product_groups/%d", i), g.ProductIDs...))
		}
		for i, r := range t.Relationships {
			errs = append(errs, check(fmt.Sprintf("/product_tree/relationships/%d", i), r.ProductReference, r.RelatesToProductReference))
		}
	}
	for i, v := range d.Vulnerabilities {
		at := fmt.Sprintf("/vulnerabilities/%d", i)
		if s := v.ProductStatus; s != nil {
			errs = append(errs, check(at+"/product_status", join(s.FirstAffected, s.FirstFixed, s.Fixed, s.KnownAffected,
				s.KnownNotAffected, s.LastAffected, s.Recommended, s.UnderInvestigation)...))
		}
		for j, f := range v.Flags {
			errs = append(errs, check(fmt.Sprintf("%s/flags/%d", at, j), f.ProductIDs...))
		}
		for j, x := range v.Threats {
			errs = append(errs, check(fmt.Sprintf("%s/threats/%d", at, j), x.ProductIDs...))
		}
		for j, x := range v.Remediations {
			errs = append(errs, check(fmt.Sprintf("%s/remediations/%d", at, j), x.ProductIDs...))
		}
		for j, x := range v.Scores {
			errs = append(errs, check(fmt.Sprintf("%s/scores/%d", at, j), x.Products...))
		}
	}
	return errors.Join(errs...)
}

// Product is a product of the tree with what its branches say of it.
type Product struct {
	ID   string
	Name string
	// Vendor and ProductName come from the branches above it.
	Vendor      string
	ProductName string
	// Version is the product_version branch's name; Range the
	// product_version_range's (a vers: string, or free text).
	Version string
	Range   string
	PURL    string
	CPE     string
}

// Products returns every product the tree defines, by ID: in branches, as
// full product names, and as relationships.
func (d Document) Products() map[string]Product {
	out := map[string]Product{}
	if d.ProductTree == nil {
		return out
	}
	var walk func(bs []Branch, p Product)
	walk = func(bs []Branch, p Product) {
		for _, b := range bs {
			q := p
			switch b.Category {
			case "vendor":
				q.Vendor = b.Name
			case "product_name":
				q.ProductName = b.Name
			case "product_version":
				q.Version = b.Name
			case "product_version_range":
				q.Range = b.Name
			}
			if b.Product != nil {
				out[b.Product.ProductID] = withName(q, *b.Product)
			}
			walk(b.Branches, q)
		}
	}
	walk(d.ProductTree.Branches, Product{})
	for _, f := range d.ProductTree.FullProductNames {
		out[f.ProductID] = withName(Product{}, f)
	}
	for _, r := range d.ProductTree.Relationships {
		p := out[r.ProductReference]
		out[r.FullProductName.ProductID] = withName(Product{Vendor: p.Vendor, ProductName: p.ProductName, Version: p.Version,
			Range: p.Range, PURL: p.PURL, CPE: p.CPE}, r.FullProductName)
	}
	return out
}

func withName(p Product, f FullProductName) Product {
	p.ID, p.Name = f.ProductID, f.Name
	if f.Helper != nil {
		if f.Helper.PURL != "" {
			p.PURL = f.Helper.PURL
		}
		if f.Helper.CPE != "" {
			p.CPE = f.Helper.CPE
		}
	}
	return p
}

// SortedIDs returns the keys of a product map in order, for stable output.
func SortedIDs(m map[string]Product) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
