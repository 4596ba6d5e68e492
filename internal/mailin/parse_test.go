package mailin_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/mailin"
	"github.com/embargohq/embargo/internal/report"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// mustEncode encodes s in a legacy charset.
func mustEncode(t testing.TB, e encoding.Encoding, s string) string {
	t.Helper()
	b, err := e.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// word is an RFC 2047 encoded-word of s in charset, base64.
func word(t testing.TB, charset string, e encoding.Encoding, s string) string {
	return "=?" + charset + "?B?" + base64.StdEncoding.EncodeToString([]byte(mustEncode(t, e, s))) + "?="
}

// testMessages are the messages Parse is tested with; they also seed
// FuzzParse.
func testMessages(t testing.TB) map[string]string {
	gbk, gb18030, big5 := simplifiedchinese.GBK, simplifiedchinese.GB18030, traditionalchinese.Big5
	return map[string]string{
		"plain": crlf(
			"From: =?utf-8?q?Zhang_San?= <zhang@example.cn>",
			"To: security@example.com",
			"Subject: =?utf-8?q?Heap_overflow_in_=E8=A7=A3=E6=9E=90=E5=99=A8?=",
			"Message-ID: <1@example.cn>",
			"Content-Type: text/plain; charset=utf-8",
			"",
			"Steps:",
			"    ./poc --overflow",
			"",
		),
		"gb2312": crlf(
			"From: "+word(t, "gb2312", gbk, "张三")+" <zs@example.cn>",
			"Subject: "+word(t, "gb2312", gbk, "漏洞报告：缓冲区溢出"),
			"MIME-Version: 1.0",
			`Content-Type: text/plain; charset="gb2312"`,
			"Content-Transfer-Encoding: base64",
			"",
			base64.StdEncoding.EncodeToString([]byte(mustEncode(t, gbk, "产品：路由器 1.2\r\n远程代码执行。\r\n"))),
			"",
		),
		"gb18030": crlf(
			"From: "+word(t, "GB18030", gb18030, "李四")+" <ls@example.cn>",
			"Subject: "+word(t, "GB18030", gb18030, "𠮷野家 CMS 注入漏洞"),
			"Content-Type: text/plain; charset=GB18030",
			"Content-Transfer-Encoding: 8bit",
			"",
			mustEncode(t, gb18030, "影响版本：全部。𠮷 是四字节字符。"),
			"",
		),
		"big5": crlf(
			"From: tester@example.tw",
			"Subject: "+word(t, "big5", big5, "漏洞通報"),
			"Content-Type: text/plain; charset=big5",
			"Content-Transfer-Encoding: 8bit",
			"",
			mustEncode(t, big5, "遠端程式碼執行"),
			"",
		),
		"alternative": crlf(
			"From: a@example.com",
			"Subject: alt",
			`Content-Type: multipart/alternative; boundary="b1"`,
			"",
			"--b1",
			"Content-Type: text/plain; charset=utf-8",
			"",
			"the plain text",
			"--b1",
			"Content-Type: text/html; charset=utf-8",
			"",
			"<p>the <b>HTML</b></p>",
			"--b1--",
			"",
		),
		"html": crlf(
			"From: a@example.com",
			"Subject: html only",
			"Content-Type: text/html; charset=utf-8",
			"",
			`<html><head><title>x</title><style>p{color:red}</style></head><body>`,
			`<script>alert(1)</script><p>XSS in   <a href="https://example.com/search?q=1">search</a>&amp;more</p>`,
			`<ul><li>one</li><li>two</li></ul><pre>  indented
  code</pre><img src="https://tracker.example/p.gif"></body></html>`,
		),
		"attachments": crlf(
			"From: a@example.com",
			"Subject: files",
			`Content-Type: multipart/mixed; boundary="m"`,
			"",
			"--m",
			"Content-Type: text/plain",
			"",
			"see attached",
			"--m",
			"Content-Type: application/octet-stream",
			`Content-Disposition: attachment; filename="../../etc/passwd"`,
			"Content-Transfer-Encoding: base64",
			"",
			"cm9vdDp4OjA6MA==",
			"--m",
			`Content-Type: text/x-python; name="C:\\Users\\x\\poc.py"`,
			"",
			"print(1)",
			"--m",
			"Content-Type: application/pdf",
			"Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf",
			"",
			"%PDF-1.4",
			"--m",
			"Content-Type: application/zip",
			"Content-Disposition: attachment; filename=\"...\"",
			"",
			"PK\x03\x04",
			"--m--",
			"",
		),
		"broken part": crlf(
			"From: a@example.com",
			"Subject: broken",
			`Content-Type: multipart/mixed; boundary="m"`,
			"",
			"--m",
			"Content-Type: image/png",
			"Content-Disposition: attachment; filename=shot.png",
			"Content-Transfer-Encoding: base64",
			"",
			"!!!! not base64 !!!!",
			"--m",
			"Content-Type: text/plain",
			"",
			"the rest survives",
			"--m--",
			"",
		),
		"deep": crlf(
			"From: a@example.com",
			"Subject: deep",
			`Content-Type: multipart/mixed; boundary="l1"`,
			"",
			"--l1",
			"Content-Type: text/plain",
			"",
			"level one",
			"--l1",
			`Content-Type: multipart/mixed; boundary="l2"`,
			"",
			"--l2",
			`Content-Type: multipart/mixed; boundary="l3"`,
			"",
			"--l3",
			"Content-Type: text/plain",
			"",
			"level three",
			"--l3--",
			"--l2--",
			"--l1--",
			"",
		),
		"no header": "this line is not a header field\r\n\r\nbody\r\n",
		"no subject": crlf(
			"From: \"Broken <address\"",
			"",
			"hi",
			"",
		),
	}
}

func TestParse(t *testing.T) {
	msgs := testMessages(t)
	tests := []struct {
		msg    string
		limits mailin.Limits
		want   report.Submission
	}{
		{msg: "plain", want: report.Submission{
			Title:       "Heap overflow in 解析器",
			Description: "Steps:\n    ./poc --overflow",
			Reporter:    report.Reporter{Name: "Zhang San", Email: "zhang@example.cn"},
		}},
		{msg: "gb2312", want: report.Submission{
			Title:       "漏洞报告：缓冲区溢出",
			Description: "产品：路由器 1.2\n远程代码执行。",
			Reporter:    report.Reporter{Name: "张三", Email: "zs@example.cn"},
		}},
		{msg: "gb18030", want: report.Submission{
			Title:       "𠮷野家 CMS 注入漏洞",
			Description: "影响版本：全部。𠮷 是四字节字符。",
			Reporter:    report.Reporter{Name: "李四", Email: "ls@example.cn"},
		}},
		{msg: "big5", want: report.Submission{
			Title:       "漏洞通報",
			Description: "遠端程式碼執行",
			Reporter:    report.Reporter{Email: "tester@example.tw"},
		}},
		{msg: "alternative", want: report.Submission{
			Title: "alt", Description: "the plain text", Reporter: report.Reporter{Email: "a@example.com"},
		}},
		{msg: "html", want: report.Submission{
			Title:       "html only",
			Description: "XSS in search <https://example.com/search?q=1>&more\n\n- one\n- two\n\n  indented\n  code",
			Reporter:    report.Reporter{Email: "a@example.com"},
		}},
		{msg: "attachments", want: report.Submission{
			Title: "files", Description: "see attached", Reporter: report.Reporter{Email: "a@example.com"},
			Attachments: []report.Attachment{
				{Name: "passwd", ContentType: "application/octet-stream", Data: []byte("root:x:0:0")},
				{Name: "poc.py", ContentType: "text/x-python", Data: []byte("print(1)")},
				{Name: "报告.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")},
				{Name: "attachment-4", ContentType: "application/zip", Data: []byte("PK\x03\x04")},
			},
		}},
		{msg: "attachments", limits: mailin.Limits{MaxAttachments: 1}, want: report.Submission{
			Title: "files", Reporter: report.Reporter{Email: "a@example.com"},
			Description: "see attached\n\n[Embargo] The message has more than 1 attachments; the rest are kept only in the raw message.",
			Attachments: []report.Attachment{
				{Name: "passwd", ContentType: "application/octet-stream", Data: []byte("root:x:0:0")},
			},
		}},
		{msg: "broken part", want: report.Submission{
			Title: "broken", Reporter: report.Reporter{Email: "a@example.com"},
			Description: "the rest survives\n\n[Embargo] Attachment 1 (shot.png) could not be decoded completely; it is kept whole in the raw message.",
			Attachments: []report.Attachment{{Name: "shot.png", ContentType: "image/png", Data: []byte{}}},
		}},
		{msg: "deep", limits: mailin.Limits{MaxDepth: 2}, want: report.Submission{
			Title: "deep", Reporter: report.Reporter{Email: "a@example.com"},
			Description: "level one\n\n[Embargo] Parts nested deeper than 2 levels are kept only in the raw message.",
		}},
		{msg: "deep", want: report.Submission{
			Title: "deep", Reporter: report.Reporter{Email: "a@example.com"},
			Description: "level one\n\nlevel three",
		}},
		{msg: "no header", want: report.Submission{
			Title:       "(message could not be parsed)",
			Description: "this line is not a header field\n\nbody\n\n[Embargo] The message header could not be read; the message is kept as received.",
		}},
		{msg: "no subject", want: report.Submission{
			Title: "(no subject)", Description: "hi", Reporter: report.Reporter{Name: `"Broken <address"`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.msg, func(t *testing.T) {
			raw := []byte(msgs[tc.msg])
			got, err := tc.limits.Parse(raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Raw) != string(raw) {
				t.Errorf("Raw is not the message as received")
			}
			got.Raw = nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	raw := []byte(crlf("Subject: big", "", strings.Repeat("x", 2000)))
	_, err := mailin.Limits{MaxMessageBytes: 1000}.Parse(raw, nil)
	if !errors.Is(err, mailin.ErrTooLarge) {
		t.Errorf("Parse of a message over the limit: err = %v, want ErrTooLarge", err)
	}
}
