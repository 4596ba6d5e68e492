package e2e

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// setupLink finds the one-time setup link in what `embargo serve` printed.
var setupLink = regexp.MustCompile(`http://127\.0\.0\.1:\d+/setup\?token=[A-Za-z0-9_-]+`)

// TestBrowserFirstAdministratorSetup follows the setup link that a first
// start prints: a common password is refused with the reason and the form
// keeps what was typed, a good one creates the administrator, the link is
// then spent, and the audit chain records it all and verifies.
func TestBrowserFirstAdministratorSetup(t *testing.T) {
	chromiumPath(t)
	inst := startInstance(t)
	link := setupLink.FindString(inst.Printed)
	if link == "" {
		t.Fatalf("first start printed no setup link:\n%s", inst.Printed)
	}
	b := newBrowser(t, "zh-CN")
	b.mustDo(t, "open the setup link", chromedp.Navigate(link))
	mustHeading(t, b, "创建首个管理员")

	b.mustDo(t, "fill the form with a common password",
		chromedp.SendKeys(chromedp.CSS("#organisation"), "示例网络科技有限公司"),
		chromedp.SendKeys(chromedp.CSS("#email"), "psirt@example.cn"),
		chromedp.SendKeys(chromedp.CSS("#display_name"), "产品安全应急响应中心"),
		chromedp.SendKeys(chromedp.CSS("#password"), "password1234"))
	b.mustNavigateBy(t, "submit", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	if p := mustRun(t, b, "read the problem", chromedp.Text(chromedp.CSS("p.form-problem"), chromedp.NodeVisible)); !strings.Contains(p, "常见密码") {
		t.Errorf("problem shown = %q, want the common-password reason", p)
	}
	if email := mustRun(t, b, "read the e-mail field", chromedp.Value(chromedp.CSS("#email"))); email != "psirt@example.cn" {
		t.Errorf("e-mail field = %q after a refused submit, want it kept", email)
	}
	b.screenshot(t, "refused")

	b.mustDo(t, "type a good password", chromedp.SendKeys(chromedp.CSS("#password"), "tangerine rooftop lantern"))
	b.mustNavigateBy(t, "submit again", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	mustHeading(t, b, "管理员已创建")
	b.screenshot(t, "created")

	b.mustDo(t, "open the spent link", chromedp.Navigate(link))
	mustHeading(t, b, "页面不存在")
	b.console.check(t)

	inst.Stop()
	mustVerifyAudit(t, inst.Data, 3) // instance.init, setup.token.issue, user.create
}

// auditIntact matches what `embargo verify audit` prints for a sound chain.
var auditIntact = regexp.MustCompile(`audit: intact, (\d+) events`)

// mustVerifyAudit runs `embargo verify audit` on a stopped instance's data
// and checks that it exits 0 and reports an intact chain of at least
// minEvents events.
func mustVerifyAudit(t testing.TB, data string, minEvents int) {
	t.Helper()
	out, err := exec.Command(mustBuildEmbargo(t), "verify", "audit", "--data", data).CombinedOutput()
	m := auditIntact.FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("verify audit = %v, want exit 0 and an intact chain:\n%s", err, out)
	}
	if n, _ := strconv.Atoi(string(m[1])); n < minEvents {
		t.Errorf("verify audit counted %d events, want at least %d:\n%s", n, minEvents, out)
	}
}

// mustHeading checks the page's visible main heading.
func mustHeading(t testing.TB, b *browser, want string) {
	t.Helper()
	if got := mustRun(t, b, "read the heading", chromedp.Text(chromedp.CSS("main h1"), chromedp.NodeVisible)); got != want {
		t.Errorf("heading = %q, want %q", got, want)
	}
}
