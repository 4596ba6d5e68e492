package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// TestBrowserReportForm is the form channel of the intake issue (CN-05-1,
// CN-05-2): a reporter with JavaScript turned off sends a report in
// Chinese with an attachment through /report, gets a tracking ID, a
// receipt and a private link, and writes to the team there; a triager finds
// the report in the inbox with its receipt, attachment and message,
// answers, and the reporter reads the answer. The receipt log verifies.
func TestBrowserReportForm(t *testing.T) {
	chromiumPath(t)
	inst := startInstance(t)
	mustCreateAdmin(t, inst, "admin@example.cn", "tangerine rooftop lantern")
	password := mustCreateUser(t, inst, "triage@example.cn", "triager")
	poc := filepath.Join(t.TempDir(), "poc.txt")
	if err := os.WriteFile(poc, []byte("GET /cgi-bin/admin?cmd=%3Bid HTTP/1.1\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	reporter := newBrowser(t, "zh-CN")
	if _, err := chromedp.Call(reporter.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatalf("turn JavaScript off: %v", err)
	}
	const title = "路由器管理界面命令注入"
	reporter.mustDo(t, "fill in the report form", chromedp.Navigate(inst.Base+"report"),
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.SendKeys(chromedp.CSS("#description"), "在 /cgi-bin/admin 的 cmd 参数中注入分号即可执行任意命令。"),
		chromedp.SendKeys(chromedp.CSS("#product"), "AR-3000 路由器"),
		chromedp.SendKeys(chromedp.CSS("#version"), "2.1.4"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{poc}),
		chromedp.SendKeys(chromedp.CSS("#name"), "李雷"),
		chromedp.SendKeys(chromedp.CSS("#email"), "lilei@example.cn"),
		chromedp.Click(chromedp.CSS(`input[name=consent_share]`)))
	reporter.mustNavigateBy(t, "submit the report", chromedp.Click(chromedp.CSS(`form.report-form button[type="submit"]`)))
	mustHeading(t, reporter, "感谢您的报告：我们已接收")
	tracking := mustRun(t, reporter, "read the tracking ID", chromedp.Text(chromedp.CSS("#tracking-id"), chromedp.NodeVisible))
	receipt := mustRun(t, reporter, "read the receipt ID", chromedp.Text(chromedp.CSS("#receipt-id"), chromedp.NodeVisible))
	sum := mustRun(t, reporter, "read the receipt hash", chromedp.Text(chromedp.CSS("#receipt-sha256"), chromedp.NodeVisible))
	link := mustRun(t, reporter, "read the private link", chromedp.Text(chromedp.CSS("#private-link"), chromedp.NodeVisible))
	if !strings.HasPrefix(receipt, "rcpt-") || len(sum) != 64 || !strings.Contains(link, "/report/s/") {
		t.Fatalf("receipt %q, sha256 %q, link %q", receipt, sum, link)
	}
	reporter.screenshot(t, "receipt")
	reporter.mustDo(t, "open the private link", chromedp.Navigate(link))
	mustHeading(t, reporter, title)
	reporter.mustDo(t, "write to the team", chromedp.SendKeys(chromedp.CSS("#body"), "补充：固件 2.1.5 同样受影响。"))
	reporter.mustNavigateBy(t, "send", chromedp.Click(chromedp.CSS(`form[action$="/messages"] button[type="submit"]`)))

	triager := newBrowser(t, "en-US")
	mustSignIn(t, triager, inst.Base, "triage@example.cn", password)
	mustEnrolTwoFactor(t, triager)
	triager.mustDo(t, "open the inbox", chromedp.Navigate(inst.Base+"reports"))
	mustHeading(t, triager, "Confidentiality statement") // CN-11-2: accept before the first access
	triager.mustNavigateBy(t, "accept the statement", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	triager.mustDo(t, "open the inbox again", chromedp.Navigate(inst.Base+"reports"))
	mustHeading(t, triager, "Reports")
	row := mustRun(t, triager, "read the inbox row", chromedp.Text(chromedp.CSS(`table.data tbody tr`), chromedp.NodeVisible))
	for _, want := range []string{tracking, title, "AR-3000 路由器", "web", "New"} {
		if !strings.Contains(row, want) {
			t.Errorf("inbox row %q lacks %q", row, want)
		}
	}
	triager.screenshot(t, "inbox")
	triager.mustNavigateBy(t, "open the report", chromedp.Click(chromedp.CSS(`table.data tbody tr a`)))
	mustHeading(t, triager, title)
	page := mustRun(t, triager, "read the report", chromedp.Text(chromedp.CSS("main"), chromedp.NodeVisible))
	for _, want := range []string{receipt, sum, "poc.txt", "李雷", "补充：固件 2.1.5 同样受影响。"} {
		if !strings.Contains(page, want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	triager.mustDo(t, "answer the reporter", chromedp.SendKeys(chromedp.CSS("#body"), "已收到，正在验证。We are verifying it."))
	triager.mustNavigateBy(t, "send the answer", chromedp.Click(chromedp.CSS(`form[action$="/messages"] button[type="submit"]`)))
	triager.screenshot(t, "report")
	triager.console.check(t)

	reporter.mustDo(t, "reload the private link", chromedp.Navigate(link))
	thread := mustRun(t, reporter, "read the thread", chromedp.Text(chromedp.CSS("ol.thread"), chromedp.NodeVisible))
	if !strings.Contains(thread, "已收到，正在验证。") {
		t.Errorf("reporter's thread lacks the team's answer:\n%s", thread)
	}
	reporter.screenshot(t, "thread")

	// The triager opens a case from the report and writes to the reporter
	// from the case's page; the case names people, not user numbers.
	triager.mustDo(t, "back to the report", chromedp.Navigate(inst.Base+"reports/"+tracking))
	triager.mustNavigateBy(t, "open a case from it", chromedp.Click(chromedp.CSS(`form[action$="/promote"] button`)))
	mustHeading(t, triager, title)
	triager.mustDo(t, "write to the reporter from the case",
		chromedp.Click(chromedp.CSS("details.report-actions summary")),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/reply"] textarea`), "已立案跟踪。A case is open."))
	triager.mustNavigateBy(t, "send it", chromedp.Click(chromedp.CSS(`form[action$="/reply"] button[type="submit"]`)))
	triager.mustNavigateBy(t, "assign the case to oneself", chromedp.Click(chromedp.CSS(`form[action$="/people"] input[value="assignee"] ~ button`)))
	if people := mustRun(t, triager, "read the case's people", chromedp.Text(chromedp.CSS("#case-people"))); !strings.Contains(people, "triager (user:") {
		t.Errorf("case people %q, want the triager by name", people)
	}
	reporter.mustDo(t, "reload the private link again", chromedp.Navigate(link))
	if thread := mustRun(t, reporter, "read the thread", chromedp.Text(chromedp.CSS("ol.thread"), chromedp.NodeVisible)); !strings.Contains(thread, "已立案跟踪。") {
		t.Errorf("reporter's thread lacks the message from the case page:\n%s", thread)
	}

	inst.Stop()
	out, err := exec.Command(mustBuildEmbargo(t), "export", "receipts", "--data", inst.Data, "--format", "csv").CombinedOutput()
	if err != nil || !strings.Contains(string(out), receipt) || !strings.Contains(string(out), tracking) ||
		!strings.Contains(string(out), sum) || !strings.Contains(string(out), "李雷") {
		t.Errorf("export receipts: %v\n%s", err, out)
	}
	if out, err := exec.Command(mustBuildEmbargo(t), "verify", "receipts", "--data", inst.Data).CombinedOutput(); err != nil {
		t.Errorf("verify receipts: %v\n%s", err, out)
	}
	mustVerifyAudit(t, inst.Data, 10)
}

// mustCreateUser creates a user with the CLI and returns the initial
// password it printed.
func mustCreateUser(t testing.TB, inst instance, email, role string) string {
	t.Helper()
	out, err := exec.Command(mustBuildEmbargo(t), "user", "create", "--data", inst.Data, "--name", role,
		"--role", role, email).CombinedOutput()
	// "password for triage@example.cn (shown once): xxxxx-xxxxx-xxxxx-xxxxx"
	var password string
	if _, after, ok := strings.Cut(string(out), "(shown once): "); ok {
		password, _, _ = strings.Cut(after, "\n")
	}
	if err != nil || password == "" {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	return password
}

// mustEnrolTwoFactor completes the enrolment that the two-factor gate
// sends a newly signed-in staff member to, in either language, and returns
// a recovery code.
func mustEnrolTwoFactor(t testing.TB, b *browser) (recovery string) {
	t.Helper()
	if path := mustRun(t, b, "read the path", chromedp.Evaluate[string](`location.pathname`)); path != "/account/2fa" {
		t.Fatalf("signed in to %s, want the two-factor enrolment", path)
	}
	key := mustRun(t, b, "read the key", chromedp.Text(chromedp.CSS("code.secret"), chromedp.NodeVisible))
	code, err := totp.GenerateCode(key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.mustDo(t, "type the code", chromedp.SendKeys(chromedp.CSS("#code"), code))
	b.mustNavigateBy(t, "confirm", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	return mustRun(t, b, "read a recovery code", chromedp.Text(chromedp.CSS(".recovery-codes li code"), chromedp.NodeVisible))
}
