package evidence

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"
)

// legalMappingJSON is the shipped mapping table. Counsel reviews it every
// year (CN-12-1); a test fails twelve months after its reviewed_on date.
//
//go:embed legal_mapping.json
var legalMappingJSON []byte

// LegalMapping maps each requirement to the article of the RMSV
// (网络产品安全漏洞管理规定) it comes from and to the articles of the
// Cybersecurity Law (中华人民共和国网络安全法) behind it: the duty's basis and
// the penalty the RMSV points to (Arts. 12–15). The RMSV cites the Law's
// 2016 numbering, which the amendment in force from 2026-01-01 changed, so
// the table gives both numbers and says how sure each current number is.
type LegalMapping struct {
	// ReviewedOn is the date (YYYY-MM-DD) the table was last checked
	// against the current text of the Law.
	ReviewedOn string `json:"reviewed_on"`
	// Law names the text of the Cybersecurity Law the numbers refer to.
	Law string `json:"law"`
	// Note explains the table's sources and its limits, in English;
	// NoteZH says the same in Chinese.
	Note   string       `json:"note"`
	NoteZH string       `json:"note_zh"`
	Rows   []MappingRow `json:"rows"`
}

// MappingRow is the mapping of one requirement.
type MappingRow struct {
	// Requirement is the requirement's ID, such as "CN-07-5".
	Requirement string `json:"requirement"`
	// RMSVArticle is the RMSV article, with its item in brackets: "7(2)".
	RMSVArticle string `json:"rmsv_article"`
	// Duty is the Cybersecurity Law article the duty rests on; nil when
	// no article of the Law states it (the duty is the RMSV's own).
	Duty *CSLArticle `json:"csl_duty"`
	// Penalty is the Cybersecurity Law article that the RMSV's penalty
	// article (PenaltyVia) refers to; nil when the RMSV names none.
	Penalty    *CSLArticle `json:"csl_penalty"`
	PenaltyVia string      `json:"penalty_via,omitempty"`
}

// How sure a current article number is.
const (
	// Confirmed: the amending decision's text states the number.
	Confirmed = "confirmed"
	// Derived: the number follows from the decision's list of inserted
	// and renumbered articles, which is in article order.
	Derived = "derived"
	// Unconfirmed: the current number could not be confirmed from the
	// sources at hand; Current is 0 and the 2016 number is the lead.
	Unconfirmed = "unconfirmed"
)

// CSLArticle is one article of the Cybersecurity Law under both numberings.
type CSLArticle struct {
	// Before is the article's number in the 2016 text, as the RMSV cites it.
	Before int `json:"before"`
	// Current is its number in the text in force from 2026-01-01; 0 when
	// Status is Unconfirmed.
	Current int `json:"current"`
	// Status is Confirmed, Derived or Unconfirmed.
	Status string `json:"status"`
}

// DefaultLegalMapping returns the table shipped with Embargo.
func DefaultLegalMapping() LegalMapping {
	var m LegalMapping
	if err := json.Unmarshal(legalMappingJSON, &m); err != nil {
		// The embedded file is checked by the package's tests.
		panic("evidence: embedded legal mapping: " + err.Error())
	}
	return m
}

// ReviewDate returns ReviewedOn as a date (midnight UTC).
func (m LegalMapping) ReviewDate() (time.Time, error) {
	d, err := time.Parse(time.DateOnly, m.ReviewedOn)
	if err != nil {
		return time.Time{}, fmt.Errorf("reviewed_on %q is not a date (YYYY-MM-DD)", m.ReviewedOn)
	}
	return d, nil
}

// ReviewDue reports whether the table was last reviewed more than twelve
// months before t, or has no valid review date: CN-12-1 wants the mapping
// reviewed every year.
func (m LegalMapping) ReviewDue(t time.Time) bool {
	d, err := m.ReviewDate()
	return err != nil || t.After(d.AddDate(1, 0, 0))
}

// Row returns the mapping of requirement id, and false when the table has
// none.
func (m LegalMapping) Row(id string) (MappingRow, bool) {
	for _, r := range m.Rows {
		if r.Requirement == id {
			return r, true
		}
	}
	return MappingRow{}, false
}
