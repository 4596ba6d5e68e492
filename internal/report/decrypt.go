package report

import (
	"bytes"
	"strings"
)

// Decrypter opens OpenPGP messages encrypted to the instance's key;
// *pgp.Key is one.
type Decrypter interface {
	Decrypt(ciphertext []byte) ([]byte, error)
}

// WithDecrypter makes the service decrypt what reporters encrypted to the
// instance's key on the form and the API: an armored message pasted into
// the description, and attachments that are OpenPGP messages (.gpg, .pgp,
// .asc). The raw submission keeps the ciphertext; the decrypted content is
// sealed at rest like any other. What cannot be decrypted is kept as it
// came.
func (s *Service) WithDecrypter(d Decrypter) *Service {
	s.decrypter = d
	return s
}

const (
	armorBegin = "-----BEGIN PGP MESSAGE-----"
	armorEnd   = "-----END PGP MESSAGE-----"
)

// decrypt returns sub with its encrypted parts opened, and whether any
// part was.
func (s *Service) decrypt(sub Submission) Submission {
	if s.decrypter == nil {
		return sub
	}
	if i := strings.Index(sub.Description, armorBegin); i >= 0 {
		if j := strings.Index(sub.Description[i:], armorEnd); j > 0 {
			end := i + j + len(armorEnd)
			if plain, err := s.decrypter.Decrypt([]byte(sub.Description[i:end])); err == nil {
				sub.Description = sub.Description[:i] + strings.ToValidUTF8(string(plain), "\uFFFD") + sub.Description[end:]
				sub.Encrypted = true
			}
		}
	}
	var files []Attachment
	for _, a := range sub.Attachments {
		if isOpenPGPMessage(a.Data) {
			if plain, err := s.decrypter.Decrypt(a.Data); err == nil {
				a = Attachment{Name: strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(a.Name, ".gpg"), ".pgp"), ".asc"), Data: plain}
				sub.Encrypted = true
			}
		}
		files = append(files, a)
	}
	sub.Attachments = files
	return sub
}

// isOpenPGPMessage reports whether b looks like an OpenPGP encrypted
// message: armored, or binary starting with a public-key encrypted session
// key packet (tag 1, in the new or the old packet format).
func isOpenPGPMessage(b []byte) bool {
	if bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte(armorBegin)) {
		return true
	}
	if len(b) == 0 {
		return false
	}
	switch {
	case b[0] == 0xC1: // new format, tag 1
		return true
	case b[0]&0xC0 == 0x80 && (b[0]>>2)&0x0F == 1: // old format, tag 1
		return true
	}
	return false
}
