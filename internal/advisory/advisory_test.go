package advisory

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/errs"
)

// The preview has the GB/T 28458 sections in order, in the language
// asked, and leaves out the empty ones.
func TestPreview(t *testing.T) {
	ct := Content{Title: Text{ZH: "命令注入", EN: "Command injection"}, Description: Text{ZH: "描述", EN: "Description"},
		Affected: []Affected{{Product: "AX3000", Versions: "<1.0.4", Fixed: "1.0.4"}}, Grade: "high", CVSS: "CVSS:3.1/AV:N",
		CWE: "CWE-78", Remediation: Text{ZH: "升级。\n重启。", EN: "Upgrade."}, Credits: []Credit{{Name: "张三"}},
		References: []Reference{{URL: "https://www.cve.org/CVERecord?id=CVE-2027-0001", Kind: "advisory"}}, Aliases: []string{"CVE-2027-0001"}}
	revs := []Revision{{Number: 1, Kind: Release, Note: Text{ZH: "首次发布", EN: "Initial release"},
		PublishedAt: time.Date(2027, 1, 2, 2, 0, 0, 0, time.UTC)}}
	tests := []struct {
		lang string
		want Page
	}{
		{"zh-CN", Page{Lang: "zh-CN", Title: "命令注入", Ref: "SA-1", Sections: []Section{
			{"漏洞编号", []string{"CVE-2027-0001"}}, {"漏洞描述", []string{"描述"}}, {"影响范围", []string{"AX3000 <1.0.4（已修复版本：1.0.4）"}},
			{"危害等级", []string{"高危 (GB/T 30279)", "CVSS:3.1/AV:N"}}, {"漏洞类型", []string{"CWE-78"}}, {"解决方案", []string{"升级。", "重启。"}},
			{"致谢", []string{"张三"}}, {"参考链接", []string{"https://www.cve.org/CVERecord?id=CVE-2027-0001"}},
			{"发布时间", []string{"2027-01-02 10:00 CST (2027-01-02 02:00 UTC)"}},
			{"修订历史", []string{"#1 · 2027-01-02 10:00 CST (2027-01-02 02:00 UTC) · 发布 首次发布"}}}}},
		{"fr", Page{Lang: "en", Title: "Command injection", Ref: "SA-1", Sections: []Section{
			{"Identifiers", []string{"CVE-2027-0001"}}, {"Description", []string{"Description"}},
			{"Affected products and versions", []string{"AX3000 <1.0.4 (fixed in 1.0.4)"}},
			{"Severity", []string{"High (GB/T 30279)", "CVSS:3.1/AV:N"}}, {"Vulnerability type", []string{"CWE-78"}},
			{"Remediation", []string{"Upgrade."}}, {"Credits", []string{"张三"}},
			{"References", []string{"https://www.cve.org/CVERecord?id=CVE-2027-0001"}},
			{"Published", []string{"2027-01-02 10:00 CST (2027-01-02 02:00 UTC)"}},
			{"Revision history", []string{"#1 · 2027-01-02 10:00 CST (2027-01-02 02:00 UTC) · Release Initial release"}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Preview("SA-1", ct, tc.lang, revs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		ct   Content
		code string
	}{
		{"fine", Content{Title: Text{ZH: " 标题 "}, Grade: "low"}, ""},
		{"no title", Content{Grade: "low"}, "advisory.title"},
		{"unknown grade", Content{Title: Text{EN: "t"}, Grade: "severe"}, "advisory.grade"},
		{"unknown reference kind", Content{Title: Text{EN: "t"}, References: []Reference{{URL: "x", Kind: "blog"}}}, "advisory.reference"},
		{"title too long", Content{Title: Text{EN: string(make([]byte, 301))}}, "advisory.field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _ := errs.CodeOf(tc.ct.Check())
			if code != tc.code {
				t.Errorf("Check() code %q, want %q", code, tc.code)
			}
		})
	}
}
