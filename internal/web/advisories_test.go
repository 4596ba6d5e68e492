package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/ratelimit"
)

// fakePublicAdvisories holds published advisories and answers as
// advisory.Service does: TLP:WHITE for everyone, the rest only for a
// signed-in reader (the service's own test checks who exactly). It
// records whether each call came with a principal.
type fakePublicAdvisories struct {
	all   []advisory.Public
	calls []bool // signed in?
}

func (f *fakePublicAdvisories) Catalogue(_ context.Context, p *access.Principal) ([]advisory.Public, error) {
	f.calls = append(f.calls, p != nil)
	var out []advisory.Public
	for _, a := range f.all {
		if p != nil || !advisory.Restricted(a.Label()) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *fakePublicAdvisories) Published(ctx context.Context, p *access.Principal, ref string) (advisory.Public, error) {
	all, _ := f.Catalogue(ctx, p)
	for _, a := range all {
		if a.Ref == ref {
			return a, nil
		}
	}
	return advisory.Public{}, errs.Coded(errs.NotFound, "advisory.no_such", "no published advisory %s", ref)
}

var (
	released = time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)   // 10:00 in Beijing
	updated  = time.Date(2026, 3, 9, 17, 30, 0, 0, time.UTC) // 3月10日 01:30 in Beijing
)

// publicFixture returns three published advisories, most recently
// updated first: a WHITE one updated once, an AMBER one, and a WHITE one
// withdrawn.
func publicFixture() []advisory.Public {
	live := advisory.Content{Title: advisory.Text{ZH: "AX3000 路由器命令注入", EN: "AX3000 router command injection"},
		Summary:     advisory.Text{ZH: "管理界面存在命令注入。", EN: "The admin interface allows command injection."},
		Description: advisory.Text{ZH: "未经身份验证的攻击者可以执行任意命令。", EN: "An unauthenticated attacker can run any command."},
		Affected:    []advisory.Affected{{Product: "AX3000", Versions: "< 1.0.4", Fixed: "1.0.4"}},
		Grade:       "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", CWE: "CWE-78",
		Remediation: advisory.Text{ZH: "升级到 1.0.4。", EN: "Upgrade to 1.0.4."},
		Workarounds: advisory.Text{ZH: "关闭远程管理。", EN: "Turn off remote administration."},
		Credits:     []advisory.Credit{{Name: "张三"}},
		References:  []advisory.Reference{{URL: "https://www.cve.org/CVERecord?id=CVE-2026-0001", Kind: "advisory"}},
		Aliases:     []string{"CVE-2026-0001", "CNVD-2026-00001"}}
	first := live
	first.Workarounds = advisory.Text{}
	amber := advisory.Content{Title: advisory.Text{ZH: "交换机信息泄露", EN: "Switch information disclosure"}, Grade: "medium", TLP: advisory.TLPAmber}
	gone := advisory.Content{Title: advisory.Text{ZH: "旧型号拒绝服务"}, Grade: "low"} // no English title
	return []advisory.Public{
		{Ref: "EMB-2026-0001-SA", Publisher: "示例网络", Revisions: []advisory.Revision{
			{Number: 1, Kind: advisory.Release, Content: first, Note: advisory.Text{ZH: "首次发布", EN: "Initial release"}, PublishedAt: released},
			{Number: 2, Kind: advisory.Update, Content: live, Note: advisory.Text{ZH: "增加临时缓解措施", EN: "Workaround added"}, PublishedAt: updated}}},
		{Ref: "EMB-2026-0003-SA", Publisher: "示例网络", Revisions: []advisory.Revision{
			{Number: 1, Kind: advisory.Release, Content: amber, PublishedAt: released.Add(48 * time.Hour)}}},
		{Ref: "EMB-2026-0002-SA", Publisher: "示例网络", Revisions: []advisory.Revision{
			{Number: 1, Kind: advisory.Release, Content: gone, PublishedAt: released.Add(-time.Hour)},
			{Number: 2, Kind: advisory.Withdrawal, Content: gone, Note: advisory.Text{ZH: "重复公告", EN: "Duplicate"}, PublishedAt: released}}},
	}
}

