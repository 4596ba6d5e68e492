package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/google/go-cmp/cmp"
)

func envFrom(m map[string]string) *env {
	return &env{getenv: func(k string) string { return m[k] }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
}

func TestParseConfigPrecedence(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "db-url")
	if err := os.WriteFile(secret, []byte("postgres://u:from-file@h/db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(*Config)
	}{
		{"defaults", nil, nil, func(c *Config) {}},
		{"env", map[string]string{"EMBARGO_HTTP_ADDR": "0.0.0.0:9000", "EMBARGO_DATA": "/srv/e"}, nil, func(c *Config) {
			c.Addr, c.DataDir, c.KeyFile, c.DatabaseURL = "0.0.0.0:9000", "/srv/e", "/srv/e/instance.key", "/srv/e/embargo.db"
		}},
		{"flag beats env", map[string]string{"EMBARGO_HTTP_ADDR": "0.0.0.0:9000"}, []string{"--addr", "127.0.0.1:1"}, func(c *Config) {
			c.Addr = "127.0.0.1:1"
		}},
		{"secret from file", map[string]string{"EMBARGO_DATABASE_URL_FILE": secret}, nil, func(c *Config) {
			c.DatabaseURL = "postgres://u:from-file@h/db"
		}},
		{"base url gets a slash", nil, []string{"--base-url", "https://psirt.example.cn"}, func(c *Config) {
			c.BaseURL = "https://psirt.example.cn/"
		}},
		{"intake", map[string]string{"EMBARGO_RECEIPT_RETENTION": "6", "EMBARGO_ACK_TARGET": "24h"}, []string{"--report-rate", "0"}, func(c *Config) {
			c.ReceiptRetention, c.AckTarget, c.ReportRate = 6, 24*time.Hour, 0
		}},
		{"evidence co-signed with SM2", map[string]string{"EMBARGO_EVIDENCE_SM2": "true"}, nil, func(c *Config) { c.EvidenceSM2 = true }},
		{"advisory feeds", map[string]string{"EMBARGO_ADVISORY_FEEDS": "https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip, https://feeds.example.cn/csaf/2026-001.json"},
			[]string{"--advisory-pull-interval", "1h"}, func(c *Config) {
				c.AdvisoryFeeds = []string{"https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip", "https://feeds.example.cn/csaf/2026-001.json"}
				c.AdvisoryPullInterval = time.Hour
			}},
		{"sso", map[string]string{"EMBARGO_OIDC_ISSUER": "https://idp.example.cn", "EMBARGO_OIDC_CLIENT_ID": "embargo",
			"EMBARGO_OIDC_GROUP_ROLES": "psirt=triager, sec-admin=administrator", "EMBARGO_BASE_URL": "https://psirt.example.cn"}, nil, func(c *Config) {
			c.OIDCIssuer, c.OIDCClientID, c.BaseURL = "https://idp.example.cn", "embargo", "https://psirt.example.cn/"
			c.OIDCGroupRoles = map[string]access.Role{"psirt": access.Triager, "sec-admin": access.Administrator}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := &Config{DataDir: "./embargo-data", Addr: "127.0.0.1:8080", KeyFile: "embargo-data/instance.key",
				DatabaseURL: "embargo-data/embargo.db", LogFormat: "text", MaxBodyBytes: 1 << 20, ShutdownTimeout: 30 * time.Second,
				OIDCGroupRoles: map[string]access.Role{}, OIDCOrg: 1, ReportRate: 60, AckTarget: 72 * time.Hour, ReceiptRetention: 12,
				SMTPRecipients: []string{"security@localhost"}, IMAPTLS: "tls", IMAPMailbox: "INBOX", IMAPInterval: time.Minute,
				MailRelayTLS: "starttls", AdvisoryPullInterval: 6 * time.Hour, CSAFLang: "en"}
			tc.want(want)
			got, _, err := parseConfig(envFrom(tc.env), "test", tc.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConfigErrorsNameTheSetting(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantText []string
	}{
		{"bad addr", map[string]string{"EMBARGO_HTTP_ADDR": "8080"}, nil, []string{"addr", "EMBARGO_HTTP_ADDR", "host:port"}},
		{"bad port", nil, []string{"--addr", "127.0.0.1:99999"}, []string{"addr", "--addr"}},
		{"bad level", map[string]string{"EMBARGO_LOG_LEVEL": "loud"}, nil, []string{"log-level"}},
		{"bad body", nil, []string{"--max-body", "12"}, []string{"max-body", "1024"}},
		{"bad duration", nil, []string{"--shutdown-timeout", "-1s"}, []string{"shutdown-timeout"}},
		{"mysql", nil, []string{"--database", "mysql://u:hunter2@h/db"}, []string{"database", "postgres://"}},
		{"tls half", nil, []string{"--tls-cert", "config_test.go"}, []string{"tls-cert/tls-key"}},
		{"missing secret file", map[string]string{"EMBARGO_DATABASE_URL_FILE": "/nonexistent"}, nil, []string{"EMBARGO_DATABASE_URL_FILE"}},
		// CN-05-3: a receipt-log retention under six months is refused at start-up.
		{"retention under 6 months", map[string]string{"EMBARGO_RECEIPT_RETENTION": "5"}, nil, []string{"receipt-retention", "EMBARGO_RECEIPT_RETENTION", "at least 6 months"}},
		{"imap without password", map[string]string{"EMBARGO_IMAP_ADDR": "imap.example.cn:993", "EMBARGO_IMAP_USER": "psirt"}, nil, []string{"imap-password"}},
		{"negative report rate", nil, []string{"--report-rate", "-1"}, []string{"report-rate"}},
		{"plain-http feed", map[string]string{"EMBARGO_ADVISORY_FEEDS": "http://feeds.example.cn/all.zip"}, nil, []string{"advisory-feeds", "EMBARGO_ADVISORY_FEEDS", "https://"}},
		{"zero pull interval", nil, []string{"--advisory-pull-interval", "0s"}, []string{"advisory-pull-interval"}},
		{"evidence-sm2 not a boolean", nil, []string{"--evidence-sm2", "sometimes"}, []string{"evidence-sm2", "--evidence-sm2"}},
		{"bad group role", map[string]string{"EMBARGO_OIDC_GROUP_ROLES": "psirt=king"}, nil, []string{"oidc-group-roles", "psirt=king"}},
		{"sso without client", map[string]string{"EMBARGO_OIDC_ISSUER": "https://idp.example.cn"}, nil, []string{"oidc-client-id"}},
		{"sso secret not echoed", map[string]string{"EMBARGO_OIDC_ISSUER": "ftp://x", "EMBARGO_OIDC_CLIENT_SECRET": "hunter2"}, nil, []string{"oidc-issuer"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := parseConfig(envFrom(tc.env), "test", tc.args, nil)
			if err == nil {
				t.Fatal("parseConfig succeeded, want an error")
			}
			for _, w := range tc.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q leaks a password", err)
			}
		})
	}
}

func TestConfigCommandRedactsSecrets(t *testing.T) {
	e := envFrom(map[string]string{"EMBARGO_DATABASE_URL": "postgres://embargo:s3cret@db:5432/embargo"})
	if err := runConfig(t.Context(), e, nil); err != nil {
		t.Fatal(err)
	}
	out := e.stdout.(*bytes.Buffer).String()
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "postgres://embargo:xxxxx@db:5432/embargo") {
		t.Errorf("embargo config printed:\n%s", out)
	}
}

// TestConfigCommandShowsEvidenceSM2 checks that `embargo config` prints
// whether evidence packs are co-signed with SM2.
func TestConfigCommandShowsEvidenceSM2(t *testing.T) {
	e := envFrom(map[string]string{"EMBARGO_EVIDENCE_SM2": "1"})
	if err := runConfig(t.Context(), e, nil); err != nil {
		t.Fatal(err)
	}
	if out := e.stdout.(*bytes.Buffer).String(); !strings.Contains(out, "\nevidence-sm2         true\n") {
		t.Errorf("embargo config printed:\n%s", out)
	}
}

// TestConfigCommandShowsFeeds checks that `embargo config` prints the
// advisory feeds, without a password a URL carries, and their interval.
func TestConfigCommandShowsFeeds(t *testing.T) {
	e := envFrom(map[string]string{"EMBARGO_ADVISORY_FEEDS": "https://feed:hunter2@feeds.example.cn/Go/all.zip"})
	if err := runConfig(t.Context(), e, nil); err != nil {
		t.Fatal(err)
	}
	out := e.stdout.(*bytes.Buffer).String()
	for _, want := range []string{"\nadvisory-feeds       https://feed:xxxxx@feeds.example.cn/Go/all.zip\n", "\nadvisory-pull-interval 6h0m0s\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("embargo config printed:\n%s\nwant %q", out, want)
		}
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("embargo config leaks a password:\n%s", out)
	}
}

// FuzzParseFeeds reads arbitrary --advisory-feeds values: no panic, and
// every feed accepted is an absolute https URL.
func FuzzParseFeeds(f *testing.F) {
	f.Add("https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip,https://feeds.example.cn/a.json")
	f.Add("http://x, ,https://")
	f.Fuzz(func(t *testing.T, v string) {
		var c Config
		if parseFeeds(&c, v) != nil {
			return
		}
		for _, u := range c.AdvisoryFeeds {
			if absoluteURLOrEmpty(u) != nil || u == "" {
				t.Errorf("accepted feed %q", u)
			}
		}
	})
}
