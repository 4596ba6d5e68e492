package obligation

import (
	"fmt"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/document"
)

// Document lays the package out for printing (CN-07-6): the mandatory
// fields first, in the order of Art. 7(2), then the recommended ones, each
// labelled in Chinese and English; missing mandatory fields are named on
// the first lines so that a printed draft cannot pass for complete.
func (d Draft) Document(now time.Time) *document.Document {
	if d.CRA != nil {
		return d.craDocument(now)
	}
	p := d.Package
	doc := &document.Document{Title: "漏洞信息报送材料 / Vulnerability report to NVDB",
		Subtitle: "工业和信息化部网络安全威胁和漏洞信息共享平台 · MIIT Cybersecurity Threat and Vulnerability Information Sharing Platform",
		Meta: []string{"案件 Case: " + p.Case + " · " + p.Title, "提供者 Provider: " + p.Provider,
			"依据 Basis: 《网络产品安全漏洞管理规定》第七条第二项 / RMSV Art. 7(2)"},
		GeneratedAt: now.In(CST)}
	if len(d.Missing) > 0 {
		doc.Meta = append(doc.Meta, "草稿，缺少必填项 DRAFT, mandatory fields missing: "+strings.Join(d.Missing, ", "))
	}
	var products []document.Row
	for i, a := range p.Products {
		n := fmt.Sprintf(" %d", i+1)
		products = append(products, document.Row{Key: "产品名称 Product" + n, Value: a.Product},
			document.Row{Key: "型号 Model" + n, Value: a.Model}, document.Row{Key: "版本 Version" + n, Value: a.Versions})
	}
	doc.Sections = []document.Section{
		{Heading: "受影响产品 Affected products", Rows: products},
		{Heading: "漏洞技术特点 Technical characteristics", Paragraphs: []string{orDash(p.Technical)}},
		{Heading: "漏洞危害 Harm", Rows: []document.Row{{Key: "等级 Grade", Value: orDash(p.Harm.Statement)},
			{Key: "CVSS", Value: orDash(p.Harm.CVSS)}, {Key: "类别 Category", Value: orDash(p.Harm.Category)}, {Key: "CWE", Value: orDash(p.Harm.CWE)}}},
		{Heading: "影响范围 Scope of impact", Paragraphs: []string{orDash(p.Scope)}},
		{Heading: "补充信息 Further information", Rows: []document.Row{
			{Key: "发现或收到时间 T0", Value: p.DiscoveredAt.In(CST).Format("2006-01-02 15:04") + " CST (" + p.T0Source + ")"},
			{Key: "编号 Identifiers", Value: orDash(strings.Join(p.Identifiers, ", "))},
			{Key: "根本原因组件 Root-cause component", Value: orDash(p.RootComponent)},
			{Key: "上游供应商 Upstream vendor", Value: orDash(p.UpstreamVendor)},
			{Key: "处置状态 Status", Value: p.Status},
			{Key: "用户需采取措施 Users must act", Value: yesNo(p.UserAction)},
			{Key: "在野利用 Actively exploited", Value: yesNo(p.Exploited)}}},
	}
	if p.Provisional {
		doc.Sections[2].Paragraphs = []string{"等级依据 Embargo 暂定分级表得出，尚未按标准原文核对。The grade comes from Embargo's provisional GB/T 30279 table."}
	}
	for _, sub := range d.Submissions {
		doc.Sections = append(doc.Sections, document.Section{Heading: fmt.Sprintf("报送记录 Submission v%d", sub.Version),
			Rows: []document.Row{{Key: "时间 Submitted", Value: sub.SubmittedAt.In(CST).Format("2006-01-02 15:04") + " CST"},
				{Key: "报送人 By", Value: sub.SubmittedBy + " · " + sub.Channel}, {Key: "受理编号 Reference", Value: orDash(sub.Reference)},
				{Key: "快照 SHA-256", Value: sub.SHA256}}})
	}
	return doc
}

func yesNo(b bool) string {
	if b {
		return "是 yes"
	}
	return "否 no"
}

// craDocument lays a CRA report out for printing: the product and the
// vulnerability from the case, then every written part.
func (d Draft) craDocument(now time.Time) *document.Document {
	r := d.CRA
	doc := &document.Document{Title: "EU Cyber Resilience Act Art. 14 · " + r.Duty, Subtitle: r.Title,
		Meta: []string{"Case: " + r.Case, "Manufacturer: " + r.Manufacturer}, GeneratedAt: now.UTC()}
	if len(d.Missing) > 0 {
		doc.Meta = append(doc.Meta, "DRAFT, mandatory fields missing: "+strings.Join(d.Missing, ", "))
	}
	var products []document.Row
	for _, a := range r.Products {
		products = append(products, document.Row{Key: a.Product + " " + a.Model, Value: a.Versions})
	}
	doc.Sections = []document.Section{{Heading: "Products", Rows: products},
		{Heading: "Vulnerability", Rows: []document.Row{{Key: "Grade (GB/T 30279)", Value: orDash(r.Grade)}, {Key: "CVSS", Value: orDash(r.CVSS)},
			{Key: "Identifiers", Value: orDash(strings.Join(r.Identifiers, ", "))}, {Key: "Aware since", Value: orDash(r.AwareAt)},
			{Key: "Fix available", Value: orDash(r.FixAvailable)}}}}
	var written []document.Row
	for _, f := range d.Fields {
		written = append(written, document.Row{Key: f.LabelEN, Value: orDash(f.Value)})
	}
	doc.Sections = append(doc.Sections, document.Section{Heading: "Report", Rows: written})
	return doc
}
