package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// RobotSender posts to the group robots of WeCom (企业微信), DingTalk (钉钉)
// and Feishu (飞书), each in its own JSON format, signed when the message
// has a secret (DingTalk and Feishu "加签"; WeCom has no signing: its key
// is in the URL).
type RobotSender struct {
	Client *http.Client     // http.Client with no redirects when nil
	Now    func() time.Time // time.Now when nil
}

// Send implements Sender. Besides the HTTP status (as WebhookSender reads
// it), the robots answer errors in the body: a non-zero errcode (WeCom,
// DingTalk) or code (Feishu). Their rate limits are retried later; every
// other error code is permanent (a wrong token, signature, keyword or
// format does not cure itself).
func (s *RobotSender) Send(ctx context.Context, m Message) error {
	target, body, err := s.request(m)
	if err != nil {
		return Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("%s: the target is not a valid URL", m.Kind))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client(s.Client).Do(req)
	if err != nil {
		return Temporary(fmt.Errorf("%s: %w", m.Kind, transportError(err)), 0)
	}
	defer drain(resp)
	if err := statusError(string(m.Kind), resp); err != nil {
		return err
	}
	return robotAnswer(m.Kind, resp.Body)
}

// request returns the URL to post to and the JSON body for m.
func (s *RobotSender) request(m Message) (string, []byte, error) {
	now := nowOr(s.Now)()
	var v any
	target := m.Target
	switch m.Kind {
	case WeCom:
		v = weComBody(m)
	case DingTalk:
		v = dingTalkBody(m)
		if m.Secret != "" {
			u, err := url.Parse(m.Target)
			if err != nil {
				return "", nil, errors.New("dingtalk: the target is not a valid URL")
			}
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", DingTalkSign(m.Secret, ts))
			u.RawQuery = q.Encode()
			target = u.String()
		}
	case Feishu:
		v = feishuBody(m, now)
	default:
		return "", nil, fmt.Errorf("robot: %q is not a robot kind", m.Kind)
	}
	body, err := json.Marshal(v)
	return target, body, err
}

// wecomText is WeCom's text or markdown message.
// https://developer.work.weixin.qq.com/document/path/91770
type wecomText struct {
	MsgType  string       `json:"msgtype"`
	Text     *textContent `json:"text,omitempty"`
	Markdown *textContent `json:"markdown,omitempty"`
}

// textContent is the {"content": …} object of WeCom and DingTalk.
type textContent struct {
	Content string `json:"content"`
}

func weComBody(m Message) wecomText {
	if m.Markdown {
		return wecomText{MsgType: "markdown", Markdown: &textContent{Content: m.Text}}
	}
	return wecomText{MsgType: "text", Text: &textContent{Content: m.Text}}
}

// dingTalkMessage is DingTalk's text or markdown message.
// https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages
type dingTalkMessage struct {
	MsgType  string            `json:"msgtype"`
	Text     *textContent      `json:"text,omitempty"`
	Markdown *dingTalkMarkdown `json:"markdown,omitempty"`
}

type dingTalkMarkdown struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

func dingTalkBody(m Message) dingTalkMessage {
	if m.Markdown {
		return dingTalkMessage{MsgType: "markdown", Markdown: &dingTalkMarkdown{Title: cmpStr(m.Subject, "Embargo"), Text: m.Text}}
	}
	return dingTalkMessage{MsgType: "text", Text: &textContent{Content: m.Text}}
}

// DingTalkSign returns DingTalk's signature for timestamp (Unix
// milliseconds): the base64 HMAC-SHA256, keyed with secret, of
// "<timestamp>\n<secret>". It goes in the query as &sign=, URL-encoded.
func DingTalkSign(secret, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// feishuMessage is Feishu's text message, with the signature in the body.
// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
type feishuMessage struct {
	Timestamp string `json:"timestamp,omitempty"`
	Sign      string `json:"sign,omitempty"`
	MsgType   string `json:"msg_type"`
	Content   struct {
		Text string `json:"text"`
	} `json:"content"`
}

func feishuBody(m Message, now time.Time) feishuMessage {
	var f feishuMessage
	f.MsgType, f.Content.Text = "text", m.Text
	if m.Secret != "" {
		f.Timestamp = strconv.FormatInt(now.Unix(), 10)
		f.Sign = FeishuSign(m.Secret, f.Timestamp)
	}
	return f
}

// FeishuSign returns Feishu's signature for timestamp (Unix seconds): the
// base64 HMAC-SHA256 of an empty message, keyed with
// "<timestamp>\n<secret>".
func FeishuSign(secret, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(timestamp+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// robotReply is the robots' answer: WeCom and DingTalk use errcode and
// errmsg; Feishu code and msg (older hooks StatusCode and StatusMessage).
type robotReply struct {
	ErrCode    *int   `json:"errcode"`
	ErrMsg     string `json:"errmsg"`
	Code       *int   `json:"code"`
	Msg        string `json:"msg"`
	StatusCode *int   `json:"StatusCode"`
}

// robotRateLimits are the codes by which a robot says "too many
// messages": WeCom 45009 (20 a minute), DingTalk 130101 (20 a minute, then
// throttled for 10 minutes), Feishu 11232 (frequency limited).
var robotRateLimits = map[Kind]map[int]time.Duration{
	WeCom:    {45009: time.Minute},
	DingTalk: {130101: 10 * time.Minute},
	Feishu:   {11232: time.Minute},
}

// robotAnswer reads a robot's answer: nil when its code is 0.
func robotAnswer(k Kind, body io.Reader) error {
	var r robotReply
	if err := json.NewDecoder(io.LimitReader(body, 64<<10)).Decode(&r); err != nil {
		return Temporary(fmt.Errorf("%s: unreadable answer: %w", k, err), 0)
	}
	code, msg := 0, r.ErrMsg
	switch {
	case r.ErrCode != nil:
		code = *r.ErrCode
	case r.Code != nil:
		code, msg = *r.Code, r.Msg
	case r.StatusCode != nil:
		code = *r.StatusCode
	default:
		return Temporary(fmt.Errorf("%s: the answer has no error code", k), 0)
	}
	if code == 0 {
		return nil
	}
	err := fmt.Errorf("%s: error %d: %.200s", k, code, msg)
	if wait, ok := robotRateLimits[k][code]; ok {
		return Temporary(err, wait)
	}
	return Permanent(err)
}
