package notify

import "testing"

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in     string
		kind   Kind
		target string
	}{
		{"mailto:psirt@example.cn", Email, "psirt@example.cn"},
		{" psirt@example.cn ", Email, "psirt@example.cn"},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", WeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"},
		{"https://oapi.dingtalk.com/robot/send?access_token=abc", DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc"},
		{"https://open.feishu.cn/open-apis/bot/v2/hook/abc", Feishu, "https://open.feishu.cn/open-apis/bot/v2/hook/abc"},
		{"https://siem.example.cn/hooks/embargo", Webhook, "https://siem.example.cn/hooks/embargo"},
	}
	for _, tc := range tests {
		k, target, err := ParseTarget(tc.in)
		if err != nil || k != tc.kind || target != tc.target {
			t.Errorf("ParseTarget(%q) = %q, %q, %v; want %q, %q", tc.in, k, target, err, tc.kind, tc.target)
		}
	}
	for _, bad := range []string{"", "mailto:", "not an address", "http://siem.example.cn/hook", "ftp://x.cn/", "https:///x"} {
		if _, _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted", bad)
		}
	}
}
