// Package openvex reads and writes OpenVEX 0.2.0 documents: statements
// that products are, or are not, affected by vulnerabilities.
//
// Reading is strict where the specification says "MUST": the document's
// @context, @id, author, timestamp, version and statements; each
// statement's vulnerability name, products and status; a justification or
// an impact statement for not_affected; an action statement for affected.
// Members the package does not model are ignored on reading.
//
// Spec: https://github.com/openvex/spec/blob/v0.2.0/OPENVEX-SPEC.md
package openvex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Context is the @context of OpenVEX 0.2.0 documents.
const Context = "https://openvex.dev/ns/v0.2.0"

// MaxDocumentSize bounds one document.
const MaxDocumentSize = 32 << 20

// The statuses (spec: "Status Labels").
const (
	StatusNotAffected        = "not_affected"
	StatusAffected           = "affected"
	StatusFixed              = "fixed"
	StatusUnderInvestigation = "under_investigation"
)

// The justifications of not_affected (spec: "Status Justifications").
const (
	ComponentNotPresent                         = "component_not_present"
	VulnerableCodeNotPresent                    = "vulnerable_code_not_present"
	VulnerableCodeNotInExecutePath              = "vulnerable_code_not_in_execute_path"
	VulnerableCodeCannotBeControlledByAdversary = "vulnerable_code_cannot_be_controlled_by_adversary"
	InlineMitigationsAlreadyExist               = "inline_mitigations_already_exist"
)

var (
	statuses       = []string{StatusNotAffected, StatusAffected, StatusFixed, StatusUnderInvestigation}
	justifications = []string{ComponentNotPresent, VulnerableCodeNotPresent, VulnerableCodeNotInExecutePath,
		VulnerableCodeCannotBeControlledByAdversary, InlineMitigationsAlreadyExist}
)

// Document is one OpenVEX document (spec: "OpenVEX Document").
type Document struct {
	Context     string     `json:"@context"`
	ID          string     `json:"@id"`
	Author      string     `json:"author"`
	Role        string     `json:"role,omitempty"`
	Timestamp   time.Time  `json:"timestamp"`
	LastUpdated *time.Time `json:"last_updated,omitempty"`
	// Version is the document's revision, from 1.
	Version    int         `json:"version"`
	Tooling    string      `json:"tooling,omitempty"`
	Statements []Statement `json:"statements"`
}

// Statement is one statement (spec: "Statement").
type Statement struct {
	ID            string        `json:"@id,omitempty"`
	Vulnerability Vulnerability `json:"vulnerability"`
	// Timestamp, when nil, is the document's.
	Timestamp                *time.Time `json:"timestamp,omitempty"`
	LastUpdated              *time.Time `json:"last_updated,omitempty"`
	Products                 []Product  `json:"products"`
	Status                   string     `json:"status"`
	Supplier                 string     `json:"supplier,omitempty"`
	StatusNotes              string     `json:"status_notes,omitempty"`
	Justification            string     `json:"justification,omitempty"`
	ImpactStatement          string     `json:"impact_statement,omitempty"`
	ActionStatement          string     `json:"action_statement,omitempty"`
	ActionStatementTimestamp *time.Time `json:"action_statement_timestamp,omitempty"`
	// Extension holds values of other VEX formats that OpenVEX cannot
	// express, kept so that a conversion back loses nothing. The OpenVEX
	// JSON schema allows no member of its own on a statement, so it is
	// written as the last line of status_notes: ExtensionPrefix followed
	// by a JSON object of strings (see MarshalJSON). Reading also takes
	// the "x_embargo" member that Embargo wrote before.
	Extension map[string]string `json:"-"`
}

// ExtensionPrefix opens the line of status_notes that carries a
// statement's Extension.
const ExtensionPrefix = "embargo-vex-extension: "

// statementWire is a statement as JSON: the fields without the methods,
// and the old extension member, read only.
type statementWire struct {
	statementFields
	Legacy map[string]string `json:"x_embargo,omitempty"`
}

// statementFields is Statement without its methods.
type statementFields Statement

