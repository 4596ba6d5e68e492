package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/embargohq/embargo/internal/modtest"
)

// exposureCatalogue is a product whose version 2.0 is built on
// golang.org/x/text v0.3.7 (GO-2022-1059 affects it; GO-2021-0113, fixed
// in 0.3.7, does not), a third-party module supplied by the Go project.
const exposureCatalogue = `{"format": "embargo.products.v1", "products": [{"name": "工控网关", "models": [{"name": "GW-9",
  "versions": [{"version": "2.0", "components": [
    {"name": "x/text", "version": "v0.3.7", "purl": "pkg:golang/golang.org/x/text@v0.3.7", "third_party": true,
     "supplier": {"name": "Go Project", "country": "US"}},
    {"name": "gw-core", "version": "2.0"}]}]}]}]}`

// TestBrowserExposure imports real vulndb records with the CLI, restarts
// the server so that its index holds them, adds a product version built
// on a vulnerable Go module through the catalogue import form, and reads
// on the version's page the match, why, and the case it opened.
func TestBrowserExposure(t *testing.T) {
	chromiumPath(t)
	vulndb := modtest.Download(t, modtest.VulnDB, true)
	inst := startInstance(t)
	mustCreateAdmin(t, inst, "admin@example.cn", "tangerine rooftop lantern")
	password := mustCreateUser(t, inst, "compliance@example.cn", "compliance_officer")
	var records []string
	for _, id := range []string{"GO-2022-1059", "GO-2021-0113", "GO-2020-0001"} {
		records = append(records, filepath.Join(vulndb.Dir, "data", "osv", id+".json"))
	}
	out, err := exec.Command(mustBuildEmbargo(t), append([]string{"advisories", "import", "--data", inst.Data}, records...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("advisories import: %v\n%s", err, out)
	}
	inst.Stop()
	inst = startInstanceIn(t, inst.Data)

	catalogue := filepath.Join(t.TempDir(), "catalogue.json")
	if err := os.WriteFile(catalogue, []byte(exposureCatalogue), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, "en")
	mustSignIn(t, b, inst.Base, "compliance@example.cn", password)
	mustEnrolTwoFactor(t, b)
	b.mustDo(t, "open the cases", chromedp.Navigate(inst.Base+"cases"))
	b.mustNavigateBy(t, "accept the statement", chromedp.Click(chromedp.CSS(`form.form button[type="submit"]`)))
	b.mustDo(t, "open the catalogue", chromedp.Navigate(inst.Base+"products"),
		chromedp.SetUploadFiles(`#file`, []string{catalogue}))
	b.mustNavigateBy(t, "import the catalogue", chromedp.Click(chromedp.CSS(`form[action="/products/import"] button[type="submit"]`)))
	b.mustNavigateBy(t, "open the version", chromedp.Click(chromedp.CSS(`a.version-link`)))

	rows := mustRun(t, b, "read the matches", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#version-matches tbody tr.match")].map(r => r.innerText.replace(/\s+/g, " "))`))
	if len(rows) != 1 {
		t.Fatalf("matches %q, want GO-2022-1059 alone", rows)
	}
	for _, want := range []string{"GO-2022-1059", "CVE-2022-32149", "pkg:golang/golang.org/x/text@v0.3.7",
		"SEMVER range (introduced 0, fixed 0.3.8) includes v0.3.7", "0.3.8", "EMB-"} {
		if !strings.Contains(rows[0], want) {
			t.Errorf("match %q lacks %q", rows[0], want)
		}
	}
	b.screenshot(t, "version-matches")
	b.mustNavigateBy(t, "open the case", chromedp.Click(chromedp.CSS(`#version-matches td.case a`)))
	if h1 := mustRun(t, b, "read the case title", chromedp.Text(chromedp.CSS("main h1"), chromedp.NodeVisible)); !strings.Contains(h1, "GO-2022-1059") {
		t.Errorf("case title %q, want the advisory's", h1)
	}
	b.mustDo(t, "open the advisory", chromedp.Navigate(inst.Base+"upstream/GO-2022-1059"))
	if where := mustRun(t, b, "read what it hits", chromedp.Text(chromedp.CSS("#advisory-matches td.where"), chromedp.NodeVisible)); where != "工控网关 GW-9 2.0" {
		t.Errorf("the advisory hits %q, want 工控网关 GW-9 2.0", where)
	}
	b.console.check(t)
}
