package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/notify"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/server"
	"github.com/embargohq/embargo/internal/store"
)

// Config is the whole configuration, validated once. Every field comes from
// a flag, else an EMBARGO_* environment variable (secrets also from
// EMBARGO_*_FILE), else its default.
type Config struct {
	DataDir         string
	Addr            string
	DatabaseURL     string // secret: may hold a password
	KeyFile         string // "" means <DataDir>/instance.key
	TLSCert         string
	TLSKey          string
	BaseURL         string
	LogLevel        slog.Level
	LogFormat       string
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	Dev             bool
	// Single sign-on with OpenID Connect; off when OIDCIssuer is "".
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string // secret
	OIDCGroupRoles   map[string]access.Role
	OIDCOrg          int64
	// Intake (RMSV Art. 5, 6).
	ReportRate       int           // submissions per hour per address or token; 0 = no limit
	AckTarget        time.Duration // ISO/IEC 29147 acknowledgement target
	ReceiptRetention int           // months the receipt log is kept; at least 6 (CN-05-3)
	// E-mail intake: the built-in SMTP listener and/or a polled IMAP box.
	SMTPAddr       string
	SMTPRecipients []string
	IMAPAddr       string
	IMAPTLS        string
	IMAPUser       string
	IMAPPassword   string // secret
	IMAPMailbox    string
	IMAPInterval   time.Duration
	// security.txt: a fixed Expires (zero: rolling, DefaultValidity ahead)
	// and the disclosure policy's URL ("": the built-in /policy page).
	SecurityExpires time.Time
	SecurityPolicy  string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed.
	TrustedProxies []netip.Prefix
	// BreachedPasswords is the operator's list of breached passwords.
	BreachedPasswords string
	// Outbound mail through a relay; off when MailRelay is "".
	MailRelay         string
	MailRelayTLS      string
	MailRelayUser     string
	MailRelayPassword string // secret
	MailFrom          string
	// GradeTable is the organisation's GB/T 30279 grade table file; "" is
	// the provisional default.
	GradeTable string
	PDFFont    string
	// Announcements of new reports, and the secret that signs them.
	ReportNotify       []string
	ReportNotifySecret string // secret
	DutyNotify         []string
	// EvidenceSM2 makes the server co-sign evidence packs with SM2-SM3
	// beside Ed25519 (docs/evidence.md).
	EvidenceSM2 bool
	// AdvisoryFeeds are the https URLs of the advisory feeds the server
	// pulls every AdvisoryPullInterval (docs/exposure.md).
	AdvisoryFeeds        []string
	AdvisoryPullInterval time.Duration
	// CSAFPublisher names the CSAF provider's publisher ("" means the
	// publishing organisation's name); CSAFLang is its documents' language.
	CSAFPublisher string
	CSAFLang      string
	// CVEOrgID is the organisation UUID CVE Services gave this instance's
	// CNA: the orgId of the CVE JSON records it exports (CVE-1).
	CVEOrgID string
}

// setting describes one configuration value.
type setting struct {
	flag, env, def, help string
	secret               bool // may come from env_FILE; redacted by `embargo config`
	apply                func(c *Config, v string) error
}

