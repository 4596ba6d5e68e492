package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/obligation"
	"github.com/embargohq/embargo/internal/remediation"
)

// nvdbDuty is the duty to report to MIIT's NVDB platform (CN-07-5).
const nvdbDuty = "cn.nvdb_report"

// duties records what the compliance officer did about the clocks the
// obligation engine raised: the NVDB reports submitted by hand on the
// platform's web form (with the back-dated time they went in and the
// platform's reference), and the notice to the upstream chipset vendor
// (CN-07-4). The verifying case's report was never submitted: its duty
// is overdue, as the board shows.
func (w *world) duties(ctx context.Context) error {
	co, tri := w.as(access.ComplianceOfficer), w.as(access.Triager)
	for i, pl := range plans {
		c := w.cases[caseKey(pl)]
		if pl.upstream {
			sup, root := upstreamSupplier, "xl-wifi-sdk"
			if _, err := w.s.Cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{Upstream: &sup, RootComponent: &root,
				Reason: "根因位于芯联微电子 Wi-Fi SDK 4.2.7 / The root cause is in Xinlian's Wi-Fi SDK 4.2.7"}); err != nil {
				return err
			}
			if _, err := w.s.Obligations.SendUpstreamNotice(ctx, co, c.ID, obligation.NoticeRequest{Channel: obligation.Manual,
				Reference: "已电话并邮件通知芯联微电子 PSIRT，对方工单 XL-PSIRT-2026-117 / Told Xinlian PSIRT by phone and mail, their ticket XL-PSIRT-2026-117",
				Note:      "请提供修复后的 SDK 版本及预计时间。 / Please tell us the fixed SDK version and when it ships."}); err != nil {
				return fmt.Errorf("upstream notice: %w", err)
			}
		}
		if pl.fix != nil && pl.fix.available > 0 {
			yes := true
			if _, err := w.s.Cases.SetFacts(ctx, tri, c.ID, casework.FactsChange{UserAction: &yes,
				Reason: "用户需升级固件 / Users must upgrade the firmware"}); err != nil {
				return err
			}
		}
		if pl.nvdb == 0 {
			continue
		}
		if _, err := w.s.Obligations.SetFields(ctx, co, c.ID, nvdbDuty, map[string]string{
			"contact":  "王磊，合规部，+86 571 5550 0100 / Wang Lei, Compliance, +86 571 5550 0100",
			"fix_plan": "发布修复固件并通知受影响客户 / Ship fixed firmware and tell the affected customers"}); err != nil {
			return err
		}
		at := c.T0.Add(pl.nvdb)
		ref := fmt.Sprintf("NVDB-%s-%04d", at.Format("20060102"), 311+i*47)
		if _, err := w.s.Obligations.Submit(ctx, co, c.ID, obligation.SubmitRequest{Duty: nvdbDuty, Channel: obligation.Manual,
			Reference: ref, SubmittedAt: at}); err != nil {
			return fmt.Errorf("case %s: NVDB submission: %w", c.Ref, err)
		}
	}
	return nil
}

// remediation records the fixes per affected version (CN-07-8), with
// when they became available, and moves the cases whose every version is
// fixed to fixed.
func (w *world) remediation(ctx context.Context) error {
	eng, tri := w.as(access.Engineer), w.as(access.Triager)
	for _, pl := range plans {
		if pl.fix == nil {
			continue
		}
		c := w.cases[caseKey(pl)]
		rows, err := w.s.Fixes.ForCase(ctx, eng, c.ID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			f := remediation.Fix{Version: r.Version, Status: remediation.InProgress, FixedVersion: pl.fix.fixed,
				Note: "等待芯片厂商的 SDK 修复 / Waiting for the chipset vendor's SDK fix"}
			if pl.fix.available > 0 {
				f = remediation.Fix{Version: r.Version, Status: remediation.Fixed, FixedVersion: pl.fix.fixed,
					AvailableAt: w.ago(pl.fix.available), Note: "固件已发布至客户支持门户 / Firmware released on the support portal"}
			}
			if _, err := w.s.Fixes.Put(ctx, eng, c.ID, f); err != nil {
				return fmt.Errorf("case %s: fix %s: %w", c.Ref, r.Version, err)
			}
		}
		if pl.fix.available == 0 {
			continue
		}
		if c, err = w.s.Cases.Transition(ctx, tri, c.ID, casework.Move{To: casework.Fixed, Reason: reasons[casework.Fixed]}); err != nil {
			return fmt.Errorf("case %s: %w", c.Ref, err)
		}
		w.cases[caseKey(pl)] = c
	}
	return nil
}

