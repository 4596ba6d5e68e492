package disclosure

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// CN-09-2: addresses, host names and URLs in public text are found, in
// Chinese and English text alike; version numbers, file names and
// abbreviations are not.
func TestScanOperatorSystems(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []Finding
	}{
		{"none", "升级到 2.4.1 版本, see README.md and Node.js, e.g. v1.2.3-beta.", nil},
		{"ipv4 in Chinese text", "攻击者可访问192.168.10.5的管理界面。", []Finding{{"ipv4", "192.168.10.5"}}},
		{"ipv4 with port", "listening on 10.0.0.1:8443.", []Finding{{"ipv4", "10.0.0.1:8443"}}},
		{"documentation range flagged too", "e.g. 203.0.113.7", []Finding{{"ipv4", "203.0.113.7"}}},
		{"cidr", "the 10.20.0.0/16 network", []Finding{{"ipv4", "10.20.0.0"}}},
		{"ipv6", "host 2001:db8::1 and [fe80::1%eth0]:22", []Finding{{"ipv6", "2001:db8::1"}, {"ipv6", "[fe80::1%eth0]:22"}}},
		{"hostname", "运营者系统 oa.example-bank.com.cn 存在漏洞", []Finding{{"hostname", "oa.example-bank.com.cn"}}},
		{"hostname with port", "db01.corp.local:5432 is exposed", []Finding{{"hostname", "db01.corp.local:5432"}}},
		{"url", "下载地址：https://downloads.vendor.example/fw/2.4.1。", []Finding{{"url", "https://downloads.vendor.example/fw/2.4.1"}}},
		{"url with trailing punctuation", "(see http://10.1.1.1/admin).", []Finding{{"url", "http://10.1.1.1/admin"}}},
		{"repeats once", "a.example.org and A.EXAMPLE.ORG", []Finding{{"hostname", "a.example.org"}}},
		{"time is not ipv6", "at 10:30 CST", nil},
		{"c++ scope is not ipv6", "std::vector overflow", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ScanOperatorSystems(tc.text)); diff != "" {
				t.Errorf("ScanOperatorSystems(%q) (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

// FuzzScanOperatorSystems: the scanner reads outside text; it never
// panics and only returns what the text contains.
func FuzzScanOperatorSystems(f *testing.F) {
	for _, s := range []string{"192.168.1.1", "[::1]:80", "https://a.b/c", "x.example.com:99", "，。https://例子.测试/", "::", "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fd := range ScanOperatorSystems(s) {
			if fd.Value == "" || !strings.Contains(s, fd.Value) {
				t.Errorf("finding %+v is not in %q", fd, s)
			}
		}
	})
}