var settings = []setting{
	{"data", "EMBARGO_DATA", "./embargo-data", "data directory (SQLite database, instance key)", false,
		func(c *Config, v string) error { c.DataDir = v; return nonEmpty(v) }},
	{"addr", "EMBARGO_HTTP_ADDR", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)", false, parseAddr},
	{"database", "EMBARGO_DATABASE_URL", "", "postgres://… URL; empty means SQLite in the data directory", true, parseDatabase},
	{"key-file", "EMBARGO_KEY_FILE", "", "instance key file; empty means <data>/instance.key, created at first start", false,
		func(c *Config, v string) error { c.KeyFile = v; return nil }},
	{"tls-cert", "EMBARGO_TLS_CERT", "", "TLS certificate file (PEM); serve HTTPS when set with --tls-key", false,
		func(c *Config, v string) error { c.TLSCert = v; return fileOrEmpty(v) }},
	{"tls-key", "EMBARGO_TLS_KEY", "", "TLS private key file (PEM)", false,
		func(c *Config, v string) error { c.TLSKey = v; return fileOrEmpty(v) }},
	{"base-url", "EMBARGO_BASE_URL", "", "public URL of this instance, for links in mail and setup (default from --addr)", false, parseBaseURL},
	{"log-level", "EMBARGO_LOG_LEVEL", "info", "debug, info, warn or error", false,
		func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
	{"log-format", "EMBARGO_LOG_FORMAT", "text", "text or json", false, parseLogFormat},
	{"max-body", "EMBARGO_MAX_BODY_BYTES", "1048576", "largest request body accepted, in bytes", false, parseMaxBody},
	{"shutdown-timeout", "EMBARGO_SHUTDOWN_TIMEOUT", "30s", "how long in-flight requests may take to finish at shutdown", false,
		func(c *Config, v string) (err error) { c.ShutdownTimeout, err = positiveDuration(v); return err }},
	{"dev", "EMBARGO_DEV", "false", "development mode: templates and static files are re-read from disk", false,
		func(c *Config, v string) (err error) { c.Dev, err = strconv.ParseBool(v); return err }},
	{"oidc-issuer", "EMBARGO_OIDC_ISSUER", "", "OpenID Connect issuer URL for single sign-on; empty turns SSO off", false, parseIssuer},
	{"oidc-client-id", "EMBARGO_OIDC_CLIENT_ID", "", "OAuth client ID registered at the provider", false,
		func(c *Config, v string) error { c.OIDCClientID = v; return nil }},
	{"oidc-client-secret", "EMBARGO_OIDC_CLIENT_SECRET", "", "OAuth client secret", true,
		func(c *Config, v string) error { c.OIDCClientSecret = v; return nil }},
	{"oidc-group-roles", "EMBARGO_OIDC_GROUP_ROLES", "", "provider groups to roles, e.g. psirt=triager,security-admins=administrator", false, parseGroupRoles},
	{"oidc-org", "EMBARGO_OIDC_ORG", "1", "organisation ID of the provider's users", false,
		func(c *Config, v string) (err error) { c.OIDCOrg, err = strconv.ParseInt(v, 10, 64); return err }},
	{"report-rate", "EMBARGO_REPORT_RATE", "60", "report submissions allowed per hour per client address or API token (0: no limit, for load tests)", false,
		func(c *Config, v string) (err error) { c.ReportRate, err = nonNegativeInt(v); return err }},
	{"ack-target", "EMBARGO_ACK_TARGET", "72h", "how soon the team should first answer a report (ISO/IEC 29147)", false,
		func(c *Config, v string) (err error) { c.AckTarget, err = positiveDuration(v); return err }},
	{"receipt-retention", "EMBARGO_RECEIPT_RETENTION", "12", "months the receipt log is kept before purging; RMSV Art. 5 needs at least 6", false, parseRetention},
	{"smtp-addr", "EMBARGO_SMTP_ADDR", "", "address of the built-in SMTP listener that takes reports by e-mail (e.g. :25); empty turns it off", false,
		func(c *Config, v string) error { c.SMTPAddr = v; return nil }},
	{"smtp-recipients", "EMBARGO_SMTP_RECIPIENTS", "security@localhost", "comma-separated addresses the SMTP listener accepts mail for", false,
		func(c *Config, v string) error { c.SMTPRecipients = splitList(v); return nil }},
	{"imap-addr", "EMBARGO_IMAP_ADDR", "", "IMAP server (host:port) whose mailbox is polled for reports; empty turns polling off", false,
		func(c *Config, v string) error { c.IMAPAddr = v; return nil }},
	{"imap-tls", "EMBARGO_IMAP_TLS", "tls", "tls, starttls, or none (loopback only)", false,
		func(c *Config, v string) error { c.IMAPTLS = v; return nil }},
	{"imap-user", "EMBARGO_IMAP_USER", "", "IMAP user name", false,
		func(c *Config, v string) error { c.IMAPUser = v; return nil }},
	{"imap-password", "EMBARGO_IMAP_PASSWORD", "", "IMAP password", true,
		func(c *Config, v string) error { c.IMAPPassword = v; return nil }},
	{"imap-mailbox", "EMBARGO_IMAP_MAILBOX", "INBOX", "IMAP mailbox to poll", false,
		func(c *Config, v string) error { c.IMAPMailbox = v; return nonEmpty(v) }},
	{"imap-interval", "EMBARGO_IMAP_INTERVAL", "1m", "how often the IMAP mailbox is polled", false,
		func(c *Config, v string) (err error) { c.IMAPInterval, err = positiveDuration(v); return err }},
	{"trusted-proxies", "EMBARGO_TRUSTED_PROXIES", "", "comma-separated reverse proxies (IPs or CIDR prefixes) whose X-Forwarded-For names the client; empty trusts none", false,
		func(c *Config, v string) (err error) {
			c.TrustedProxies, err = server.ParseTrustedProxies(v)
			return err
		}},
	{"mail-relay", "EMBARGO_MAIL_RELAY", "", "SMTP relay (host:port) for outbound mail: acknowledgements, notices, password resets; empty turns outbound mail off", false,
		func(c *Config, v string) error { c.MailRelay = v; return nil }},
	{"mail-relay-tls", "EMBARGO_MAIL_RELAY_TLS", "starttls", "starttls, opportunistic, tls (port 465), or none (loopback relays only)", false,
		func(c *Config, v string) error { c.MailRelayTLS = v; return nil }},
	{"mail-relay-user", "EMBARGO_MAIL_RELAY_USER", "", "user name at the relay; empty sends without authentication", false,
		func(c *Config, v string) error { c.MailRelayUser = v; return nil }},
	{"mail-relay-password", "EMBARGO_MAIL_RELAY_PASSWORD", "", "password at the relay", true,
		func(c *Config, v string) error { c.MailRelayPassword = v; return nil }},
	{"mail-from", "EMBARGO_MAIL_FROM", "", "sender of outbound mail, e.g. \"Acme PSIRT <psirt@example.cn>\"; empty means the first --smtp-recipients address", false,
		func(c *Config, v string) error { c.MailFrom = v; return nil }},
	{"report-notify", "EMBARGO_REPORT_NOTIFY", "", "comma-separated destinations told of each new report: mailto: addresses, WeCom/DingTalk/Feishu robot URLs, or https webhooks", false,
		func(c *Config, v string) error { c.ReportNotify = splitList(v); return nil }},
	{"report-notify-secret", "EMBARGO_REPORT_NOTIFY_SECRET", "", "secret that signs webhooks (HMAC-SHA256) and robot messages (加签)", true,
		func(c *Config, v string) error { c.ReportNotifySecret = v; return nil }},
	{"duty-notify", "EMBARGO_DUTY_NOTIFY", "", "comma-separated channels told of every legal-duty escalation (24 h, 4 h, overdue): WeCom/DingTalk/Feishu robot URLs or https webhooks (signed with --report-notify-secret); assignees and compliance officers are mailed anyway", false,
		func(c *Config, v string) error { c.DutyNotify = splitList(v); return nil }},
	{"evidence-sm2", "EMBARGO_EVIDENCE_SM2", "false", "co-sign evidence packs with SM2-SM3 (GB/T 32918, SM3) beside Ed25519; `embargo key evidence-public --alg sm2` prints the key (docs/evidence.md)", false,
		func(c *Config, v string) (err error) { c.EvidenceSM2, err = strconv.ParseBool(v); return err }},
	{"pdf-font", "EMBARGO_PDF_FONT", "", "TrueType font with Chinese glyphs for PDF output (.ttf or .ttc, e.g. WenQuanYi Micro Hei); empty searches the usual system paths (docs/pdf.md)", false,
		func(c *Config, v string) error { c.PDFFont = v; return fileOrEmpty(v) }},
	{"grade-table", "EMBARGO_GRADE_TABLE", "", "GB/T 30279-2020 grade table (JSON, see docs/severity.md); empty means the provisional default", false,
		func(c *Config, v string) error { c.GradeTable = v; return fileOrEmpty(v) }},
	{"breached-passwords", "EMBARGO_BREACHED_PASSWORDS", "", "file of breached passwords refused for accounts: SHA-1 hashes sorted (Have I Been Pwned's download) or plain passwords, one a line", false,
		func(c *Config, v string) error { c.BreachedPasswords = v; return fileOrEmpty(v) }},
	{"advisory-feeds", "EMBARGO_ADVISORY_FEEDS", "", "comma-separated https URLs of advisory feeds pulled on a schedule: OSV zips (e.g. https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip) or single OSV, CVE JSON 5 or CSAF records; empty pulls none", false, parseFeeds},
	{"advisory-pull-interval", "EMBARGO_ADVISORY_PULL_INTERVAL", "6h", "how often the advisory feeds are pulled (conditionally: an unchanged feed is not downloaded)", false,
		func(c *Config, v string) (err error) { c.AdvisoryPullInterval, err = positiveDuration(v); return err }},
	{"csaf-publisher", "EMBARGO_CSAF_PUBLISHER", "", "publisher name in the CSAF provider's provider-metadata.json; empty means the publishing organisation's name (docs/csaf.md)", false,
		func(c *Config, v string) error { c.CSAFPublisher = strings.TrimSpace(v); return nil }},
	{"csaf-lang", "EMBARGO_CSAF_LANG", "en", "language of the CSAF provider's documents: en or zh-CN (one document per advisory; both languages are on /advisories and in the API)", false,
		func(c *Config, v string) error {
			if v != "en" && v != "zh-CN" {
				return errors.New("want en or zh-CN")
			}
			c.CSAFLang = v
			return nil
		}},
	{"security-expires", "EMBARGO_SECURITY_EXPIRES", "", "Expires of security.txt (YYYY-MM-DD or RFC 3339); empty means 180 days ahead, renewed daily; warned 30 days before it lapses", false, parseExpires},
	{"security-policy", "EMBARGO_SECURITY_POLICY", "", "URL of the vulnerability disclosure policy for security.txt; empty means this instance's /policy page", false,
		func(c *Config, v string) error { c.SecurityPolicy = v; return absoluteURLOrEmpty(v) }},
	{"cve-org-id", "EMBARGO_CVE_ORG_ID", "", "organisation UUID that CVE Services gave this CNA, for CVE JSON 5 exports of advisories; empty refuses them", false, parseCVEOrgID},
}

// parseCVEOrgID checks that v is empty or a UUID, as CVE Services names
// organisations.
func parseCVEOrgID(c *Config, v string) error {
	c.CVEOrgID = strings.ToLower(strings.TrimSpace(v))
	if c.CVEOrgID != "" && !uuidPattern.MatchString(c.CVEOrgID) {
		return errors.New("want the UUID of the CNA's organisation in CVE Services")
	}
	return nil
}

// uuidPattern is a UUID in its canonical form.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// parseConfig reads the settings from args (flags), then the environment,
// then defaults, and validates them. Errors name the setting and its source.
// extra registers command-specific flags on the same flag set.
func parseConfig(e *env, name string, args []string, extra func(*flag.FlagSet)) (*Config, []string, error) {
	fs := flag.NewFlagSet("embargo "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	vals := make([]string, len(settings))
	for i, s := range settings {
		fs.StringVar(&vals[i], s.flag, "", fmt.Sprintf("%s (env %s, default %q)", s.help, s.env, s.def))
	}
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	c := &Config{}
	for i, s := range settings {
		v, source, err := lookup(e, s, set[s.flag], vals[i])
		if err != nil {
			return nil, nil, err
		}
		if err := s.apply(c, v); err != nil {
			return nil, nil, fmt.Errorf("invalid %s %q (from %s): %w", s.flag, redactIf(s.secret, v), source, err)
		}
	}
	return c, fs.Args(), c.validate()
}

// lookup finds a setting's value and says where it came from.
func lookup(e *env, s setting, flagSet bool, flagVal string) (v, source string, err error) {
	if flagSet {
		return flagVal, "--" + s.flag, nil
	}
	if v := e.getenv(s.env); v != "" {
		return v, s.env, nil
	}
	if path := e.getenv(s.env + "_FILE"); s.secret && path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", "", fmt.Errorf("%s_FILE: %w", s.env, err)
		}
		return strings.TrimSpace(string(b)), s.env + "_FILE", nil
	}
	return s.def, "default", nil
}

