package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/securitytxt"
)

// TestSecurityFileExpires checks the rolling and the configured Expires,
// the daily re-signing, and the warnings in the log before and after the
// file lapses (RFC-9116-1).
func TestSecurityFileExpires(t *testing.T) {
	ctx := context.Background()
	c, _, err := parseConfig(envFrom(nil), "test", []string{"--data", t.TempDir(), "--base-url", "https://psirt.example.cn",
		"--security-policy", "https://psirt.example.cn/disclosure"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, kr, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key, err := openPGPKey(ctx, c, db, kr)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	s := newSecurityFile(c, key)
	s.now = func() time.Time { return now }

	// Rolling: 180 days after the day began, the same file all day.
	if got, want := s.Expires(now), time.Date(2027, 5, 31, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("rolling Expires = %s, want %s", got, want)
	}
	first, err := s.Text("ignored/")
	if err != nil {
		t.Fatal(err)
	}
	if p, w := securitytxt.Lint(first, now); len(p)+len(w) != 0 {
		t.Errorf("Lint = %q %q\n%s", p, w, first)
	}
	if !bytes.Contains(first, []byte("Policy: https://psirt.example.cn/disclosure\n")) {
		t.Errorf("no configured Policy:\n%s", first)
	}
	now = now.Add(time.Hour)
	if again, _ := s.Text("ignored/"); !bytes.Equal(again, first) {
		t.Error("the file was signed again within the day")
	}
	now = now.Add(24 * time.Hour)
	if next, _ := s.Text("ignored/"); bytes.Equal(next, first) || !bytes.Contains(next, []byte("Expires: 2027-06-01T00:00:00Z")) {
		t.Errorf("next day's file:\n%s", next)
	}

	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if s.warn(log) {
		t.Errorf("rolling file warned: %s", logs.String())
	}
	tests := []struct {
		expires string
		want    string // in the log; "" for none
	}{
		{"2027-03-01", ""},
		{"2026-12-20", `level=WARN msg="security.txt lapses soon`},
		{"2026-12-01T00:00:00Z", `level=ERROR msg="security.txt has lapsed`},
	}
	for _, tc := range tests {
		logs.Reset()
		if err := parseExpires(c, tc.expires); err != nil {
			t.Fatal(err)
		}
		if warned := s.warn(log); warned != (tc.want != "") || !strings.Contains(logs.String(), tc.want) {
			t.Errorf("expires %s: warned %v, log %q; want %q", tc.expires, warned, logs.String(), tc.want)
		}
	}
	// A date means the end of that day in China Standard Time.
	if err := parseExpires(c, "2027-03-01"); err != nil || !c.SecurityExpires.Equal(time.Date(2027, 3, 1, 15, 59, 59, 0, time.UTC)) {
		t.Errorf("2027-03-01 = %s, %v", c.SecurityExpires, err)
	}
	for _, bad := range []string{"soon", "2027-02-30", "01/03/2027"} {
		if err := parseExpires(c, bad); err == nil {
			t.Errorf("parseExpires(%q) accepted", bad)
		}
	}
}
