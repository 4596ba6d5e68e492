package validate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// baseDoc is a small valid CSAF security advisory: two products, a group,
// a relationship and one vulnerability with a score.
const baseDoc = `{
  "document": {
    "category": "csaf_security_advisory",
    "csaf_version": "2.0",
    "lang": "en",
    "notes": [{"category": "summary", "text": "A summary."}],
    "publisher": {"category": "vendor", "name": "Example", "namespace": "https://example.com"},
    "title": "Example advisory",
    "tracking": {
      "current_release_date": "2024-02-01T10:00:00Z",
      "id": "EX-2024-1",
      "initial_release_date": "2024-01-01T10:00:00Z",
      "revision_history": [
        {"date": "2024-01-01T10:00:00Z", "number": "1", "summary": "Initial."},
        {"date": "2024-02-01T10:00:00Z", "number": "2", "summary": "Fix."}
      ],
      "status": "final",
      "version": "2"
    }
  },
  "product_tree": {
    "branches": [{"category": "vendor", "name": "Example", "branches": [
      {"category": "product_name", "name": "Widget", "branches": [
        {"category": "product_version", "name": "1.0", "product": {"name": "Widget 1.0", "product_id": "P1",
          "product_identification_helper": {"purl": "pkg:golang/example.com/widget@1.0"}}},
        {"category": "product_version", "name": "1.1", "product": {"name": "Widget 1.1", "product_id": "P2"}}
      ]}
    ]}],
    "full_product_names": [{"name": "Platform", "product_id": "OS"}],
    "product_groups": [{"group_id": "G1", "product_ids": ["P1", "P2"]}],
    "relationships": [{"category": "installed_on", "product_reference": "P1", "relates_to_product_reference": "OS",
      "full_product_name": {"name": "Widget 1.0 on Platform", "product_id": "P1-OS"}}]
  },
  "vulnerabilities": [{
    "cve": "CVE-2024-0001",
    "cwe": {"id": "CWE-79", "name": "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"},
    "notes": [{"category": "description", "text": "XSS."}],
    "product_status": {"known_affected": ["P1", "P1-OS"], "fixed": ["P2"]},
    "remediations": [{"category": "vendor_fix", "details": "Update.", "group_ids": ["G1"]}],
    "scores": [{"products": ["P1"], "cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      "baseScore": 9.8, "baseSeverity": "CRITICAL", "attackVector": "NETWORK"}}]
  }]
}`

// mutated returns baseDoc changed by edit.
func mutated(t *testing.T, edit func(d map[string]any)) []byte {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal([]byte(baseDoc), &d); err != nil {
		t.Fatal(err)
	}
	edit(d)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// at returns the value at a slash-separated path of object keys and array
// indexes (no escapes), for the edits.
func at(v any, path string) any {
	for _, k := range strings.Split(strings.Trim(path, "/"), "/") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			for _, c := range k {
				i = i*10 + int(c-'0')
			}
			v = x[i]
		}
	}
	return v
}

// set sets key k of the object at path.
func set(d map[string]any, path, k string, v any) {
	at(d, path).(map[string]any)[k] = v
}

// found is a violation without its message, for comparisons.
type found struct{ Test, Path string }

