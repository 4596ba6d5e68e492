package notify

import (
	"net/mail"
	"net/url"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
)

// ParseTarget reads a configured destination: "mailto:addr" (or a bare
// address) is e-mail; an https URL is a group robot when its host is
// WeCom's, DingTalk's or Feishu's (or Lark's), and a signed webhook
// otherwise.
func ParseTarget(s string) (Kind, string, error) {
	s = strings.TrimSpace(s)
	if addr, ok := strings.CutPrefix(s, "mailto:"); ok || !strings.Contains(s, "://") {
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr {
			return "", "", errs.Coded(errs.Invalid, "notify.target", "%q is neither an e-mail address nor an https URL", s)
		}
		return Email, addr, nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", "", errs.Coded(errs.Invalid, "notify.target", "%q is neither an e-mail address nor an https URL", redactURL(s))
	}
	switch host := strings.ToLower(u.Hostname()); {
	case host == "qyapi.weixin.qq.com":
		return WeCom, s, nil
	case host == "oapi.dingtalk.com":
		return DingTalk, s, nil
	case host == "open.feishu.cn" || host == "open.larksuite.com":
		return Feishu, s, nil
	}
	return Webhook, s, nil
}

// redactURL keeps a URL's scheme and host only: its path and query may
// hold a robot's token.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "(not a URL)"
	}
	return u.Scheme + "://" + u.Host + "/…"
}
