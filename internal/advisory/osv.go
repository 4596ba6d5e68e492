package advisory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/embargohq/embargo/internal/format/osv"
	"github.com/embargohq/embargo/internal/severity/cvss"
)

// OSVSchemaVersion is the OSV schema version the records follow, the one
// the tests validate them against (OSV-1).
const OSVSchemaVersion = "1.9.0"

// OSVPrefix opens the ID of every record: OSV accepts only the prefixes
// of the databases it lists, and "x_" for any other (OSV-1).
const OSVPrefix = "x_"

// ToOSV writes a published advisory as an OSV record (OSV-1): the ID is
// OSVPrefix and the advisory's ref, the aliases its CVE, CNVD or CNNVD
// IDs, the summary and details English (Chinese when the advisory has no
// English; the Chinese texts are in database_specific.zh), the CVSS
// vector as CVSS_V3 or CVSS_V4, the references typed by their kind, the
// credits as finders. A withdrawn advisory keeps its content and carries
// `withdrawn`, the time of the withdrawal, as OSV wants.
//
// OSV names affected software by package in an ecosystem; an advisory
// names a vendor's products (firmware, appliances) that belong to none.
// The schema would take an `affected` entry without a package, but the
// specification lets only GIT ranges omit it (and our reader refuses any
// other), and versions of no ecosystem have no ordering a reader could
// apply. So the record has no `affected`: the products, their versions
// text, single versions and fixed versions are in
// database_specific.affected, where a reader sees them without taking
// them for ecosystem data, which they are not.
//
// Errors: no revision, an exploit reference (CN-09-4), a CVSS vector
// that does not parse, a versions text that is no version or range.
func ToOSV(pub Public) (osv.Record, error) {
	if len(pub.Revisions) == 0 {
		return osv.Record{}, errors.New("advisory: not published")
	}
	ct := pub.Content()
	r := osv.Record{SchemaVersion: OSVSchemaVersion, ID: OSVPrefix + pub.Ref, Modified: pub.Updated().UTC(),
		Published: pub.Released().UTC(), Aliases: cleanAliases(ct.Aliases)}
	if pub.Withdrawn() {
		r.Withdrawn = pub.Updated().UTC()
	}
	r.Summary = firstLine(cmpOr(ct.Title.EN, ct.Title.ZH))
	r.Details = osvDetails(ct, func(t Text) string { return t.EN })
	zh := osvDetails(ct, func(t Text) string { return t.ZH })
	if r.Details == "" {
		r.Details = zh
	}
	var err error
	if r.Severity, err = osvSeverity(ct.CVSS); err != nil {
		return osv.Record{}, fmt.Errorf("advisory %s: %w", pub.Ref, err)
	}
	affected, err := osvAffected(pub.Publisher, ct.Affected)
	if err != nil {
		return osv.Record{}, fmt.Errorf("advisory %s: %w", pub.Ref, err)
	}
	if r.References, err = osvReferences(ct.References); err != nil {
		return osv.Record{}, fmt.Errorf("advisory %s: %w", pub.Ref, err)
	}
	for _, c := range ct.Credits {
		if n := strings.TrimSpace(c.Name); n != "" {
			r.Credits = append(r.Credits, osv.Credit{Name: n, Type: "FINDER"})
		}
	}
	r.DatabaseSpecific, err = rawJSON(map[string]any{"publisher": pub.Publisher, "grade": ct.Grade, "cwe": ct.CWE,
		"tlp": ct.Label(), "zh": map[string]string{"summary": ct.Title.ZH, "details": zh}, "affected": affected})
	return r, err
}

// cleanAliases trims the aliases and drops empty ones.
func cleanAliases(as []string) []string {
	var out []string
	for _, a := range as {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// firstLine is the first line of s: OSV's summary is one line.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// osvDetails joins one language's summary, description, impact,
// remediation and workarounds as Markdown paragraphs.
func osvDetails(ct Content, lang func(Text) string) string {
	var parts []string
	for _, t := range []Text{ct.Summary, ct.Description, ct.Impact, ct.Remediation, ct.Workarounds} {
		if s := strings.TrimSpace(lang(t)); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

// osvSeverity writes a CVSS 3.x or 4.0 vector in its canonical form.
func osvSeverity(vector string) ([]osv.Severity, error) {
	if vector == "" {
		return nil, nil
	}
	v, err := cvss.Parse(vector)
	if err != nil {
		return nil, fmt.Errorf("the CVSS vector: %w", err)
	}
	switch v.Version() {
	case "3.0", "3.1":
		return []osv.Severity{{Type: "CVSS_V3", Score: v.String()}}, nil
	case "4.0":
		return []osv.Severity{{Type: "CVSS_V4", Score: v.String()}}, nil
	}
	return nil, nil // CVSS 2.0: old, and not what an advisory is graded by
}

// OSVProduct is an affected product as ToOSV writes it in
// database_specific.affected: the vendor's product (with its model), its
// affected-versions text as the advisory gives it, the single versions
// in it, and the fixed versions.
type OSVProduct struct {
	Vendor   string   `json:"vendor"`
	Product  string   `json:"product"`
	Affected string   `json:"affected_versions"`
	Versions []string `json:"versions,omitempty"`
	Fixed    []string `json:"fixed,omitempty"`
}

// osvAffected lists the affected products (see ToOSV).
func osvAffected(vendor string, as []Affected) ([]OSVProduct, error) {
	out := []OSVProduct{}
	for _, a := range as {
		ss, err := spans(a.Versions)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Product, err)
		}
		p := OSVProduct{Vendor: vendor, Product: strings.TrimSpace(a.Product + " " + a.Model),
			Affected: strings.TrimSpace(a.Versions), Fixed: fixedVersions(a.Fixed)}
		for _, s := range ss {
			if s.Exact != "" {
				p.Versions = append(p.Versions, s.Exact)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// osvReferences types each reference by its kind and refuses an exploit
// link (CN-09-4).
func osvReferences(rs []Reference) ([]osv.Reference, error) {
	types := map[string]string{"advisory": "ADVISORY", "patch": "FIX", "report": "REPORT", "article": "ARTICLE"}
	var out []osv.Reference
	for _, r := range rs {
		if r.Kind == "exploit" {
			return nil, fmt.Errorf("the reference %s is an exploit link, which is never published", r.URL)
		}
		out = append(out, osv.Reference{Type: cmpOr(types[r.Kind], "WEB"), URL: strings.TrimSpace(r.URL)})
	}
	return out, nil
}

// rawJSON marshals v without escaping <, > and & (version ranges have
// them), as JSON that OSV keeps as is.
func rawJSON(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(b.Bytes()), nil
}
