package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// Notifier queues outbound messages in the caller's transaction;
// *notify.Service is one.
type Notifier interface {
	EnqueueTx(ctx context.Context, tx notify.Enqueuer, m notify.Message) (int64, error)
}

// Target is a destination of the team's announcements of new reports.
type Target struct {
	Kind   notify.Kind
	Target string // address or URL
	Secret string // signs webhooks and robots; optional for robots
}

// Notices configures the messages intake sends through the outbox: the
// acknowledgement to a reporter who gave an address (CN-05-1, ISO/IEC
// 29147 §6.2.4), a note to them when the team writes or decides, and the
// announcement of each new report to the team's targets. Messages to
// reporters and to robots never carry the report's title or content (RMSV
// Art. 11): they point to the private link or the inbox instead.
type Notices struct {
	Notifier Notifier
	// BaseURL is the instance's public URL, ending in "/", for links.
	BaseURL string
	// Email turns on mail to reporters (an SMTP relay is configured).
	Email bool
	// Team receives an announcement of every new report.
	Team []Target
	// Wake is called after a transaction that enqueued a message commits,
	// so the worker sends at once (notify.Worker.Wake); nil for none.
	Wake func()
}

// WithNotices makes the service send n's messages.
func (s *Service) WithNotices(n Notices) *Service {
	if n.Wake == nil {
		n.Wake = func() {}
	}
	s.notices = &n
	return s
}

// wake pokes the worker after a commit that may have enqueued messages.
func (s *Service) wake() {
	if s.notices != nil {
		s.notices.Wake()
	}
}

// cst is China Standard Time, in which reporters are told times.
var cst = time.FixedZone("CST", 8*60*60)

