// Package osv parses vulnerability records in the Open Source Vulnerability
// format, version 1.x (https://ossf.github.io/osv-schema/): one JSON record,
// a directory of records or a zip archive of records, as osv.dev and
// golang.org/x/vulndb publish them.
//
// The parser is strict: a record with an unknown field, a missing required
// field, a malformed timestamp or an ill-formed range is refused with an
// *Error that names the file and the field. Loading is all or nothing: a
// directory or archive with one bad record yields no records at all, so a
// caller never works from a half-read feed.
package osv

import (
	"encoding/json"
	"time"
)

// Record is one OSV record
// (https://ossf.github.io/osv-schema/#top-level-fields).
type Record struct {
	// SchemaVersion is the OSV schema version the record follows; when
	// absent, 1.0.0 is implied.
	SchemaVersion string `json:"schema_version,omitempty"`
	ID            string `json:"id"`
	// Modified is required; Published and Withdrawn are zero when absent.
	Modified  time.Time `json:"modified"`
	Published time.Time `json:"published,omitzero"`
	Withdrawn time.Time `json:"withdrawn,omitzero"`
	Aliases   []string  `json:"aliases,omitempty"`
	Related   []string  `json:"related,omitempty"`
	Upstream  []string  `json:"upstream,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	Details   string    `json:"details,omitempty"`
	// Severity lists scores (https://ossf.github.io/osv-schema/#severity-field).
	Severity   []Severity  `json:"severity,omitempty"`
	Affected   []Affected  `json:"affected,omitempty"`
	References []Reference `json:"references,omitempty"`
	Credits    []Credit    `json:"credits,omitempty"`
	// DatabaseSpecific is kept as compacted JSON and never interpreted.
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// Severity is one severity score of a record or an affected package.
type Severity struct {
	// Type is CVSS_V2, CVSS_V3, CVSS_V4 or Ubuntu.
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Affected is one affected package with its versions
// (https://ossf.github.io/osv-schema/#affected-fields).
type Affected struct {
	// Package is zero only for an entry made of GIT ranges alone.
	Package  Package    `json:"package,omitzero"`
	Severity []Severity `json:"severity,omitempty"`
	Ranges   []Range    `json:"ranges,omitempty"`
	Versions []string   `json:"versions,omitempty"`
	// EcosystemSpecific and DatabaseSpecific are compacted JSON.
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  json.RawMessage `json:"database_specific,omitempty"`
}

// Package names a package in an ecosystem
// (https://ossf.github.io/osv-schema/#affectedpackage-field).
type Package struct {
	// Ecosystem is an OSV ecosystem name, possibly with a release after a
	// colon ("Debian:12").
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Purl      string `json:"purl,omitempty"`
}

// Range is one range of affected versions
// (https://ossf.github.io/osv-schema/#affectedranges-field).
type Range struct {
	// Type is SEMVER, ECOSYSTEM or GIT; Repo is set for GIT ranges only.
	Type             string          `json:"type"`
	Repo             string          `json:"repo,omitempty"`
	Events           []Event         `json:"events"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// Event is one range event; exactly one of its fields is set
// (https://ossf.github.io/osv-schema/#affectedrangesevents-fields).
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Reference is one link (https://ossf.github.io/osv-schema/#references-field).
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// Credit names someone credited for the record
// (https://ossf.github.io/osv-schema/#credits-fields).
type Credit struct {
	Name    string   `json:"name"`
	Contact []string `json:"contact,omitempty"`
	Type    string   `json:"type,omitempty"`
}
