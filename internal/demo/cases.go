package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
)

// plan is where the story takes one case.
type plan struct {
	key string // the finding it comes from, or an internal discovery
	// title and summary of an internal discovery; a promoted report's
	// come from the report.
	title, summary string
	t0             time.Duration // how long before the demo T0 lies
	to             casework.Status
	assess         *casework.Assessment
	nvdb           time.Duration // the NVDB report went in this long after T0; 0: not yet
	fix            *fixPlan
	upstream       bool // the root cause is the chipset vendor's SDK (CN-07-4)
}

// fixPlan is a case's remediation: one fixed version for every affected
// version, available this long before the demo (0: still in progress).
type fixPlan struct {
	fixed     string
	available time.Duration
}

// The GB/T 30279-2020 category codes are derived from the CWE.
var plans = []plan{
	{key: "cmdi", t0: 45 * day, to: casework.Closed, nvdb: 20 * time.Hour, fix: &fixPlan{"3.2.2", 2 * day},
		assess: &casework.Assessment{Grade: "high", CWE: "CWE-78", CVSS: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
			Scope: []casework.Affected{{Product: router, Model: "AR3200", Versions: ">=3.2.0 <3.2.2"},
				{Product: router, Model: "AR5600", Versions: ">=3.2.0 <3.2.2"}}}},
	{key: "snmp", t0: 30 * day, to: casework.Published, nvdb: 30 * time.Hour, fix: &fixPlan{"5.1.4", 36 * time.Hour},
		assess: &casework.Assessment{Grade: "high", CWE: "CWE-121", CVSS: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			Scope: []casework.Affected{{Product: switches, Model: "S7700", Versions: "<5.1.4"},
				{Product: switches, Model: "S5735", Versions: "<5.1.4"}}}},
	{key: "ike", t0: 16 * day, to: casework.Fixed, nvdb: 26 * time.Hour, fix: &fixPlan{"6.1.0", day},
		assess: &casework.Assessment{Grade: "high", CWE: "CWE-20", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
			Scope: []casework.Affected{{Product: firewall, Model: "USG6300", Versions: "<6.1.0"}}}},
	{key: "wifi", t0: 10 * day, to: casework.Remediating, nvdb: 40 * time.Hour, fix: &fixPlan{"3.2.3", 0}, upstream: true,
		assess: &casework.Assessment{Grade: "high", CWE: "CWE-125", CVSS: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:H",
			Scope: []casework.Affected{{Product: router, Model: "AR3200", Versions: "3.2.x"},
				{Product: router, Model: "AR5600", Versions: "3.2.x"}}}},
	{title: "S 系列交换机 SSH 服务提供已弃用的弱密钥交换算法 / SSH on S-series switches offers deprecated key exchange",
		summary: "内部模糊测试与基线扫描发现：S7700/S5735 的 SSH 服务默认启用 diffie-hellman-group1-sha1。\n\n" +
			"Found by internal fuzzing and baseline scans: the SSH service of S7700/S5735 enables diffie-hellman-group1-sha1 by default.",
		t0: 6 * day, to: casework.Confirmed, nvdb: 30 * time.Hour,
		assess: &casework.Assessment{Grade: "low", CWE: "CWE-327", CVSS: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N",
			Scope: []casework.Affected{{Product: switches, Model: "S7700", Versions: "*"}, {Product: switches, Model: "S5735", Versions: "*"}}}},
	{key: "xss", t0: 4 * day, to: casework.Verifying},
	{key: "defaultpw", t0: 8 * day, to: casework.Rejected},
	{key: "csrf", to: casework.Received},
}

