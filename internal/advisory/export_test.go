package advisory_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/format/cve5"
	"github.com/embargohq/embargo/internal/format/openvex"
	"github.com/embargohq/embargo/internal/format/osv"
	"github.com/embargohq/embargo/internal/modtest"
	"github.com/embargohq/embargo/internal/severity/cvss"
)

// cveSchemaDir is where Debian's python3-cvelib installs the official CVE
// JSON 5.0.0 schemas (CI installs the package; see .ci/run).
const cveSchemaDir = "/usr/lib/python3/dist-packages/cvelib/schemas"

var cna = advisory.CNAInfo{OrgID: "b3476cb9-2e3d-41a6-98d0-0f47421a65b6", ShortName: "huarui"}

// exportContent is an advisory that every format can carry.
func exportContent() advisory.Content {
	ct := published()[0].Content
	ct.References = ct.References[:1] // no exploit link
	return ct
}

// exportCase is one advisory to export, and what each format says of it:
// "" for a document that validates, else a part of the error.
type exportCase struct {
	name string
	revs []advisory.Revision
	err  map[string]string // by format: cve5, osv, openvex
}

func exportCases() []exportCase {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	rev := func(edit func(*advisory.Content)) []advisory.Revision {
		ct := exportContent()
		if edit != nil {
			edit(&ct)
		}
		return []advisory.Revision{{Number: 1, Kind: advisory.Release, Content: ct, PublishedAt: at}}
	}
	withdrawn := append(rev(nil), advisory.Revision{Number: 2, Kind: advisory.Withdrawal, Content: exportContent(),
		PublishedAt: at.Add(72 * time.Hour), Note: advisory.Text{ZH: "经复核不构成漏洞", EN: "Not a vulnerability after review"}})
	return []exportCase{
		{name: "CVSS 3.1, fixed, credits", revs: published()[:1:1], err: map[string]string{"cve5": "exploit link", "osv": "exploit link"}},
		{name: "CVSS 3.1 without the exploit link", revs: rev(nil)},
		{name: "updated twice", revs: append(rev(nil), advisory.Revision{Number: 2, Kind: advisory.Update, Content: exportContent(), PublishedAt: at.Add(time.Hour)})},
		{name: "CVSS 4.0, no fix, ranges", revs: rev(func(ct *advisory.Content) {
			ct.CVSS = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
			ct.Affected = []advisory.Affected{{Product: "华睿交换机", Versions: "<3.0"}, {Product: "华睿交换机", Model: "S5", Versions: "2.x || >=4.0 <=4.2 || 5.0.1"}}
			ct.Remediation, ct.Workarounds = advisory.Text{}, advisory.Text{}
		})},
		{name: "every version, fixed in 3.0, no credits, no CVSS", revs: rev(func(ct *advisory.Content) {
			ct.Affected = []advisory.Affected{{Product: "华睿网关", Versions: "*", Fixed: "3.0, 2.9.9"}}
			ct.Credits, ct.CVSS, ct.Grade, ct.CWE = nil, "", "", ""
		})},
		{name: "CVSS 3.0, a patch reference", revs: rev(func(ct *advisory.Content) {
			ct.CVSS = "CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N"
			ct.References = append(ct.References, advisory.Reference{URL: "https://psirt.example.cn/patches/7", Kind: "patch"},
				advisory.Reference{URL: "https://news.example.com/r4500", Kind: "article"})
		})},
		{name: "Chinese only", revs: rev(func(ct *advisory.Content) {
			for _, t := range []*advisory.Text{&ct.Title, &ct.Summary, &ct.Description, &ct.Impact, &ct.Remediation, &ct.Workarounds} {
				t.EN = ""
			}
		}), err: map[string]string{"cve5": "no English description"}},
		{name: "no CVE alias", revs: rev(func(ct *advisory.Content) { ct.Aliases = []string{"CNVD-2026-00042"} }),
			err: map[string]string{"cve5": "the advisory has no CVE ID; CVE JSON needs one"}},
		{name: "withdrawn", revs: withdrawn, err: map[string]string{"openvex": "withdrawn"}},
		{name: "no reference", revs: rev(func(ct *advisory.Content) { ct.References = nil }), err: map[string]string{"cve5": "no reference"}},
		{name: "an exclusive lower bound", revs: rev(func(ct *advisory.Content) { ct.Affected[0].Versions = ">1.0" }),
			err: map[string]string{"cve5": "exclusive lower bound", "osv": "exclusive lower bound", "openvex": "exclusive lower bound"}},
		{name: "a bad CVSS vector", revs: rev(func(ct *advisory.Content) { ct.CVSS = "CVSS:3.1/AV:N" }),
			err: map[string]string{"cve5": "CVSS", "osv": "CVSS"}},
		{name: "not published", err: map[string]string{"cve5": "not published", "osv": "not published", "openvex": "not published"}},
	}
}

