package evidence

import (
	"fmt"
	"time"

	"github.com/embargohq/embargo/internal/document"
)

// Document lays a pack out for printing: the case, every duty with its
// state and evidence, the submissions, the sharing decisions, the audit
// chain head and the timeline, in Chinese and English. The signed JSON
// stays the record; the printout is for reading.
func (p Pack) Document() *document.Document {
	cst := time.FixedZone("CST", 8*3600)
	at := func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(cst).Format("2006-01-02 15:04") + " CST"
	}
	doc := &document.Document{Title: "证据包 / Evidence pack · " + p.Case.Ref, Subtitle: p.Case.Title,
		Meta: []string{"组织 Organisation: " + p.Organisation, "实例 Instance: " + p.Instance,
			fmt.Sprintf("审计链 Audit chain head: #%d %s", p.AuditHead.Seq, p.AuditHead.Hash)},
		GeneratedAt: p.GeneratedAt.In(cst)}
	doc.Sections = append(doc.Sections, document.Section{Heading: "案件 Case", Rows: []document.Row{
		{Key: "类型 Kind", Value: string(p.Case.Kind)}, {Key: "T0", Value: at(p.Case.T0) + " · " + p.Case.T0Source},
		{Key: "状态 Status", Value: p.Case.Status}, {Key: "等级 Grade", Value: p.Case.Grade}}})
	for _, d := range p.Duties {
		rows := []document.Row{{Key: "要求 Requirement", Value: d.Requirement + " · " + d.Regime},
			{Key: "到期 Due", Value: at(d.DueAt)}, {Key: "状态 State", Value: string(d.State)}}
		if !d.MetAt.IsZero() {
			rows = append(rows, document.Row{Key: "履行 Met", Value: at(d.MetAt)})
		}
		if d.NotApplicableReason != "" {
			rows = append(rows, document.Row{Key: "不适用 Not applicable", Value: d.NotApplicableReason + " (" + d.NotApplicableApprover + ")"})
		}
		for _, e := range d.Evidence {
			rows = append(rows, document.Row{Key: "证据 Evidence", Value: at(e.At) + " · " + string(e.Kind) + " " + e.Reference +
				" · " + e.Description + " · SHA-256 " + e.SHA256})
		}
		doc.Sections = append(doc.Sections, document.Section{Heading: d.Title, Rows: rows})
	}
	var subs []document.Row
	for _, s := range p.Submissions {
		subs = append(subs, document.Row{Key: s.Document, Value: at(s.SubmittedAt) + " → " + s.Destination + " · " + s.By + " · " +
			s.Channel + " · " + s.PlatformRef + " · SHA-256 " + s.SnapshotSHA256})
	}
	doc.Sections = append(doc.Sections, document.Section{Heading: "报送与通知 Submissions and notices", Rows: subs})
	var shares []document.Row
	for _, s := range p.SharingDecisions {
		shares = append(shares, document.Row{Key: s.Recipient + " (" + s.Country + ")", Value: string(s.Decision) + " · " + at(s.DecidedAt) +
			" · " + s.DecidedBy + " · " + s.LegalRef})
	}
	doc.Sections = append(doc.Sections, document.Section{Heading: "信息共享决定 Sharing decisions (RMSV 9(7))", Rows: shares})
	var tl []document.Row
	for _, e := range p.Timeline {
		tl = append(tl, document.Row{Key: at(e.At), Value: e.Action + " · " + e.Actor})
	}
	doc.Sections = append(doc.Sections, document.Section{Heading: "时间线 Timeline", Rows: tl})
	return doc
}
