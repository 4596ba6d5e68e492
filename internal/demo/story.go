package demo

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/report"
)

// finding is one report of the story, as its finder sent it.
type finding struct {
	key      string
	channel  report.Channel
	lang     string
	name     string // the finder's name
	email    string
	credit   bool // agreed to be credited by name
	title    string
	body     string
	product  string
	version  string
	arrived  time.Duration // how long before the demo it arrived
	decision report.Status // "" promotes it to a case; New leaves it in the inbox
	reason   string        // for a spam or invalid decision
}

// findings are the story's reports, in Chinese and English, by the web
// form, the API and e-mail.
var findings = []finding{
	{key: "cmdi", channel: report.Web, lang: "zh-CN", name: "王芳", email: "wangfang@research.example", credit: true,
		title:   "AR5600 Web 管理界面诊断页面存在命令注入",
		body:    "登录 Web 管理界面后，“网络诊断”页面的 ping 目标参数未经过滤即拼接进 shell 命令。在目标字段输入“;id”可执行任意命令，返回 root 权限。已在 AR5600 固件 3.2.1 上复现，AR3200 同版本疑似受影响。",
		product: router + " AR5600", version: "3.2.1", arrived: 45 * day},
	{key: "snmp", channel: report.SMTP, lang: "en", name: "Alex Morgan", email: "alex.morgan@research.example", credit: true,
		title:   "Stack buffer overflow in the SNMP agent of S7700 switches",
		body:    "A crafted SNMPv2c GETBULK request with an oversized max-repetitions value overflows a stack buffer in the SNMP agent of the S7700 (firmware 5.1.3). With the default read community an unauthenticated attacker on the management network crashes the switch, and code execution looks feasible. A proof of concept is available on request.",
		product: switches + " S7700", version: "5.1.3", arrived: 30 * day},
	{key: "ike", channel: report.SMTP, lang: "zh-CN", name: "孙悦", email: "sunyue@lab.example", credit: true,
		title:   "USG6300 IKEv2 报文处理缺陷导致拒绝服务",
		body:    "向 USG6300 的 UDP 500 端口发送畸形的 IKEv2 SA_INIT 报文（KE 载荷长度为 0），IPsec 进程反复重启，VPN 隧道全部中断。固件 6.0.1 与 6.0.2 均可复现，6.1.0 未复现。",
		product: firewall + " USG6300", version: "6.0.2", arrived: 16 * day},
	{key: "wifi", channel: report.API, lang: "zh-CN", name: "周强", email: "zhouqiang@wifisec.example",
		title:   "AR 系列路由器 WPA3 SAE 握手处理越界读",
		body:    "AR3200/AR5600 固件 3.2.x 的无线模块在处理 SAE commit 帧时存在越界读取，相邻攻击者无需认证即可导致无线服务崩溃，可能泄露内存内容。问题位于芯片厂商提供的 Wi-Fi SDK 中。",
		product: router, version: "3.2.x", arrived: 10 * day},
	{key: "xss", channel: report.SMTP, lang: "en", name: "Priya Raman", email: "priya@appsec.example", credit: true,
		title:   "Stored XSS in the USG6300 log viewer",
		body:    "The log viewer of the USG6300 web console renders the user-agent of failed VPN logins without escaping. An unauthenticated attacker can plant a script that runs in the administrator's browser when the logs are read. Firmware 6.0.2.",
		product: firewall + " USG6300", version: "6.0.2", arrived: 4 * day},
	{key: "defaultpw", channel: report.Web, lang: "zh-CN", name: "匿名", email: "",
		title:   "AR3200 出厂默认密码为 admin",
		body:    "AR3200 恢复出厂设置后可用 admin/admin 登录，这是严重漏洞。",
		product: router + " AR3200", version: "3.2.0", arrived: 8 * day},
	{key: "csrf", channel: report.Web, lang: "en", name: "Jonas Weber", email: "jonas.weber@pentest.example", credit: true,
		title:   "CSRF in the firmware upload page of AR5600",
		body:    "The firmware upload form of the AR5600 web interface has no anti-CSRF token and accepts cross-site POSTs. A logged-in administrator who visits a malicious page can be made to flash an attacker's firmware image. Tested on 3.3.0.",
		product: router + " AR5600", version: "3.3.0"},
	{key: "lldp", channel: report.Web, lang: "zh-CN", name: "陈晨", email: "chenchen@campus.example",
		title:   "S7700 LLDP 报文处理疑似内存泄漏",
		body:    "连续发送带有大量自定义 TLV 的 LLDP 报文数小时后，S7700 的内存占用持续上升，尚未确认是否可导致设备重启。固件 5.1.3。",
		product: switches + " S7700", version: "5.1.3", decision: report.New},
	{key: "spam", channel: report.Web, lang: "en", name: "SEO Growth Team", email: "offers@seo-growth.example",
		title: "Boost your website ranking today", body: "We offer premium backlinks and guaranteed first-page ranking for huarui.example. Reply for our price list.",
		decision: report.Spam, reason: "Advertising, not a vulnerability report."},
}

// intake submits the story's reports through the intake channels, records
// the finders' credit preferences, and triages the ones that are no case.
func (w *world) intake(ctx context.Context) error {
	w.tracking = map[string]string{}
	for _, f := range findings {
		sub := report.Submission{Channel: f.channel, Title: f.title, Description: f.body, Product: f.product, Version: f.version,
			Reporter: report.Reporter{Name: f.name, Email: f.email}, Language: f.lang, Actor: actorOf(f), Raw: rawOf(f)}
		ack, err := w.s.Reports.Submit(ctx, sub)
		if err != nil {
			return fmt.Errorf("report %q: %w", f.key, err)
		}
		w.tracking[f.key] = ack.TrackingID
		w.sum.Reports++
		if f.credit {
			if err := w.s.Reports.SetPreferences(ctx, ack.Secret, report.Preferences{Credit: report.CreditName, ConsentShare: true}); err != nil {
				return err
			}
		}
		if f.decision == report.Spam || f.decision == report.Invalid {
			if _, err := w.s.Reports.Triage(ctx, w.as(access.Triager), ack.TrackingID,
				report.Decision{Status: f.decision, Reason: f.reason}); err != nil {
				return err
			}
		}
	}
	return nil
}

// actorOf names who submitted f, as its channel would.
func actorOf(f finding) string {
	switch f.channel {
	case report.SMTP: // a documentation address (RFC 5737)
		return "smtp:192.0.2.25"
	}
	return "anonymous"
}

// rawOf is f exactly as its channel received it: a MIME message for
// e-mail, the form or JSON body otherwise.
func rawOf(f finding) []byte {
	if f.channel == report.SMTP || f.channel == report.IMAP {
		from := (&mail.Address{Name: f.name, Address: f.email}).String()
		return []byte(strings.Join([]string{"From: " + from, "To: psirt@" + mailDomain,
			"Subject: " + mime.BEncoding.Encode("utf-8", f.title), "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
			"Content-Transfer-Encoding: 8bit", "", f.body, ""}, "\r\n"))
	}
	return []byte(fmt.Sprintf("title=%s\nproduct=%s\nversion=%s\n\n%s", f.title, f.product, f.version, f.body))
}
