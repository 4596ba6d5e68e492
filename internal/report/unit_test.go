package report_test

import (
	"crypto/sha256"
	"testing"

	"github.com/embargohq/embargo/internal/report"
	"github.com/google/go-cmp/cmp"
)

func sha256sum(b []byte) [32]byte { return sha256.Sum256(b) }

func TestCleanFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"poc.py", "poc.py"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\me\漏洞利用.txt`, "漏洞利用.txt"},
		{"a\r\nb.txt", "a b.txt"},
		{"..", "attachment"},
		{"", "attachment"},
		{"/", "attachment"},
	}
	for _, tc := range tests {
		if got := report.CleanFileName(tc.in); got != tc.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBigrams(t *testing.T) {
	got := report.Bigrams("命令注入 in AX")
	want := map[string]struct{}{"命令": {}, "令注": {}, "注入": {}, "in": {}, "ax": {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Bigrams (-want +got):\n%s", diff)
	}
}

func TestValidTrackingID(t *testing.T) {
	for s, want := range map[string]bool{"R-7K3MQ-9XAB0": true, "R-7K3MQ-9XAI0": false, "R-7K3MQ9XAB0": false, "X-7K3MQ-9XAB0": false, "": false} {
		if got := report.ValidTrackingID(s); got != want {
			t.Errorf("ValidTrackingID(%q) = %v", s, got)
		}
	}
}