// validate checks rules between settings.
func (c *Config) validate() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("invalid tls-cert/tls-key: give both or neither")
	}
	if c.KeyFile == "" {
		c.KeyFile = filepath.Join(c.DataDir, "instance.key")
	}
	if c.OIDCIssuer != "" && (c.OIDCClientID == "" || len(c.OIDCGroupRoles) == 0 || c.BaseURL == "") {
		return errors.New("invalid oidc settings: with --oidc-issuer, give --oidc-client-id, --oidc-group-roles and --base-url (the callback is <base-url>signin/sso/callback) too")
	}
	if c.IMAPAddr != "" && (c.IMAPUser == "" || c.IMAPPassword == "") {
		return errors.New("invalid imap settings: with --imap-addr, give --imap-user and --imap-password (or EMBARGO_IMAP_PASSWORD_FILE) too")
	}
	if c.SMTPAddr != "" && len(c.SMTPRecipients) == 0 {
		return errors.New("invalid smtp-recipients: the SMTP listener needs at least one address to accept mail for")
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "embargo.db")
	}
	return nil
}

// TLS reports whether the server speaks HTTPS.
func (c *Config) TLS() bool { return c.TLSCert != "" }

// Logger builds the program's logger, writing to w.
func (c *Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Dump writes the effective configuration, one setting a line, with
// secrets redacted.
func (c *Config) Dump(w io.Writer) {
	rows := [][2]string{
		{"data", c.DataDir}, {"addr", c.Addr}, {"database", store.RedactURL(c.DatabaseURL)},
		{"key-file", c.KeyFile}, {"tls-cert", c.TLSCert}, {"tls-key", c.TLSKey},
		{"base-url", c.BaseURL}, {"log-level", c.LogLevel.String()}, {"log-format", c.LogFormat},
		{"max-body", strconv.FormatInt(c.MaxBodyBytes, 10)}, {"shutdown-timeout", c.ShutdownTimeout.String()},
		{"dev", strconv.FormatBool(c.Dev)},
		{"oidc-issuer", c.OIDCIssuer}, {"oidc-client-id", c.OIDCClientID}, {"oidc-client-secret", redactSecret(c.OIDCClientSecret)},
		{"oidc-group-roles", fmt.Sprint(c.OIDCGroupRoles)}, {"oidc-org", strconv.FormatInt(c.OIDCOrg, 10)},
		{"report-rate", strconv.Itoa(c.ReportRate)}, {"ack-target", c.AckTarget.String()},
		{"receipt-retention", strconv.Itoa(c.ReceiptRetention)},
		{"smtp-addr", c.SMTPAddr}, {"smtp-recipients", strings.Join(c.SMTPRecipients, ",")},
		{"imap-addr", c.IMAPAddr}, {"imap-tls", c.IMAPTLS}, {"imap-user", c.IMAPUser},
		{"imap-password", redactSecret(c.IMAPPassword)}, {"imap-mailbox", c.IMAPMailbox}, {"imap-interval", c.IMAPInterval.String()},
		{"trusted-proxies", fmt.Sprint(c.TrustedProxies)}, {"breached-passwords", c.BreachedPasswords},
		{"mail-relay", c.MailRelay}, {"mail-relay-tls", c.MailRelayTLS}, {"mail-relay-user", c.MailRelayUser},
		{"mail-relay-password", redactSecret(c.MailRelayPassword)}, {"mail-from", c.MailFrom},
		{"grade-table", c.GradeTable}, {"report-notify", redactTargets(c.ReportNotify)}, {"report-notify-secret", redactSecret(c.ReportNotifySecret)},
		{"duty-notify", redactTargets(c.DutyNotify)}, {"evidence-sm2", strconv.FormatBool(c.EvidenceSM2)}, {"pdf-font", c.PDFFont},
		{"security-expires", formatExpires(c.SecurityExpires)}, {"security-policy", c.SecurityPolicy},
		{"advisory-feeds", redactFeeds(c.AdvisoryFeeds)}, {"advisory-pull-interval", c.AdvisoryPullInterval.String()},
		{"csaf-publisher", c.CSAFPublisher}, {"csaf-lang", c.CSAFLang},
		{"cve-org-id", c.CVEOrgID},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%-20s %s\n", r[0], r[1])
	}
}

// redactTargets shows destinations without the tokens robot URLs carry.
func redactTargets(ts []string) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t
		if k, target, err := notify.ParseTarget(t); err == nil && k != notify.Email {
			out[i] = notify.MaskTarget(k, target)
		}
	}
	return strings.Join(out, ",")
}

