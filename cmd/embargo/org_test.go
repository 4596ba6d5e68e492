package main

import (
	"strings"
	"testing"
)

// TestOrgCommands adds an organisation, changes its jurisdiction, and
// lists them; bad kinds and countries are refused with the reason.
func TestOrgCommands(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)
	out, err := runCLI(t, "org", "create", "--data", data, "--name", "Globex GmbH", "--kinds", "provider,operator", "--country", "de")
	if err != nil || out != "organisation 2 created: Globex GmbH (provider,operator, DE)\n" {
		t.Fatalf("org create = %q, %v", out, err)
	}
	for _, bad := range [][]string{{"--kinds", "vendor"}, {"--country", "Germany"}, {"--name", ""}} {
		args := append([]string{"org", "create", "--data", data, "--name", "X"}, bad...)
		if _, err := runCLI(t, args...); err == nil {
			t.Errorf("org create %v accepted", bad)
		}
	}
	if out, err := runCLI(t, "org", "set", "--data", data, "--country", "CN", "2"); err != nil || !strings.Contains(out, "Globex GmbH (provider,operator, CN)") {
		t.Errorf("org set = %q, %v", out, err)
	}
	if _, err := runCLI(t, "org", "set", "--data", data, "--country", "CN", "9"); err == nil || !strings.Contains(err.Error(), "no such organisation") {
		t.Errorf("org set 9: %v", err)
	}
	out, err = runCLI(t, "org", "list", "--data", data)
	if err != nil || !strings.Contains(out, "Globex GmbH") || !strings.Contains(out, "provider,operator  CN") {
		t.Errorf("org list:\n%s%v", out, err)
	}
	if out, err := runCLI(t, "verify", "audit", "--data", data); err != nil {
		t.Errorf("verify audit after the changes: %v\n%s", err, out)
	}
}