// campaign tells the users of each fixed version of the product
// (CN-07-9): the engineer composes the notice and sends it; the runner
// queues one message per recipient in the outbox. The duty is met when
// the notices are delivered.
func (w *world) campaign(ctx context.Context) error {
	eng := w.as(access.Engineer)
	for _, key := range []string{"cmdi", "snmp", "ike"} {
		c := w.cases[key]
		cp, err := w.s.Notices.Compose(ctx, eng, c.ID, messages[key])
		if err != nil {
			return fmt.Errorf("case %s: %w", c.Ref, err)
		}
		if _, err := w.s.Notices.Send(ctx, eng, c.ID, cp.ID); err != nil {
			return err
		}
		w.sum.Campaigns++
	}
	return w.s.Notices.Work(ctx)
}

// messages are the notices to affected users, by case key.
var messages = map[string]notice.Content{
	"cmdi": {MessageZH: "AR3200/AR5600 固件 3.2.0 至 3.2.1 的网络诊断页面存在命令注入，已登录的管理员可执行任意命令。请升级至 3.2.2，并仅允许可信管理网段访问 Web 管理界面。",
		MessageEN: "AR3200/AR5600 firmware 3.2.0 to 3.2.1 lets a signed-in administrator inject commands through the network diagnostics page. Please upgrade to 3.2.2 and allow only trusted management networks to reach the web interface."},
	"snmp": {MessageZH: "S7700/S5735 固件 5.1.4 之前版本的 SNMP 代理存在栈溢出，管理网络中的攻击者可使交换机重启。请升级至 5.1.4；升级前请修改默认团体名并以 ACL 限制 SNMP 来源。",
		MessageEN: "The SNMP agent of S7700/S5735 firmware before 5.1.4 has a stack overflow that lets an attacker on the management network restart the switch. Please upgrade to 5.1.4; until then change the default community and restrict SNMP sources with an ACL."},
	"ike": {MessageZH: "USG6300 固件 6.1.0 之前的版本在处理畸形 IKEv2 报文时可能中断全部 IPsec VPN 隧道。请尽快升级至 6.1.0；升级前可在边界限制 UDP 500/4500 端口的来源地址。",
		MessageEN: "USG6300 firmware before 6.1.0 may drop every IPsec VPN tunnel on a malformed IKEv2 packet. Please upgrade to 6.1.0; until then, restrict the sources allowed to reach UDP ports 500 and 4500."},
}

// firmwareURL is the vendor's download page the advisories link to.
const firmwareURL = "https://" + mailDomain + "/support/firmware"

// texts are the advisories' public texts, by case key.
var texts = map[string]advisory.Content{
	"cmdi": {
		Title: advisory.Text{ZH: "华睿 AR 系列企业路由器 Web 管理界面命令注入漏洞", EN: "Command injection in the web management interface of Huarui AR routers"},
		Summary: advisory.Text{ZH: "已登录的管理员可通过网络诊断页面以 root 权限执行任意命令。",
			EN: "A signed-in administrator can run any command as root through the network diagnostics page."},
		Description: advisory.Text{ZH: "AR3200 与 AR5600 固件 3.2.0 至 3.2.1 的网络诊断页面未过滤 ping 目标参数，参数被拼接进 shell 命令执行。",
			EN: "The network diagnostics page of AR3200 and AR5600 firmware 3.2.0 to 3.2.1 passes the ping target to a shell command without filtering it."},
		Impact:      advisory.Text{ZH: "攻击者在取得管理员凭据后可完全控制设备。", EN: "An attacker holding administrator credentials gains full control of the device."},
		Workarounds: advisory.Text{ZH: "仅允许可信管理网段访问 Web 管理界面。", EN: "Allow only trusted management networks to reach the web interface."},
	},
	"snmp": {
		Title: advisory.Text{ZH: "华睿 S 系列园区交换机 SNMP 代理栈溢出漏洞", EN: "Stack buffer overflow in the SNMP agent of Huarui S-series switches"},
		Summary: advisory.Text{ZH: "管理网络中的未认证攻击者可使交换机重启，并可能执行任意代码。",
			EN: "An unauthenticated attacker on the management network can restart the switch and may run code on it."},
		Description: advisory.Text{ZH: "S7700 与 S5735 固件 5.1.4 之前版本的 SNMP 代理在处理 GETBULK 请求时未校验 max-repetitions，导致栈溢出。",
			EN: "The SNMP agent of S7700 and S5735 firmware before 5.1.4 does not bound max-repetitions in GETBULK requests and overflows a stack buffer."},
		Impact: advisory.Text{ZH: "拒绝服务，可能导致远程代码执行。", EN: "Denial of service; possibly remote code execution."},
		Workarounds: advisory.Text{ZH: "修改默认团体名，并通过 ACL 限制 SNMP 访问来源。",
			EN: "Change the default community and restrict SNMP sources with an ACL."},
	},
	"ike": {
		Title: advisory.Text{ZH: "华睿 USG 下一代防火墙 IKEv2 拒绝服务漏洞", EN: "Denial of service in the IKEv2 handling of Huarui USG firewalls"},
		Summary: advisory.Text{ZH: "未认证的远程攻击者可中断全部 IPsec VPN 隧道。",
			EN: "An unauthenticated remote attacker can drop every IPsec VPN tunnel."},
	},
}