func redactIf(secret bool, v string) string {
	if secret {
		return redactSecret(store.RedactURL(v))
	}
	return v
}

// redactSecret hides a secret that is not a URL.
func redactSecret(v string) string {
	if v == "" || strings.Contains(v, "://") {
		return v
	}
	return "xxxxx"
}

func parseIssuer(c *Config, v string) error {
	c.OIDCIssuer = v
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("want the provider's https:// issuer URL")
	}
	return nil
}

// parseGroupRoles reads "group=role,group=role".
func parseGroupRoles(c *Config, v string) error {
	c.OIDCGroupRoles = map[string]access.Role{}
	for _, pair := range strings.Split(v, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		group, role, ok := strings.Cut(pair, "=")
		r, known := access.ParseRole(strings.TrimSpace(role))
		if !ok || strings.TrimSpace(group) == "" || !known {
			return fmt.Errorf("%q: want group=role with a role among %s", pair, roleNames())
		}
		c.OIDCGroupRoles[strings.TrimSpace(group)] = r
	}
	return nil
}

func nonEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func parseAddr(c *Config, v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return errors.New("want host:port, e.g. 127.0.0.1:8080")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	_ = host // "" listens on every interface, which is the operator's call
	c.Addr = v
	return nil
}

func parseDatabase(c *Config, v string) error {
	c.DatabaseURL = v
	if v == "" || store.IsPostgresURL(v) {
		if v != "" {
			if _, err := url.Parse(v); err != nil {
				return errors.New("not a valid URL")
			}
		}
		return nil
	}
	if strings.Contains(v, "://") {
		return errors.New("want a postgres:// URL, or empty for SQLite in the data directory")
	}
	return nil // a path to an SQLite file
}

