package exposure

import (
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/format/openvex"
)

// The keys of the values a format carries for another one it cannot
// express (OpenVEX x_embargo, CSAF notes, CycloneDX embargo:vex:*
// properties); docs/exposure.md lists them.
const (
	extAuthor                 = "author"
	extProductName            = "product_name"
	extProductVersion         = "product_version"
	extSubcomponents          = "subcomponents"
	extTimestamp              = "timestamp"
	extStatus                 = "status"
	extJustification          = "justification"
	extCSAFStatus             = "csaf_status"
	extCSAFRemediation        = "csaf_remediation"
	extCycloneDXState         = "cyclonedx_state"
	extCycloneDXJustification = "cyclonedx_justification"
	extCycloneDXResponses     = "cyclonedx_responses"
)

// nativeExt returns the native values of n as extension values, leaving
// out the keys in native (those the target format expresses itself).
func nativeExt(n VEXNative, native ...string) map[string]string {
	out := map[string]string{}
	set := func(k, v string) {
		if v != "" && !containsString(native, k) {
			out[k] = v
		}
	}
	set(extCSAFStatus, n.CSAFStatus)
	set(extCSAFRemediation, n.CSAFRemediation)
	set(extCycloneDXState, n.CycloneDXState)
	set(extCycloneDXJustification, n.CycloneDXJustification)
	set(extCycloneDXResponses, strings.Join(n.CycloneDXResponses, " "))
	return out
}

// readNativeExt sets the native values ext carries.
func readNativeExt(n *VEXNative, ext map[string]string) {
	if v, ok := ext[extCSAFStatus]; ok {
		n.CSAFStatus = v
	}
	if v, ok := ext[extCSAFRemediation]; ok {
		n.CSAFRemediation = v
	}
	if v, ok := ext[extCycloneDXState]; ok {
		n.CycloneDXState = v
	}
	if v, ok := ext[extCycloneDXJustification]; ok {
		n.CycloneDXJustification = v
	}
	if v, ok := ext[extCycloneDXResponses]; ok {
		n.CycloneDXResponses = strings.Fields(v)
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// VEXDocument is what a VEX document says of itself, for the writers.
type VEXDocument struct {
	// ID is the document's identifier (OpenVEX @id, CSAF tracking ID,
	// CycloneDX serial number).
	ID string
	// Namespace is the CSAF publisher's namespace, a URL.
	Namespace string
	Author    string
	Timestamp time.Time
	// Version is the document's revision, from 1.
	Version int
}

// ToOpenVEX writes statements as one OpenVEX document. Statement
// timestamps are written on every statement; what OpenVEX cannot say (a
// statement's own author, a product's name beside its purl, other formats'
// native values) goes in the x_embargo extension. Returns an error if a
// statement is not valid (VEXStatement.Validate).
func ToOpenVEX(doc VEXDocument, ss []VEXStatement) (openvex.Document, error) {
	d := openvex.Document{Context: openvex.Context, ID: doc.ID, Author: doc.Author, Timestamp: doc.Timestamp,
		Version: max(doc.Version, 1), Statements: []openvex.Statement{}}
	for _, s := range ss {
		if err := s.Validate(); err != nil {
			return openvex.Document{}, err
		}
		d.Statements = append(d.Statements, openVEXStatement(doc, s))
	}
	return d, d.Check()
}

// openVEXStatement converts one statement.
func openVEXStatement(doc VEXDocument, s VEXStatement) openvex.Statement {
	ext := nativeExt(s.Native)
	if s.Author != doc.Author {
		ext[extAuthor] = s.Author
	}
	p := openvex.Product{Component: openvex.Component{ID: s.Product.Purl}}
	if p.ID == "" {
		p.ID = s.Product.Name
	} else if s.Product.Name != "" {
		ext[extProductName] = s.Product.Name
	}
	if s.Product.Version != "" {
		ext[extProductVersion] = s.Product.Version
	}
	for _, c := range s.Product.Subcomponents {
		p.Subcomponents = append(p.Subcomponents, openvex.Component{ID: c})
	}
	out := openvex.Statement{Vulnerability: openvex.Vulnerability{Name: s.Vulnerability.ID, Aliases: s.Vulnerability.Aliases},
		Products: []openvex.Product{p}, Status: string(s.Status), Justification: string(s.Justification),
		ImpactStatement: s.ImpactStatement, ActionStatement: s.ActionStatement}
	if !s.Timestamp.IsZero() {
		ts := s.Timestamp
		out.Timestamp = &ts
	}
	if len(ext) > 0 {
		out.Extension = ext
	}
	return out
}

// FromOpenVEX reads the statements of an OpenVEX document: one per
// statement and product. A statement without a timestamp takes the
// document's. Statements are returned in SortVEXStatements' order.
func FromOpenVEX(d openvex.Document) []VEXStatement {
	var out []VEXStatement
	for _, st := range d.Statements {
		s := VEXStatement{Vulnerability: VEXVulnerability{ID: st.Vulnerability.Name, Aliases: st.Vulnerability.Aliases},
			Status: VEXStatus(st.Status), Justification: VEXJustification(st.Justification),
			ImpactStatement: st.ImpactStatement, ActionStatement: st.ActionStatement, Timestamp: d.Timestamp, Author: d.Author}
		if st.Timestamp != nil {
			s.Timestamp = *st.Timestamp
		}
		for _, p := range st.Products {
			s.Product = openVEXProduct(p)
			applyExt(&s, st.Extension)
			out = append(out, s)
		}
	}
	SortVEXStatements(out)
	return out
}

// openVEXProduct reads a product: a purl @id, or a purl identifier
// beside an @id that becomes the name, or a bare @id as the name.
func openVEXProduct(p openvex.Product) VEXProduct {
	vp := VEXProduct{Purl: p.Purl()}
	if p.ID != vp.Purl {
		vp.Name = p.ID
	}
	for _, c := range p.Subcomponents {
		if purl := c.Purl(); purl != "" {
			vp.Subcomponents = append(vp.Subcomponents, purl)
		} else {
			vp.Subcomponents = append(vp.Subcomponents, c.ID)
		}
	}
	return vp
}
