package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/identity"
)

// mustSetUp initialises an instance in data (with more flags, such as
// --database, when given) and creates its first administrator and
// organisation, as the setup link would.
func mustSetUp(t *testing.T, data string, flags ...string) {
	t.Helper()
	ctx := context.Background()
	c, _, err := parseConfig(envFrom(nil), "test", append([]string{"--data", data}, flags...), nil)
	if err != nil {
		t.Fatal(err)
	}
	db, _, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	token, err := bootstrap(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = identity.NewSetup(db).CreateFirstAdmin(ctx, identity.FirstAdmin{Token: token, Email: "admin@example.cn",
		DisplayName: "Admin", Password: "tangerine rooftop lantern", Organisation: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUserAndTokenCommands creates a user and a token with the CLI, then
// calls GET /api/v1/me with the token on a running server.
func TestUserAndTokenCommands(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)

	out, err := runCLI(t, "user", "create", "--data", data, "--name", "李四", "--role", "triager", "triage@example.cn")
	if err != nil || !regexp.MustCompile(`password for triage@example.cn \(shown once\): [a-z2-9-]{23}\n`).MatchString(out) {
		t.Fatalf("user create = %q, %v", out, err)
	}
	if _, err := runCLI(t, "user", "create", "--data", data, "--name", "x", "--role", "emperor", "x@example.cn"); err == nil || !strings.Contains(err.Error(), "unknown role") {
		t.Errorf("bad role: %v", err)
	}
	if _, err := runCLI(t, "user", "create", "--data", data, "--name", "x", "--role", "triager", "--org", "9", "x@example.cn"); err == nil || !strings.Contains(err.Error(), "organisation 9 does not exist") {
		t.Errorf("unknown organisation: %v", err)
	}
	out, _ = runCLI(t, "user", "list", "--data", data)
	if !strings.Contains(out, "triage@example.cn") || !strings.Contains(out, "admin@example.cn") {
		t.Errorf("user list:\n%s", out)
	}
	out, err = runCLI(t, "token", "create", "--data", data, "--user", "triage@example.cn", "--name", "ci", "--scopes", "case.read")
	secret := regexp.MustCompile(`emb_[A-Za-z0-9_-]{43}`).FindString(out)
	if err != nil || secret == "" {
		t.Fatalf("token create = %q, %v", out, err)
	}

	base, _ := startServe(t, "--data", data)
	me := func(auth string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", base+"api/v1/me", nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	if code, _ := me(""); code != 401 {
		t.Errorf("GET /api/v1/me without a token: %d, want 401", code)
	}
	code, body := me(secret)
	if code != 200 || body["email"] != "triage@example.cn" || body["role"] != "triager" ||
		body["organisation"].(map[string]any)["name"] != "Acme" {
		t.Errorf("GET /api/v1/me = %d %v", code, body)
	}
	if out, err := runCLI(t, "token", "revoke", "--data", data, "--user", "triage@example.cn", "1"); err != nil {
		t.Fatalf("token revoke = %q, %v", out, err)
	}
	if code, _ := me(secret); code != 401 {
		t.Errorf("GET /api/v1/me with a revoked token: %d, want 401", code)
	}
	if _, err := runCLI(t, "user", "disable", "--data", data, "triage@example.cn"); err != nil {
		t.Fatal(err)
	}
	out, _ = runCLI(t, "user", "list", "--data", data)
	if !regexp.MustCompile(`triage@example.cn .* disabled`).MatchString(out) {
		t.Errorf("after disable, user list:\n%s", out)
	}
}

// TestBreachedPasswords refuses a password on the operator's list, in the
// Have I Been Pwned form, when the CLI sets it.
func TestBreachedPasswords(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)
	sum := sha1.Sum([]byte("purple monkey dishwasher"))
	list := filepath.Join(t.TempDir(), "pwned.txt")
	body := "0000000000000000000000000000000000000001:7\n" + strings.ToUpper(hex.EncodeToString(sum[:])) + ":3303003\n"
	if err := os.WriteFile(list, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	for pw, wantErr := range map[string]string{
		"purple monkey dishwasher":    "appeared in a data breach",
		"a sound and long passphrase": "",
	} {
		if err := os.WriteFile(pwFile, []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := runCLI(t, "user", "set-password", "--data", data, "--breached-passwords", list, "--password-file", pwFile, "admin@example.cn")
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Errorf("set-password %q: %v, want %q", pw, err, wantErr)
		}
	}
	if _, err := runCLI(t, "user", "list", "--data", data, "--breached-passwords", filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("a missing list was accepted")
	}
}
