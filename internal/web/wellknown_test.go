package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/google/go-cmp/cmp"
)

// TestPolicyPage renders the disclosure policy in both languages, with the
// mail channels and the acknowledgement target it was given.
func TestPolicyPage(t *testing.T) {
	h := mustNew(t, Config{AckTarget: 48 * time.Hour, ReportMail: []string{"psirt@example.cn"}, OpenPGPKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----"})
	for _, tc := range []struct{ lang, heading, ack, mail string }{
		{"zh-CN", "漏洞披露政策", "48 小时", "也可以发送邮件至 psirt@example.cn。"},
		{"en", "Vulnerability disclosure policy", "within 48 hours", "Or write to psirt@example.cn."},
	} {
		req := httptest.NewRequest("GET", "/policy", nil)
		req.Header.Set("Accept-Language", tc.lang)
		resp, doc := mustGetPage(t, h, req)
		if resp.StatusCode != 200 || summarize(resp, doc).Heading != tc.heading {
			t.Fatalf("%s: %d %q", tc.lang, resp.StatusCode, summarize(resp, doc).Heading)
		}
		var items []string
		for _, li := range doc.find("main li") {
			items = append(items, li.textContent())
		}
		text := strings.Join(items, "\n")
		for _, want := range []string{tc.ack, tc.mail} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: policy lacks %q:\n%s", tc.lang, want, text)
			}
		}
		if len(doc.find(`main a[href="/.well-known/openpgp-key.asc"]`)) != 1 {
			t.Errorf("%s: no link to the OpenPGP key", tc.lang)
		}
	}
}

// TestSecurityTxtWarning shows administrators, and only them, a warning on
// every page from 30 days before security.txt lapses (RFC-9116-1).
func TestSecurityTxtWarning(t *testing.T) {
	expires := time.Now().Add(10 * 24 * time.Hour)
	tests := []struct {
		name    string
		role    access.Role
		expires time.Time
		want    []string
	}{
		{"administrator, lapsing", access.Administrator, expires,
			[]string{"security.txt expires on " + expires.In(cst()).Format(time.DateOnly) + ": set a later --security-expires before then, or reporters' tools will treat it as stale."}},
		{"administrator, lapsed", access.Administrator, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			[]string{"security.txt lapsed on 2026-01-01: set a later --security-expires now."}},
		{"administrator, far off", access.Administrator, time.Now().AddDate(0, 3, 0), nil},
		{"triager, lapsing", access.Triager, expires, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := mustNew(t, Config{Identity: &fakeIdentity{role: tc.role}, SecurityExpires: func() time.Time { return tc.expires }})
			_, doc := mustGetPage(t, h, signedInRequest("GET", "/account/tokens", nil))
			var got []string
			for _, n := range doc.find("main p.warning") {
				got = append(got, n.textContent())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func cst() *time.Location { return time.FixedZone("CST", 8*3600) }
