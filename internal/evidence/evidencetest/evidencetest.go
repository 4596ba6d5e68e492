// Package evidencetest provides a complete, consistent evidence pack and a
// fixed signing key for the tests of the evidence package and its callers,
// and for the examples in docs/evidence.md.
package evidencetest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/embargohq/embargo/internal/evidence"
	"github.com/embargohq/embargo/internal/keyring"
)

// InstanceKey returns a fixed instance key (its secret is the bytes 0 to
// 31), so that signatures in golden files stay the same. Never use it
// outside tests.
func InstanceKey() *keyring.Key {
	secret := make([]byte, 32)
	for i := range secret {
		secret[i] = byte(i)
	}
	k, err := keyring.ParseKey([]byte("embargo-instance-key-v1:" + base64.StdEncoding.EncodeToString(secret)))
	if err != nil {
		panic(err) // a fixed, well-formed key
	}
	return k
}

// hash returns the hex SHA-256 of s: a stand-in for a record's hash.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// at returns the UTC time of a Beijing wall-clock time in March 2026.
func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.March, day, hour, minute, 0, 0, time.FixedZone("CST", 8*3600)).UTC()
}

// Pack returns a consistent pack for case EMB-2026-0001 (a provider's
// case, T0 on 2 March 2026 09:30 Beijing time, generated on 4 March 18:00)
// with seven duties in every state (three met), one NVDB submission, two
// sharing decisions and a timeline. Each call returns a fresh copy that the caller may change.
func Pack() evidence.Pack {
	t0 := at(2, 9, 30)
	p := evidence.New(at(4, 18, 0))
	p.Instance = "embargo.example.cn"
	p.Organisation = "示例网络设备有限公司 (Example Networks Co., Ltd.)"
	p.Case = evidence.Case{Ref: "EMB-2026-0001", Title: "路由器 X Web 管理界面命令注入漏洞 (command injection in the Router X web UI)",
		Kind: evidence.Provider, T0: t0, T0Source: "report:R-7Q2M-4K9P", Status: "remediating", Grade: "high",
		Aliases: []string{"CNVD-2026-01234", "CVE-2026-12345"}}
	p.Duties = duties(t0)
	p.Submissions = []evidence.Submission{{Document: "NVDB 漏洞报送 (report to the MIIT platform), version 1", Destination: "工业和信息化部网络安全威胁和漏洞信息共享平台 (NVDB)",
		SnapshotSHA256: hash("nvdb snapshot v1"), SubmittedAt: at(3, 14, 10), By: "li.wei@example.cn", Channel: "web form", PlatformRef: "NVDB-2026-0302-0417"}}
	p.SharingDecisions = []evidence.SharingDecision{
		{Recipient: "Upstream Web Toolkit Project", Country: "US", Decision: evidence.Allowed, LegalRef: "LEGAL-2026-007 (product provider, RMSV Art. 9(7))", DecidedBy: "wang.fang@example.cn", DecidedAt: at(2, 15, 0)},
		{Recipient: "Foreign security researcher mailing list", Country: "DE", Decision: evidence.Blocked, DecidedBy: "wang.fang@example.cn", DecidedAt: at(4, 11, 0)},
	}
	p.Timeline = []evidence.Event{
		{At: t0, Actor: "system", Action: "report.received", Detail: "report R-7Q2M-4K9P by e-mail"},
		{At: at(2, 10, 5), Actor: "li.wei@example.cn", Action: "case.transition", Detail: "received → verifying"},
		{At: at(2, 16, 40), Actor: "li.wei@example.cn", Action: "notice.sent", Detail: "upstream provider notified"},
		{At: at(3, 11, 0), Actor: "li.wei@example.cn", Action: "case.transition", Detail: "verifying → confirmed (grade high)"},
		{At: at(3, 14, 10), Actor: "li.wei@example.cn", Action: "submission.recorded", Detail: "NVDB-2026-0302-0417"},
		{At: at(4, 9, 0), Actor: "zhang.min@example.cn", Action: "case.transition", Detail: "confirmed → remediating"},
	}
	p.AuditHead = evidence.ChainHead{Seq: 48213, Hash: hash("audit head")}
	return p
}

