package notify

import (
	"encoding/json"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/errs"
)

// Limits on a message, in bytes. The robot limits are the platforms' own
// (WeCom: text 2048, markdown 4096); DingTalk and Feishu refuse request
// bodies of about 20 KB.
const (
	maxDedupKey   = 200
	maxSubject    = 998 // RFC 5322 §2.1.1 line limit
	maxBody       = 1 << 20
	maxRobotText  = 2048
	maxWeComMD    = 4096
	maxRobotBody  = 18000
	maxWebhookURL = 2048
)

// Validate checks m before it is enqueued. It returns errs.Invalid with a
// translation code that says what is wrong.
func (m Message) Validate() error {
	switch {
	case !m.Kind.Valid():
		return errs.Coded(errs.Invalid, "notify.kind", "unknown delivery kind %q", string(m.Kind))
	case m.DedupKey == "" || len(m.DedupKey) > maxDedupKey || !utf8.ValidString(m.DedupKey):
		return errs.Coded(errs.Invalid, "notify.dedup_key", "a message needs a deduplication key of at most %d bytes", maxDedupKey)
	case !utf8.ValidString(m.Subject) || !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML):
		return errs.Coded(errs.Invalid, "notify.utf8", "the message is not valid UTF-8")
	case len(m.Subject) > maxSubject || strings.ContainsAny(m.Subject, "\r\n"):
		return errs.Coded(errs.Invalid, "notify.subject", "the subject must be one line of at most %d bytes", maxSubject)
	case len(m.Text)+len(m.HTML)+len(m.Data) > maxBody:
		return errs.Coded(errs.Invalid, "notify.too_long", "the message may be at most %d bytes", maxBody)
	}
	if err := m.validateTarget(); err != nil {
		return err
	}
	switch {
	case m.Kind == Webhook:
		return m.validateWebhook()
	case m.Kind.robot():
		return m.validateRobot()
	}
	if m.Text == "" {
		return errs.Coded(errs.Invalid, "notify.body", "the message has no text")
	}
	return nil
}

func (m Message) validateTarget() error {
	if m.Kind == Email {
		a, err := mail.ParseAddress(m.Target)
		if err != nil || a.Address != m.Target {
			return errs.Coded(errs.Invalid, "notify.address", "%q is not a bare e-mail address", m.Target)
		}
		return nil
	}
	u, err := url.Parse(m.Target)
	if err != nil || len(m.Target) > maxWebhookURL || u.Host == "" || u.User != nil || u.Fragment != "" ||
		!(u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		// Never echo the URL: it may hold the robot's token.
		return errs.Coded(errs.Invalid, "notify.url", "the target must be an https URL (http only to loopback)")
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func (m Message) validateWebhook() error {
	if m.Secret == "" {
		return errs.Coded(errs.Invalid, "notify.secret", "a webhook needs a signing secret")
	}
	if m.Event == "" && len(m.Data) == 0 {
		return errs.Coded(errs.Invalid, "notify.body", "the message has no text")
	}
	if len(m.Data) > 0 && !json.Valid(m.Data) {
		return errs.Coded(errs.Invalid, "notify.data", "the webhook data is not valid JSON")
	}
	return nil
}

func (m Message) validateRobot() error {
	limit := maxRobotBody
	switch {
	case m.Kind == WeCom && m.Markdown:
		limit = maxWeComMD
	case m.Kind == WeCom:
		limit = maxRobotText
	}
	switch {
	case m.Text == "":
		return errs.Coded(errs.Invalid, "notify.body", "the message has no text")
	case len(m.Text) > limit:
		return errs.Coded(errs.Invalid, "notify.robot_too_long", "a %s message may be at most %d bytes", string(m.Kind), limit)
	}
	return nil
}

// MaskTarget returns target as the outbox shows it: an e-mail address with
// its local part shortened to the first character ("s***@example.com"); a
// URL without its query, and with its path's last segment hidden when the
// kind keeps its token there (Feishu's …/hook/<token>).
func MaskTarget(k Kind, target string) string {
	if k == Email {
		local, domain, ok := strings.Cut(target, "@")
		if !ok || local == "" {
			return "***"
		}
		r, _ := utf8.DecodeRuneInString(local)
		return string(r) + "***@" + domain
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return "***"
	}
	masked := u.Scheme + "://" + u.Host + u.EscapedPath()
	if k == Feishu || k == Webhook && strings.Count(u.Path, "/") > 1 {
		if i := strings.LastIndexByte(masked, '/'); i > len(u.Scheme)+3 {
			masked = masked[:i+1] + "***"
		}
	}
	if u.RawQuery != "" {
		masked += "?***"
	}
	return masked
}
