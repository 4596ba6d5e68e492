package advisory

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/format/cve5"
	"github.com/embargohq/embargo/internal/severity/cvss"
)

// CNAInfo is the CVE Numbering Authority that submits a record: its
// organisation UUID in CVE Services (the operator configures it:
// --cve-org-id, EMBARGO_CVE_ORG_ID) and, optionally, its short name and
// the URL of the published advisory, listed first among the references.
type CNAInfo struct {
	OrgID       string
	ShortName   string
	AdvisoryURL string
}

// uuidV4 is the schema's uuidType: CVE Services names organisations by
// random (version 4) UUIDs.
var uuidV4 = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-4[0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$`)

// cweID finds a CWE identifier in the advisory's weakness text.
var cweID = regexp.MustCompile(`CWE-[1-9][0-9]*`)

// maxCVEText is the schema's limit on one description, solution or
// workaround (characters).
const maxCVEText = 4096

// ToCVE5 writes a published advisory as a CVE JSON 5.0 record whose CNA
// container is what the CNA submits (CVE-1): the English description
// first (the schema wants one) and the Chinese one after it, the affected
// versions of the publisher's products, the CWE, the scores, the
// remediation, workarounds, credits and references, and datePublic, the
// first publication. The CVE ID is the advisory's CVE alias.
//
// A withdrawn advisory becomes a REJECTED record, its reason the
// withdrawal note: a CNA withdraws a published CVE by rejecting it.
//
// The schema this is checked against (CVE JSON 5.0.0) has no cvssV4_0
// (5.1 added it), so a CVSS 4.0 vector is written as an "other" metric of
// type "cvssV4_0" with the same members; the GB/T 30279 grade is an
// "other" metric too.
//
// Errors: no revision, an orgId that is not a UUID, no CVE alias, no
// English description, no reference, an exploit reference (never
// published, CN-09-4), a text over the schema's limits, and a versions
// text that is no version or range.
func ToCVE5(pub Public, cna CNAInfo) (cve5.Out, error) {
	var r cve5.Out
	if len(pub.Revisions) == 0 {
		return r, errors.New("advisory: not published")
	}
	if cna.OrgID == "" {
		return r, fmt.Errorf("advisory %s: no CNA organisation ID is configured; set the UUID CVE Services gave (--cve-org-id, EMBARGO_CVE_ORG_ID)", pub.Ref)
	}
	if !uuidV4.MatchString(cna.OrgID) {
		return r, fmt.Errorf("advisory %s: the CNA organisation ID %q is not a UUID; configure the one CVE Services gave (--cve-org-id)", pub.Ref, cna.OrgID)
	}
	ct := pub.Content()
	id := cveAlias(ct.Aliases)
	if id == "" {
		return r, fmt.Errorf("advisory %s: the advisory has no CVE ID; CVE JSON needs one", pub.Ref)
	}
	r.DataType, r.DataVersion = "CVE_RECORD", "5.0"
	released, updated := pub.Released().UTC(), pub.Updated().UTC()
	r.Metadata = cve5.OutMetadata{ID: id, AssignerOrgID: cna.OrgID, State: "PUBLISHED", DatePublished: &released, DateUpdated: &updated}
	provider := cve5.ProviderMetadata{OrgID: cna.OrgID, ShortName: cna.ShortName}
	if pub.Withdrawn() {
		r.Metadata.State, r.Metadata.DateRejected = "REJECTED", &updated
		r.Containers.CNA = cve5.OutCNA{ProviderMetadata: provider, RejectedReasons: rejectedReasons(pub)}
		return r, nil
	}
	cna5, err := cnaContainer(pub, ct)
	if err != nil {
		return cve5.Out{}, fmt.Errorf("advisory %s: %w", pub.Ref, err)
	}
	cna5.ProviderMetadata = provider
	cna5.DatePublic = &released
	if cna.AdvisoryURL != "" {
		cna5.References = slices.Insert(cna5.References, 0, cve5.Reference{URL: cna.AdvisoryURL, Tags: []string{"vendor-advisory"}})
		cna5.References = uniqueRefs(cna5.References)
	}
	if len(cna5.References) == 0 {
		return cve5.Out{}, fmt.Errorf("advisory %s: the advisory has no reference; CVE JSON needs one", pub.Ref)
	}
	r.Containers.CNA = cna5
	return r, nil
}

// cveAlias returns the first CVE ID among aliases, or "".
func cveAlias(aliases []string) string {
	for _, a := range aliases {
		if a = strings.TrimSpace(a); cve5.IsID(a) {
			return a
		}
	}
	return ""
}

// rejectedReasons says why a withdrawn advisory's CVE is rejected: the
// withdrawal's note, in English first.
func rejectedReasons(pub Public) []cve5.Description {
	note := pub.Current().Note
	en := cmpOr(note.EN, fmt.Sprintf("Withdrawn by %s in revision %d of advisory %s.", pub.Publisher, pub.Current().Number, pub.Ref))
	out := []cve5.Description{{Lang: "en", Value: en}}
	if note.ZH != "" {
		out = append(out, cve5.Description{Lang: "zh", Value: note.ZH})
	}
	return out
}

// cnaContainer writes the content of a published CNA container.
func cnaContainer(pub Public, ct Content) (cve5.OutCNA, error) {
	var c cve5.OutCNA
	desc := bilingual(Text{EN: cmpOr(ct.Description.EN, ct.Summary.EN), ZH: cmpOr(ct.Description.ZH, ct.Summary.ZH)})
	if len(desc) == 0 || desc[0].Lang != "en" {
		return c, errors.New("the advisory has no English description; CVE JSON needs one")
	}
	c.Title = cmpOr(ct.Title.EN, ct.Title.ZH)
	if utf8.RuneCountInString(c.Title) > 256 {
		return c, errors.New("the title is over the 256 characters CVE JSON allows")
	}
	c.Descriptions, c.Solutions, c.Workarounds = desc, bilingual(ct.Remediation), bilingual(ct.Workarounds)
	for _, ds := range [][]cve5.Description{c.Descriptions, c.Solutions, c.Workarounds} {
		for _, d := range ds {
			if utf8.RuneCountInString(d.Value) > maxCVEText {
				return c, fmt.Errorf("a text is over the %d characters CVE JSON allows in one description", maxCVEText)
			}
		}
	}
	var err error
	if c.Affected, err = cveAffected(pub.Publisher, ct.Affected); err != nil {
		return c, err
	}
	if id := cweID.FindString(ct.CWE); id != "" {
		c.ProblemTypes = []cve5.ProblemType{{Descriptions: []cve5.ProblemDescription{{Lang: "en", Description: strings.TrimSpace(ct.CWE), CWEID: id, Type: "CWE"}}}}
	}
	if c.Metrics, err = cveMetrics(ct); err != nil {
		return c, err
	}
	for _, cr := range ct.Credits {
		credit := cve5.Credit{Lang: "en", Value: strings.TrimSpace(cr.Name), Type: "finder"}
		if credit.Value != "" && !slices.Contains(c.Credits, credit) {
			c.Credits = append(c.Credits, credit)
		}
	}
	if c.References, err = cveReferences(ct.References); err != nil {
		return c, err
	}
	return c, nil
}

// bilingual lists a text's English, then its Chinese, leaving out an
// empty language.
func bilingual(t Text) []cve5.Description {
	var out []cve5.Description
	if s := strings.TrimSpace(t.EN); s != "" {
		out = append(out, cve5.Description{Lang: "en", Value: s})
	}
	if s := strings.TrimSpace(t.ZH); s != "" {
		out = append(out, cve5.Description{Lang: "zh", Value: s})
	}
	return out
}

// cveAffected writes each affected entry as a product of vendor: a single
// version as itself, a range from its lower bound with lessThan or
// lessThanOrEqual (versionType "custom": the advisory does not say which
// version scheme a product follows), and the fixed versions as
// unaffected. An entry for every version is affected by default, or,
// with a fixed version, affected below it and unaffected from it.
func cveAffected(vendor string, as []Affected) ([]cve5.OutAffected, error) {
	var out []cve5.OutAffected
	for _, a := range as {
		ss, err := spans(a.Versions)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Product, err)
		}
		e := cve5.OutAffected{Vendor: vendor, Product: strings.TrimSpace(a.Product + " " + a.Model), DefaultStatus: "unknown"}
		fixed := fixedVersions(a.Fixed)
		for _, s := range ss {
			switch {
			case s.All && len(fixed) > 0:
				e.DefaultStatus = "unaffected"
				e.Versions = append(e.Versions, cve5.Version{Version: "0", Status: "affected", VersionType: "custom", LessThan: fixed[0]})
			case s.All:
				e.DefaultStatus = "affected"
			case s.isRange():
				e.Versions = append(e.Versions, cve5.Version{Version: s.From, Status: "affected", VersionType: "custom",
					LessThan: s.LessThan, LessThanOrEqual: s.LessEqual})
			default:
				e.Versions = append(e.Versions, cve5.Version{Version: s.Exact, Status: "affected"})
			}
		}
		for _, f := range fixed {
			e.Versions = append(e.Versions, cve5.Version{Version: f, Status: "unaffected"})
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, errors.New("the advisory lists no affected product; CVE JSON needs one")
	}
	return out, nil
}

// fixedVersions splits the fixed text ("2.1.5, 2.0.9") into versions.
func fixedVersions(text string) []string {
	var out []string
	for f := range strings.SplitSeq(text, ",") {
		if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// cveMetrics writes the CVSS score, computed by our scorer, and the
// GB/T 30279 grade.
func cveMetrics(ct Content) ([]cve5.Metric, error) {
	var out []cve5.Metric
	if ct.CVSS != "" {
		v, err := cvss.Parse(ct.CVSS)
		if err != nil {
			return nil, fmt.Errorf("the CVSS vector: %w", err)
		}
		s := v.Score()
		obj := map[string]any{"version": string(v.Version()), "vectorString": s.Vector, "baseScore": s.Base,
			"baseSeverity": strings.ToUpper(string(s.BaseSeverity))}
		switch v.Version() {
		case "3.1":
			out = append(out, cve5.Metric{Format: "CVSS", CVSSv3_1: mustJSON(obj)})
		case "3.0":
			out = append(out, cve5.Metric{Format: "CVSS", CVSSv3_0: mustJSON(obj)})
		case "4.0":
			out = append(out, cve5.Metric{Format: "CVSS", Other: &cve5.OtherMetric{Type: "cvssV4_0", Content: obj}})
		}
	}
	if g, ok := gradeNames[ct.Grade]; ok {
		out = append(out, cve5.Metric{Other: &cve5.OtherMetric{Type: "GB/T 30279-2020",
			Content: map[string]any{"grade": ct.Grade, "en": g.EN, "zh": g.ZH}}})
	}
	return out, nil
}

// cveReferences tags each reference by its kind and refuses an exploit
// link (CN-09-4: the exploitation method is never published).
func cveReferences(rs []Reference) ([]cve5.Reference, error) {
	tags := map[string]string{"advisory": "vendor-advisory", "patch": "patch", "report": "technical-description", "article": "media-coverage"}
	var out []cve5.Reference
	for _, r := range rs {
		if r.Kind == "exploit" {
			return nil, fmt.Errorf("the reference %s is an exploit link, which is never published", r.URL)
		}
		ref := cve5.Reference{URL: strings.TrimSpace(r.URL)}
		if t := tags[r.Kind]; t != "" {
			ref.Tags = []string{t}
		}
		out = append(out, ref)
	}
	return uniqueRefs(out), nil
}

// uniqueRefs keeps the first reference to each URL (the schema wants the
// list's items unique).
func uniqueRefs(rs []cve5.Reference) []cve5.Reference {
	var out []cve5.Reference
	for _, r := range rs {
		if !slices.ContainsFunc(out, func(o cve5.Reference) bool { return o.URL == r.URL }) {
			out = append(out, r)
		}
	}
	return out
}

// mustJSON marshals a map of strings and numbers, which cannot fail.
func mustJSON(v map[string]any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
