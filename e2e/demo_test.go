package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDemoAdvisories fills an instance with `embargo seed demo`
// and reads it as its two audiences would. Anyone, without signing in,
// finds the two published advisories on /advisories, opens one in
// Chinese with the GB/T 28458 sections (GB-28458-1, ISO-29147-2) and
// follows its CSAF link to the provider's document (CSAF-3). The
// publisher signs in, opens the draft advisory of the demo, sees the
// publication gate's verdict and the preview, and submits it for the
// four-eyes approval (CN-09-P).
func TestBrowserDemoAdvisories(t *testing.T) {
	chromiumPath(t)
	data := t.TempDir()
	out, err := exec.Command(mustBuildEmbargo(t), "seed", "demo", "--data", data).CombinedOutput()
	if err != nil {
		t.Fatalf("seed demo: %v\n%s", err, out)
	}
	password := regexp.MustCompile(`publisher@huarui\.example\s+publisher\s+.*\s([a-z2-9]{5}(?:-[a-z2-9]{5}){2,3})\n`).FindSubmatch(out)
	draft := regexp.MustCompile(`in draft: (EMB-\d{4}-\d{4})-SA`).FindSubmatch(out)
	if password == nil || draft == nil {
		t.Fatalf("seed demo printed no publisher password or draft advisory:\n%s", out)
	}
	inst := startInstanceIn(t, data)

	b := newBrowser(t, "zh-CN")
	b.mustDo(t, "open the advisories", chromedp.Navigate(inst.Base+"advisories"))
	checkPage(t, b, "zh-CN", "安全公告")
	if n := mustRun(t, b, "count the advisories", chromedp.Evaluate[int](`document.querySelectorAll("table.data tbody tr").length`)); n != 2 {
		t.Fatalf("%d advisories listed, want the demo's 2", n)
	}
	b.screenshot(t, "demo-advisories")
	b.mustNavigateBy(t, "open the first advisory", chromedp.Click(chromedp.CSS(`table.data tbody tr a`)))
	headings := mustRun(t, b, "read the sections", chromedp.Evaluate[[]string](`[...document.querySelectorAll("dl.advisory-sections dt")].map(h => h.textContent.trim())`))
	for _, want := range []string{"漏洞描述", "影响范围", "危害等级", "解决方案", "修订历史"} {
		if !strings.Contains(strings.Join(headings, " "), want) {
			t.Errorf("the advisory page has no section %s: %q", want, headings)
		}
	}
	b.screenshot(t, "demo-advisory")
	csafLink := mustRun(t, b, "read the CSAF link", chromedp.AttributeValue(chromedp.CSS(`a[href^="/.well-known/csaf/white/"]`), "href"))
	resp, err := http.Get(strings.TrimSuffix(inst.Base, "/") + csafLink.Value)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var doc struct {
		Document struct {
			CSAFVersion string `json:"csaf_version"`
			Tracking    struct {
				ID string `json:"id"`
			} `json:"tracking"`
		} `json:"document"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 || doc.Document.CSAFVersion != "2.0" ||
		!strings.Contains(csafLink.Value, strings.ToLower(doc.Document.Tracking.ID)) {
		t.Errorf("GET %s: %d, %v, %s", csafLink.Value, resp.StatusCode, err, body)
	}
	b.console.check(t)

	// The publisher submits the draft for approval.
	p := newBrowser(t, "zh-CN")
	mustSignIn(t, p, inst.Base, "publisher@huarui.example", string(password[1]))
	mustEnrolTwoFactor(t, p)
	p.mustDo(t, "open the cases", chromedp.Navigate(inst.Base+"cases"))
	if loc := mustRun(t, p, "where the cases page led", chromedp.Location()); strings.Contains(loc, "confidentiality") {
		p.mustNavigateBy(t, "accept the statement", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
		p.mustDo(t, "open the cases again", chromedp.Navigate(inst.Base+"cases"))
	}
	href := mustRun(t, p, "find the draft's case", chromedp.Evaluate[string](
		`([...document.querySelectorAll("table.data a")].find(a => a.textContent.includes("`+string(draft[1])+`")) || {}).href || ""`))
	if href == "" {
		t.Fatalf("the publisher's case list has no %s", draft[1])
	}
	p.mustDo(t, "open the publication page", chromedp.Navigate(href+"/publication"))
	if s := mustRun(t, p, "read the state", chromedp.Text(chromedp.CSS("#publication-state"), chromedp.NodeVisible)); !strings.Contains(s, "草稿") {
		t.Errorf("draft advisory's state %q", s)
	}
	mustRun(t, p, "read the verdict", chromedp.Text(chromedp.CSS("#publication-verdict"), chromedp.NodeVisible))
	p.screenshot(t, "demo-publication")
	p.mustNavigateBy(t, "submit for approval", chromedp.Click(chromedp.CSS(`form[action$="/publication/submit"] button`)))
	if s := mustRun(t, p, "read the state", chromedp.Text(chromedp.CSS("#publication-state"), chromedp.NodeVisible)); !strings.Contains(s, "待审批") && !strings.Contains(s, "审") {
		t.Errorf("after submitting, state %q", s)
	}
	// The author may not approve what they wrote (four-eyes): the page
	// says so instead of offering the approval.
	if n := mustRun(t, p, "look for the approve button", chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/publication/approve"]').length`)); n != 0 {
		t.Errorf("the author is offered the approval of their own advisory")
	}
	if hint := mustRun(t, p, "read the four-eyes hint", chromedp.Text(chromedp.CSS("#publication-four-eyes"), chromedp.NodeVisible)); !strings.Contains(hint, "双人") {
		t.Errorf("four-eyes hint %q", hint)
	}
	p.console.check(t)
}
