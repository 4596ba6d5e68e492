package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// TestBrowserTwoFactor signs in a triager, who must turn on two-factor
// authentication before anything else, enrols with a code computed from
// the key on the page, and later signs in again with a recovery code.
func TestBrowserTwoFactor(t *testing.T) {
	chromiumPath(t)
	inst := startInstance(t)
	mustCreateAdmin(t, inst, "admin@example.cn", "tangerine rooftop lantern")
	password := mustCreateUser(t, inst, "triage@example.cn", "triager")

	b := newBrowser(t, "en-US")
	mustSignIn(t, b, inst.Base, "triage@example.cn", password)
	mustHeading(t, b, "Two-factor authentication") // the gate sent them here
	key := mustRun(t, b, "read the key", chromedp.Text(chromedp.CSS("code.secret"), chromedp.NodeVisible))
	if n := mustRun(t, b, "count QR codes", chromedp.Evaluate[int](`document.querySelectorAll("img.qr").length`)); n != 1 {
		t.Errorf("QR codes on the page: %d", n)
	}
	b.screenshot(t, "enrol")
	code, err := totp.GenerateCode(key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.mustDo(t, "type the code", chromedp.SendKeys(chromedp.CSS("#code"), code))
	b.mustNavigateBy(t, "confirm", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	recovery := mustRun(t, b, "read a recovery code", chromedp.Text(chromedp.CSS(".recovery-codes li code"), chromedp.NodeVisible))
	b.mustDo(t, "open the tokens page", chromedp.Navigate(inst.Base+"account/tokens"))
	mustHeading(t, b, "API tokens") // no longer gated

	b.mustNavigateBy(t, "sign out", chromedp.Click(chromedp.CSS(`.account form button`)))
	mustSignIn(t, b, inst.Base, "triage@example.cn", password)
	mustHeading(t, b, "Second factor")
	b.mustDo(t, "type a recovery code", chromedp.SendKeys(chromedp.CSS("#code"), recovery))
	b.mustNavigateBy(t, "verify", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	b.mustDo(t, "open the tokens page", chromedp.Navigate(inst.Base+"account/tokens"))
	mustHeading(t, b, "API tokens")
	b.console.check(t)
	inst.Stop()
	mustVerifyAudit(t, inst.Data, 10)
}

// mustSignIn signs in through the sign-in form.
func mustSignIn(t testing.TB, b *browser, base, email, password string) {
	t.Helper()
	b.mustDo(t, "open the sign-in page", chromedp.Navigate(base+"signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password))
	b.mustNavigateBy(t, "sign in", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
}
