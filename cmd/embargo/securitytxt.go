package main

import (
	"log/slog"
	"sync"
	"time"

	"github.com/embargohq/embargo/internal/pgp"
	"github.com/embargohq/embargo/internal/securitytxt"
)

// securityFile builds the instance's security.txt (RFC 9116): contacts are
// the report form and the mail addresses that take reports, the key is the
// instance's, and the file is signed with it. Expires is the configured
// date, or DefaultValidity after the current day, so that a running
// instance keeps its file valid. Signed files are kept for the day.
type securityFile struct {
	c   *Config
	key *pgp.Key
	now func() time.Time

	mu    sync.Mutex
	cache map[string]signedFile // by base URL
}

type signedFile struct {
	day  string
	text []byte
}

func newSecurityFile(c *Config, key *pgp.Key) *securityFile {
	return &securityFile{c: c, key: key, now: time.Now, cache: map[string]signedFile{}}
}

// Expires returns the file's Expires at now.
func (s *securityFile) Expires(now time.Time) time.Time {
	if !s.c.SecurityExpires.IsZero() {
		return s.c.SecurityExpires
	}
	day := now.UTC().Truncate(24 * time.Hour)
	return day.Add(securitytxt.DefaultValidity)
}

// Text returns the signed file for the instance at base.
func (s *securityFile) Text(base string) ([]byte, error) {
	if s.c.BaseURL != "" {
		base = s.c.BaseURL
	}
	now := s.now()
	day := now.UTC().Format(time.DateOnly)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.cache[base]; ok && f.day == day {
		return f.text, nil
	}
	f := securitytxt.File{Expires: s.Expires(now), Encryption: base + ".well-known/openpgp-key.asc",
		Policy: s.c.SecurityPolicy, PreferredLanguages: []string{"zh", "en"}, Canonical: base + ".well-known/security.txt"}
	if f.Policy == "" {
		f.Policy = base + "policy"
	}
	for _, r := range reportMail(s.c) {
		f.Contact = append(f.Contact, "mailto:"+r)
	}
	f.Contact = append(f.Contact, base+"report")
	f.CSAF = base + ".well-known/csaf/provider-metadata.json"
	text, err := s.key.SignCleartext(f.Text())
	if err != nil {
		return nil, err
	}
	if len(s.cache) > 16 { // Host-derived bases: keep the map small
		clear(s.cache)
	}
	s.cache[base] = signedFile{day: day, text: text}
	return text, nil
}

// warn logs a warning when the file lapses within WarnWithin, and an
// error when it has lapsed; it reports whether it logged.
func (s *securityFile) warn(log *slog.Logger) bool {
	now := s.now()
	expires := s.Expires(now)
	switch {
	case !expires.After(now):
		log.Error("security.txt has lapsed: set a later --security-expires", "expires", expires)
	case securitytxt.Expiring(expires, now):
		log.Warn("security.txt lapses soon: set a later --security-expires", "expires", expires,
			"days_left", int(expires.Sub(now).Hours()/24))
	default:
		return false
	}
	return true
}

// reportMail returns the addresses that take reports by mail: none unless
// the SMTP listener or the IMAP poller runs.
func reportMail(c *Config) []string {
	if c.SMTPAddr == "" && c.IMAPAddr == "" {
		return nil
	}
	return c.SMTPRecipients
}
