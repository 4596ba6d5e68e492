package exposure

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"github.com/embargohq/embargo/internal/format/cyclonedx"
)

// cdxPropertyPrefix opens the names of the CycloneDX properties that
// carry what CycloneDX cannot say: "embargo:vex:<key>".
const cdxPropertyPrefix = "embargo:vex:"

// ToCycloneDXVEX writes statements as a CycloneDX BOM with one component
// per distinct product and one vulnerability per statement, whose analysis
// holds the state, justification (see vex_map.go), impact statement
// (detail) and responses; the action statement is the recommendation,
// the timestamp analysis.lastUpdated, the aliases references. What
// CycloneDX cannot say goes in embargo:vex:* properties. Returns an error
// if a statement is not valid.
func ToCycloneDXVEX(doc VEXDocument, ss []VEXStatement) (*cdx.BOM, error) {
	bom := cdx.NewBOM()
	bom.SerialNumber = cdxSerialNumber(doc)
	bom.Version = max(doc.Version, 1)
	bom.Metadata = &cdx.Metadata{Timestamp: doc.Timestamp.Format(time.RFC3339)}
	if doc.ID != "" && doc.ID != bom.SerialNumber {
		bom.Metadata.Properties = &[]cdx.Property{{Name: cdxPropertyPrefix + "document_id", Value: doc.ID}}
	}
	comps, vulns := []cdx.Component{}, []cdx.Vulnerability{}
	refs := map[string]string{}
	for _, s := range ss {
		if err := s.Validate(); err != nil {
			return nil, err
		}
		key := s.Product.Purl + "\x00" + s.Product.Name + "\x00" + s.Product.Version
		ref, ok := refs[key]
		if !ok {
			ref = fmt.Sprintf("product-%d", len(refs)+1)
			refs[key] = ref
			comps = append(comps, cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary,
				Name: cmp.Or(s.Product.Name, s.Product.Purl), Version: s.Product.Version, PackageURL: s.Product.Purl})
		}
		vulns = append(vulns, cdxVulnerability(s, ref))
	}
	bom.Components, bom.Vulnerabilities = &comps, &vulns
	return bom, nil
}

// cdxSerialNumber is the BOM's serialNumber, which CycloneDX requires to
// be an RFC 4122 URN ("urn:uuid:…"): the document ID when it is one, else
// a name-based (SHA-1, version 5) UUID of the namespace and ID, so that the
// same document always gets the same serial number; the ID itself is then
// kept in the embargo:vex:document_id property.
func cdxSerialNumber(doc VEXDocument) string {
	if u, ok := strings.CutPrefix(doc.ID, "urn:uuid:"); ok {
		if _, err := uuid.Parse(u); err == nil && strings.ToLower(u) == u {
			return doc.ID
		}
	}
	return "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte(doc.Namespace+"#"+doc.ID)).String()
}

// cdxVulnerability converts one statement about the component ref.
func cdxVulnerability(s VEXStatement, ref string) cdx.Vulnerability {
	state, just := s.CycloneDXAnalysis()
	a := &cdx.VulnerabilityAnalysis{State: cdx.ImpactAnalysisState(state),
		Justification: cdx.ImpactAnalysisJustification(just), Detail: s.ImpactStatement}
	if !s.Timestamp.IsZero() {
		a.LastUpdated = s.Timestamp.Format(time.RFC3339Nano)
	}
	if len(s.Native.CycloneDXResponses) > 0 {
		rs := make([]cdx.ImpactAnalysisResponse, 0, len(s.Native.CycloneDXResponses))
		for _, r := range s.Native.CycloneDXResponses {
			rs = append(rs, cdx.ImpactAnalysisResponse(r))
		}
		a.Response = &rs
	}
	v := cdx.Vulnerability{ID: s.Vulnerability.ID, Analysis: a, Recommendation: s.ActionStatement,
		Affects: &[]cdx.Affects{{Ref: ref}}}
	if len(s.Vulnerability.Aliases) > 0 {
		rs := []cdx.VulnerabilityReference{}
		for _, id := range s.Vulnerability.Aliases {
			source, _, _ := strings.Cut(id, "-")
			rs = append(rs, cdx.VulnerabilityReference{ID: id, Source: &cdx.Source{Name: source}})
		}
		v.References = &rs
	}
	if props := cdxProperties(s, state, just); len(props) > 0 {
		v.Properties = &props
	}
	return v
}

// cdxProperties returns the embargo:vex:* properties of a statement, in
// a fixed order.
func cdxProperties(s VEXStatement, state, just string) []cdx.Property {
	ext := nativeExt(s.Native, extCycloneDXState, extCycloneDXJustification, extCycloneDXResponses)
	st, j := s.cdxCarried(state, just)
	ext[extStatus], ext[extJustification] = string(st), string(j)
	ext[extAuthor] = s.Author
	ext[extSubcomponents] = strings.Join(s.Product.Subcomponents, " ")
	var out []cdx.Property
	for _, k := range []string{extStatus, extJustification, extAuthor, extSubcomponents, extCSAFStatus, extCSAFRemediation} {
		if ext[k] != "" {
			out = append(out, cdx.Property{Name: cdxPropertyPrefix + k, Value: ext[k]})
		}
	}
	return out
}

// FromCycloneDXVEX reads the VEX statements of a BOM: one per statement
// and target, the state and justification mapped by the table of
// vex_map.go (or taken from embargo:vex:status and
// embargo:vex:justification), the CycloneDX values the table would not
// give back kept in Native. Returns an error for a statement whose state
// is missing. Statements are returned in SortVEXStatements' order.
func FromCycloneDXVEX(bom *cyclonedx.BOM) ([]VEXStatement, error) {
	var out []VEXStatement
	for _, st := range bom.VEX {
		ext := map[string]string{}
		for _, p := range st.Properties {
			if k, ok := strings.CutPrefix(p.Name, cdxPropertyPrefix); ok {
				ext[k] = p.Value
			}
		}
		s := VEXStatement{Vulnerability: VEXVulnerability{ID: st.Vulnerability, Aliases: st.Aliases},
			ImpactStatement: st.Detail, ActionStatement: st.Recommendation}
		if !s.FromCycloneDXAnalysis(st.State, st.Justification, VEXStatus(ext[extStatus]), VEXJustification(ext[extJustification])) {
			return nil, fmt.Errorf("CycloneDX VEX statement on %s: no known analysis state (%q)", st.Vulnerability, st.State)
		}
		s.Native.CycloneDXResponses = st.Responses
		if st.LastUpdated != "" {
			ts, err := time.Parse(time.RFC3339Nano, st.LastUpdated)
			if err != nil {
				return nil, fmt.Errorf("CycloneDX VEX statement on %s: analysis.lastUpdated: %w", st.Vulnerability, err)
			}
			s.Timestamp = ts
		}
		delete(ext, extCycloneDXState)
		delete(ext, extCycloneDXJustification)
		delete(ext, extCycloneDXResponses)
		for _, t := range st.Affects {
			s.Product = VEXProduct{Purl: t.Purl, Name: t.Name, Version: t.Version}
			if s.Product.Name == s.Product.Purl {
				s.Product.Name = ""
			}
			applyExt(&s, ext)
			out = append(out, s)
		}
	}
	SortVEXStatements(out)
	return out, nil
}
