package advisory

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/severity/cvss"
)

// CSAFPublisher is the issuer a CSAF document names: the organisation and
// the namespace (its trusted URL, e.g. https://psirt.example.cn).
type CSAFPublisher struct {
	Name      string
	Namespace string
}

// ToCSAF writes a published advisory as a CSAF 2.0 csaf_security_advisory
// in lang ("zh-CN" or "en"), from its frozen revisions (oldest first): the
// content is the latest revision's, the revision history every
// publication's, the document ID ref. Affected versions are products of
// the vendor (the publisher) under their product names: a single version
// is a product_version, anything else a product_version_range; the fixed
// versions are products too, listed as fixed. The assessed CVSS v3 score
// goes in as cvss_v3 (CSAF 2.0 has no place for CVSS v4.0 or GB/T 30279:
// the grade is in the summary note). An advisory whose last revision is a
// withdrawal has nothing to export.
func ToCSAF(ref string, revs []Revision, pub CSAFPublisher, lang string) (csaf.Document, error) {
	if len(revs) == 0 {
		return csaf.Document{}, errors.New("advisory: not published")
	}
	last := revs[len(revs)-1]
	if last.Kind == Withdrawal {
		return csaf.Document{}, fmt.Errorf("advisory %s: withdrawn in revision %d", ref, last.Number)
	}
	if lang != "en" {
		lang = "zh-CN"
	}
	ct := last.Content
	text := func(t Text) string {
		if lang == "en" {
			return cmpOr(t.EN, t.ZH)
		}
		return cmpOr(t.ZH, t.EN)
	}
	d := csaf.Document{Document: csaf.Meta{
		Category: "csaf_security_advisory", CSAFVersion: "2.0", Title: text(ct.Title), Lang: lang,
		Publisher:    csaf.Publisher{Category: "vendor", Name: pub.Name, Namespace: pub.Namespace},
		Distribution: &csaf.Distribution{TLP: &csaf.TLP{Label: ct.Label()}},
		Tracking: csaf.Tracking{ID: ref, Status: "final", Version: strconv.Itoa(last.Number),
			InitialReleaseDate: revs[0].PublishedAt.UTC(), CurrentReleaseDate: last.PublishedAt.UTC()},
	}}
	for _, r := range revs {
		summary := text(r.Note)
		if summary == "" {
			summary = map[Kind]string{Release: "Initial release", Update: "Update", Withdrawal: "Withdrawal"}[r.Kind]
			if lang != "en" {
				summary = map[Kind]string{Release: "首次发布", Update: "更新", Withdrawal: "撤回"}[r.Kind]
			}
		}
		d.Document.Tracking.RevisionHistory = append(d.Document.Tracking.RevisionHistory,
			csaf.Revision{Date: r.PublishedAt.UTC(), Number: strconv.Itoa(r.Number), Summary: summary})
	}
	summary := text(ct.Summary)
	if g, ok := gradeNames[ct.Grade]; ok {
		label := map[bool]string{true: "Severity (GB/T 30279): ", false: "危害等级（GB/T 30279）："}[lang == "en"]
		summary = strings.TrimSpace(summary + "\n\n" + label + text(g))
	}
	if summary != "" {
		d.Document.Notes = append(d.Document.Notes, csaf.Note{Category: "summary", Text: summary})
	}
	for _, r := range ct.References {
		if r.Kind == "exploit" {
			continue // never published (CN-09-4); the gate refuses them anyway
		}
		d.Document.References = append(d.Document.References, csaf.Reference{Category: "external", Summary: r.Kind, URL: r.URL})
	}
	if len(ct.Credits) > 0 {
		var names []string
		for _, c := range ct.Credits {
			names = append(names, c.Name)
		}
		d.Document.Acknowledgments = []csaf.Acknowledgment{{Names: names}}
	}

	tree, affected, fixed := csafProducts(pub.Name, ct.Affected)
	d.ProductTree = tree
	v := csaf.Vulnerability{Title: text(ct.Title)}
	for _, a := range ct.Aliases {
		if strings.HasPrefix(a, "CVE-") && v.CVE == "" {
			v.CVE = a
			continue
		}
		system, _, _ := strings.Cut(a, "-")
		v.IDs = append(v.IDs, csaf.ID{SystemName: system, Text: a})
	}
	for _, n := range []struct {
		category string
		t        Text
	}{{"description", ct.Description}, {"summary", ct.Summary}} {
		if s := text(n.t); s != "" {
			v.Notes = append(v.Notes, csaf.Note{Category: n.category, Text: s})
		}
	}
	if len(v.Notes) == 0 {
		v.Notes = []csaf.Note{{Category: "general", Text: text(ct.Title)}}
	}
	if ct.CWE != "" {
		label := map[bool]string{true: "Weakness: ", false: "漏洞类型："}[lang == "en"]
		v.Notes = append(v.Notes, csaf.Note{Category: "details", Title: "CWE", Text: label + ct.CWE})
	}
	if s := text(ct.Detection); s != "" {
		title := map[bool]string{true: "How to check whether you are affected", false: "检测方法"}[lang == "en"]
		v.Notes = append(v.Notes, csaf.Note{Category: "faq", Title: title, Text: s})
	}
	v.ProductStatus = &csaf.ProductStatus{KnownAffected: affected, Fixed: fixed}
	if s := text(ct.Impact); s != "" {
		v.Threats = []csaf.Threat{{Category: "impact", Details: s, ProductIDs: affected}}
	}
	if s := text(ct.Remediation); s != "" {
		v.Remediations = append(v.Remediations, csaf.Remediation{Category: "vendor_fix", Details: s, ProductIDs: affected})
	}
	if s := text(ct.Workarounds); s != "" {
		v.Remediations = append(v.Remediations, csaf.Remediation{Category: "workaround", Details: s, ProductIDs: affected})
	}
	if score, ok := cvssV3(ct.CVSS); ok && len(affected) > 0 {
		v.Scores = []csaf.Score{{Products: affected, CVSSv3: score}}
	}
	published := revs[0].PublishedAt.UTC()
	v.ReleaseDate = &published
	d.Vulnerabilities = []csaf.Vulnerability{v}
	return d, nil
}

