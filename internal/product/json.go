package product

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSONFormat names the catalogue JSON format and its version; documents
// carry it in their "format" member (docs/products.md).
const JSONFormat = "embargo.products.v1"

// The JSON document: the catalogue as nested objects, without the
// instance's own IDs and times.
type (
	jsonCatalogue struct {
		Format   string        `json:"format"`
		Products []jsonProduct `json:"products"`
	}
	jsonProduct struct {
		Name        string      `json:"name"`
		Description string      `json:"description,omitempty"`
		Models      []jsonModel `json:"models,omitempty"`
	}
	jsonModel struct {
		Name     string        `json:"name"`
		Versions []jsonVersion `json:"versions,omitempty"`
	}
	jsonVersion struct {
		Version    string          `json:"version"`
		Line       string          `json:"line,omitempty"`
		Components []jsonComponent `json:"components,omitempty"`
		Customers  []jsonParty     `json:"customers,omitempty"`
	}
	jsonComponent struct {
		Name       string     `json:"name"`
		Version    string     `json:"version"`
		PURL       string     `json:"purl,omitempty"`
		ThirdParty bool       `json:"third_party,omitempty"`
		Supplier   *jsonParty `json:"supplier,omitempty"`
	}
	jsonParty struct {
		Name    string `json:"name"`
		Country string `json:"country"`
		Email   string `json:"email,omitempty"`
	}
)

// WriteJSON writes c as an indented JSON document in JSONFormat.
func WriteJSON(w io.Writer, c Catalogue) error {
	doc := jsonCatalogue{Format: JSONFormat, Products: []jsonProduct{}}
	for _, p := range c.Products {
		doc.Products = append(doc.Products, toJSON(p))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func toJSON(p Product) jsonProduct {
	out := jsonProduct{Name: p.Name, Description: p.Description}
	for _, m := range p.Models {
		jm := jsonModel{Name: m.Name}
		for _, v := range m.Versions {
			jv := jsonVersion{Version: v.Version, Line: v.Line}
			for _, c := range v.Components {
				jc := jsonComponent{Name: c.Name, Version: c.Version, PURL: c.PURL, ThirdParty: c.ThirdParty}
				if c.Supplier != nil {
					s := jsonParty(*c.Supplier)
					jc.Supplier = &s
				}
				jv.Components = append(jv.Components, jc)
			}
			for _, k := range v.Customers {
				jv.Customers = append(jv.Customers, jsonParty(k))
			}
			jm.Versions = append(jm.Versions, jv)
		}
		out.Models = append(out.Models, jm)
	}
	return out
}

func fromJSON(p jsonProduct) Product {
	out := Product{Name: p.Name, Description: p.Description}
	for _, m := range p.Models {
		om := Model{Name: m.Name}
		for _, v := range m.Versions {
			ov := Version{Version: v.Version, Line: v.Line}
			for _, c := range v.Components {
				oc := Component{Name: c.Name, Version: c.Version, PURL: c.PURL, ThirdParty: c.ThirdParty}
				if c.Supplier != nil {
					s := Party(*c.Supplier)
					oc.Supplier = &s
				}
				ov.Components = append(ov.Components, oc)
			}
			for _, k := range v.Customers {
				ov.Customers = append(ov.Customers, Party(k))
			}
			om.Versions = append(om.Versions, ov)
		}
		out.Models = append(out.Models, om)
	}
	return out
}

// ParseJSON reads a catalogue in the JSON format: one document, members
// as documented, no others. Errors: errs.Invalid wrapping an *ImportError
// whose problems name the line (for malformed JSON) or the JSON path of
// the field; errs.TooLarge over MaxImportSize.
func ParseJSON(r io.Reader) (Catalogue, error) {
	data, err := readLimited(r)
	if err != nil {
		return Catalogue{}, err
	}
	var doc jsonCatalogue
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return Catalogue{}, importError([]Problem{jsonProblem(data, dec, err)})
	}
	if _, err := dec.Token(); err != io.EOF {
		return Catalogue{}, importError([]Problem{{Line: lineAt(data, dec.InputOffset()), Msg: "the document continues after its end"}})
	}
	if doc.Format != JSONFormat {
		return Catalogue{}, importError([]Problem{{Field: "format", Msg: fmt.Sprintf("want %q, the format this version reads", JSONFormat)}})
	}
	var c Catalogue
	for _, p := range doc.Products {
		c.Products = append(c.Products, fromJSON(p))
	}
	if ch := checkCatalogue(&c); len(ch.issues) > 0 {
		return Catalogue{}, importError(ch.problems())
	}
	sortProducts(c.Products)
	return c, nil
}

// jsonProblem locates a decoding error.
func jsonProblem(data []byte, dec *json.Decoder, err error) Problem {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return Problem{Line: lineAt(data, syn.Offset), Msg: "malformed JSON: " + syn.Error()}
	case errors.As(err, &typ):
		return Problem{Line: lineAt(data, typ.Offset), Field: typ.Field, Msg: fmt.Sprintf("want a %s here, not a %s", typ.Type, typ.Value)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Problem{Line: lineAt(data, int64(len(data))), Msg: "the document ends early"}
	}
	// An unknown member: encoding/json says which, without an offset type.
	return Problem{Line: lineAt(data, dec.InputOffset()), Msg: strings.TrimPrefix(err.Error(), "json: ")}
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}