func parseBaseURL(c *Config, v string) error {
	c.BaseURL = v
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an absolute http:// or https:// URL")
	}
	c.BaseURL = strings.TrimSuffix(v, "/") + "/"
	return nil
}

// absoluteURLOrEmpty checks that v is empty or an absolute https:// URL
// (RFC 9116 wants https for every field but Contact).
func absoluteURLOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return errors.New("want an absolute https:// URL")
	}
	return nil
}

// parseExpires reads security.txt's Expires: a date (the end of that day
// in China Standard Time) or an RFC 3339 date-time.
func parseExpires(c *Config, v string) error {
	c.SecurityExpires = time.Time{}
	if v == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		c.SecurityExpires = t
		return nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, report.CST)
	if err != nil {
		return errors.New("want a date (YYYY-MM-DD) or an RFC 3339 date-time")
	}
	c.SecurityExpires = d.AddDate(0, 0, 1).Add(-time.Second)
	return nil
}

// formatExpires shows a configured Expires, or the rolling default.
func formatExpires(t time.Time) string {
	if t.IsZero() {
		return "rolling (180 days ahead)"
	}
	return t.Format(time.RFC3339)
}

func parseLogFormat(c *Config, v string) error {
	if v != "text" && v != "json" {
		return errors.New("want text or json")
	}
	c.LogFormat = v
	return nil
}

