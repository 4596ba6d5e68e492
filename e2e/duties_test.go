package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// TestBrowserLegalDuties follows a case's legal duties in the UI: the
// clocks the case raises (RMSV Art. 7), the NVDB package refused while
// incomplete, completed and marked submitted (CN-07-6, CN-07-7), the clock
// board, the compliance dashboard and the signed evidence pack.
func TestBrowserLegalDuties(t *testing.T) {
	chromiumPath(t)
	inst := startInstance(t)
	mustCreateAdmin(t, inst, "admin@example.cn", "tangerine rooftop lantern")
	password := mustCreateUser(t, inst, "compliance@example.cn", "compliance_officer")
	b := newBrowser(t, "zh-CN")
	mustSignIn(t, b, inst.Base, "compliance@example.cn", password)
	mustEnrolTwoFactor(t, b)
	b.mustDo(t, "open the cases", chromedp.Navigate(inst.Base+"cases"))
	b.mustNavigateBy(t, "accept the statement", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	b.mustDo(t, "open the cases again", chromedp.Navigate(inst.Base+"cases"),
		chromedp.SendKeys(chromedp.CSS("#title"), "工控网关认证绕过"),
		chromedp.SendKeys(chromedp.CSS("#summary"), "特定请求头可绕过登录。"))
	b.mustNavigateBy(t, "open the case", chromedp.Click(chromedp.CSS(`form[action="/cases"][method="post"] button[type="submit"]`)))
	caseURL := mustRun(t, b, "read the case URL", chromedp.Location())
	state := func(duty string) string {
		t.Helper()
		return mustRun(t, b, "read the state of "+duty, chromedp.Text(chromedp.CSS(`tr[id="duty-`+duty+`"] .duty-state`), chromedp.NodeVisible))
	}
	if s := state("cn.nvdb_report"); s != "待办" {
		t.Errorf("NVDB duty %q, want 待办", s)
	}
	if s := state("cn.verify"); s != "待办" {
		t.Errorf("verification duty %q, want 待办", s)
	}
	// The due time is shown in the viewer's own zone too.
	if local := mustRun(t, b, "read a localised time", chromedp.Text(chromedp.CSS(`tr[id="duty-cn.nvdb_report"] time[data-local]`))); !strings.Contains(local, "(") {
		t.Errorf("localised due time %q", local)
	}
	b.mustDo(t, "open the clock board", chromedp.Navigate(inst.Base+"obligations"))
	if rows := mustRun(t, b, "count the board", chromedp.Evaluate[int](`document.querySelectorAll("#duty-board tbody tr.duty-pending").length`)); rows != 2 {
		t.Errorf("clock board: %d pending duties, want 2", rows)
	}

	b.mustDo(t, "open the NVDB package", chromedp.Navigate(caseURL+"/packages/cn.nvdb_report"))
	missing := mustRun(t, b, "read what is missing", chromedp.Text(chromedp.CSS("#package-missing"), chromedp.NodeVisible))
	for _, f := range []string{"产品名称", "型号", "版本", "漏洞危害", "影响范围"} {
		if !strings.Contains(missing, f) {
			t.Errorf("missing list lacks %s: %q", f, missing)
		}
	}
	if disabled := mustRun(t, b, "read the submit button", chromedp.Evaluate[bool](`document.querySelector('form[action$="/packages/cn.nvdb_report"] button').disabled`)); !disabled {
		t.Error("an incomplete package can be marked submitted")
	}

	b.mustDo(t, "back to the case", chromedp.Navigate(caseURL),
		chromedp.SetValue(chromedp.CSS("#grade"), "high"),
		chromedp.SendKeys(chromedp.CSS("#scope"), "GW-9 工控网关 | GW-9-CN | <3.2.1"))
	b.mustNavigateBy(t, "record the assessment", chromedp.Click(chromedp.CSS(`form[action$="/assessment"] button[type="submit"]`)))
	b.mustDo(t, "choose verifying", chromedp.SetValue(chromedp.CSS("#to"), "verifying"))
	b.mustNavigateBy(t, "start verifying", chromedp.Click(chromedp.CSS(`form[action$="/transition"] button[type="submit"]`)))
	if s := state("cn.verify"); s != "已履行" {
		t.Errorf("verification duty after verifying: %q, want 已履行", s)
	}

	b.mustDo(t, "open the NVDB package again", chromedp.Navigate(caseURL+"/packages/cn.nvdb_report"),
		chromedp.WaitVisible(chromedp.CSS("#package-complete")),
		chromedp.SendKeys(chromedp.CSS("#reference"), "NVDB-2026-00042"))
	b.screenshot(t, "nvdb-package")
	b.mustNavigateBy(t, "mark it submitted", chromedp.Click(chromedp.CSS(`form[action$="/packages/cn.nvdb_report"] button[type="submit"]`)))
	if s := state("cn.nvdb_report"); s != "已履行" {
		t.Errorf("NVDB duty after submission: %q, want 已履行", s)
	}
	b.screenshot(t, "duties-met")
	history := mustRun(t, b, "read the history", chromedp.Evaluate[string](`document.querySelector("#history").textContent`))
	for _, want := range []string{"case.create", "obligation.raise", "case.assess", "case.transition", "obligation.submit", "obligation.met", "sharing.allowed"} {
		if !strings.Contains(history, want) {
			t.Errorf("the case's history lacks %s", want)
		}
	}

	b.mustDo(t, "open the dashboard", chromedp.Navigate(inst.Base+"obligations/dashboard"))
	if chart := mustRun(t, b, "read the chart", chromedp.Evaluate[string](`document.querySelector("svg.dash-chart").textContent`)); !strings.Contains(chart, "100% (1/1)") {
		t.Errorf("dashboard chart: %q", chart)
	}
	envelope := mustRun(t, b, "fetch the evidence pack", chromedp.Evaluate[string](`fetch(location.origin + "`+strings.TrimPrefix(caseURL, inst.Base[:len(inst.Base)-1])+`/evidence").then(r => r.text())`,
		func(p *runtime.EvaluateParams) { p.AwaitPromise = new(true) }))
	if !strings.Contains(envelope, `"application/vnd.embargo.evidence+json"`) || !strings.Contains(envelope, `"Ed25519"`) {
		t.Errorf("evidence pack: %.200s", envelope)
	}
	// The package and the pack print as PDFs with a Chinese font.
	for _, path := range []string{"/packages/cn.nvdb_report?format=pdf", "/evidence?format=pdf"} {
		head := mustRun(t, b, "fetch "+path, chromedp.Evaluate[string](`fetch(location.origin + "`+strings.TrimPrefix(caseURL, inst.Base[:len(inst.Base)-1])+path+`").then(async r => r.headers.get("Content-Type") + " " + (await r.text()).slice(0, 5))`,
			func(p *runtime.EvaluateParams) { p.AwaitPromise = new(true) }))
		if head != "application/pdf %PDF-" {
			t.Errorf("%s: %.80q", path, head)
		}
	}
	b.console.check(t)
	inst.Stop()
	mustVerifyAudit(t, inst.Data, 10)
}