// exports writes a case in every format, as JSON.
func exports(c exportCase) map[string]func() ([]byte, error) {
	pub := advisory.Public{Ref: "EMB-2026-0001-SA", Publisher: "华睿网络 PSIRT", Revisions: c.revs}
	return map[string]func() ([]byte, error){
		"cve5": func() ([]byte, error) { return marshal(advisory.ToCVE5(pub, cna)) },
		"osv":  func() ([]byte, error) { return marshal(advisory.ToOSV(pub)) },
		"openvex": func() ([]byte, error) {
			d, err := advisory.ToOpenVEX(pub, "https://psirt.example.cn", "en")
			if err != nil {
				return nil, err
			}
			return openvex.Marshal(d)
		},
	}
}

func marshal[T any](v T, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(v, "", "  ")
}

// TestExportsValidate writes every case in every format and validates
// each document against the official schema: CVE JSON 5.0.0 for the
// whole record and for the CNA container alone (CVE-1), OSV 1.9.0 (OSV-1);
// OpenVEX, which has no schema here, by our reader's checks. What cannot
// be written is refused with a clear error.
func TestExportsValidate(t *testing.T) {
	osvSchema := mustSchema(t, modtest.Path(t, "github.com/ossf/osv-schema@v1.9.0", "validation/schema.json"))
	cveRecord := mustSchema(t, filepath.Join(cveSchemaDir, "CVE_JSON_5.0_bundled_5.0.0.json"))
	cvePublished := mustSchema(t, filepath.Join(cveSchemaDir, "published_cna_container_5.0.0.json"))
	cveRejected := mustSchema(t, filepath.Join(cveSchemaDir, "rejected_cna_container_5.0.0.json"))
	for _, c := range exportCases() {
		for format, write := range exports(c) {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				b, err := write()
				if want := c.err[format]; want != "" || err != nil {
					if err == nil || want == "" || !strings.Contains(err.Error(), want) {
						t.Fatalf("error %v, want one saying %q", err, want)
					}
					return
				}
				switch format {
				case "cve5":
					mustValidate(t, cveRecord, b)
					var r struct {
						Containers struct{ CNA json.RawMessage } `json:"containers"`
					}
					if err := json.Unmarshal(b, &r); err != nil {
						t.Fatal(err)
					}
					if strings.Contains(string(b), `"REJECTED"`) {
						mustValidate(t, cveRejected, r.Containers.CNA)
					} else {
						mustValidate(t, cvePublished, r.Containers.CNA)
					}
					if _, err := cve5.Parse(b); err != nil {
						t.Errorf("our reader refuses it: %v", err)
					}
				case "osv":
					mustValidate(t, osvSchema, b)
					if _, err := osv.Parse("osv.json", b); err != nil {
						t.Errorf("our reader refuses it: %v", err)
					}
				case "openvex":
					if _, err := openvex.Parse(b); err != nil {
						t.Errorf("our reader refuses it: %v", err)
					}
				}
			})
		}
	}
}

// mustSchema compiles a JSON schema file, with formats asserted; an
// absent file skips the test, or fails it in CI.
func mustSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		modtest.Unavailable(t, path+" (apt-get install python3-cvelib; go mod download github.com/ossf/osv-schema@v1.9.0)")
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "file://" + filepath.ToSlash(path)
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustValidate(t *testing.T, s *jsonschema.Schema, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("%s does not validate: %v\n%s", s.Location, err, b)
	}
}

