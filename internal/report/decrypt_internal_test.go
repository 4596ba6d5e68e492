package report

import (
	"errors"
	"strings"
	"testing"
)

// echo "decrypts" a message by returning it without its armor lines, and
// refuses binary input.
type echo struct{}

func (echo) Decrypt(b []byte) ([]byte, error) {
	s := string(b)
	if !strings.HasPrefix(s, armorBegin) {
		return nil, errors.New("not armored")
	}
	return []byte(strings.TrimSuffix(strings.TrimPrefix(s, armorBegin), armorEnd)), nil
}

func FuzzDecrypt(f *testing.F) {
	f.Add("a -----BEGIN PGP MESSAGE-----x-----END PGP MESSAGE----- b", []byte{0xC1, 1, 2})
	f.Add("-----END PGP MESSAGE----------BEGIN PGP MESSAGE-----", []byte("-----BEGIN PGP MESSAGE-----"))
	f.Fuzz(func(t *testing.T, desc string, file []byte) {
		s := &Service{decrypter: echo{}}
		sub := s.decrypt(Submission{Description: desc, Attachments: []Attachment{{Name: "f.gpg", Data: file}}})
		if !strings.Contains(desc, armorBegin) && sub.Description != desc {
			t.Fatalf("description without a message changed: %q -> %q", desc, sub.Description)
		}
		if len(sub.Attachments) != 1 {
			t.Fatalf("attachments: %d", len(sub.Attachments))
		}
	})
}