// duties returns the case's eight duties.
func duties(t0 time.Time) []evidence.Duty {
	return []evidence.Duty{
		{Regime: "CN-RMSV", Code: "cn.verify", Requirement: "CN-07-2", Title: "立即组织验证 Start verification at once",
			DueAt: t0.Add(24 * time.Hour), State: evidence.Met, MetAt: at(2, 10, 5), Evidence: []evidence.Item{
				{Kind: evidence.KindTransition, Reference: "audit:48021", At: at(2, 10, 5), SHA256: hash("audit 48021"), Description: "received → verifying"}}},
		{Regime: "CN-RMSV", Code: "cn.upstream_notice", Requirement: "CN-07-4", Title: "立即通知上游产品提供者 Notify the upstream provider at once",
			DueAt: t0.Add(24 * time.Hour), State: evidence.Met, MetAt: at(2, 16, 40), Evidence: []evidence.Item{
				{Kind: evidence.KindDecision, Reference: "LEGAL-2026-007", At: at(2, 15, 0), SHA256: hash("legal 7"), Description: "sharing with the upstream provider allowed"},
				{Kind: evidence.KindNotice, Reference: "notice:12", At: at(2, 16, 40), SHA256: hash("notice 12"), Description: "e-mail to security@upstream.example.org"}}},
		{Regime: "CN-RMSV", Code: "cn.nvdb_report", Requirement: "CN-07-5", Title: "2日内向工业和信息化部网络安全威胁和漏洞信息共享平台报送 Report to the MIIT platform within 2 days",
			DueAt: t0.Add(48 * time.Hour), State: evidence.Met, MetAt: at(3, 14, 10), Evidence: []evidence.Item{
				{Kind: evidence.KindSubmission, Reference: "NVDB-2026-0302-0417", At: at(3, 14, 10), SHA256: hash("nvdb snapshot v1"), Description: "report package, version 1"}}},
		{Regime: "CN-RMSV", Code: "cn.user_notice", Requirement: "CN-07-9", Title: "告知可能受影响的产品用户 Tell affected users",
			State: evidence.NotApplicable, NotApplicableReason: "修复通过自动更新推送，用户无需操作 (the fix ships by automatic update; users need not act)", NotApplicableApprover: "wang.fang@example.cn"},
		{Regime: "CN-RMSV", Code: "cn.remediation_plan", Requirement: "CN-07-8", Title: "及时组织修补 Patch in time",
			DueAt: at(30, 9, 30), State: evidence.Pending},
		{Regime: "EU-CRA", Code: "eu.cra_early_warning", Requirement: "EU-CRA-14-2a", Title: "Early warning to the CSIRT and ENISA (24 hours)",
			DueAt: t0.Add(24 * time.Hour), State: evidence.Overdue},
		{Regime: "EU-CRA", Code: "eu.cra_notification", Requirement: "EU-CRA-14-2b", Title: "Vulnerability notification to the CSIRT and ENISA (72 hours)",
			DueAt: t0.Add(72 * time.Hour), State: evidence.DueSoon},
		// EU-14-6: open with half its evidence, the campaign delivered,
		// waiting for the published advisory (its CSAF document).
		{Regime: "EU-CRA", Code: "eu.user_notice", Requirement: "EU-14-6", Title: "告知受影响用户被积极利用的漏洞，并以机器可读格式（CSAF安全公告）提供 Inform the impacted users, machine-readably (CSAF)",
			DueAt: t0.Add(72 * time.Hour), State: evidence.DueSoon, Evidence: []evidence.Item{
				{Kind: evidence.KindNotice, Reference: "campaign:4", At: at(3, 18, 0), SHA256: hash("campaign 4"), Description: "notice campaign 4 delivered to 37 of 38 recipients"}}},
	}
}
