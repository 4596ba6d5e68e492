package notify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/notify"
	"github.com/google/go-cmp/cmp"
)

var robotNow = time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC)

// robotServer records one request's query and JSON body and answers with
// reply.
type robotServer struct {
	reply  string
	status int
	query  map[string]string
	body   map[string]any
}

func (rs *robotServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rs.query = map[string]string{}
	for k := range r.URL.Query() {
		rs.query[k] = r.URL.Query().Get(k)
	}
	b, _ := io.ReadAll(r.Body)
	rs.body = nil
	_ = json.Unmarshal(b, &rs.body)
	w.WriteHeader(cmpInt(rs.status, http.StatusOK))
	_, _ = io.WriteString(w, rs.reply)
}

// hmacB64 is the robots' signature, written out here apart from the code
// under test: base64(HMAC-SHA256(key, msg)).
func hmacB64(key, msg string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestRobotSenderFormats(t *testing.T) {
	ms := strconv.FormatInt(robotNow.UnixMilli(), 10)
	sec := strconv.FormatInt(robotNow.Unix(), 10)
	tests := []struct {
		name      string
		m         notify.Message
		path      string
		reply     string
		wantQuery map[string]string
		wantBody  map[string]any
	}{
		{
			name: "wecom text", path: "/cgi-bin/webhook/send?key=abc", reply: `{"errcode":0,"errmsg":"ok"}`,
			m:         notify.Message{Kind: notify.WeCom, Text: "漏洞 EMB-1 已修复"},
			wantQuery: map[string]string{"key": "abc"},
			wantBody:  map[string]any{"msgtype": "text", "text": map[string]any{"content": "漏洞 EMB-1 已修复"}},
		},
		{
			name: "wecom markdown", path: "/cgi-bin/webhook/send?key=abc", reply: `{"errcode":0,"errmsg":"ok"}`,
			m:         notify.Message{Kind: notify.WeCom, Text: "**EMB-1** fixed", Markdown: true},
			wantQuery: map[string]string{"key": "abc"},
			wantBody:  map[string]any{"msgtype": "markdown", "markdown": map[string]any{"content": "**EMB-1** fixed"}},
		},
		{
			name: "dingtalk text, unsigned", path: "/robot/send?access_token=tok", reply: `{"errcode":0,"errmsg":"ok"}`,
			m:         notify.Message{Kind: notify.DingTalk, Text: "监控报警: EMB-1"},
			wantQuery: map[string]string{"access_token": "tok"},
			wantBody:  map[string]any{"msgtype": "text", "text": map[string]any{"content": "监控报警: EMB-1"}},
		},
		{
			name: "dingtalk signed markdown", path: "/robot/send?access_token=tok", reply: `{"errcode":0,"errmsg":"ok"}`,
			m:         notify.Message{Kind: notify.DingTalk, Secret: "SECabc+/=", Subject: "EMB-1", Text: "#### fixed", Markdown: true},
			wantQuery: map[string]string{"access_token": "tok", "timestamp": ms, "sign": hmacB64("SECabc+/=", ms+"\nSECabc+/=")},
			wantBody:  map[string]any{"msgtype": "markdown", "markdown": map[string]any{"title": "EMB-1", "text": "#### fixed"}},
		},
		{
			name: "feishu text, unsigned", path: "/open-apis/bot/v2/hook/uuid", reply: `{"code":0,"msg":"success","data":{}}`,
			m:         notify.Message{Kind: notify.Feishu, Text: "点火发射"},
			wantQuery: map[string]string{},
			wantBody:  map[string]any{"msg_type": "text", "content": map[string]any{"text": "点火发射"}},
		},
		{
			name: "feishu signed", path: "/open-apis/bot/v2/hook/uuid", reply: `{"StatusCode":0,"StatusMessage":"success"}`,
			m:         notify.Message{Kind: notify.Feishu, Secret: "fs-secret", Text: "点火发射"},
			wantQuery: map[string]string{},
			wantBody: map[string]any{"msg_type": "text", "content": map[string]any{"text": "点火发射"},
				"timestamp": sec, "sign": hmacB64(sec+"\nfs-secret", "")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := &robotServer{reply: tc.reply}
			srv := httptest.NewServer(rs)
			defer srv.Close()
			tc.m.DedupKey, tc.m.Target = "k", srv.URL+tc.path
			s := &notify.RobotSender{Now: func() time.Time { return robotNow }}
			if err := s.Send(context.Background(), tc.m); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantQuery, rs.query); diff != "" {
				t.Errorf("query (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantBody, rs.body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRobotSignKnownVectors pins both signatures to values computed with
// Python's hmac, as the platforms' documentation does it.
func TestRobotSignKnownVectors(t *testing.T) {
	if got, want := notify.DingTalkSign("SECtest", "1700000000000"), "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="; got != want {
		t.Errorf("DingTalkSign = %s, want %s", got, want)
	}
	if got, want := notify.FeishuSign("SECtest", "1700000000"), "G7XpBpG8NgG02fJOAhX6FRAObIljmFoxVReo8I62pEk="; got != want {
		t.Errorf("FeishuSign = %s, want %s", got, want)
	}
}

func TestRobotSenderErrors(t *testing.T) {
	tests := []struct {
		name           string
		kind           notify.Kind
		status         int
		reply          string
		wantPermanent  bool
		wantRetryAfter time.Duration
	}{
		{"wecom bad key", notify.WeCom, 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`, true, 0},
		{"wecom rate limit", notify.WeCom, 200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, false, time.Minute},
		{"dingtalk sign mismatch", notify.DingTalk, 200, `{"errcode":310000,"errmsg":"sign not match"}`, true, 0},
		{"dingtalk too fast", notify.DingTalk, 200, `{"errcode":130101,"errmsg":"send too fast"}`, false, 10 * time.Minute},
		{"feishu sign fail", notify.Feishu, 200, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`, true, 0},
		{"feishu rate limit", notify.Feishu, 200, `{"code":11232,"msg":"frequency limited"}`, false, time.Minute},
		{"answer not JSON", notify.WeCom, 200, `<html>gateway</html>`, false, 0},
		{"answer without a code", notify.DingTalk, 200, `{}`, false, 0},
		{"HTTP 502", notify.Feishu, 502, ``, false, 0},
		{"HTTP 404", notify.Feishu, 404, ``, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&robotServer{reply: tc.reply, status: tc.status})
			defer srv.Close()
			err := (&notify.RobotSender{}).Send(context.Background(), notify.Message{Kind: tc.kind, DedupKey: "k",
				Target: srv.URL + "/send?key=k", Text: "t"})
			var se *notify.SendError
			if !errors.As(err, &se) {
				t.Fatalf("Send = %v, want a *SendError", err)
			}
			if se.Permanent != tc.wantPermanent || se.RetryAfter != tc.wantRetryAfter {
				t.Errorf("Send = %v (permanent %v, retry after %v); want permanent %v, retry after %v",
					err, se.Permanent, se.RetryAfter, tc.wantPermanent, tc.wantRetryAfter)
			}
		})
	}
}
