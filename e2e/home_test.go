package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserHomeAndLanguageSwitch loads the home page in an English
// browser, switches to Chinese with the language switch (a plain form, no
// JavaScript needed) and checks that the page, its lang attribute and the
// choice stick, with no Content-Security-Policy violation on the way.
func TestBrowserHomeAndLanguageSwitch(t *testing.T) {
	chromiumPath(t) // skip before building anything when there is no browser
	base := startEmbargo(t)
	b := newBrowser(t, "en-US")

	b.mustDo(t, "open the home page", chromedp.Navigate(base))
	checkPage(t, b, "en", "Receive, handle and disclose security vulnerabilities responsibly")
	b.screenshot(t, "en")
	// htmx loaded from its hashed URL and took its configuration from the
	// page's meta tag, which keeps it from injecting inline styles.
	if !mustRun(t, b, "inspect htmx", chromedp.Evaluate[bool](`typeof htmx === "object" && htmx.config.includeIndicatorStyles === false`)) {
		t.Error("htmx is not loaded, or ignored its htmx-config meta tag")
	}

	b.mustNavigateBy(t, "click 简体中文", chromedp.Click(chromedp.CSS(`form.lang-switch button[value="zh-CN"]`)))
	checkPage(t, b, "zh-CN", "负责任地接收、处置和发布网络产品安全漏洞")
	b.screenshot(t, "zh-CN")

	// The cookie keeps the choice over the browser's Accept-Language.
	b.mustDo(t, "reload", chromedp.Reload())
	checkPage(t, b, "zh-CN", "负责任地接收、处置和发布网络产品安全漏洞")

	b.console.check(t)
}

// checkPage checks the page's language and its visible main heading.
func checkPage(t testing.TB, b *browser, wantLang, wantHeading string) {
	t.Helper()
	lang := mustRun(t, b, "read <html lang>", chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if lang.Value != wantLang {
		t.Errorf("<html lang> = %q, want %q", lang.Value, wantLang)
	}
	heading := mustRun(t, b, "read the heading", chromedp.Text(chromedp.CSS("main h1"), chromedp.NodeVisible))
	if heading != wantHeading {
		t.Errorf("heading = %q, want %q", heading, wantHeading)
	}
	pressed := mustRun(t, b, "read the language switch",
		chromedp.AttributeValue(chromedp.CSS(`form.lang-switch button[aria-pressed="true"]`), "value"))
	if pressed.Value != wantLang {
		t.Errorf("pressed language button = %q, want %q", pressed.Value, wantLang)
	}
}