// enqueueAck queues the acknowledgement of report r to its reporter, with
// the receipt and the private link (sent this once: only its hash is
// stored), and the team's announcements.
func (s *Service) enqueueAck(ctx context.Context, tx Tx, r Row, who Reporter, secret string) error {
	n := s.notices
	if n == nil {
		return nil
	}
	if n.Email && who.Email != "" && secret != "" {
		zh := fmt.Sprintf("%s您好：\n\n我们已收到您的漏洞报告，并已登记接收回执。\n\n跟踪编号：%s\n回执编号：%s\n接收时间：%s\n内容 SHA-256：%s\n\n请通过您的专属链接查看处理状态、与我们沟通、补充附件（请勿转发此链接）：\n%s\n\n我们会在 %d 小时内答复您。\n",
			greetingName(who.Name, "报告者"), r.TrackingID, ReceiptID(r.ReceiptSeq), r.ReceivedAt.In(cst).Format("2006-01-02 15:04:05")+" CST",
			r.RawSHA256, n.BaseURL+"report/s/"+secret, int(s.ackTarget.Hours()))
		en := fmt.Sprintf("Dear %s,\n\nWe have received your vulnerability report and logged its receipt.\n\nTracking ID: %s\nReceipt: %s\nReceived: %s\nSHA-256 of the content: %s\n\nFollow it, write to us and add files through your private link (do not forward it):\n%s\n\nWe will answer you within %d hours.\n",
			greetingName(who.Name, "reporter"), r.TrackingID, ReceiptID(r.ReceiptSeq), r.ReceivedAt.UTC().Format("2006-01-02 15:04:05")+" UTC",
			r.RawSHA256, n.BaseURL+"report/s/"+secret, int(s.ackTarget.Hours()))
		if err := s.mailReporter(ctx, tx, r, who.Email, "ack", "已收到您的漏洞报告", "Your vulnerability report is received", zh, en); err != nil {
			return err
		}
	}
	for i, t := range n.Team {
		text := fmt.Sprintf("新的漏洞报告 %s（渠道：%s）已登记，请在收件箱中处置：%sreports/%s\nNew vulnerability report %s (channel: %s): %sreports/%s",
			r.TrackingID, r.Channel, n.BaseURL, r.TrackingID, r.TrackingID, r.Channel, n.BaseURL, r.TrackingID)
		m := notify.Message{OrgID: r.OrgID, Kind: t.Kind, DedupKey: fmt.Sprintf("report:%s:new:%d", r.TrackingID, i),
			Target: t.Target, Secret: t.Secret, Subject: "[" + r.TrackingID + "] 新的漏洞报告 New vulnerability report",
			Text: text, Event: "report.received"}
		if t.Kind == notify.Webhook {
			m.Data = fmt.Appendf(nil, `{"tracking_id":%q,"channel":%q,"received_at":%q,"receipt":%q,"url":%q}`,
				r.TrackingID, r.Channel, r.ReceivedAt.UTC().Format(time.RFC3339Nano), ReceiptID(r.ReceiptSeq), n.BaseURL+"reports/"+r.TrackingID)
		}
		if _, err := n.Notifier.EnqueueTx(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// enqueueUpdate tells r's reporter, by mail, that the team wrote or
// decided (what: "reply", "status"); key makes the message unique.
func (s *Service) enqueueUpdate(ctx context.Context, tx Tx, r Row, what, key string) error {
	if s.notices == nil || !s.notices.Email {
		return nil
	}
	c, err := s.open(r)
	if err != nil || c.Reporter.Email == "" {
		return err
	}
	zhWhat, enWhat := "我们的团队给您发送了新消息。", "Our team has written to you."
	if what == "status" {
		zhWhat, enWhat = "您的报告的处理状态已更新。", "The status of your report has changed."
	}
	zh := fmt.Sprintf("%s您好：\n\n关于您的漏洞报告 %s：%s\n请通过我们在确认邮件中发给您的专属链接查看。出于保密要求，本邮件不包含报告内容。\n",
		greetingName(c.Reporter.Name, "报告者"), r.TrackingID, zhWhat)
	en := fmt.Sprintf("Dear %s,\n\nAbout your vulnerability report %s: %s\nRead it through the private link from our acknowledgement e-mail. To keep it confidential, this e-mail does not repeat the report.\n",
		greetingName(c.Reporter.Name, "reporter"), r.TrackingID, enWhat)
	return s.mailReporter(ctx, tx, r, c.Reporter.Email, what+":"+key, "您的漏洞报告有更新", "Update on your vulnerability report", zh, en)
}

// mailReporter queues one bilingual mail to a reporter, in their language
// first.
func (s *Service) mailReporter(ctx context.Context, tx Tx, r Row, to, key, zhSubject, enSubject, zh, en string) error {
	subject, body := zhSubject+" / "+enSubject, zh+"\n----\n\n"+en
	if strings.HasPrefix(r.Language, "en") {
		subject, body = enSubject+" / "+zhSubject, en+"\n----\n\n"+zh
	}
	_, err := s.notices.Notifier.EnqueueTx(ctx, tx, notify.Message{OrgID: r.OrgID, Kind: notify.Email,
		DedupKey: "report:" + r.TrackingID + ":" + key, Target: to, Subject: "[" + r.TrackingID + "] " + subject, Text: body})
	return err
}

func greetingName(name, otherwise string) string {
	if name = strings.TrimSpace(name); name != "" {
		return name
	}
	return otherwise
}

// AlertOverdue tells the team's targets of every report that no one has
// answered by its acknowledgement target (ISO-29147-1: a report without
// acknowledgement past the target raises an alert), once per report and
// target. It returns how many reports are overdue. Only the system calls
// it, from the scheduler.
func (s *Service) AlertOverdue(ctx context.Context, p *access.Principal, now time.Time) (int, error) {
	if !p.System {
		return 0, errs.New(errs.Forbidden, "only the scheduler raises overdue alerts")
	}
	n := s.notices
	if n == nil || len(n.Team) == 0 {
		return 0, nil
	}
	var overdue int
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		rows, err := tx.OverdueReports(ctx, now, 500)
		if err != nil {
			return err
		}
		overdue = len(rows)
		for _, r := range rows {
			late := now.Sub(r.AckDueAt).Round(time.Minute)
			for i, t := range n.Team {
				text := fmt.Sprintf("漏洞报告 %s 已超过答复时限 %s 仍未答复（应于 %s 前答复）：%sreports/%s\nReport %s is %s past its acknowledgement target (due %s) without an answer: %sreports/%s",
					r.TrackingID, late, r.AckDueAt.In(cst).Format("2006-01-02 15:04 CST"), n.BaseURL, r.TrackingID,
					r.TrackingID, late, r.AckDueAt.UTC().Format("2006-01-02 15:04 UTC"), n.BaseURL, r.TrackingID)
				m := notify.Message{OrgID: r.OrgID, Kind: t.Kind, DedupKey: fmt.Sprintf("report:%s:overdue:%d", r.TrackingID, i),
					Target: t.Target, Secret: t.Secret, Subject: "[" + r.TrackingID + "] 报告超时未答复 Report awaits its first answer",
					Text: text, Event: "report.overdue"}
				if t.Kind == notify.Webhook {
					m.Data = fmt.Appendf(nil, `{"tracking_id":%q,"ack_due_at":%q,"url":%q}`, r.TrackingID,
						r.AckDueAt.UTC().Format(time.RFC3339), n.BaseURL+"reports/"+r.TrackingID)
				}
				if _, err := n.Notifier.EnqueueTx(ctx, tx, m); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && overdue > 0 {
		n.Wake()
	}
	return overdue, err
}
