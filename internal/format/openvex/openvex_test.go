package openvex

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/modtest"
)

// goVEX is the go-vex release whose testdata the tests read.
const goVEX = "github.com/openvex/go-vex@v0.2.7"

// valid returns a well-formed document with one statement, changed by edit.
func valid(edit func(*Document)) Document {
	ts := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d := Document{Context: Context, ID: "https://example.com/vex/1", Author: "Example PSIRT", Timestamp: ts, Version: 1,
		Statements: []Statement{{
			Vulnerability: Vulnerability{Name: "CVE-2024-1234", Aliases: []string{"GHSA-aaaa-bbbb-cccc"}},
			Products: []Product{{Component: Component{ID: "pkg:golang/github.com/Example/app@v1.2.3"},
				Subcomponents: []Component{{ID: "pkg:golang/golang.org/x/net@v0.1.0"}}}},
			Status: StatusNotAffected, Justification: VulnerableCodeNotInExecutePath,
		}}}
	if edit != nil {
		edit(&d)
	}
	return d
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Document)
		want string // substring of the error; "" for none
	}{
		{"valid", nil, ""},
		{"impact statement instead of justification", func(d *Document) {
			d.Statements[0].Justification, d.Statements[0].ImpactStatement = "", "not reachable"
		}, ""},
		{"old context", func(d *Document) { d.Context = "https://openvex.dev/ns" }, "/@context"},
		{"no id", func(d *Document) { d.ID = "" }, "/@id is missing"},
		{"no author", func(d *Document) { d.Author = " " }, "/author is missing"},
		{"no timestamp", func(d *Document) { d.Timestamp = time.Time{} }, "/timestamp is missing"},
		{"no version", func(d *Document) { d.Version = 0 }, "/version is 0"},
		{"no statements", func(d *Document) { d.Statements = nil }, "/statements is missing"},
		{"no vulnerability", func(d *Document) { d.Statements[0].Vulnerability.Name = "" }, "/statements/0/vulnerability/name"},
		{"no products", func(d *Document) { d.Statements[0].Products = nil }, "/statements/0/products is missing"},
		{"bad status", func(d *Document) { d.Statements[0].Status = "exploitable" }, "/statements/0/status \"exploitable\""},
		{"bad justification", func(d *Document) { d.Statements[0].Justification = "code_not_present" }, "/statements/0/justification \"code_not_present\""},
		{"not_affected without reason", func(d *Document) { d.Statements[0].Justification = "" }, "needs a justification or an impact_statement"},
		{"affected without action", func(d *Document) {
			d.Statements[0].Status, d.Statements[0].Justification = StatusAffected, ""
		}, "needs an action_statement"},
		{"justification on fixed", func(d *Document) { d.Statements[0].Status = StatusFixed }, "only not_affected"},
		{"anonymous subcomponent", func(d *Document) { d.Statements[0].Products[0].Subcomponents[0].ID = "" }, "/statements/0/products/0/subcomponents/0 needs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := valid(tc.edit).Check()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Check() = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// What Marshal writes, Parse reads back unchanged.
func TestRoundTrip(t *testing.T) {
	want := valid(func(d *Document) {
		ts := d.Timestamp.Add(time.Hour)
		d.Statements = append(d.Statements, Statement{Vulnerability: Vulnerability{Name: "CVE-2024-9999"}, Timestamp: &ts,
			Products: []Product{{Component: Component{ID: "app", Identifiers: map[string]string{"purl": "pkg:npm/app@1.0.0"}}}},
			Status:   StatusAffected, ActionStatement: "Update to 1.0.1", Extension: map[string]string{"author": ""}})
	})
	b, err := Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if p := got.Statements[1].Products[0].Purl(); p != "pkg:npm/app@1.0.0" {
		t.Errorf("Purl() = %q", p)
	}
}

// go-vex's 0.2.0 test documents: the complete one reads; those without
// the document timestamp and version the spec requires are refused.
func TestGoVEXTestdata(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"v0.2.0.json", ""},
		{"v020-1.vex.json", "/timestamp is missing"},
		{"v020-2.vex.json", "/timestamp is missing"},
		{"v0.0.1.json", `/@context is "https://openvex.dev/ns/v0.0.1": only OpenVEX 0.2.0`}, // 0.0.1 wrote the version as a string
	} {
		t.Run(tc.file, func(t *testing.T) {
			d, err := Parse(modtest.ReadFile(t, goVEX, "pkg/vex/testdata/"+tc.file))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(d.Statements) != 5 || d.Statements[3].Justification != VulnerableCodeNotPresent ||
					len(d.Statements[0].Products[0].Subcomponents) != 2 {
					t.Errorf("read %+v", d)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse() = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	b, _ := Marshal(valid(nil))
	f.Add(b)
	f.Add([]byte(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		out, err := Marshal(d)
		if err != nil {
			t.Fatalf("Marshal of a parsed document: %v", err)
		}
		if _, err := Parse(out); err != nil {
			t.Fatalf("Parse of a written document: %v", err)
		}
	})
}

// A statement's Extension travels in the last line of status_notes, after
// any notes of its own, and comes back; the "x_embargo" member that
// Embargo wrote before is still read.
func TestExtension(t *testing.T) {
	ts := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d := Document{Context: Context, ID: "https://psirt.example.com/vex/1", Author: "PSIRT", Timestamp: ts, Version: 1,
		Statements: []Statement{
			{Vulnerability: Vulnerability{Name: "CVE-2022-32149"}, Products: []Product{{Component: Component{ID: "pkg:golang/golang.org/x/text"}}},
				Status: StatusFixed, StatusNotes: "fixed in 0.3.8\nsee the advisory", Extension: map[string]string{"author": "Other", "cdx_state": "resolved_with_pedigree"}},
			{Vulnerability: Vulnerability{Name: "CVE-2022-32150"}, Products: []Product{{Component: Component{ID: "pkg:golang/golang.org/x/net"}}},
				Status: StatusUnderInvestigation, Extension: map[string]string{"author": ""}},
			{Vulnerability: Vulnerability{Name: "CVE-2022-32151"}, Products: []Product{{Component: Component{ID: "pkg:golang/golang.org/x/sys"}}},
				Status: StatusUnderInvestigation, StatusNotes: "no extension"},
		}}
	b, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("x_embargo")) {
		t.Errorf("the written document has an x_embargo member:\n%s", b)
	}
	if want := `"status_notes": "fixed in 0.3.8\nsee the advisory\n` + ExtensionPrefix + `{\"author\":\"Other\",\"cdx_state\":\"resolved_with_pedigree\"}"`; !bytes.Contains(b, []byte(want)) {
		t.Errorf("the written document lacks %s:\n%s", want, b)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	old := bytes.Replace(b, []byte(`"status_notes": "no extension"`), []byte(`"status_notes": "no extension", "x_embargo": {"author": "Legacy"}`), 1)
	got, err = Parse(old)
	if err != nil {
		t.Fatal(err)
	}
	if got.Statements[2].Extension["author"] != "Legacy" || got.Statements[2].StatusNotes != "no extension" {
		t.Errorf("the x_embargo member was not read: %+v", got.Statements[2])
	}
	bad := bytes.Replace(b, []byte(ExtensionPrefix+`{`), []byte(ExtensionPrefix+`{{`), 1)
	if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "embargo-vex-extension") {
		t.Errorf("a broken extension line: %v", err)
	}
}
