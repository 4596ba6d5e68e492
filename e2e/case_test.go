package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCaseLifecycle opens a provider's case in the UI, is refused
// when confirming it without an assessment (CN-07-3), records the grade and
// the affected versions, walks it to closed, and reads the timeline.
func TestBrowserCaseLifecycle(t *testing.T) {
	chromiumPath(t)
	inst := startInstance(t)
	mustCreateAdmin(t, inst, "admin@example.cn", "tangerine rooftop lantern")
	// A compliance officer: it moves the case and records its fix
	// (remediation.write), without which the case is not called fixed.
	password := mustCreateUser(t, inst, "triage@example.cn", "compliance_officer")
	b := newBrowser(t, "zh-CN")
	mustSignIn(t, b, inst.Base, "triage@example.cn", password)
	mustEnrolTwoFactor(t, b)
	b.mustDo(t, "open the cases", chromedp.Navigate(inst.Base+"cases"))
	b.mustNavigateBy(t, "accept the statement", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	b.mustDo(t, "open the cases again", chromedp.Navigate(inst.Base+"cases"),
		chromedp.SendKeys(chromedp.CSS("#title"), "AX3000 路由器命令注入"),
		chromedp.SendKeys(chromedp.CSS("#summary"), "ping 参数未过滤。"))
	b.mustNavigateBy(t, "open the case", chromedp.Click(chromedp.CSS(`form[action="/cases"][method="post"] button[type="submit"]`)))
	mustHeading(t, b, "AX3000 路由器命令注入")
	status := func() string {
		return mustRun(t, b, "read the status", chromedp.Text(chromedp.CSS("#case-status"), chromedp.NodeVisible))
	}
	move := func(to string) {
		t.Helper()
		b.mustDo(t, "choose "+to, chromedp.SetValue(chromedp.CSS("#to"), to))
		b.mustNavigateBy(t, "move to "+to, chromedp.Click(chromedp.CSS(`form[action$="/transition"] button[type="submit"]`)))
	}
	if s := status(); s != "已接收" {
		t.Fatalf("new case status %q", s)
	}
	move("verifying")
	move("confirmed")
	if p := mustRun(t, b, "read the refusal", chromedp.Text(chromedp.CSS("p.form-problem"), chromedp.NodeVisible)); !strings.Contains(p, "确认前请先记录漏洞等级") {
		t.Errorf("refusal = %q", p)
	}
	b.mustDo(t, "fill the assessment",
		chromedp.SendKeys(chromedp.CSS("#cvss"), "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
		chromedp.SendKeys(chromedp.CSS("#cwe"), "CWE-78"),
		chromedp.SendKeys(chromedp.CSS("#scope"), "AX3000 路由器 | AX3000-CN | >=1.0.0 <1.0.4"))
	b.mustNavigateBy(t, "record it", chromedp.Click(chromedp.CSS(`form[action$="/assessment"] button[type="submit"]`)))
	// The GB/T 30279 indicators are now pre-filled from the vector; saving
	// them grades the case from the (provisional) grade table.
	if v := mustRun(t, b, "read a pre-filled indicator", chromedp.Value(chromedp.CSS("#gbt_access_path"))); v != "network" {
		t.Errorf("access path pre-filled as %q", v)
	}
	b.mustNavigateBy(t, "grade it", chromedp.Click(chromedp.CSS(`form[action$="/assessment"] button[type="submit"]`)))
	if g := mustRun(t, b, "read the grade", chromedp.Text(chromedp.CSS("#case-grade"), chromedp.NodeVisible)); g != "超危" && g != "高危" {
		t.Errorf("grade = %q", g)
	}
	b.screenshot(t, "graded")
	move("confirmed")
	move("remediating")
	caseURL := mustRun(t, b, "read the case URL", chromedp.Location())
	move("fixed")
	if p := mustRun(t, b, "read the refusal", chromedp.Text(chromedp.CSS("p.form-problem"), chromedp.NodeVisible)); !strings.Contains(p, "AX3000") {
		t.Errorf("fixed without a fix: refusal = %q", p)
	}
	b.mustDo(t, "open the remediation", chromedp.Navigate(caseURL+"/remediation"),
		chromedp.SendKeys(chromedp.CSS("#fixed_version"), "1.0.4"))
	b.mustNavigateBy(t, "record the fix", chromedp.Click(chromedp.CSS(`form[action$="/remediation"] button[type="submit"]`)))
	b.mustDo(t, "back to the case", chromedp.Navigate(caseURL))
	// A case becomes published only through its advisory's publication
	// gate, never by hand; this one closes without an advisory.
	for _, to := range []string{"fixed", "closed"} {
		move(to)
	}
	if s := status(); s != "已关闭" {
		t.Errorf("final status %q", s)
	}
	timeline := mustRun(t, b, "read the timeline", chromedp.Text(chromedp.CSS("ol.timeline"), chromedp.NodeVisible))
	for _, want := range []string{"已接收 → 验证中", "验证中 → 已确认", "已修补 → 已关闭"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q:\n%s", want, timeline)
		}
	}
	b.screenshot(t, "closed")
	// Found again by a Chinese word of its title, and not by another.
	b.mustDo(t, "search the cases", chromedp.Navigate(inst.Base+"cases?q=%E5%91%BD%E4%BB%A4%E6%B3%A8%E5%85%A5"))
	if rows := mustRun(t, b, "count the results", chromedp.Evaluate[int](`document.querySelectorAll("table.data tbody tr a").length`)); rows != 1 {
		t.Errorf("search 命令注入: %d results", rows)
	}
	b.mustDo(t, "search for something else", chromedp.Navigate(inst.Base+"cases?q=%E6%BA%A2%E5%87%BA"))
	if rows := mustRun(t, b, "count the results", chromedp.Evaluate[int](`document.querySelectorAll("table.data tbody tr a").length`)); rows != 0 {
		t.Errorf("search 溢出: %d results", rows)
	}
	b.console.check(t)
	inst.Stop()
	mustVerifyAudit(t, inst.Data, 10)
}
