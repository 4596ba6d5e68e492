package disclosure

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// CN-09-7: undisclosed information never goes to a foreign recipient
// other than the product's provider without a recorded, unexpired legal
// decision for that recipient.
func TestDecide(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	decisions := []Decision{
		{ID: 7, Recipient: "ENISA single reporting platform", Country: "EU", ExpiresAt: now.Add(time.Hour)},
		{ID: 8, Recipient: "Old CNA", Country: "US", ExpiresAt: now.Add(-time.Hour)},
	}
	tests := []struct {
		name      string
		r         Recipient
		disclosed bool
		want      Verdict
	}{
		{"domestic regulator", Recipient{"NVDB", "CN", Regulator}, false, Verdict{Allowed: true, Why: "domestic"}},
		{"domestic, lower-case code", Recipient{"客户甲", "cn", Customer}, false, Verdict{Allowed: true, Why: "domestic"}},
		{"foreign upstream provider", Recipient{"Upstream Inc.", "US", Provider}, false, Verdict{Allowed: true, Why: "provider"}},
		{"foreign CNA", Recipient{"Some CNA", "US", CNA}, false, Verdict{Why: "foreign_without_decision"}},
		{"Hong Kong customer is 境外", Recipient{"HK Ltd", "HK", Customer}, false, Verdict{Why: "foreign_without_decision"}},
		{"foreign staff account", Recipient{"user:9", "DE", Staff}, false, Verdict{Why: "foreign_without_decision"}},
		{"foreign API client", Recipient{"token:3", "SG", APIClient}, false, Verdict{Why: "foreign_without_decision"}},
		{"EU regulator with a decision", Recipient{"enisa single reporting platform", "eu", Regulator}, false,
			Verdict{Allowed: true, Why: "legal_decision", DecisionID: 7}},
		{"expired decision", Recipient{"Old CNA", "US", CNA}, false, Verdict{Why: "foreign_without_decision"}},
		{"decision for another country", Recipient{"ENISA single reporting platform", "US", Regulator}, false,
			Verdict{Why: "foreign_without_decision"}},
		{"disclosed already", Recipient{"Some CNA", "US", CNA}, true, Verdict{Allowed: true, Why: "disclosed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Decide(tc.r, tc.disclosed, decisions, now)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
