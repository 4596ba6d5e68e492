package api

import (
	"bytes"
	"cmp"
	"io"
	"time"

	"github.com/embargohq/embargo/internal/exposure"
)

// matchJSON is one match on the wire: what hits what, and why.
type matchJSON struct {
	Advisory     string        `json:"advisory"`
	Aliases      []string      `json:"aliases"`
	Product      string        `json:"product,omitempty"`
	Model        string        `json:"model,omitempty"`
	Version      string        `json:"version,omitempty"`
	VersionID    int64         `json:"version_id,omitempty"`
	Asset        string        `json:"asset,omitempty"`
	AssetID      int64         `json:"asset_id,omitempty"`
	Component    componentJSON `json:"component"`
	Range        *rangeJSON    `json:"range,omitempty"`
	Fixed        []string      `json:"fixed"`
	NotEvaluable string        `json:"not_evaluable,omitempty"`
	// Suppressed says that a not_affected VEX statement of the
	// organisation takes the match away (CN-08-2); VEX is that statement.
	Suppressed bool     `json:"suppressed"`
	VEX        *vexJSON `json:"vex,omitempty"`
}

// vexJSON is the VEX statement that suppresses a match: why the
// component is not affected.
type vexJSON struct {
	Vulnerability   string     `json:"vulnerability"`
	Product         string     `json:"product"`
	Status          string     `json:"status"`
	Justification   string     `json:"justification,omitempty"`
	ImpactStatement string     `json:"impact_statement,omitempty"`
	Author          string     `json:"author,omitempty"`
	Timestamp       *time.Time `json:"timestamp,omitempty"`
}

type componentJSON struct {
	Purl      string `json:"purl"`
	Ecosystem string `json:"ecosystem"`
	Package   string `json:"package"`
	Version   string `json:"version"`
}

// rangeJSON is an OSV range (https://ossf.github.io/osv-schema/#affectedranges-field).
type rangeJSON struct {
	Type   string      `json:"type"`
	Events []eventJSON `json:"events"`
}

type eventJSON struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

type assetJSON struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Host       string    `json:"host"`
	Components int       `json:"components"`
	ImportedAt time.Time `json:"imported_at"`
}

func hitsJSON(hits []exposure.Hit) []matchJSON {
	out := make([]matchJSON, 0, len(hits))
	for _, h := range hits {
		m := matchJSON{Advisory: h.Advisory, Aliases: nonNilStrings(h.Aliases), Fixed: nonNilStrings(h.Fixed),
			NotEvaluable: h.NotEvaluable, Component: componentJSON{Purl: h.Component.Purl, Ecosystem: h.Component.Ecosystem,
				Package: h.Component.Package, Version: h.Component.Version}}
		if v := h.Version; v != nil {
			m.Product, m.Model, m.Version, m.VersionID = v.Product, v.Model, v.Version, v.VersionID
		}
		if a := h.Asset; a != nil {
			m.Asset, m.AssetID = a.Name, a.ID
		}
		if st := h.SuppressedBy; st != nil {
			m.Suppressed = true
			m.VEX = &vexJSON{Vulnerability: st.Vulnerability.ID, Product: cmp.Or(st.Product.Purl, st.Product.Name),
				Status: string(st.Status), Justification: string(st.Justification), ImpactStatement: st.ImpactStatement,
				Author: st.Author}
			if !st.Timestamp.IsZero() {
				m.VEX.Timestamp = &st.Timestamp
			}
		}
		if h.Range != nil {
			m.Range = &rangeJSON{Type: h.Range.Type, Events: []eventJSON{}}
			for _, e := range h.Range.Events {
				m.Range.Events = append(m.Range.Events, eventJSON(e))
			}
		}
		out = append(out, m)
	}
	return out
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