// casework opens the story's cases (from their reports, or as internal
// discoveries), records when the organisation learned of each (T0,
// CN-07-1), assesses them (CN-07-3) and moves them as far as verifying,
// confirmed, remediating or rejected; fixes and advisories take them on.
func (w *world) casework(ctx context.Context) error {
	tri := w.as(access.Triager)
	for _, pl := range plans {
		c, err := w.open(ctx, pl)
		if err != nil {
			return fmt.Errorf("case %q: %w", pl.key, err)
		}
		if pl.to != casework.Received {
			for _, r := range []access.Role{access.Engineer, access.Publisher} {
				role := casework.Watcher
				if r == access.Engineer {
					role = casework.Assignee
				}
				if err := w.s.Cases.AddPerson(ctx, tri, c.ID, w.ids[r], role); err != nil {
					return err
				}
			}
		}
		if pl.assess != nil {
			if c, err = w.s.Cases.Assess(ctx, tri, c.ID, *pl.assess); err != nil {
				return fmt.Errorf("case %q: assess: %w", pl.key, err)
			}
		}
		if c, err = w.move(ctx, c, pl.to); err != nil {
			return fmt.Errorf("case %q: %w", pl.key, err)
		}
		w.cases[caseKey(pl)] = c
	}
	return nil
}

func caseKey(pl plan) string {
	if pl.key == "" {
		return "internal"
	}
	return pl.key
}

// open promotes pl's report to a case and puts T0 at the report's
// arrival, or opens an internal discovery with its T0.
func (w *world) open(ctx context.Context, pl plan) (casework.Case, error) {
	tri := w.as(access.Triager)
	if pl.key == "" {
		return w.s.Cases.Create(ctx, tri, casework.NewCase{Title: pl.title, Summary: pl.summary, T0: w.ago(pl.t0),
			T0Source: "internal discovery"})
	}
	t := w.tracking[pl.key]
	c, err := w.s.Reports.Promote(ctx, tri, t)
	if err != nil || pl.t0 == 0 {
		return c, err
	}
	// The demo is made in a minute; its story spans weeks. The services
	// let a person move T0 back, with a reason, and audit it.
	return w.s.Cases.CorrectT0(ctx, tri, c.ID, w.ago(pl.t0), "report:"+t,
		fmt.Sprintf("示例数据：该报告于 %d 天前到达 PSIRT 邮箱 / Demo data: the report reached the PSIRT mailbox %d days ago",
			pl.t0/day, pl.t0/day))
}

// path is the way a provider's case goes, up to remediating.
var path = []casework.Status{casework.Verifying, casework.Confirmed, casework.Remediating}

// move takes c along path to st (rejected: from verifying).
func (w *world) move(ctx context.Context, c casework.Case, st casework.Status) (casework.Case, error) {
	tri := w.as(access.Triager)
	target := st
	if slices.Contains([]casework.Status{casework.Fixed, casework.Published, casework.Closed}, st) {
		target = casework.Remediating
	}
	if target == casework.Received {
		return c, nil
	}
	var err error
	for _, to := range path {
		if target == casework.Rejected && to == casework.Confirmed {
			return w.s.Cases.Transition(ctx, tri, c.ID, casework.Move{To: casework.Rejected, Resolution: casework.NotVulnerability,
				Reason: "恢复出厂后首次登录强制修改初始密码，属于已公开说明的设计，不构成漏洞。 / The initial password must be changed at the first sign-in after a reset: documented behaviour, not a vulnerability."})
		}
		if c, err = w.s.Cases.Transition(ctx, tri, c.ID, casework.Move{To: to, Reason: reasons[to]}); err != nil || to == target {
			return c, err
		}
	}
	return c, nil
}

// reasons are the notes on each move.
var reasons = map[casework.Status]string{
	casework.Verifying:   "开始复现 / Reproducing",
	casework.Confirmed:   "已在实验室复现，评估完成 / Reproduced in the lab; assessed",
	casework.Remediating: "已排入固件修复计划 / Fix scheduled in the firmware plan",
	casework.Fixed:       "所有受影响版本均有可用修复 / Every affected version has a fix available",
	casework.Closed:      "公告已发布，客户通知已发出 / Advisory published, customer notices sent",
}