// csafProducts builds the product tree: vendor → product name (with the
// model) → version or version range, and returns the IDs of the affected
// and of the fixed products.
func csafProducts(vendor string, as []Affected) (*csaf.ProductTree, []string, []string) {
	var affected, fixed []string
	var products []csaf.Branch
	n := 0
	id := func() string { n++; return fmt.Sprintf("CSAFPID-%04d", n) }
	for _, a := range as {
		name := strings.TrimSpace(a.Product + " " + a.Model)
		b := csaf.Branch{Category: "product_name", Name: name}
		versions := strings.TrimSpace(a.Versions)
		category := "product_version"
		if !exactVersion(versions) {
			category = "product_version_range"
			if versions == "" || versions == "*" {
				versions = "vers:all/*"
			}
		}
		aid := id()
		b.Branches = append(b.Branches, csaf.Branch{Category: category, Name: versions,
			Product: &csaf.FullProductName{Name: name + " " + versions, ProductID: aid}})
		affected = append(affected, aid)
		if f := strings.TrimSpace(a.Fixed); exactVersion(f) {
			fid := id()
			b.Branches = append(b.Branches, csaf.Branch{Category: "product_version", Name: f,
				Product: &csaf.FullProductName{Name: name + " " + f, ProductID: fid}})
			fixed = append(fixed, fid)
		}
		products = append(products, b)
	}
	tree := &csaf.ProductTree{Branches: []csaf.Branch{{Category: "vendor", Name: vendor, Branches: products}}}
	return tree, affected, fixed
}

// exactVersion reports whether s names one version (no range operators,
// spaces or wildcards).
func exactVersion(s string) bool {
	return s != "" && !strings.ContainsAny(s, "<>=*, |~^") && !strings.HasPrefix(strings.ToLower(s), "vers:")
}

// cvssV3 returns the cvss_v3 object of a CVSS 3.0 or 3.1 vector.
func cvssV3(vector string) (json.RawMessage, bool) {
	if vector == "" {
		return nil, false
	}
	v, err := cvss.Parse(vector)
	if err != nil || (v.Version() != "3.0" && v.Version() != "3.1") {
		return nil, false
	}
	s := v.Score()
	b, err := json.Marshal(map[string]any{"version": string(v.Version()), "vectorString": s.Vector,
		"baseScore": s.Base, "baseSeverity": strings.ToUpper(string(s.BaseSeverity))})
	return b, err == nil
}
