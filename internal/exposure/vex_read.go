package exposure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/format/cyclonedx"
	"github.com/embargohq/embargo/internal/format/openvex"
)

// The VEX formats, by the names the API and the store use.
const (
	VEXOpenVEX   = "openvex"
	VEXCSAF      = "csaf"
	VEXCycloneDX = "cyclonedx"
)

// VEXFormats lists the VEX formats Embargo reads and writes.
var VEXFormats = []string{VEXOpenVEX, VEXCSAF, VEXCycloneDX}

// VEXFormat names the VEX format of a document, as sniffed from its
// content: a CycloneDX BOM (JSON with bomFormat, or XML), an OpenVEX
// document (@context and statements) or a CSAF document; "" for none.
func VEXFormat(b []byte) string {
	b = bytes.TrimSpace(b)
	if bytes.HasPrefix(b, []byte("<")) {
		return VEXCycloneDX
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return ""
	}
	switch {
	case top["bomFormat"] != nil:
		return VEXCycloneDX
	case top["@context"] != nil && top["statements"] != nil:
		return VEXOpenVEX
	case top["document"] != nil:
		return VEXCSAF
	}
	return ""
}

// ReadVEX reads the statements of a VEX document, whose format it sniffs
// (VEXFormat): OpenVEX 0.2.0, CSAF 2.0 of category csaf_vex, or a
// CycloneDX BOM with analysed vulnerabilities. It returns the format and
// the statements, every one of them valid (VEXStatement.Validate), or
// nothing: errs.Invalid with code vex.format for a document it cannot
// read or that holds no statement, vex.invalid for a statement that
// breaks the formats' rules.
func ReadVEX(b []byte) (string, []VEXStatement, error) {
	format := VEXFormat(b)
	ss, err := readVEX(format, b)
	if err != nil {
		return "", nil, errs.Coded(errs.Invalid, "vex.format", "%v", err)
	}
	if len(ss) == 0 {
		return "", nil, errs.Coded(errs.Invalid, "vex.format", "the %s document holds no VEX statement", format)
	}
	var bad []error
	for _, s := range ss {
		if err := s.Validate(); err != nil {
			bad = append(bad, err)
		}
	}
	if len(bad) > 0 {
		return "", nil, errs.Coded(errs.Invalid, "vex.invalid", "%v", errors.Join(bad[:min(len(bad), 5)]...))
	}
	return format, ss, nil
}

func readVEX(format string, b []byte) ([]VEXStatement, error) {
	switch format {
	case VEXOpenVEX:
		d, err := openvex.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("OpenVEX: %w", err)
		}
		return FromOpenVEX(d), nil
	case VEXCSAF:
		d, err := csaf.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("CSAF: %w", err)
		}
		if d.Document.Category != "csaf_vex" {
			return nil, fmt.Errorf("CSAF: document.category is %q, want csaf_vex", d.Document.Category)
		}
		return FromCSAFVEX(d), nil
	case VEXCycloneDX:
		bom, err := cyclonedx.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("CycloneDX: %w", err)
		}
		return FromCycloneDXVEX(bom)
	}
	return nil, errors.New("not an OpenVEX, CSAF csaf_vex or CycloneDX VEX document")
}

// WriteVEX writes statements as one document of format (see VEXFormats):
// OpenVEX and CSAF as their JSON, CycloneDX as a JSON BOM. Returns an
// errs.Invalid error (code vex.export_format) for an unknown format, and
// the writers' errors for a statement that is not valid.
func WriteVEX(format string, doc VEXDocument, ss []VEXStatement) ([]byte, error) {
	switch format {
	case VEXOpenVEX:
		d, err := ToOpenVEX(doc, ss)
		if err != nil {
			return nil, err
		}
		return openvex.Marshal(d)
	case VEXCSAF:
		d, err := ToCSAFVEX(doc, ss)
		if err != nil {
			return nil, err
		}
		return csaf.Marshal(d)
	case VEXCycloneDX:
		bom, err := ToCycloneDXVEX(doc, ss)
		if err != nil {
			return nil, err
		}
		return cyclonedx.EncodeJSON(bom)
	}
	return nil, errs.Coded(errs.Invalid, "vex.export_format", "format %q: want one of %s", format, strings.Join(VEXFormats, ", "))
}

// Key names what the statement speaks of: its vulnerability and its
// product (purl, name, version and subcomponents). A newer statement with
// the same key replaces an older one.
func (s VEXStatement) Key() string {
	subs := slices.Clone(s.Product.Subcomponents)
	slices.Sort(subs)
	return strings.Join([]string{strings.ToUpper(s.Vulnerability.ID), s.Product.Purl, s.Product.Name,
		s.Product.Version, strings.Join(subs, " ")}, "\x00")
}
