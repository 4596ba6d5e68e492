package advisory

import (
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/severity/gbt30279"
)

// Section is one heading of the public document with its lines.
type Section struct {
	Heading string
	Lines   []string
}

// Page is the advisory as it appears publicly in one language: the
// sections of GB/T 28458 in its order.
type Page struct {
	Lang     string
	Title    string
	Ref      string
	Sections []Section
}

// headings are the public headings, by language.
var headings = map[string]map[string]string{
	"zh-CN": {"summary": "概述", "description": "漏洞描述", "affected": "影响范围", "severity": "危害等级", "type": "漏洞类型",
		"impact": "漏洞危害", "remediation": "解决方案", "workarounds": "临时缓解措施", "credits": "致谢", "references": "参考链接",
		"ids": "漏洞编号", "revisions": "修订历史", "published": "发布时间", "detection": "检测方法"},
	"en": {"summary": "Summary", "description": "Description", "affected": "Affected products and versions", "severity": "Severity",
		"type": "Vulnerability type", "impact": "Impact", "remediation": "Remediation", "workarounds": "Workarounds",
		"credits": "Credits", "references": "References", "ids": "Identifiers", "revisions": "Revision history",
		"published": "Published", "detection": "How to check whether you are affected"},
}

// Preview renders ct as it will appear publicly in lang ("zh-CN" or
// "en"), with revs as its revision history (oldest first): the staff's
// preview and the public page (/advisories/{ref}) are both this page. A
// text missing in lang is shown in the other language, and a section
// with nothing in it is left out.
func Preview(ref string, ct Content, lang string, revs []Revision) Page {
	if lang != "zh-CN" {
		lang = "en"
	}
	h := headings[lang]
	pick := func(t Text) string { return t.In(lang) }
	p := Page{Lang: lang, Title: pick(ct.Title), Ref: ref}
	add := func(key string, lines ...string) {
		var keep []string
		for _, l := range lines {
			for _, s := range strings.Split(l, "\n") {
				if s = strings.TrimSpace(s); s != "" {
					keep = append(keep, s)
				}
			}
		}
		if len(keep) > 0 {
			p.Sections = append(p.Sections, Section{Heading: h[key], Lines: keep})
		}
	}
	add("ids", strings.Join(ct.Aliases, ", "))
	add("summary", pick(ct.Summary))
	add("description", pick(ct.Description))
	var aff []string
	for _, a := range ct.Affected {
		line := strings.Join(strings.Fields(a.Product+" "+a.Model+" "+a.Versions), " ")
		if a.Fixed != "" {
			line += map[string]string{"zh-CN": "（已修复版本：", "en": " (fixed in "}[lang] + a.Fixed + map[string]string{"zh-CN": "）", "en": ")"}[lang]
		}
		aff = append(aff, line)
	}
	add("affected", aff...)
	sev := ""
	if g, ok := gradeNames[ct.Grade]; ok {
		sev = pick(g) + " (GB/T 30279)"
	}
	add("severity", sev, ct.CVSS)
	category := ct.Category
	if c, ok := gbt30279.LookupCategory(ct.Category); ok {
		category = pick(Text{ZH: c.Label.Chinese, EN: c.Label.English}) + " (GB/T 30279)"
	}
	add("type", ct.CWE, category)
	add("impact", pick(ct.Impact))
	add("remediation", pick(ct.Remediation))
	add("workarounds", pick(ct.Workarounds))
	add("detection", pick(ct.Detection))
	var names []string
	for _, c := range ct.Credits {
		names = append(names, c.Name)
	}
	add("credits", strings.Join(names, ", "))
	var refs []string
	for _, r := range ct.References {
		refs = append(refs, r.URL)
	}
	add("references", refs...)
	if len(revs) > 0 { // 发布时间 (GB-28458-1): the first release, and the last change if later
		when := []string{Stamp(revs[0].PublishedAt)}
		if last := revs[len(revs)-1]; last.Number != revs[0].Number {
			when = append(when, pick(kindNames[last.Kind])+" "+Stamp(last.PublishedAt))
		}
		add("published", when...)
	}
	var hist []string
	for _, r := range revs {
		hist = append(hist, strings.TrimSpace("#"+strconv.Itoa(r.Number)+" · "+Stamp(r.PublishedAt)+" · "+pick(kindNames[r.Kind])+" "+pick(r.Note)))
	}
	add("revisions", hist...)
	return p
}

// In returns t in lang ("zh-CN" or "en"), or in the other language when
// t has no text in lang.
func (t Text) In(lang string) string {
	if lang == "zh-CN" {
		return cmpOr(t.ZH, t.EN)
	}
	return cmpOr(t.EN, t.ZH)
}

// Stamp writes a public time in China Standard Time and in UTC:
// "2027-01-02 10:00 CST (2027-01-02 02:00 UTC)".
func Stamp(t time.Time) string {
	return t.In(beijing).Format("2006-01-02 15:04 MST") + " (" + t.UTC().Format("2006-01-02 15:04 MST") + ")"
}

// kindNames name the kinds of revision publicly.
var kindNames = map[Kind]Text{Release: {"发布", "Release"}, Update: {"更新", "Update"}, Withdrawal: {"撤回", "Withdrawal"}}

// beijing is the zone public times are shown in.
var beijing = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()
