package exposure

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/google/go-cmp/cmp"
)

// ReadVEX sniffs each format, reads what the writers write, and refuses
// what is not a VEX document or holds an invalid statement.
func TestReadVEX(t *testing.T) {
	want := everyCombination()[:6]
	written := map[string]string{}
	for _, f := range VEXFormats {
		b, err := WriteVEX(f, vexDoc, want)
		if err != nil {
			t.Fatal(err)
		}
		written[f] = string(b)
	}
	// CycloneDX lets an analysis say not_affected without a reason; the
	// shared rules do not (VEXStatement.Validate).
	const invalid = `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
		"components":[{"type":"library","bom-ref":"c1","name":"x/net","purl":"pkg:golang/golang.org/x/net@v0.1.0"}],
		"vulnerabilities":[{"id":"CVE-2022-41723","analysis":{"state":"not_affected"},"affects":[{"ref":"c1"}]}]}`
	tests := []struct {
		name, doc  string
		wantFormat string
		wantCode   string // the errs.Coded code, when refused
	}{
		{"openvex", written[VEXOpenVEX], VEXOpenVEX, ""},
		{"csaf", written[VEXCSAF], VEXCSAF, ""},
		{"cyclonedx", written[VEXCycloneDX], VEXCycloneDX, ""},
		{"not JSON", "hello", "", "vex.format"},
		{"an OSV record", `{"id":"GO-2024-0001","modified":"2024-01-01T00:00:00Z"}`, "", "vex.format"},
		{"CSAF advisory, not csaf_vex", strings.Replace(written[VEXCSAF], `"csaf_vex"`, `"csaf_security_advisory"`, 1), "", "vex.format"},
		{"no statements", `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1}`, "", "vex.format"},
		{"not_affected without a reason", invalid, "", "vex.invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			format, got, err := ReadVEX([]byte(tc.doc))
			if tc.wantCode != "" {
				if code, _ := errs.CodeOf(err); !errs.Is(err, errs.Invalid) || code != tc.wantCode || got != nil {
					t.Errorf("ReadVEX = %d statements, %v (code %q); want Invalid, %s, nothing", len(got), err, code, tc.wantCode)
				}
				return
			}
			if err != nil || format != tc.wantFormat {
				t.Fatalf("ReadVEX = %q, %v; want %q", format, err, tc.wantFormat)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
}

// The OASIS csaf_vex examples read as CSAF, each with its statements.
func TestReadVEXOASISExamples(t *testing.T) {
	dir := csafConformance(t)
	files, _ := filepath.Glob(filepath.Join(dir, "examples", "csaf", "csaf_vex", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		format, ss, err := ReadVEX(b)
		if err != nil || format != VEXCSAF || len(ss) == 0 {
			t.Errorf("%s: ReadVEX = %q, %d statements, %v", filepath.Base(f), format, len(ss), err)
		}
	}
}

// FuzzReadVEX reads arbitrary bytes as a VEX document: no panic, and what
// it accepts is valid and writes again in every format.
func FuzzReadVEX(f *testing.F) {
	for _, format := range VEXFormats {
		b, _ := WriteVEX(format, vexDoc, everyCombination()[:4])
		f.Add(b)
	}
	f.Add([]byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, ss, err := ReadVEX(b)
		if err != nil {
			return
		}
		for _, format := range VEXFormats {
			if _, err := WriteVEX(format, vexDoc, ss); err != nil {
				t.Fatalf("statements ReadVEX accepted do not write as %s: %v", format, err)
			}
		}
	})
}