func parseMaxBody(c *Config, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1024 {
		return errors.New("want a whole number of bytes, at least 1024")
	}
	c.MaxBodyBytes = n
	return nil
}

func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("want a positive duration such as 30s or 2m")
	}
	return d, nil
}

func fileOrEmpty(v string) error {
	if v == "" {
		return nil
	}
	if _, err := os.Stat(v); err != nil {
		return errors.New("file not found or unreadable")
	}
	return nil
}

func runConfig(_ context.Context, e *env, args []string) error {
	c, _, err := parseConfig(e, "config", args, nil)
	if err != nil {
		return err
	}
	c.Dump(e.stdout)
	return nil
}

func nonNegativeInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a whole number of 0 or more")
	}
	return n, nil
}

// parseRetention reads the receipt log's retention in months and refuses
// less than the six months RMSV Art. 5 requires (CN-05-3).
func parseRetention(c *Config, v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("want a whole number of months")
	}
	if n < report.MinRetentionMonths {
		return fmt.Errorf("RMSV Art. 5 requires receipt logs to be kept at least %d months", report.MinRetentionMonths)
	}
	c.ReceiptRetention = n
	return nil
}

// splitList splits a comma-separated list, dropping empty items.
// parseFeeds reads the advisory feeds: comma-separated absolute https URLs.
func parseFeeds(c *Config, v string) error {
	c.AdvisoryFeeds = splitList(v)
	for _, f := range c.AdvisoryFeeds {
		if err := absoluteURLOrEmpty(f); err != nil {
			return fmt.Errorf("%s: %w", store.RedactURL(f), err)
		}
	}
	return nil
}

// redactFeeds shows the feed URLs without passwords they may carry.
func redactFeeds(urls []string) string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = store.RedactURL(u)
	}
	return strings.Join(out, ",")
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