func publicHandler(t *testing.T) (*Handler, *fakePublicAdvisories) {
	t.Helper()
	f := &fakePublicAdvisories{all: publicFixture()}
	return mustNew(t, Config{Identity: &fakeIdentity{role: access.Publisher}, PublicAdvisories: f}), f
}

// anonymousRequest asks for target in lang, without a session.
func anonymousRequest(target, lang string) *http.Request {
	req := httptest.NewRequest("GET", target, nil)
	req.Header.Set("Accept-Language", lang)
	return req
}

// ISO-29147-2: /advisories lists what is published, without signing in,
// in the reader's language with the other as fallback, withdrawn ones
// marked; a signed-in reader also sees the restricted ones, labelled.
func TestPublicAdvisoriesList(t *testing.T) {
	tests := []struct {
		name  string
		req   *http.Request
		rows  []string
		feeds []string
	}{
		{"anonymous, Chinese", anonymousRequest("/advisories", "zh-CN"), []string{
			"EMB-2026-0001-SA | AX3000 路由器命令注入 | 高危 | CVE-2026-0001, CNVD-2026-00001 | 2026-03-01 10:00 CST 2026-03-01 02:00 UTC | 2026-03-10 01:30 CST 2026-03-09 17:30 UTC",
			"withdrawn EMB-2026-0002-SA | 旧型号拒绝服务 已撤回 | 低危 | — | 2026-03-01 09:00 CST 2026-03-01 01:00 UTC | 2026-03-01 10:00 CST 2026-03-01 02:00 UTC"},
			[]string{"application/rss+xml /advisories/feed.rss?lang=zh-CN", "application/atom+xml /advisories/feed.atom?lang=zh-CN"}},
		{"anonymous, English", anonymousRequest("/advisories", "en"), []string{
			"EMB-2026-0001-SA | AX3000 router command injection | High | CVE-2026-0001, CNVD-2026-00001 | 2026-03-01 10:00 CST 2026-03-01 02:00 UTC | 2026-03-10 01:30 CST 2026-03-09 17:30 UTC",
			"withdrawn EMB-2026-0002-SA | 旧型号拒绝服务 Withdrawn | Low | — | 2026-03-01 09:00 CST 2026-03-01 01:00 UTC | 2026-03-01 10:00 CST 2026-03-01 02:00 UTC"},
			[]string{"application/rss+xml /advisories/feed.rss?lang=en", "application/atom+xml /advisories/feed.atom?lang=en"}},
		{"signed in", signedInRequest("GET", "/advisories", nil), []string{
			"EMB-2026-0001-SA | AX3000 router command injection | High | CVE-2026-0001, CNVD-2026-00001 | 2026-03-01 10:00 CST 2026-03-01 02:00 UTC | 2026-03-10 01:30 CST 2026-03-09 17:30 UTC",
			"EMB-2026-0003-SA TLP:AMBER | Switch information disclosure | Medium | — | 2026-03-03 10:00 CST 2026-03-03 02:00 UTC | 2026-03-03 10:00 CST 2026-03-03 02:00 UTC",
			"withdrawn EMB-2026-0002-SA | 旧型号拒绝服务 Withdrawn | Low | — | 2026-03-01 09:00 CST 2026-03-01 01:00 UTC | 2026-03-01 10:00 CST 2026-03-01 02:00 UTC"},
			[]string{"application/rss+xml /advisories/feed.rss?lang=en", "application/atom+xml /advisories/feed.atom?lang=en"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, f := publicHandler(t)
			resp, doc := mustGetPage(t, h, tc.req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			var rows, feeds []string
			for _, tr := range doc.find("#advisories tbody tr") {
				var cells []string
				for i, td := range tr.find("td") {
					if i != 3 { // CVSS, checked below
						cells = append(cells, squash(td.textContent()))
					}
				}
				rows = append(rows, strings.TrimSpace(tr.attrs["class"]+" "+strings.Join(cells, " | ")))
			}
			for _, l := range doc.find(`head link[rel=alternate]`) {
				feeds = append(feeds, l.attrs["type"]+" "+l.attrs["href"])
			}
			if diff := cmp.Diff(tc.rows, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.feeds, feeds); diff != "" {
				t.Errorf("feed links (-want +got):\n%s", diff)
			}
			if got := doc.find("#advisories tbody tr td code"); len(got) < 2 || got[1].textContent() != "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" {
				t.Errorf("the first row has no CVSS vector")
			}
			if diff := cmp.Diff([]bool{tc.req.Header.Get("Cookie") != ""}, f.calls); diff != "" {
				t.Errorf("catalogue read signed in (-want +got):\n%s", diff)
			}
			if len(doc.find(`nav a[href="/advisories"]`)) != 1 {
				t.Errorf("no link to /advisories in the navigation")
			}
		})
	}
}

// GB-28458-1, ISO-29147-2: the advisory page shows every public field in
// the reader's language, the revision history, the CSAF document's path,
// and a banner once withdrawn; a restricted advisory is not found for a
// reader who may not read it.
func TestPublicAdvisoryPage(t *testing.T) {
	tests := []struct {
		name     string
		req      *http.Request
		status   int
		title    string
		sections []string
		banner   string
		csaf     string
	}{
		{"Chinese", anonymousRequest("/advisories/EMB-2026-0001-SA", "zh-CN"), 200, "AX3000 路由器命令注入", []string{
			"漏洞编号: CVE-2026-0001, CNVD-2026-00001", "概述: 管理界面存在命令注入。", "漏洞描述: 未经身份验证的攻击者可以执行任意命令。",
			"影响范围: AX3000 < 1.0.4（已修复版本：1.0.4）", "危害等级: 高危 (GB/T 30279) / CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			"漏洞类型: CWE-78", "解决方案: 升级到 1.0.4。", "临时缓解措施: 关闭远程管理。", "致谢: 张三",
			"参考链接: https://www.cve.org/CVERecord?id=CVE-2026-0001",
			"发布时间: 2026-03-01 10:00 CST (2026-03-01 02:00 UTC) / 更新 2026-03-10 01:30 CST (2026-03-09 17:30 UTC)",
			"修订历史: #1 · 2026-03-01 10:00 CST (2026-03-01 02:00 UTC) · 发布 首次发布 / #2 · 2026-03-10 01:30 CST (2026-03-09 17:30 UTC) · 更新 增加临时缓解措施"},
			"", "/.well-known/csaf/white/2026/emb-2026-0001-sa.json"},
		{"English", anonymousRequest("/advisories/EMB-2026-0001-SA", "en"), 200, "AX3000 router command injection", []string{
			"Identifiers: CVE-2026-0001, CNVD-2026-00001", "Summary: The admin interface allows command injection.",
			"Description: An unauthenticated attacker can run any command.", "Affected products and versions: AX3000 < 1.0.4 (fixed in 1.0.4)",
			"Severity: High (GB/T 30279) / CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "Vulnerability type: CWE-78",
			"Remediation: Upgrade to 1.0.4.", "Workarounds: Turn off remote administration.", "Credits: 张三",
			"References: https://www.cve.org/CVERecord?id=CVE-2026-0001",
			"Published: 2026-03-01 10:00 CST (2026-03-01 02:00 UTC) / Update 2026-03-10 01:30 CST (2026-03-09 17:30 UTC)",
			"Revision history: #1 · 2026-03-01 10:00 CST (2026-03-01 02:00 UTC) · Release Initial release / #2 · 2026-03-10 01:30 CST (2026-03-09 17:30 UTC) · Update Workaround added"},
			"", "/.well-known/csaf/white/2026/emb-2026-0001-sa.json"},
		{"withdrawn", anonymousRequest("/advisories/EMB-2026-0002-SA", "en"), 200, "旧型号拒绝服务 Withdrawn", []string{
			"Severity: Low (GB/T 30279)",
			"Published: 2026-03-01 09:00 CST (2026-03-01 01:00 UTC) / Withdrawal 2026-03-01 10:00 CST (2026-03-01 02:00 UTC)",
			"Revision history: #1 · 2026-03-01 09:00 CST (2026-03-01 01:00 UTC) · Release / #2 · 2026-03-01 10:00 CST (2026-03-01 02:00 UTC) · Withdrawal Duplicate"},
			"This advisory was withdrawn on 2026-03-01 10:00 CST. Do not rely on it. Duplicate", ""},
		{"restricted, anonymous", anonymousRequest("/advisories/EMB-2026-0003-SA", "en"), 404, "", nil, "", ""},
		{"restricted, signed in", signedInRequest("GET", "/advisories/EMB-2026-0003-SA", nil), 200, "Switch information disclosure",
			[]string{"Severity: Medium (GB/T 30279)", "Published: 2026-03-03 10:00 CST (2026-03-03 02:00 UTC)",
				"Revision history: #1 · 2026-03-03 10:00 CST (2026-03-03 02:00 UTC) · Release"}, "", ""},
		{"unknown", anonymousRequest("/advisories/EMB-2026-0099-SA", "en"), 404, "", nil, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := publicHandler(t)
			resp, doc := mustGetPage(t, h, tc.req)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != http.StatusOK {
				if strings.Contains(doc.textContent(), "Switch information disclosure") {
					t.Errorf("the 404 page tells the restricted advisory's title")
				}
				return
			}
			var sections []string
			dts, dds := doc.find("#advisory dl.advisory-sections dt"), doc.find("#advisory dl.advisory-sections dd")
			for i := range dts {
				var lines []string
				for _, p := range dds[i].find("p") {
					lines = append(lines, squash(p.textContent()))
				}
				sections = append(sections, squash(dts[i].textContent())+": "+strings.Join(lines, " / "))
			}
			if diff := cmp.Diff(tc.sections, sections); diff != "" {
				t.Errorf("sections (-want +got):\n%s", diff)
			}
			if got := squash(doc.first(t, "#advisory h1").textContent()); got != tc.title {
				t.Errorf("title %q, want %q", got, tc.title)
			}
			var banner, csaf string
			for _, n := range doc.find("#advisory-withdrawn") {
				banner = squash(n.textContent())
			}
			for _, n := range doc.find("#advisory-csaf") {
				csaf = n.attrs["href"]
			}
			if banner != tc.banner || csaf != tc.csaf {
				t.Errorf("banner %q, CSAF %q; want %q, %q", banner, csaf, tc.banner, tc.csaf)
			}
			for _, a := range doc.find("#advisory dl.advisory-sections a") {
				if !strings.HasPrefix(a.attrs["href"], "https://") {
					t.Errorf("reference link %q", a.attrs["href"])
				}
			}
		})
	}
}