// The tests find what is wrong, and where; the unchanged document passes.
func TestMandatory(t *testing.T) {
	tests := []struct {
		name string
		edit func(d map[string]any)
		want []found
	}{
		{"valid", func(map[string]any) {}, nil},
		{"6.1.1 undefined product", func(d map[string]any) {
			set(d, "vulnerabilities/0/product_status", "under_investigation", []any{"P9"})
		}, []found{{"6.1.1", "/vulnerabilities/0/product_status/under_investigation/0"}}},
		{"6.1.2 product defined twice", func(d map[string]any) {
			set(d, "product_tree/full_product_names/0", "product_id", "P2")
		}, []found{{"6.1.1", "/product_tree/relationships/0/relates_to_product_reference"}, {"6.1.2", "/product_tree/full_product_names/0/product_id"}}},
		{"6.1.3 circular relationship", func(d map[string]any) {
			set(d, "product_tree/relationships/0", "relates_to_product_reference", "P1-OS")
		}, []found{{"6.1.3", "/product_tree/relationships/0"}}},
		{"6.1.4 undefined group", func(d map[string]any) {
			set(d, "vulnerabilities/0/remediations/0", "group_ids", []any{"G9"})
		}, []found{{"6.1.4", "/vulnerabilities/0/remediations/0/group_ids/0"}}},
		{"6.1.6 contradicting status", func(d map[string]any) {
			set(d, "vulnerabilities/0/product_status", "known_not_affected", []any{"P2"})
		}, []found{{"6.1.6", "/vulnerabilities/0/product_status/known_not_affected/0"}}},
		{"6.1.8 and 6.1.9 bad score", func(d map[string]any) {
			set(d, "vulnerabilities/0/scores/0/cvss_v3", "baseScore", 7.5)
			set(d, "vulnerabilities/0/scores/0/cvss_v3", "temporalSeverity", "SEVERE")
		}, []found{{"6.1.8", "/vulnerabilities/0/scores/0/cvss_v3/temporalSeverity"}, {"6.1.9", "/vulnerabilities/0/scores/0/cvss_v3/baseScore"}}},
		{"6.1.10 inconsistent metric", func(d map[string]any) {
			set(d, "vulnerabilities/0/scores/0/cvss_v3", "attackVector", "LOCAL")
		}, []found{{"6.1.10", "/vulnerabilities/0/scores/0/cvss_v3/attackVector"}}},
		{"6.1.11 wrong CWE name", func(d map[string]any) {
			set(d, "vulnerabilities/0/cwe", "name", "Out-of-bounds Read")
		}, []found{{"6.1.11", "/vulnerabilities/0/cwe/name"}}},
		{"6.1.12 unknown language", func(d map[string]any) {
			set(d, "document", "lang", "qz")
		}, []found{{"6.1.12", "/document/lang"}}},
		{"6.1.13 bad purl", func(d map[string]any) {
			set(d, "product_tree/branches/0/branches/0/branches/0/product/product_identification_helper", "purl", "pkg:golang/@1.0")
		}, []found{{"6.1.13", "/product_tree/branches/0/branches/0/branches/0/product/product_identification_helper/purl"}}},
		{"6.1.14 and 6.1.16 unsorted history", func(d map[string]any) {
			set(d, "document/tracking/revision_history/0", "date", "2024-03-01T10:00:00Z")
		}, []found{
			{"6.1.14", "/document/tracking/revision_history/0"}, {"6.1.16", "/document/tracking/version"},
			{"6.1.21", "/document/tracking/revision_history/1/number"}, // sorted by date, 2 comes first
		}},
		{"6.1.17 pre-release not draft", func(d map[string]any) {
			set(d, "document/tracking", "version", "0")
			set(d, "document/tracking/revision_history/1", "number", "0")
		}, []found{
			{"6.1.14", "/document/tracking/revision_history/1"}, {"6.1.17", "/document/tracking/status"},
			{"6.1.18", "/document/tracking/revision_history/1/number"},
		}},
		{"6.1.21 gap", func(d map[string]any) {
			set(d, "document/tracking", "version", "3")
			set(d, "document/tracking/revision_history/1", "number", "3")
		}, []found{{"6.1.21", "/document/tracking/revision_history/1/number"}}},
		{"6.1.26 category like a profile", func(d map[string]any) {
			set(d, "document", "category", "Security Advisory")
		}, []found{{"6.1.26", "/document/category"}}},
		{"6.1.27.6 no product status", func(d map[string]any) {
			delete(at(d, "vulnerabilities/0").(map[string]any), "product_status")
		}, []found{{"6.1.27.6", "/vulnerabilities/0"}}},
		{"6.1.31 version range", func(d map[string]any) {
			set(d, "product_tree/branches/0/branches/0/branches/1", "name", "1.1 and later")
		}, []found{{"6.1.31", "/product_tree/branches/0/branches/0/branches/1/name"}}},
		{"6.1.32 flag without product", func(d map[string]any) {
			set(d, "vulnerabilities/0", "flags", []any{map[string]any{"label": "component_not_present"}})
		}, []found{{"6.1.32", "/vulnerabilities/0/flags/0"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := Validate(mutated(t, tc.edit), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []found
			for _, v := range vs {
				got = append(got, found{v.Test, v.Path})
				if v.Message == "" || v.Title == "" {
					t.Errorf("%+v: no message or title", v)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

// A violation reads as the command prints it.
func TestViolationString(t *testing.T) {
	vs, err := Validate(mutated(t, func(d map[string]any) {
		set(d, "product_tree/relationships/0", "product_reference", "P1-OS")
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"6.1.3 (Circular Definition of Product ID): /product_tree/relationships/0: product ID P1-OS refers to itself through its relationships"}
	var got []string
	for _, v := range vs {
		got = append(got, v.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// Input that is not one JSON value is an error, not a verdict.
func TestValidateNotJSON(t *testing.T) {
	for _, in := range []string{"", "{", "{} {}", "nul"} {
		if _, err := Validate([]byte(in), nil); err == nil {
			t.Errorf("Validate(%q): no error", in)
		}
	}
}

// FuzzValidate: the validator reads outside input; it never panics, and
// gives the same verdict twice.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(baseDoc))
	f.Add([]byte(`{"document":{"tracking":{"revision_history":[{"number":"1.0.0-rc","date":"x"}]}},"vulnerabilities":[{"scores":[{"cvss_v2":{}}]}]}`))
	f.Add([]byte(`{"product_tree":{"relationships":[{"product_reference":"a","relates_to_product_reference":"a","full_product_name":{"product_id":"a"}}]}}`))
	f.Add([]byte(`[1, "x", null]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		first, err1 := Validate(b, nil)
		second, err2 := Validate(b, nil)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v, %v", err1, err2)
		}
		if diff := cmp.Diff(first, second); diff != "" {
			t.Fatalf("verdicts differ (-first +second):\n%s", diff)
		}
	})
}

// cyclic finds the products on a cycle of relationships, and only those.
func TestCyclic(t *testing.T) {
	tests := []struct {
		name  string
		edges map[string][]string
		want  map[string]bool
	}{
		{"none", map[string][]string{"AB": {"A", "B"}, "ABC": {"AB", "C"}}, map[string]bool{}},
		{"diamond", map[string][]string{"X": {"AB", "AB"}, "AB": {"A", "B"}}, map[string]bool{}},
		{"self", map[string][]string{"A": {"A", "B"}}, map[string]bool{"A": true}},
		{"two", map[string][]string{"X": {"Y", "A"}, "Y": {"X", "B"}, "Z": {"X", "C"}}, map[string]bool{"X": true, "Y": true}},
		{"three and a tail", map[string][]string{"X": {"Y"}, "Y": {"Z"}, "Z": {"X", "A"}, "T": {"X"}}, map[string]bool{"X": true, "Y": true, "Z": true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, cyclic(tc.edges)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
