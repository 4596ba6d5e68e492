package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/store"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// runCLI runs the program with args and a clean environment.
func runCLI(t *testing.T, args ...string) (stdout string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"embargo"}, args...), func(string) string { return "" }, &out, &errOut)
	return out.String(), err
}

// TestVerifyAudit checks that `embargo verify audit` passes an intact
// chain and names the event that a one-byte edit or a deletion broke, on
// every dialect under test.
func TestVerifyAudit(t *testing.T) {
	for name, newDSN := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			tests := []struct {
				name, sql, wantErr string
			}{
				{"intact", "", ""},
				{"one byte of details", `UPDATE audit_events SET details = replace(details, '"n":4', '"n":5') WHERE seq = 4`, "broken at event 4"},
				{"deleted event", `DELETE FROM audit_events WHERE seq = 6`, "broken at event 6"},
				{"deleted last event", `DELETE FROM audit_events WHERE seq = 10`, "broken at event 10"},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					d := storetest.Open(t, newDSN(t), store.Options{})
					for i := range 10 {
						ev, _ := audit.New(context.Background(), "user:1", "test.event", "case:1", map[string]int{"n": i + 1})
						if _, err := d.DB.AppendAudit(context.Background(), ev); err != nil {
							t.Fatal(err)
						}
					}
					if tc.sql != "" {
						if _, err := d.Raw.Exec(tc.sql); err != nil {
							t.Fatal(err)
						}
					}
					out, err := runCLI(t, "verify", "audit", "--stream", "audit", "--database", d.DSN, "--data", t.TempDir())
					if tc.wantErr == "" {
						if err != nil || !strings.Contains(out, "intact, 10 events") {
							t.Fatalf("verify = %q, %v; want intact", out, err)
						}
						return
					}
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("verify error = %v, want %q", err, tc.wantErr)
					}
					if !strings.Contains(out, "BROKEN") {
						t.Errorf("verify printed %q, want BROKEN", out)
					}
				})
			}
		})
	}
}

func TestVerifyRefusesMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	_, err := runCLI(t, "verify", "audit", "--data", dir)
	if err == nil || !strings.Contains(err.Error(), "no database") {
		t.Fatalf("verify on an empty data directory: err = %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"verify"}, {"migrate", "sideways"}, {"verify", "audit", "--stream", "x"}} {
		if _, err := runCLI(t, args...); err == nil {
			t.Errorf("embargo %s succeeded, want a usage error", strings.Join(args, " "))
		}
	}
	out, err := runCLI(t, "version")
	if err != nil || !strings.HasPrefix(out, "embargo ") {
		t.Errorf("version = %q, %v", out, err)
	}
}
