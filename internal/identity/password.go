// Package identity owns who people and programs are: accounts, password
// hashing and rules, and the first administrator's setup. (Sessions,
// two-factor, tokens, SSO and roles come with the identity issue.)
package identity

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/errs"
	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane) raised to 64 MiB, which a 2-core server hashes in well under 100 ms.
const (
	argonTime    = 2
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns the argon2id hash of pw in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches the PHC-format hash. A hash it
// cannot parse never matches.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<21 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// MinPasswordLength and MaxPasswordLength bound passwords. Following NIST
// SP 800-63B, the rules are about length and known-bad passwords, never
// about character classes.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

//go:embed common-passwords.txt
var commonPasswordList string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// CheckPassword returns errs.Invalid, saying why, when pw is too short, too
// long, a well-known password, or made from the account's own e-mail name.
func CheckPassword(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return errs.Coded(errs.Invalid, "password.too_short", "the password must be at least %d characters long", MinPasswordLength)
	case n > MaxPasswordLength:
		return errs.Coded(errs.Invalid, "password.too_long", "the password must be at most %d characters long", MaxPasswordLength)
	case commonPasswords[strings.ToLower(pw)]:
		return errs.Coded(errs.Invalid, "password.common", "this password is on a list of common passwords; choose another")
	}
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	if len(local) >= 4 && strings.Contains(strings.ToLower(pw), local) {
		return errs.Coded(errs.Invalid, "password.contains_email", "the password must not contain your e-mail name")
	}
	return nil
}
