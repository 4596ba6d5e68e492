package advisory

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/format/openvex"
)

// ExportFormats are the formats a published advisory is written in: CSAF
// 2.0 (CSAF-1), CVE JSON 5 (CVE-1), OSV (OSV-1) and OpenVEX.
var ExportFormats = []string{"csaf", "cve5", "osv", "openvex"}

// ExportOptions say what a format needs beyond the advisory.
type ExportOptions struct {
	// Lang is the language of CSAF and OpenVEX documents: "zh-CN" or "en"
	// (CVE JSON has both, OSV is in English).
	Lang string
	// Namespace is the publisher's URL: CSAF's publisher namespace and
	// the base of an OpenVEX document's @id.
	Namespace string
	// CNA is the CVE Numbering Authority, for CVE JSON.
	CNA CNAInfo
}

// Export writes pub in format as indented JSON. Errors: errs.Invalid
// (advisory.export_format) for a format not in ExportFormats;
// errs.Conflict (advisory.export) saying why the advisory cannot be
// written in that format (withdrawn for CSAF or OpenVEX, no CVE ID for
// CVE JSON, …).
func Export(pub Public, format string, opt ExportOptions) ([]byte, error) {
	if !slices.Contains(ExportFormats, format) {
		return nil, errs.Coded(errs.Invalid, "advisory.export_format", "the export format is one of csaf, cve5, osv, openvex")
	}
	var v any
	var err error
	switch format {
	case "csaf":
		var d csaf.Document
		if d, err = ToCSAF(pub.Ref, pub.Revisions, CSAFPublisher{Name: pub.Publisher, Namespace: opt.Namespace}, opt.Lang); err == nil {
			return csaf.Marshal(d)
		}
	case "openvex":
		var d openvex.Document
		if d, err = ToOpenVEX(pub, opt.Namespace, opt.Lang); err == nil {
			return openvex.Marshal(d)
		}
	case "cve5":
		v, err = ToCVE5(pub, opt.CNA)
	case "osv":
		v, err = ToOSV(pub)
	}
	if err != nil {
		return nil, errs.Coded(errs.Conflict, "advisory.export", "the advisory cannot be written as %s: %s", format, err.Error())
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
