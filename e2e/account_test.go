package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// mustCreateAdmin completes the first-administrator setup over plain HTTP.
func mustCreateAdmin(t testing.TB, inst instance, email, password string) {
	t.Helper()
	link := setupLink.FindString(inst.Printed)
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Fatalf("no setup link in %q", inst.Printed)
	}
	form := url.Values{"token": {u.Query().Get("token")}, "email": {email}, "display_name": {"Admin"},
		"password": {password}, "organisation": {"Acme"}}
	resp, err := http.PostForm(inst.Base+"setup", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("setup: %d", resp.StatusCode)
	}
}

// TestBrowserSignInTokensAndUsers signs the administrator in, creates a
// user and an API token in the UI, signs out, and checks the chain.
func TestBrowserSignInTokensAndUsers(t *testing.T) {
	chromiumPath(t)
	inst := startInstance(t)
	mustCreateAdmin(t, inst, "admin@example.cn", "tangerine rooftop lantern")
	b := newBrowser(t, "zh-CN")

	b.mustDo(t, "open the users page", chromedp.Navigate(inst.Base+"admin/users"))
	mustHeading(t, b, "登录 Embargo") // sent to sign in first
	b.mustDo(t, "fill in the wrong password",
		chromedp.SendKeys(chromedp.CSS("#email"), "admin@example.cn"),
		chromedp.SendKeys(chromedp.CSS("#password"), "wrong password!!"))
	b.mustNavigateBy(t, "sign in", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	if p := mustRun(t, b, "read the problem", chromedp.Text(chromedp.CSS("p.form-problem"), chromedp.NodeVisible)); p != "电子邮件地址或密码错误。" {
		t.Errorf("problem = %q", p)
	}
	b.mustDo(t, "type the right password", chromedp.SendKeys(chromedp.CSS("#password"), "tangerine rooftop lantern"))
	b.mustNavigateBy(t, "sign in again", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	mustHeading(t, b, "用户") // and back where the reader wanted to go

	b.mustDo(t, "fill the new-user form",
		chromedp.SendKeys(chromedp.CSS("#email"), "triage@example.cn"),
		chromedp.SendKeys(chromedp.CSS("#display_name"), "分诊 张"),
		chromedp.SetValue(chromedp.CSS("#role"), "triager"))
	b.mustNavigateBy(t, "create the user", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	if pw := mustRun(t, b, "read the initial password", chromedp.Text(chromedp.CSS("code.secret"), chromedp.NodeVisible)); len(pw) != 23 {
		t.Errorf("initial password %q, want 20 characters in groups of five", pw)
	}
	b.screenshot(t, "users")

	b.mustDo(t, "open the tokens page", chromedp.Navigate(inst.Base+"account/tokens"))
	b.mustDo(t, "fill the token form",
		chromedp.SendKeys(chromedp.CSS("#name"), "CI 流水线"),
		chromedp.Click(chromedp.CSS(`input[name=scope][value="audit.read"]`)))
	b.mustNavigateBy(t, "create the token", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	secret := mustRun(t, b, "read the token", chromedp.Text(chromedp.CSS("code.secret"), chromedp.NodeVisible))
	if !strings.HasPrefix(secret, "emb_") {
		t.Fatalf("token shown = %q", secret)
	}
	b.screenshot(t, "tokens")
	req, _ := http.NewRequest("GET", inst.Base+"api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /api/v1/me with the new token: %v %v", resp, err)
	}
	resp.Body.Close()

	b.mustDo(t, "open the audit log", chromedp.Navigate(inst.Base+"admin/audit"))
	b.mustNavigateBy(t, "verify the chain", chromedp.Click(chromedp.CSS(`.chain-status form button`)))
	if ok := mustRun(t, b, "read the verdict", chromedp.Text(chromedp.CSS(".chain-ok"), chromedp.NodeVisible)); !strings.Contains(ok, "完整") {
		t.Errorf("chain verdict = %q", ok)
	}
	if n := mustRun(t, b, "count token events", chromedp.Evaluate[int](`[...document.querySelectorAll("table.audit code")].filter(c => c.textContent === "token.create").length`)); n != 1 {
		t.Errorf("token.create rows in the audit log: %d", n)
	}
	b.screenshot(t, "audit")

	b.mustNavigateBy(t, "sign out", chromedp.Click(chromedp.CSS(`.account form button`)))
	b.mustDo(t, "open the tokens page again", chromedp.Navigate(inst.Base+"account/tokens"))
	mustHeading(t, b, "登录 Embargo")
	b.console.check(t)

	inst.Stop()
	// instance.init, setup.token.issue, user.create ×2, session.create,
	// signin.fail, token.create, session.delete
	mustVerifyAudit(t, inst.Data, 8)
}