// MarshalJSON writes the statement with its Extension, if any, as the
// last line of status_notes.
func (s Statement) MarshalJSON() ([]byte, error) {
	w := statementWire{statementFields: statementFields(s)}
	if len(s.Extension) > 0 {
		b, err := json.Marshal(s.Extension) // keys sorted: the same statement, the same bytes
		if err != nil {
			return nil, err
		}
		if w.StatusNotes != "" {
			w.StatusNotes += "\n"
		}
		w.StatusNotes += ExtensionPrefix + string(b)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a statement, taking its Extension out of the last
// line of status_notes (or from an "x_embargo" member).
func (s *Statement) UnmarshalJSON(b []byte) error {
	var w statementWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = Statement(w.statementFields)
	s.Extension = w.Legacy
	notes := s.StatusNotes
	i := strings.LastIndex(notes, "\n") + 1
	if ext, ok := strings.CutPrefix(notes[i:], ExtensionPrefix); ok {
		if err := json.Unmarshal([]byte(ext), &s.Extension); err != nil {
			return fmt.Errorf("status_notes: the %q line: %w", strings.TrimSpace(ExtensionPrefix), err)
		}
		s.StatusNotes = strings.TrimSuffix(notes[:i], "\n")
	}
	return nil
}

// Vulnerability names a vulnerability (spec: "Vulnerability").
type Vulnerability struct {
	ID          string   `json:"@id,omitempty"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
}

// Product is a product a statement is about (spec: "Product"): named by
// its @id (an IRI, usually a purl) or its identifiers.
type Product struct {
	Component
	Subcomponents []Component `json:"subcomponents,omitempty"`
}

// Component is a product or a subcomponent (spec: "Component").
type Component struct {
	ID string `json:"@id,omitempty"`
	// Identifiers are keyed by purl, cpe22 and cpe23.
	Identifiers map[string]string `json:"identifiers,omitempty"`
	Hashes      map[string]string `json:"hashes,omitempty"`
}

// Purl returns the component's package URL: its @id when that is a purl,
// else its purl identifier, else "".
func (c Component) Purl() string {
	if strings.HasPrefix(c.ID, "pkg:") {
		return c.ID
	}
	return c.Identifiers["purl"]
}

// Parse reads one document and checks it (see the package comment). The
// error names the first member at fault by its JSON path.
func Parse(b []byte) (Document, error) {
	var d Document
	if len(b) > MaxDocumentSize {
		return d, fmt.Errorf("openvex: document of %d bytes is over the %d-byte limit", len(b), MaxDocumentSize)
	}
	// The version first: an older OpenVEX (0.0.1 wrote the version as a
	// string and vulnerabilities as plain names) is named as such rather
	// than reported as a type error deep inside.
	var head struct {
		Context any `json:"@context"`
	}
	if json.Unmarshal(b, &head) == nil {
		if c, ok := head.Context.(string); ok && c != Context && strings.HasPrefix(c, "https://openvex.dev/ns") {
			return Document{}, fmt.Errorf("openvex: /@context is %q: only OpenVEX 0.2.0 (%s) is read", c, Context)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		return Document{}, fmt.Errorf("openvex: %w", err)
	}
	if dec.More() {
		return Document{}, errors.New("openvex: trailing data after the document")
	}
	if err := d.Check(); err != nil {
		return Document{}, err
	}
	return d, nil
}

// Marshal checks a document and writes it as indented JSON.
func Marshal(d Document) ([]byte, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	return json.MarshalIndent(d, "", "  ")
}

// Check returns an error naming the first member of d that breaks a MUST
// of the specification.
func (d Document) Check() error {
	var err error
	switch {
	case d.Context != Context:
		err = fmt.Errorf("/@context is %q, want %q", d.Context, Context)
	case strings.TrimSpace(d.ID) == "":
		err = errors.New("/@id is missing")
	case strings.TrimSpace(d.Author) == "":
		err = errors.New("/author is missing")
	case d.Timestamp.IsZero():
		err = errors.New("/timestamp is missing")
	case d.Version < 1:
		err = fmt.Errorf("/version is %d, want 1 or more", d.Version)
	case d.Statements == nil:
		err = errors.New("/statements is missing")
	}
	for i := 0; err == nil && i < len(d.Statements); i++ {
		err = d.Statements[i].check(fmt.Sprintf("/statements/%d", i))
	}
	if err != nil {
		return fmt.Errorf("openvex: %s: %w", d.ID, err)
	}
	return nil
}

// check checks one statement found at path.
func (s Statement) check(path string) error {
	switch {
	case strings.TrimSpace(s.Vulnerability.Name) == "":
		return fmt.Errorf("%s/vulnerability/name is missing", path)
	case len(s.Products) == 0:
		return fmt.Errorf("%s/products is missing", path)
	case !slices.Contains(statuses, s.Status):
		return fmt.Errorf("%s/status %q is not one of %s", path, s.Status, strings.Join(statuses, ", "))
	case s.Justification != "" && !slices.Contains(justifications, s.Justification):
		return fmt.Errorf("%s/justification %q is not one of %s", path, s.Justification, strings.Join(justifications, ", "))
	case s.Justification != "" && s.Status != StatusNotAffected:
		return fmt.Errorf("%s/justification is set on a %s statement; only not_affected takes one", path, s.Status)
	case s.Status == StatusNotAffected && s.Justification == "" && s.ImpactStatement == "":
		return fmt.Errorf("%s: a not_affected statement needs a justification or an impact_statement", path)
	case s.Status == StatusAffected && s.ActionStatement == "":
		return fmt.Errorf("%s: an affected statement needs an action_statement", path)
	}
	for j, p := range s.Products {
		if err := p.check(fmt.Sprintf("%s/products/%d", path, j)); err != nil {
			return err
		}
		for k, c := range p.Subcomponents {
			if err := c.check(fmt.Sprintf("%s/products/%d/subcomponents/%d", path, j, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// check requires an @id or an identifier.
func (c Component) check(path string) error {
	if strings.TrimSpace(c.ID) == "" && len(c.Identifiers) == 0 {
		return fmt.Errorf("%s needs an @id or identifiers", path)
	}
	return nil
}
