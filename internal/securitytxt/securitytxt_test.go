package securitytxt

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

func TestTextPassesLint(t *testing.T) {
	f := File{Contact: []string{"mailto:psirt@example.cn", "https://psirt.example.cn/report"}, Expires: now.AddDate(0, 6, 0),
		Encryption: "https://psirt.example.cn/.well-known/openpgp-key.asc", PreferredLanguages: []string{"zh", "en"},
		Canonical: "https://psirt.example.cn/.well-known/security.txt"}
	problems, warnings := Lint(f.Text(), now)
	if len(problems)+len(warnings) != 0 {
		t.Errorf("Lint = %q, %q\n%s", problems, warnings, f.Text())
	}
	if !strings.Contains(string(f.Text()), "Preferred-Languages: zh, en\n") {
		t.Errorf("text:\n%s", f.Text())
	}
}

func TestLintFindsProblems(t *testing.T) {
	tests := []struct {
		name, text string
		problems   []string
	}{
		{"no contact", "Expires: 2027-01-01T00:00:00Z\n", []string{"no Contact field"}},
		{"lapsed", "Contact: mailto:a@b.cn\nExpires: 2026-01-01T00:00:00Z\n", []string{"Expires is in the past: the file has lapsed"}},
		{"two expires", "Contact: mailto:a@b.cn\nExpires: 2027-01-01T00:00:00Z\nExpires: 2027-02-01T00:00:00Z\n", []string{"2 Expires fields, want exactly one"}},
		{"not a date", "Contact: mailto:a@b.cn\nExpires: soon\n", []string{"line 2: Expires is not an RFC 3339 date-time"}},
		{"plain-http key", "Contact: mailto:a@b.cn\nExpires: 2027-01-01T00:00:00Z\nEncryption: http://x.cn/k.asc\n", []string{"line 3: encryption must use https"}},
		{"bad line", "Contact: mailto:a@b.cn\nExpires: 2027-01-01T00:00:00Z\nnonsense\n", []string{"line 3 is not \"Field: value\""}},
		{"not utf-8", "Contact: mailto:a@b.cn\xff\n", []string{"the file is not valid UTF-8"}},
	}
	for _, tc := range tests {
		got, _ := Lint([]byte(tc.text), now)
		if diff := cmp.Diff(tc.problems, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	if _, w := Lint([]byte("Contact: mailto:a@b.cn\nExpires: 2026-12-01T00:00:00Z\n"), now); len(w) != 1 || !strings.Contains(w[0], "30 days") {
		t.Errorf("lapsing soon: warnings %q", w)
	}
}

func TestExpiring(t *testing.T) {
	tests := []struct {
		expires time.Time
		want    bool
	}{
		{now.AddDate(0, 6, 0), false},
		{now.Add(WarnWithin + time.Second), false},
		{now.Add(WarnWithin - time.Second), true},
		{now.Add(time.Hour), true},
		{now.Add(-time.Hour), true}, // lapsed
	}
	for _, tc := range tests {
		if got := Expiring(tc.expires, now); got != tc.want {
			t.Errorf("Expiring(%s) = %v, want %v", tc.expires.Sub(now), got, tc.want)
		}
	}
}

func FuzzLint(f *testing.F) {
	f.Add([]byte("Contact: mailto:a@b.cn\nExpires: 2027-01-01T00:00:00Z\n"))
	f.Add([]byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n- Contact: x\n-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Lint(b, now) // must not panic
	})
}