// The checks can fail: a record without an English description, or an
// OSV record with an ID the schema does not know, is refused.
func TestExportSchemasRefuse(t *testing.T) {
	osvSchema := mustSchema(t, modtest.Path(t, "github.com/ossf/osv-schema@v1.9.0", "validation/schema.json"))
	cvePublished := mustSchema(t, filepath.Join(cveSchemaDir, "published_cna_container_5.0.0.json"))
	for _, tc := range []struct {
		name   string
		schema *jsonschema.Schema
		doc    string
	}{
		{"CNA container in Chinese only", cvePublished, `{"providerMetadata":{"orgId":"b3476cb9-2e3d-41a6-98d0-0f47421a65b6"},
			"descriptions":[{"lang":"zh","value":"命令注入"}],"affected":[{"vendor":"v","product":"p","defaultStatus":"affected"}],
			"references":[{"url":"https://example.com"}]}`},
		{"OSV ID without a known prefix", osvSchema, `{"id":"EMB-2026-0001-SA","modified":"2026-11-20T08:00:00Z"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if tc.schema.Validate(inst) == nil {
				t.Error("the schema accepted it")
			}
		})
	}
}

// What the CVE record says: its ID and state, the versions, the score
// (our scorer's), the grade, the languages in order, the tags.
func TestToCVE5(t *testing.T) {
	c := exportCases()[1]
	r, err := advisory.ToCVE5(advisory.Public{Ref: "EMB-2026-0001-SA", Publisher: "华睿网络 PSIRT", Revisions: c.revs}, cna)
	if err != nil {
		t.Fatal(err)
	}
	cnaC := r.Containers.CNA
	var score struct {
		BaseScore    float64 `json:"baseScore"`
		BaseSeverity string  `json:"baseSeverity"`
		Vector       string  `json:"vectorString"`
	}
	if err := json.Unmarshal(cnaC.Metrics[0].CVSSv3_1, &score); err != nil {
		t.Fatal(err)
	}
	v, err := cvss.Parse(exportContent().CVSS)
	if err != nil {
		t.Fatal(err)
	}
	s := v.Score()
	var langs []string
	for _, d := range cnaC.Descriptions {
		langs = append(langs, d.Lang)
	}
	got := map[string]any{"id": r.Metadata.ID, "state": r.Metadata.State, "org": cnaC.ProviderMetadata.OrgID,
		"langs": langs, "score": score.BaseScore, "severity": score.BaseSeverity, "vector": score.Vector,
		"grade": cnaC.Metrics[1].Other.Content["grade"], "cwe": cnaC.ProblemTypes[0].Descriptions[0].CWEID,
		"versions": cnaC.Affected, "tags": cnaC.References[0].Tags, "public": cnaC.DatePublic.Format(time.RFC3339)}
	want := map[string]any{"id": "CVE-2026-12345", "state": "PUBLISHED", "org": cna.OrgID, "langs": []string{"en", "zh"},
		"score": s.Base, "severity": strings.ToUpper(string(s.BaseSeverity)), "vector": s.Vector, "grade": "high", "cwe": "CWE-78",
		"versions": []cve5.OutAffected{
			{Vendor: "华睿网络 PSIRT", Product: "华睿路由器 R4500", DefaultStatus: "unknown",
				Versions: []cve5.Version{{Version: "2.1.4", Status: "affected"}, {Version: "2.1.5", Status: "unaffected"}}},
			{Vendor: "华睿网络 PSIRT", Product: "华睿路由器 R4500", DefaultStatus: "unknown",
				Versions: []cve5.Version{{Version: "1.0.0", Status: "affected", VersionType: "custom", LessThan: "2.0.0"}}},
		},
		"tags": []string{"vendor-advisory"}, "public": "2026-11-20T08:00:00Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if score.BaseScore != 9.8 || score.BaseSeverity != "CRITICAL" {
		t.Errorf("score %v %s, want 9.8 CRITICAL", score.BaseScore, score.BaseSeverity)
	}

	// A withdrawal rejects the CVE, with the note as the reason.
	w, err := advisory.ToCVE5(advisory.Public{Ref: "EMB-2026-0001-SA", Revisions: exportCases()[8].revs}, cna)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cve5.Description{{Lang: "en", Value: "Not a vulnerability after review"}, {Lang: "zh", Value: "经复核不构成漏洞"}},
		w.Containers.CNA.RejectedReasons); diff != "" || w.Metadata.State != "REJECTED" {
		t.Errorf("withdrawn: state %s, reasons (-want +got):\n%s", w.Metadata.State, diff)
	}
	if _, err := advisory.ToCVE5(advisory.Public{Ref: "EMB-2026-0001-SA", Revisions: c.revs}, advisory.CNAInfo{OrgID: "huarui"}); err == nil || !strings.Contains(err.Error(), "not a UUID") {
		t.Errorf("an orgId that is no UUID: %v", err)
	}
}

// What the OSV record says: the x_ ID, the aliases, the severity, the
// versions, the reference types, and `withdrawn` for a withdrawn advisory.
func TestToOSV(t *testing.T) {
	cases := exportCases()
	r, err := advisory.ToOSV(advisory.Public{Ref: "EMB-2026-0001-SA", Publisher: "华睿网络 PSIRT", Revisions: cases[5].revs})
	if err != nil {
		t.Fatal(err)
	}
	var db struct {
		Affected []advisory.OSVProduct `json:"affected"`
	}
	if err := json.Unmarshal(r.DatabaseSpecific, &db); err != nil {
		t.Fatal(err)
	}
	got := map[string]any{"id": r.ID, "aliases": r.Aliases, "severity": r.Severity, "summary": r.Summary,
		"affected": db.Affected, "refs": r.References, "credits": r.Credits, "withdrawn": r.Withdrawn.IsZero()}
	want := map[string]any{"id": "x_EMB-2026-0001-SA", "aliases": []string{"CVE-2026-12345", "CNVD-2026-00042"},
		"severity": []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:N/A:N"}},
		"summary":  "Command injection in the web interface of the Huarui R4500 router",
		"affected": []advisory.OSVProduct{
			{Vendor: "华睿网络 PSIRT", Product: "华睿路由器 R4500", Affected: "2.1.4", Versions: []string{"2.1.4"}, Fixed: []string{"2.1.5"}},
			{Vendor: "华睿网络 PSIRT", Product: "华睿路由器 R4500", Affected: ">=1.0.0 <2.0.0"},
		},
		"refs": []osv.Reference{{Type: "ADVISORY", URL: "https://psirt.example.cn/advisories/1"},
			{Type: "FIX", URL: "https://psirt.example.cn/patches/7"}, {Type: "ARTICLE", URL: "https://news.example.com/r4500"}},
		"credits": []osv.Credit{{Name: "王芳", Type: "FINDER"}}, "withdrawn": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	w, err := advisory.ToOSV(advisory.Public{Ref: "EMB-2026-0001-SA", Revisions: cases[8].revs})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.Withdrawn.Format(time.RFC3339); got != "2026-11-23T08:00:00Z" {
		t.Errorf("withdrawn %s, want the withdrawal's time", got)
	}
	zh, err := advisory.ToOSV(advisory.Public{Ref: "EMB-2026-0001-SA", Revisions: cases[6].revs})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(zh.Details, "远程攻击者") || !strings.HasPrefix(zh.Summary, "华睿路由器") {
		t.Errorf("a Chinese-only advisory: summary %q, details %q", zh.Summary, zh.Details)
	}
}

// What the OpenVEX document says: affected statements with the
// remediation, fixed statements, a range in status_notes.
func TestToOpenVEX(t *testing.T) {
	d, err := advisory.ToOpenVEX(advisory.Public{Ref: "EMB-2026-0001-SA", Publisher: "Huarui", Revisions: exportCases()[1].revs},
		"https://psirt.example.cn/", "en")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range d.Statements {
		got = append(got, strings.Join([]string{s.Vulnerability.Name, s.Products[0].ID, s.Status, s.ActionStatement, s.StatusNotes}, " | "))
	}
	want := []string{
		"CVE-2026-12345 | pkg:generic/Huarui/%E5%8D%8E%E7%9D%BF%E8%B7%AF%E7%94%B1%E5%99%A8%20R4500@2.1.4 | affected | Upgrade to 2.1.5. | ",
		"CVE-2026-12345 | pkg:generic/Huarui/%E5%8D%8E%E7%9D%BF%E8%B7%AF%E7%94%B1%E5%99%A8%20R4500@2.1.5 | fixed |  | ",
		"CVE-2026-12345 | pkg:generic/Huarui/%E5%8D%8E%E7%9D%BF%E8%B7%AF%E7%94%B1%E5%99%A8%20R4500 | affected | Upgrade to 2.1.5. | versions: >=1.0.0 <2.0.0",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statements (-want +got):\n%s", diff)
	}
	if d.ID != "https://psirt.example.cn/advisories/EMB-2026-0001-SA/openvex/1" {
		t.Errorf("@id %s", d.ID)
	}
	if _, err := advisory.ToOpenVEX(advisory.Public{Ref: "EMB-2026-0001-SA", Revisions: exportCases()[1].revs}, "", "en"); err == nil {
		t.Error("a document without a namespace was written")
	}
}

var update = flag.Bool("update", false, "rewrite the golden exports in testdata/export")

// TestExportGolden compares the exports of one advisory in every format
// with the files in testdata/export (go test -run TestExportGolden
// -update rewrites them), so that a change of output shows in review.
func TestExportGolden(t *testing.T) {
	pub := advisory.Public{Ref: "EMB-2026-0001-SA", Publisher: "华睿网络 PSIRT", Revisions: exportCases()[1].revs}
	opt := advisory.ExportOptions{Lang: "en", Namespace: "https://psirt.example.cn", CNA: cna}
	for _, format := range advisory.ExportFormats {
		t.Run(format, func(t *testing.T) {
			got, err := advisory.Export(pub, format, opt)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "export", format+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
	if _, err := advisory.Export(pub, "pdf", opt); err == nil || !strings.Contains(err.Error(), "one of csaf, cve5, osv, openvex") {
		t.Errorf("an unknown format: %v", err)
	}
}
