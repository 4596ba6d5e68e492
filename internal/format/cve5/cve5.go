// Package cve5 reads CVE JSON 5.x records (the CVE Program's record
// format): the record's identifier and state, and from the CNA container
// the affected products with their versions, the title, descriptions and
// problem types. It reads what Embargo needs to match and to show, and
// checks that much strictly; fields it does not use are ignored.
package cve5

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// MaxRecordSize bounds one record; real records are a few kilobytes.
const MaxRecordSize = 4 << 20

// Record is one CVE record.
type Record struct {
	DataType    string   `json:"dataType"`
	DataVersion string   `json:"dataVersion"`
	Metadata    Metadata `json:"cveMetadata"`
	Containers  struct {
		CNA CNA `json:"cna"`
	} `json:"containers"`
}

// Metadata is the record's cveMetadata.
type Metadata struct {
	ID            string    `json:"cveId"`
	State         string    `json:"state"` // PUBLISHED or REJECTED; absent in some CNA-only files
	DatePublished time.Time `json:"datePublished"`
	DateUpdated   time.Time `json:"dateUpdated"`
	DateRejected  time.Time `json:"dateRejected"`
}

// CNA is the CNA container: what the numbering authority published.
type CNA struct {
	Title        string        `json:"title"`
	Descriptions []Description `json:"descriptions"`
	Affected     []Affected    `json:"affected"`
	ProblemTypes []struct {
		Descriptions []struct {
			Lang        string `json:"lang"`
			Description string `json:"description"`
			CWEID       string `json:"cweId"`
		} `json:"descriptions"`
	} `json:"problemTypes"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
	// RejectedReasons explain a rejected record.
	RejectedReasons []Description `json:"rejectedReasons"`
}

// Description is a text in a language.
type Description struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

// Affected is one affected product.
type Affected struct {
	Vendor        string    `json:"vendor"`
	Product       string    `json:"product"`
	CollectionURL string    `json:"collectionURL"`
	PackageName   string    `json:"packageName"`
	DefaultStatus string    `json:"defaultStatus"` // affected, unaffected or unknown
	Versions      []Version `json:"versions"`
}

// Version is one version entry: a single version, or a range from Version
// up to LessThan (exclusive) or LessThanOrEqual.
type Version struct {
	Version         string `json:"version"`
	Status          string `json:"status"` // affected, unaffected, unknown
	VersionType     string `json:"versionType,omitempty"`
	LessThan        string `json:"lessThan,omitempty"`
	LessThanOrEqual string `json:"lessThanOrEqual,omitempty"`
}

var cveID = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)

// IsID reports whether s is a CVE identifier (CVE-YYYY-NNNN…).
func IsID(s string) bool { return cveID.MatchString(s) }

// Parse reads one record and checks it: the data type and version, the
// identifier's form, and each affected entry's statuses and versions.
// Errors name the field.
func Parse(b []byte) (Record, error) {
	var r Record
	if len(b) > MaxRecordSize {
		return r, fmt.Errorf("cve5: record of %d bytes is over the %d-byte limit", len(b), MaxRecordSize)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("cve5: %w", err)
	}
	if dec.More() {
		return Record{}, errors.New("cve5: trailing data after the record")
	}
	if err := r.check(); err != nil {
		return Record{}, fmt.Errorf("cve5: %s: %w", r.Metadata.ID, err)
	}
	return r, nil
}

func (r Record) check() error {
	switch {
	case r.DataType != "CVE_RECORD":
		return fmt.Errorf("dataType is %q, want CVE_RECORD", r.DataType)
	case !strings.HasPrefix(r.DataVersion, "5."):
		return fmt.Errorf("dataVersion is %q, want 5.x", r.DataVersion)
	case !cveID.MatchString(r.Metadata.ID):
		return fmt.Errorf("cveMetadata.cveId %q is not a CVE identifier", r.Metadata.ID)
	case r.Metadata.State != "" && r.Metadata.State != "PUBLISHED" && r.Metadata.State != "REJECTED":
		return fmt.Errorf("cveMetadata.state is %q, want PUBLISHED or REJECTED", r.Metadata.State)
	}
	for i, a := range r.Containers.CNA.Affected {
		if a.Product == "" && a.PackageName == "" {
			return fmt.Errorf("affected[%d]: neither product nor packageName", i)
		}
		if !status(a.DefaultStatus, true) {
			return fmt.Errorf("affected[%d].defaultStatus is %q", i, a.DefaultStatus)
		}
		for j, v := range a.Versions {
			if v.Version == "" || !status(v.Status, false) {
				return fmt.Errorf("affected[%d].versions[%d]: want a version and a status (affected, unaffected, unknown)", i, j)
			}
			if v.LessThan != "" && v.LessThanOrEqual != "" {
				return fmt.Errorf("affected[%d].versions[%d]: both lessThan and lessThanOrEqual", i, j)
			}
		}
	}
	return nil
}

func status(s string, optional bool) bool {
	return s == "affected" || s == "unaffected" || s == "unknown" || (optional && s == "")
}

// Rejected reports whether the record was rejected (withdrawn).
func (r Record) Rejected() bool { return r.Metadata.State == "REJECTED" }

// English returns the first English description.
func (r Record) English() string {
	for _, d := range r.Containers.CNA.Descriptions {
		if strings.HasPrefix(strings.ToLower(d.Lang), "en") {
			return d.Value
		}
	}
	return ""
}
