package advisory_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/format/csaf/validate"
	"github.com/embargohq/embargo/internal/modtest"
)

// published is an advisory released, then updated.
func published() []advisory.Revision {
	ct := advisory.Content{
		Title:       advisory.Text{ZH: "华睿路由器 R4500 Web 管理界面命令注入漏洞", EN: "Command injection in the web interface of the Huarui R4500 router"},
		Summary:     advisory.Text{ZH: "远程攻击者可执行任意命令。", EN: "A remote attacker can run any command."},
		Description: advisory.Text{ZH: "诊断页面未过滤参数。", EN: "The diagnostics page does not filter a parameter."},
		Impact:      advisory.Text{ZH: "完全控制设备。", EN: "Full control of the device."},
		Affected: []advisory.Affected{{Product: "华睿路由器", Model: "R4500", Versions: "2.1.4", Fixed: "2.1.5"},
			{Product: "华睿路由器", Model: "R4500", Versions: ">=1.0.0 <2.0.0"}},
		Grade: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CWE: "CWE-78",
		Remediation: advisory.Text{ZH: "升级到 2.1.5。", EN: "Upgrade to 2.1.5."},
		Workarounds: advisory.Text{ZH: "关闭远程管理。", EN: "Turn remote management off."},
		Credits:     []advisory.Credit{{Name: "王芳"}},
		References: []advisory.Reference{{URL: "https://psirt.example.cn/advisories/1", Kind: "advisory"},
			{URL: "https://exploit.example.org/r4500", Kind: "exploit"}},
		Aliases: []string{"CVE-2026-12345", "CNVD-2026-00042"},
	}
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	return []advisory.Revision{{Number: 1, Kind: advisory.Release, Content: ct, PublishedAt: at},
		{Number: 2, Kind: advisory.Update, Content: ct, PublishedAt: at.Add(48 * time.Hour), Note: advisory.Text{ZH: "补充临时缓解措施", EN: "Workaround added"}}}
}

var pub = advisory.CSAFPublisher{Name: "华睿网络 PSIRT", Namespace: "https://psirt.example.cn"}

// A published advisory written as CSAF, in both languages, is valid: the
// CSAF 2.0 schema and every mandatory test of §6.1 (our validator, which
// passes the OASIS test cases).
func TestToCSAFValidates(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "csaf-2.0", "json_schema")
	if _, err := os.Stat(filepath.Join(dir, validate.SchemaFile)); err != nil {
		modtest.Unavailable(t, "the CSAF 2.0 schema in ../shared/conformance")
	}
	schema, err := validate.LoadSchema(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			d, err := advisory.ToCSAF("EMB-2026-0001-SA", published(), pub, lang)
			if err != nil {
				t.Fatal(err)
			}
			b, err := csaf.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			vs, err := validate.Validate(b, schema)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				t.Errorf("%s", v)
			}
			if strings.Contains(string(b), "exploit.example.org") {
				t.Error("an exploit reference was published")
			}
			// The check can fail: a range written as a single version is
			// refused (6.1.31).
			broken := strings.Replace(string(b), `"product_version_range"`, `"product_version"`, 1)
			if vs, _ := validate.Validate([]byte(broken), schema); !slices.Contains(validate.Failed(vs), "6.1.31") {
				t.Errorf("a version range as a product_version passed: %v", vs)
			}
		})
	}
}

// What the document says: its tracking, the products and their status,
// the score, and the withdrawn advisory that has nothing to export.
func TestToCSAF(t *testing.T) {
	d, err := advisory.ToCSAF("EMB-2026-0001-SA", published(), pub, "en")
	if err != nil {
		t.Fatal(err)
	}
	v := d.Vulnerabilities[0]
	var score struct {
		BaseScore    float64 `json:"baseScore"`
		BaseSeverity string  `json:"baseSeverity"`
	}
	if err := json.Unmarshal(v.Scores[0].CVSSv3, &score); err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"version":  d.Document.Tracking.Version,
		"history":  len(d.Document.Tracking.RevisionHistory),
		"initial":  d.Document.Tracking.InitialReleaseDate.Format(time.RFC3339),
		"cve":      v.CVE,
		"ids":      v.IDs[0].SystemName + " " + v.IDs[0].Text,
		"affected": strings.Join(v.ProductStatus.KnownAffected, " "),
		"fixed":    strings.Join(v.ProductStatus.Fixed, " "),
		"score":    score.BaseScore,
		"severity": score.BaseSeverity,
		"range":    d.ProductTree.Branches[0].Branches[1].Branches[0].Category + " " + d.ProductTree.Branches[0].Branches[1].Branches[0].Name,
		"thanks":   d.Document.Acknowledgments[0].Names[0],
		"lang":     d.Document.Lang,
	}
	want := map[string]any{"version": "2", "history": 2, "initial": "2026-11-20T08:00:00Z", "cve": "CVE-2026-12345",
		"ids": "CNVD CNVD-2026-00042", "affected": "CSAFPID-0001 CSAFPID-0003", "fixed": "CSAFPID-0002",
		"score": 9.8, "severity": "CRITICAL", "range": "product_version_range >=1.0.0 <2.0.0", "thanks": "王芳", "lang": "en"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	withdrawn := append(published(), advisory.Revision{Number: 3, Kind: advisory.Withdrawal, PublishedAt: time.Now()})
	if _, err := advisory.ToCSAF("EMB-2026-0001-SA", withdrawn, pub, "en"); err == nil || !strings.Contains(err.Error(), "withdrawn") {
		t.Errorf("a withdrawn advisory: %v", err)
	}
	if _, err := advisory.ToCSAF("EMB-2026-0001-SA", nil, pub, "en"); err == nil {
		t.Error("an unpublished advisory was written")
	}
}
