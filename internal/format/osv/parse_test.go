package osv

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const minimal = `{
  "schema_version": "1.3.1",
  "id": "GO-2099-0001",
  "modified": "2099-01-02T03:04:05Z",
  "published": "2099-01-01T00:00:00Z",
  "aliases": ["CVE-2099-1", "GHSA-xxxx-yyyy-zzzz"],
  "summary": "A flaw",
  "affected": [{
    "package": {"name": "example.com/Mod", "ecosystem": "Go"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]}],
    "ecosystem_specific": {"imports": [ {"path": "example.com/Mod/x"} ]}
  }],
  "database_specific": {"url": "https://pkg.go.dev/vuln/GO-2099-0001"}
}`

func TestParseMinimal(t *testing.T) {
	got, err := Parse("min.json", []byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	want := &Record{
		SchemaVersion: "1.3.1",
		ID:            "GO-2099-0001",
		Modified:      time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC),
		Published:     time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
		Aliases:       []string{"CVE-2099-1", "GHSA-xxxx-yyyy-zzzz"},
		Summary:       "A flaw",
		Affected: []Affected{{
			Package:           Package{Name: "example.com/Mod", Ecosystem: "Go"},
			Ranges:            []Range{{Type: "SEMVER", Events: []Event{{Introduced: "0"}, {Fixed: "1.2.3"}}}},
			EcosystemSpecific: json.RawMessage(`{"imports":[{"path":"example.com/Mod/x"}]}`),
		}},
		DatabaseSpecific: json.RawMessage(`{"url":"https://pkg.go.dev/vuln/GO-2099-0001"}`),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
}

// edit returns the minimal record with old replaced by new, once.
func edit(t *testing.T, old, new string) []byte {
	t.Helper()
	if !strings.Contains(minimal, old) {
		t.Fatalf("minimal record has no %q", old)
	}
	return []byte(strings.Replace(minimal, old, new, 1))
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"not JSON", minimal, "{\n  \"id\": x", `osv: f.json: line 2, column 10: invalid character 'x' looking for beginning of value`},
		{"truncated", minimal, `{"id": "A"`, `osv: f.json: truncated or empty JSON`},
		{"empty", minimal, ``, `osv: f.json: truncated or empty JSON`},
		{"array", minimal, `[]`, `osv: f.json: want a JSON object, not array`},
		{"trailing data", minimal, minimal + `{}`, `osv: f.json: data after the record's closing brace`},
		{"unknown field", `"summary"`, `"sumary"`, `osv: f.json: unknown field "sumary"`},
		{"unknown nested field", `"ecosystem": "Go"`, `"ecosystem": "Go", "version": "1"`, `osv: f.json: unknown field "version"`},
		{"wrong type", `"aliases": ["CVE-2099-1", "GHSA-xxxx-yyyy-zzzz"]`, `"aliases": "CVE-2099-1"`, `osv: f.json: aliases: want a JSON array, not string`},
		{"no id", `"id": "GO-2099-0001",`, ``, `osv: f.json: id: missing`},
		{"id with slash", `"GO-2099-0001"`, `"GO/1"`, `osv: f.json: id: "GO/1" contains a space or a slash`},
		{"no modified", `"modified": "2099-01-02T03:04:05Z",`, ``, `osv: f.json: modified: missing; the record's last modification time is required`},
		{"bad published", `"2099-01-01T00:00:00Z"`, `"2099-01-01"`, `osv: f.json: published: "2099-01-01" is not an RFC 3339 timestamp`},
		{"schema 2", `"1.3.1"`, `"2.0.0"`, `osv: f.json: schema_version: "2.0.0" is not a 1.x version of the OSV schema`},
		{"empty alias", `"CVE-2099-1"`, `""`, `osv: f.json: aliases[0]: empty`},
		{"no ecosystem", `"ecosystem": "Go"`, `"ecosystem": ""`, `osv: f.json: affected[0].package.ecosystem: missing`},
		{"no package", `"package": {"name": "example.com/Mod", "ecosystem": "Go"},`, ``, `osv: f.json: affected[0].package: missing; only an entry of GIT ranges may omit it`},
		{"bad range type", `"type": "SEMVER"`, `"type": "semver"`, `osv: f.json: affected[0].ranges[0].type: "semver" is not one of SEMVER, ECOSYSTEM, GIT`},
		{"git without repo", `"type": "SEMVER"`, `"type": "GIT"`, `osv: f.json: affected[0].ranges[0].repo: missing; a GIT range needs its repository`},
		{"two keys in an event", `{"fixed": "1.2.3"}`, `{"fixed": "1.2.3", "limit": "2.0.0"}`, `osv: f.json: affected[0].ranges[0].events[1]: want exactly one of introduced, fixed, last_affected, limit, not 2`},
		{"empty event", `{"fixed": "1.2.3"}`, `{}`, `osv: f.json: affected[0].ranges[0].events[1]: want exactly one of introduced, fixed, last_affected, limit, not 0`},
		{"no introduced", `{"introduced": "0"}, `, ``, `osv: f.json: affected[0].ranges[0].events: no introduced event`},
		{"no events", `"events": [{"introduced": "0"}, {"fixed": "1.2.3"}]`, `"events": []`, `osv: f.json: affected[0].ranges[0].events: empty`},
		{"fixed and last_affected", `{"fixed": "1.2.3"}`, `{"fixed": "1.2.3"}, {"last_affected": "1.2.4"}`, `osv: f.json: affected[0].ranges[0].events: both fixed and last_affected events; a range may have one kind or the other`},
		{"semver with v", `"1.2.3"`, `"v1.2.3"`, `osv: f.json: affected[0].ranges[0].events[1].fixed: "v1.2.3" is not a SemVer 2.0 version (without a leading "v")`},
		{"bad reference", `"summary": "A flaw",`, `"summary": "A flaw", "references": [{"type": "LINK", "url": "https://x"}],`, `osv: f.json: references[0].type: "LINK" is not one of ADVISORY, ARTICLE, DETECTION, DISCUSSION, REPORT, FIX, INTRODUCED, GIT, PACKAGE, EVIDENCE, WEB`},
		{"bad severity", `"summary": "A flaw",`, `"summary": "A flaw", "severity": [{"type": "CVSS_V3", "score": ""}],`, `osv: f.json: severity[0].score: missing`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse("f.json", edit(t, tc.old, tc.new))
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", r, tc.want)
			}
			if r != nil {
				t.Errorf("Parse returned a record with its error")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if e := new(Error); !errors.As(err, &e) || e.File != "f.json" {
				t.Errorf("error %#v is not an *Error naming f.json", err)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct{ name, old, new string }{
		{"no schema version", `"schema_version": "1.3.1",`, ``},
		{"schema 1.7", `"1.3.1"`, `"1.7"`},
		{"offset timestamp", `"2099-01-02T03:04:05Z"`, `"2099-01-02T03:04:05.123+08:00"`},
		{"git only, no package", `"package": {"name": "example.com/Mod", "ecosystem": "Go"},
    "ranges": [{"type": "SEMVER"`, `"ranges": [{"type": "GIT", "repo": "https://x"`},
		{"ecosystem range any version", `"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.3"}]`, `"type": "ECOSYSTEM", "events": [{"introduced": "1.0-rc1"}, {"last_affected": "2:1.0~x"}, {"limit": "3"}]`},
		{"withdrawn", `"summary"`, `"withdrawn": "2099-02-01T00:00:00Z", "summary"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Parse("f.json", edit(t, tc.old, tc.new)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// FuzzParse checks that Parse never panics and that what it accepts
// survives a round trip through encoding/json unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{"id":"X","modified":"2000-01-01T00:00:00Z","affected":[{"ranges":[{"type":"GIT","repo":"r","events":[{"introduced":"a"},{"limit":"b"}]}]}]}`))
	f.Add([]byte(`{"id":"X","modified":"2000-01-01T00:00:00Z","withdrawn":"2001-01-01T00:00:00+01:00","database_specific":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz.json", data)
		if err != nil {
			if r != nil {
				t.Fatal("record and error both returned")
			}
			return
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse("again.json", b)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", b, err)
		}
		if diff := cmp.Diff(r, again, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}
