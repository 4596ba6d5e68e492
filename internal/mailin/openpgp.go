package mailin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
)

// The armor lines of an OpenPGP message (RFC 9580 §6.2).
const (
	beginPGPMessage = "-----BEGIN PGP MESSAGE-----"
	endPGPMessage   = "-----END PGP MESSAGE-----"
)

var errNoKey = errors.New("mailin: no decryption key configured")

// notDecryptedNote tells staff why they see no content.
const notDecryptedNote = "This message arrived OpenPGP-encrypted and could not be decrypted with the instance key; the ciphertext is kept as received."

// decrypt decrypts one OpenPGP message with the instance key, refusing
// plaintext over the message size limit.
func (p *parser) decrypt(ciphertext []byte) ([]byte, error) {
	if p.dec == nil {
		return nil, errNoKey
	}
	plain, err := p.dec.Decrypt(ciphertext)
	if err != nil {
		return nil, err
	}
	if int64(len(plain)) > p.lim.MaxMessageBytes {
		return nil, fmt.Errorf("mailin: decrypted message: %w", ErrTooLarge)
	}
	return plain, nil
}

func (p *parser) failedToDecrypt() {
	if !p.notDecrypted {
		p.notDecrypted = true
		p.note(notDecryptedNote)
	}
}

// pgpMIME reads a PGP/MIME message (RFC 3156 §4): a multipart/encrypted
// entity whose first part is the application/pgp-encrypted version and
// whose second, application/octet-stream, holds the encrypted MIME entity.
// The decrypted entity is walked like any other part; a Subject in its own
// header (protected headers) replaces the outer, often placeholder, one.
func (p *parser) pgpMIME(e *message.Entity, depth int) {
	p.encrypted = true
	if depth >= p.lim.MaxDepth {
		p.noteLimit("depth", "Parts nested deeper than %d levels are kept only in the raw message.", p.lim.MaxDepth)
		return
	}
	ciphertext := p.encryptedPart(e)
	if ciphertext == nil {
		p.failedToDecrypt()
		return
	}
	plain, err := p.decrypt(ciphertext)
	if err != nil {
		p.failedToDecrypt()
		return
	}
	inner, err := message.Read(bytes.NewReader(plain))
	if inner == nil {
		p.note("The decrypted message has no readable MIME header; its text is kept as decrypted.")
		p.texts = append(p.texts, string(plain))
		return
	}
	if err != nil {
		p.note("The decrypted message uses an unknown charset or transfer encoding; some text may not be decoded.")
	}
	if h := (mail.Header{Header: inner.Header}); h.Has("Subject") {
		p.innerSubject, _ = h.Subject()
	}
	p.walk(inner, depth+1)
}

// encryptedPart returns the body of a PGP/MIME message's
// application/octet-stream part, or nil when there is none.
func (p *parser) encryptedPart(e *message.Entity) []byte {
	mr := e.MultipartReader()
	for {
		part, err := mr.NextPart()
		if err == io.EOF || part == nil {
			return nil
		}
		if p.parts++; p.parts > p.lim.MaxParts {
			return nil
		}
		if mt, _, _ := part.Header.ContentType(); mt == "application/octet-stream" {
			return p.body(part, "The encrypted part")
		}
	}
}

// inline decrypts the armored OpenPGP messages in a text body (inline
// PGP), replacing each with its plaintext; one that does not decrypt stays
// as it is. Plaintext that is not UTF-8 is read in the part's charset,
// which the sender's program most likely also used for what it encrypted.
func (p *parser) inline(text, charset string) string {
	var out strings.Builder
	for {
		begin := strings.Index(text, beginPGPMessage)
		end := strings.Index(text[max(begin, 0):], endPGPMessage)
		if begin < 0 || end < 0 {
			out.WriteString(text)
			return out.String()
		}
		end += begin + len(endPGPMessage)
		p.encrypted = true
		out.WriteString(text[:begin])
		plain, err := p.decrypt([]byte(text[begin:end]))
		if err != nil {
			p.failedToDecrypt()
			out.WriteString(text[begin:end])
		} else {
			out.WriteString(toUTF8(plain, charset))
		}
		text = text[end:]
	}
}

// toUTF8 returns b as text, converting it from charset when it is not
// already valid UTF-8.
func toUTF8(b []byte, charset string) string {
	if utf8.Valid(b) || charset == "" {
		return string(b)
	}
	if message.CharsetReader == nil {
		return string(b)
	}
	r, err := message.CharsetReader(strings.ToLower(charset), bytes.NewReader(b))
	if err != nil {
		return string(b)
	}
	conv, err := io.ReadAll(r)
	if err != nil {
		return string(b)
	}
	return string(conv)
}
