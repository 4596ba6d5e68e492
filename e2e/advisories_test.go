package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPublicAdvisories opens the public advisory list without
// signing in, from the navigation, in Chinese and then in English
// (ISO-29147-2): the page names its RSS and Atom feeds in the reader's
// language, and nothing on it breaks the Content-Security-Policy.
func TestBrowserPublicAdvisories(t *testing.T) {
	chromiumPath(t)
	base := startEmbargo(t)
	b := newBrowser(t, "zh-CN")

	b.mustDo(t, "open the home page", chromedp.Navigate(base))
	b.mustNavigateBy(t, "click 安全公告", chromedp.Click(chromedp.CSS(`nav a[href="/advisories"]`)))
	checkPage(t, b, "zh-CN", "安全公告")
	none := mustRun(t, b, "read the empty list", chromedp.Text(chromedp.CSS("#advisories-none"), chromedp.NodeVisible))
	if none != "暂无已发布的安全公告。" {
		t.Errorf("empty list says %q", none)
	}
	feed := mustRun(t, b, "read the Atom link", chromedp.AttributeValue(chromedp.CSS(`head link[type="application/atom+xml"]`), "href"))
	if feed.Value != "/advisories/feed.atom?lang=zh-CN" {
		t.Errorf("Atom link %q", feed.Value)
	}
	b.screenshot(t, "advisories-zh-CN")

	b.mustNavigateBy(t, "click English", chromedp.Click(chromedp.CSS(`form.lang-switch button[value="en"]`)))
	checkPage(t, b, "en", "Security advisories")
	b.mustDo(t, "open an advisory never published", chromedp.Navigate(base+"advisories/EMB-2099-0001-SA"))
	mustHeading(t, b, "Page not found")
	b.console.check(t)
}
