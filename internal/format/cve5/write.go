package cve5

import (
	"encoding/json"
	"time"
)

// The types below write a CVE record as a CNA submits it (CVE JSON 5.0,
// https://github.com/CVEProject/cve-schema/blob/v5.0.0/schema/v5.0/CVE_JSON_5.0_schema.json).
// They hold no rule of their own: what goes in them is the caller's
// business, and the official schema is the test.

// Out is a whole CVE record: cveMetadata and the CNA container.
type Out struct {
	DataType    string      `json:"dataType"`    // CVE_RECORD
	DataVersion string      `json:"dataVersion"` // 5.0
	Metadata    OutMetadata `json:"cveMetadata"`
	Containers  struct {
		CNA OutCNA `json:"cna"`
	} `json:"containers"`
}

// OutMetadata is cveMetadata: the state is PUBLISHED or REJECTED.
type OutMetadata struct {
	ID            string     `json:"cveId"`
	AssignerOrgID string     `json:"assignerOrgId"`
	State         string     `json:"state"`
	DatePublished *time.Time `json:"datePublished,omitempty"`
	DateUpdated   *time.Time `json:"dateUpdated,omitempty"`
	DateRejected  *time.Time `json:"dateRejected,omitempty"`
}

// OutCNA is the CNA container, published or rejected (a rejected one has
// only ProviderMetadata and RejectedReasons).
type OutCNA struct {
	ProviderMetadata ProviderMetadata `json:"providerMetadata"`
	Title            string           `json:"title,omitempty"`
	DatePublic       *time.Time       `json:"datePublic,omitempty"`
	Descriptions     []Description    `json:"descriptions,omitempty"`
	Affected         []OutAffected    `json:"affected,omitempty"`
	ProblemTypes     []ProblemType    `json:"problemTypes,omitempty"`
	Metrics          []Metric         `json:"metrics,omitempty"`
	Solutions        []Description    `json:"solutions,omitempty"`
	Workarounds      []Description    `json:"workarounds,omitempty"`
	Credits          []Credit         `json:"credits,omitempty"`
	References       []Reference      `json:"references,omitempty"`
	RejectedReasons  []Description    `json:"rejectedReasons,omitempty"`
}

// ProviderMetadata names the container's provider by its CVE Services
// organisation UUID.
type ProviderMetadata struct {
	OrgID     string `json:"orgId"`
	ShortName string `json:"shortName,omitempty"`
}

// OutAffected is one affected product of a vendor.
type OutAffected struct {
	Vendor        string    `json:"vendor"`
	Product       string    `json:"product"`
	DefaultStatus string    `json:"defaultStatus,omitempty"`
	Versions      []Version `json:"versions,omitempty"`
}

// ProblemType is one problemTypes entry.
type ProblemType struct {
	Descriptions []ProblemDescription `json:"descriptions"`
}

// ProblemDescription names a weakness, by CWE ID when there is one.
type ProblemDescription struct {
	Lang        string `json:"lang"`
	Description string `json:"description"`
	CWEID       string `json:"cweId,omitempty"`
	Type        string `json:"type,omitempty"`
}

// Metric is one metrics entry: a CVSS object or another format.
type Metric struct {
	Format   string          `json:"format,omitempty"`
	CVSSv3_1 json.RawMessage `json:"cvssV3_1,omitempty"`
	CVSSv3_0 json.RawMessage `json:"cvssV3_0,omitempty"`
	Other    *OtherMetric    `json:"other,omitempty"`
}

// OtherMetric is a score in a format the schema does not model.
type OtherMetric struct {
	Type    string         `json:"type"`
	Content map[string]any `json:"content"`
}

// Credit thanks someone; Type is finder, reporter, analyst, ….
type Credit struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
	Type  string `json:"type,omitempty"`
}

// Reference is a link with its tags (vendor-advisory, patch, …).
type Reference struct {
	URL  string   `json:"url"`
	Name string   `json:"name,omitempty"`
	Tags []string `json:"tags,omitempty"`
}