// The preview on the case page is the public page's document: the same
// sections, from the same partial.
func TestPreviewIsPublicPage(t *testing.T) {
	h := mustNew(t, Config{Identity: acceptedIdentity{&fakeIdentity{role: access.Publisher}}, Cases: fakeCase{}, Advisories: fakeAdvisories{}})
	_, doc := mustGetPage(t, h, signedInRequest("GET", "/cases/11/publication", nil))
	var got []string
	for _, a := range doc.find("article.advisory-preview") {
		for _, dt := range a.find("dl.advisory-sections dt") {
			got = append(got, a.attrs["lang"]+" "+dt.textContent())
		}
	}
	want := []string{"zh-CN 危害等级", "zh-CN 解决方案", "en Severity", "en Remediation"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("preview sections (-want +got):\n%s", diff)
	}
}

// rssDoc and atomDoc read the feeds back as a feed reader would.
type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		// Self comes first: a field without a namespace would take the
		// atom:link too.
		Self struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
		Title    string `xml:"title"`
		Link     string `xml:"link"`
		Language string `xml:"language"`
		Items    []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			Description string `xml:"description"`
			PubDate     string `xml:"pubDate"`
			GUID        struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				Value       string `xml:",chardata"`
			} `xml:"guid"`
		} `xml:"item"`
	} `xml:"channel"`
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string   `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Author    []struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Link struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

func mustGetFeed(t *testing.T, h http.Handler, req *http.Request, contentType string, doc any) *http.Response {
	t.Helper()
	resp := serve(h, req)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType {
		t.Fatalf("%s: status %d, Content-Type %q", req.URL, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := xml.NewDecoder(resp.Body).Decode(doc); err != nil {
		t.Fatalf("%s: %v", req.URL, err)
	}
	return resp
}

// ISO-29147-2: the RSS feed carries the TLP:WHITE advisories only, even
// to a signed-in reader, in the language asked, with absolute links.
func TestPublicAdvisoriesRSS(t *testing.T) {
	type item struct{ Title, Link, GUID, PubDate, Description string }
	tests := []struct {
		name, target, lang string
		signedIn           bool
		items              []item
	}{
		{"Chinese by default", "/advisories/feed.rss", "zh-CN", false, []item{
			{"EMB-2026-0001-SA: AX3000 路由器命令注入", "http://example.com/advisories/EMB-2026-0001-SA", "http://example.com/advisories/EMB-2026-0001-SA",
				"Mon, 09 Mar 2026 17:30:00 +0000", "管理界面存在命令注入。"},
			{"EMB-2026-0002-SA: [已撤回] 旧型号拒绝服务", "http://example.com/advisories/EMB-2026-0002-SA", "http://example.com/advisories/EMB-2026-0002-SA",
				"Sun, 01 Mar 2026 02:00:00 +0000", ""}}},
		{"English, signed in", "/advisories/feed.rss?lang=en", "en", true, []item{
			{"EMB-2026-0001-SA: AX3000 router command injection", "http://example.com/advisories/EMB-2026-0001-SA", "http://example.com/advisories/EMB-2026-0001-SA",
				"Mon, 09 Mar 2026 17:30:00 +0000", "The admin interface allows command injection."},
			{"EMB-2026-0002-SA: [Withdrawn] 旧型号拒绝服务", "http://example.com/advisories/EMB-2026-0002-SA", "http://example.com/advisories/EMB-2026-0002-SA",
				"Sun, 01 Mar 2026 02:00:00 +0000", ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, f := publicHandler(t)
			req := anonymousRequest(tc.target, "en")
			if tc.signedIn {
				req = signedInRequest("GET", tc.target, nil)
			}
			var doc rssDoc
			mustGetFeed(t, h, req, "application/rss+xml; charset=utf-8", &doc)
			var got []item
			for _, it := range doc.Channel.Items {
				if it.GUID.IsPermaLink != "true" {
					t.Errorf("guid %q is not a permalink", it.GUID.Value)
				}
				got = append(got, item{it.Title, it.Link, it.GUID.Value, it.PubDate, it.Description})
			}
			if diff := cmp.Diff(tc.items, got); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			c := doc.Channel
			if doc.Version != "2.0" || c.Link != "http://example.com/advisories" || c.Language != tc.lang ||
				c.Self.Rel != "self" || c.Self.Href != "http://example.com/advisories/feed.rss?lang="+tc.lang {
				t.Errorf("channel: version %q, %+v", doc.Version, c)
			}
			if diff := cmp.Diff([]bool{false}, f.calls); diff != "" {
				t.Errorf("the feed read the catalogue signed in (-want +got):\n%s", diff)
			}
		})
	}
}

// ISO-29147-2, RFC 4287: the Atom feed has what §4.1.1 and §4.1.2 require
// of a feed and of each entry (id, title, updated, an author), with
// RFC 3339 times, absolute links, and TLP:WHITE advisories only.
func TestPublicAdvisoriesAtom(t *testing.T) {
	h, _ := publicHandler(t)
	var doc atomDoc
	mustGetFeed(t, h, signedInRequest("GET", "/advisories/feed.atom?lang=en", nil), "application/atom+xml; charset=utf-8", &doc)
	for name, v := range map[string]string{"id": doc.ID, "title": doc.Title, "updated": doc.Updated} {
		if v == "" {
			t.Errorf("the feed has no %s", name)
		}
	}
	if doc.Lang != "en" || doc.Updated != "2026-03-09T17:30:00Z" || doc.ID != "http://example.com/advisories/feed.atom?lang=en" {
		t.Errorf("feed: lang %q, updated %q, id %q", doc.Lang, doc.Updated, doc.ID)
	}
	var links []string
	for _, l := range doc.Links {
		links = append(links, l.Rel+" "+l.Href)
	}
	if diff := cmp.Diff([]string{"self http://example.com/advisories/feed.atom?lang=en", "alternate http://example.com/advisories"}, links); diff != "" {
		t.Errorf("feed links (-want +got):\n%s", diff)
	}
	var got []string
	for _, e := range doc.Entries {
		for _, ts := range []string{e.Updated, e.Published} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Errorf("entry %s: %v", e.ID, err)
			}
		}
		if e.ID == "" || e.Title == "" || len(e.Author) == 0 || e.Author[0].Name == "" {
			t.Errorf("entry lacks a required element: %+v", e)
		}
		got = append(got, strings.Join([]string{e.ID, e.Title, e.Published, e.Updated, e.Link.Href, e.Summary}, " | "))
	}
	want := []string{
		"http://example.com/advisories/EMB-2026-0001-SA | EMB-2026-0001-SA: AX3000 router command injection | 2026-03-01T02:00:00Z | 2026-03-09T17:30:00Z | http://example.com/advisories/EMB-2026-0001-SA | The admin interface allows command injection.",
		"http://example.com/advisories/EMB-2026-0002-SA | EMB-2026-0002-SA: [Withdrawn] 旧型号拒绝服务 | 2026-03-01T01:00:00Z | 2026-03-01T02:00:00Z | http://example.com/advisories/EMB-2026-0002-SA | ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

// Text that is markup in XML arrives as text, not as elements; a feed
// holds the 50 most recently updated advisories; an empty catalogue still
// gives a valid feed.
func TestPublicAdvisoriesFeedContent(t *testing.T) {
	var many []advisory.Public
	for i := range 60 {
		ct := advisory.Content{Title: advisory.Text{EN: fmt.Sprintf("<b>%d</b> & \"x\"]]>", i)}}
		many = append(many, advisory.Public{Ref: fmt.Sprintf("SA-%02d", i), Publisher: "A&B <Ltd>",
			Revisions: []advisory.Revision{{Number: 1, Kind: advisory.Release, Content: ct, PublishedAt: updated.Add(-time.Duration(i) * time.Hour)}}})
	}
	h := mustNew(t, Config{PublicAdvisories: &fakePublicAdvisories{all: many}})
	var doc atomDoc
	mustGetFeed(t, h, anonymousRequest("/advisories/feed.atom?lang=en", "en"), "application/atom+xml; charset=utf-8", &doc)
	if len(doc.Entries) != 50 || doc.Entries[0].Title != `SA-00: <b>0</b> & "x"]]>` || doc.Entries[49].ID != "http://example.com/advisories/SA-49" ||
		doc.Entries[0].Author[0].Name != "A&B <Ltd>" {
		t.Errorf("%d entries, first %+v", len(doc.Entries), doc.Entries[0])
	}
	var rss rssDoc
	mustGetFeed(t, h, anonymousRequest("/advisories/feed.rss?lang=en", "en"), "application/rss+xml; charset=utf-8", &rss)
	if len(rss.Channel.Items) != 50 || rss.Channel.Items[0].Title != `SA-00: <b>0</b> & "x"]]>` {
		t.Errorf("%d items, first %+v", len(rss.Channel.Items), rss.Channel.Items[0])
	}
	empty := mustNew(t, Config{PublicAdvisories: &fakePublicAdvisories{}})
	doc = atomDoc{}
	mustGetFeed(t, empty, anonymousRequest("/advisories/feed.atom", "en"), "application/atom+xml; charset=utf-8", &doc)
	if doc.Updated != "1970-01-01T00:00:00Z" || doc.Lang != "zh-CN" || len(doc.Entries) != 0 {
		t.Errorf("empty feed: %+v", doc)
	}
}

// A feed asked again with its ETag or its Last-Modified is not sent again
// (304); a changed catalogue is; a language not served, or an instance
// without advisories, gets a clear error.
func TestPublicAdvisoriesFeedConditional(t *testing.T) {
	h, f := publicHandler(t)
	for _, path := range []string{"/advisories/feed.rss", "/advisories/feed.atom?lang=en"} {
		first := serve(h, anonymousRequest(path, "en"))
		etag, modified := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		if first.StatusCode != 200 || etag == "" || modified != "Mon, 09 Mar 2026 17:30:00 GMT" {
			t.Fatalf("%s: status %d, ETag %q, Last-Modified %q", path, first.StatusCode, etag, modified)
		}
		tests := []struct {
			name, header, value string
			want                int
		}{
			{"same ETag", "If-None-Match", etag, http.StatusNotModified},
			{"other ETag", "If-None-Match", `"0123"`, http.StatusOK},
			{"not modified since", "If-Modified-Since", modified, http.StatusNotModified},
			{"modified since", "If-Modified-Since", "Mon, 09 Mar 2026 17:29:59 GMT", http.StatusOK},
		}
		for _, tc := range tests {
			req := anonymousRequest(path, "en")
			req.Header.Set(tc.header, tc.value)
			if got := serve(h, req).StatusCode; got != tc.want {
				t.Errorf("%s, %s: status %d, want %d", path, tc.name, got, tc.want)
			}
		}
		f.all = f.all[1:] // the newest advisory goes: the feed changes
		req := anonymousRequest(path, "en")
		req.Header.Set("If-None-Match", etag)
		if got := serve(h, req).StatusCode; got != http.StatusOK {
			t.Errorf("%s after a change: status %d, want 200", path, got)
		}
		f.all = publicFixture()
	}
	if got := serve(h, anonymousRequest("/advisories/feed.rss?lang=fr", "en")).StatusCode; got != http.StatusBadRequest {
		t.Errorf("lang=fr: status %d, want 400", got)
	}
	off := mustNew(t, Config{})
	for _, path := range []string{"/advisories", "/advisories/feed.rss", "/advisories/feed.atom", "/advisories/EMB-2026-0001-SA"} {
		if got := serve(off, anonymousRequest(path, "en")).StatusCode; got != http.StatusNotFound {
			t.Errorf("%s without advisories: status %d, want 404", path, got)
		}
	}
}

// The public pages and the CSAF provider are limited per client address
// for anonymous readers (429 with Retry-After past the allowance);
// signed-in readers are not counted.
func TestPublicReadsLimited(t *testing.T) {
	h := mustNew(t, Config{Identity: &fakeIdentity{role: access.Publisher}, PublicAdvisories: &fakePublicAdvisories{all: publicFixture()},
		PublicReads: ratelimit.New(2, time.Minute, nil)})
	var got []int
	for _, target := range []string{"/advisories", "/advisories/feed.atom", "/advisories", "/.well-known/csaf/provider-metadata.json"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, anonymousRequest(target, "en"))
		got = append(got, rec.Code)
		if rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: 429 without Retry-After", target)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, signedInRequest("GET", "/advisories", nil))
	got = append(got, rec.Code)
	if diff := cmp.Diff([]int{200, 200, 429, 429, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}
