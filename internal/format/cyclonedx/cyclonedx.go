// Package cyclonedx reads CycloneDX bills of materials (1.4 to 1.7, JSON
// and XML): the product a BOM describes, its components (nested ones
// included) and the VEX statements of its vulnerabilities section.
//
// Decoding is done by github.com/CycloneDX/cyclonedx-go, the OWASP
// project's own Go binding: it knows every spec version's JSON shapes (the
// 1.4 tools array against the 1.5 tools object, licence choices) and XML
// namespaces, and its encoder gives the write side (VEX export) for free.
// This package adds what the binding leaves out: it checks bomFormat, the
// spec version and every purl, refuses bad VEX enumerations, and reports
// where in the document a problem is. Nothing is returned with an error.
//
// Spec: https://cyclonedx.org/docs/1.6/json/
package cyclonedx

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/embargohq/embargo/internal/format/jsonpos"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"
)

// BOM is what Embargo takes from one CycloneDX document.
type BOM struct {
	// SpecVersion is the document's spec version: "1.4" … "1.7".
	SpecVersion string
	// Format is "json" or "xml".
	Format string
	// Product is metadata.component, the thing the BOM describes; nil
	// when the document has none.
	Product *Component
	// Components are all components, depth first: each nested component
	// follows its parent, and the product's own sub-components come first.
	Components []Component
	// VEX holds one statement per vulnerability that carries an analysis.
	VEX []Statement
}

// Component is one CycloneDX component.
type Component struct {
	// Path locates it in the document, e.g. "components[2].components[0]".
	Path string
	// Ref is its bom-ref, the name VEX statements use for it.
	Ref string
	// Type is the component type: "library", "application", …
	Type      string
	Group     string
	Name      string
	Version   string
	Purl      string // as written; checked to be a valid purl
	Supplier  string // supplier.name
	Publisher string
}

// supported lists the spec versions this package reads.
var supported = map[cdx.SpecVersion]bool{
	cdx.SpecVersion1_4: true, cdx.SpecVersion1_5: true,
	cdx.SpecVersion1_6: true, cdx.SpecVersion1_7: true,
}

// Decode reads a CycloneDX document, JSON or XML (told apart by the first
// non-blank byte). It returns an error naming the line or the field of the
// first problem, and no BOM, when the document is not a well-formed
// CycloneDX 1.4–1.7 BOM.
func Decode(b []byte) (*BOM, error) {
	switch jsonpos.First(b) {
	case '{':
		return DecodeJSON(b)
	case '<':
		return DecodeXML(b)
	}
	return nil, errors.New("not a CycloneDX document: neither JSON nor XML")
}

// DecodeJSON reads a CycloneDX JSON document; see Decode.
func DecodeJSON(b []byte) (*BOM, error) {
	var raw cdx.BOM
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, jsonError(b, err)
	}
	if raw.BOMFormat != cdx.BOMFormat {
		return nil, fmt.Errorf("bomFormat: got %q, want %q", raw.BOMFormat, cdx.BOMFormat)
	}
	return convert(&raw, "json")
}

// DecodeXML reads a CycloneDX XML document; see Decode. The spec version
// comes from the namespace of the root bom element.
func DecodeXML(b []byte) (*BOM, error) {
	var raw cdx.BOM
	d := xml.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&raw); err != nil {
		line, _ := d.InputPos()
		return nil, fmt.Errorf("line %d: %w", line, err)
	}
	raw.SpecVersion = 0
	for _, v := range []cdx.SpecVersion{cdx.SpecVersion1_4, cdx.SpecVersion1_5, cdx.SpecVersion1_6, cdx.SpecVersion1_7} {
		if raw.XMLNS == "http://cyclonedx.org/schema/bom/"+v.String() {
			raw.SpecVersion = v
		}
	}
	if raw.SpecVersion == 0 {
		return nil, fmt.Errorf("bom: namespace %q is not CycloneDX 1.4–1.7", raw.XMLNS)
	}
	return convert(&raw, "xml")
}

// convert checks a decoded BOM and turns it into ours.
func convert(raw *cdx.BOM, format string) (*BOM, error) {
	if !supported[raw.SpecVersion] {
		return nil, fmt.Errorf("specVersion %s: want 1.4, 1.5, 1.6 or 1.7", raw.SpecVersion)
	}
	bom := &BOM{SpecVersion: raw.SpecVersion.String(), Format: format}
	if raw.Metadata != nil && raw.Metadata.Component != nil {
		mc := raw.Metadata.Component
		p, err := component("metadata.component", mc)
		if err != nil {
			return nil, err
		}
		bom.Product = &p
		if err := walk(&bom.Components, "metadata.component.components", mc.Components); err != nil {
			return nil, err
		}
	}
	if err := walk(&bom.Components, "components", raw.Components); err != nil {
		return nil, err
	}
	named := bom.Components
	if bom.Product != nil {
		named = append([]Component{*bom.Product}, named...)
	}
	vex, err := statements(raw.Vulnerabilities, named)
	if err != nil {
		return nil, err
	}
	bom.VEX = vex
	return bom, nil
}

// walk appends list and, depth first, the components nested in it.
func walk(out *[]Component, path string, list *[]cdx.Component) error {
	if list == nil {
		return nil
	}
	for i := range *list {
		c := &(*list)[i]
		p := fmt.Sprintf("%s[%d]", path, i)
		comp, err := component(p, c)
		if err != nil {
			return err
		}
		*out = append(*out, comp)
		if err := walk(out, p+".components", c.Components); err != nil {
			return err
		}
	}
	return nil
}

// component converts and checks one component found at path.
func component(path string, c *cdx.Component) (Component, error) {
	if c.Name == "" {
		return Component{}, fmt.Errorf("%s.name: missing", path)
	}
	if c.PackageURL != "" {
		if _, err := packageurl.FromString(c.PackageURL); err != nil {
			return Component{}, fmt.Errorf("%s.purl: %q: %w", path, c.PackageURL, err)
		}
	}
	out := Component{
		Path: path, Ref: c.BOMRef, Type: string(c.Type), Group: c.Group,
		Name: c.Name, Version: c.Version, Purl: c.PackageURL, Publisher: c.Publisher,
	}
	if c.Supplier != nil {
		out.Supplier = c.Supplier.Name
	}
	return out, nil
}

// jsonError adds the place of a JSON decoding error (jsonpos.Error), or
// names the spec version cyclonedx-go refused.
func jsonError(b []byte, err error) error {
	if errors.Is(err, cdx.ErrInvalidSpecVersion) {
		return fmt.Errorf("specVersion: %w", err)
	}
	return jsonpos.Error(b, err)
}
