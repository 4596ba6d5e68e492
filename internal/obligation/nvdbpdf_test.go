package obligation

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/document"
)

// systemFont finds the CJK font the PDFs need: skipped locally when the
// machine has none, a failure in CI (which installs it).
func systemFont(t *testing.T) *document.Font {
	t.Helper()
	f, err := document.FindFont()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must have a CJK font: %v", err)
		}
		t.Skipf("no CJK font here: %v", err)
	}
	return f
}

// pdfText extracts a PDF's text with poppler's pdftotext.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must have pdftotext (poppler-utils)")
		}
		t.Skip("no pdftotext here")
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// CN-07-6: the printed package carries every mandatory field, and a draft
// missing one says so on its first page.
func TestPackagePDF(t *testing.T) {
	font := systemFont(t)
	c := casework.Case{Ref: "EMB-2026-0007", Title: "固件升级接口命令注入", Summary: "POST /upgrade 未校验文件名。", Status: casework.Confirmed,
		Grade: "high", CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", T0: time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC), T0Source: "internal",
		Scope: []casework.Affected{{Product: "AR 路由器", Model: "AR-100", Versions: "<2.4.1"}}}
	complete := Draft{Package: BuildPackage(c, casework.Facts{}, "Acme 网络")}
	complete.Missing = complete.Package.Missing()
	c.Scope[0].Model = ""
	partial := Draft{Package: BuildPackage(c, casework.Facts{}, "Acme 网络")}
	partial.Missing = partial.Package.Missing()
	for _, tc := range []struct {
		name  string
		d     Draft
		want  []string
		avoid []string
	}{
		{"complete", complete, []string{"EMB-2026-0007", "AR 路由器", "AR-100", "<2.4.1", "未校验文件名", "高危", "漏洞技术特点", "影响范围"}, []string{"DRAFT"}},
		{"missing the model", partial, []string{"DRAFT, mandatory fields missing: model"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := document.Render(&b, tc.d.Document(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)), font); err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, b.Bytes())
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the PDF lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.avoid {
				if strings.Contains(text, w) {
					t.Errorf("the PDF has %q", w)
				}
			}
		})
	}
}