// advisories takes two advisories through the whole workflow: the
// publisher drafts from the case and writes both languages, submits for
// review, the compliance officer (not an author: four-eyes, CN-09-P)
// approves and publishes through the gate (RMSV Art. 9). A third stays a
// draft.
func (w *world) advisories(ctx context.Context) error {
	pub, co := w.as(access.Publisher), w.as(access.ComplianceOfficer)
	for _, key := range []string{"cmdi", "snmp", "ike"} {
		c := w.cases[key]
		a, err := w.s.Advisories.Create(ctx, pub, c.ID)
		if err != nil {
			return fmt.Errorf("case %s: %w", c.Ref, err)
		}
		ct, t := a.Content, texts[key]
		ct.Title, ct.Summary = t.Title, t.Summary
		if t.Description.ZH != "" {
			ct.Description, ct.Impact, ct.Workarounds = t.Description, t.Impact, t.Workarounds
		}
		ct.References = []advisory.Reference{{URL: firmwareURL, Kind: "patch"}}
		if _, err = w.s.Advisories.Edit(ctx, pub, c.ID, ct); err != nil {
			return fmt.Errorf("case %s: %w", c.Ref, err)
		}
		// The gate flags every URL as a possible operator's system
		// (CN-09-2); the publisher marks the vendor's own download page.
		if a, err = w.s.Advisories.MarkNotOperator(ctx, pub, c.ID, "url:"+firmwareURL,
			"华睿自己的固件下载页面 / Huarui's own firmware download page"); err != nil {
			return fmt.Errorf("case %s: %w", c.Ref, err)
		}
		if key == "ike" {
			w.sum.Drafts = append(w.sum.Drafts, a.Ref)
			continue
		}
		if _, err := w.s.Advisories.Submit(ctx, pub, c.ID); err != nil {
			return fmt.Errorf("case %s: submit: %w", c.Ref, err)
		}
		if _, err := w.s.Advisories.Approve(ctx, co, c.ID); err != nil {
			return fmt.Errorf("case %s: approve: %w", c.Ref, err)
		}
		if a, err = w.s.Advisories.Publish(ctx, co, c.ID, advisory.Text{}); err != nil {
			return fmt.Errorf("case %s: publish: %w", c.Ref, err)
		}
		w.sum.Published = append(w.sum.Published, a.Ref)
	}
	return nil
}

// close closes the case whose advisory is out and whose users were told.
func (w *world) close(ctx context.Context) error {
	c := w.cases["cmdi"]
	_, err := w.s.Cases.Transition(ctx, w.as(access.Triager), c.ID, casework.Move{To: casework.Closed, Reason: reasons[casework.Closed]})
	return err
}

// count fills the summary's cases and duties as they stand.
func (w *world) count(ctx context.Context) error {
	co := w.as(access.ComplianceOfficer)
	cases, err := w.s.Cases.List(ctx, co)
	if err != nil {
		return err
	}
	w.sum.Cases = cases
	now := time.Now()
	for _, c := range cases {
		obs, err := w.s.Obligations.ForCase(ctx, co, c.ID)
		if err != nil {
			return err
		}
		for _, o := range obs {
			switch o.StateAt(now) {
			case obligation.Met:
				w.sum.Duties.Met++
			case obligation.Overdue:
				w.sum.Duties.Overdue++
			case obligation.Pending, obligation.DueSoon:
				w.sum.Duties.Open++
			default:
				w.sum.Duties.Closed++
			}
		}
	}
	return nil
}
