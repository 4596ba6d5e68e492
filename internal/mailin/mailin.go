// Package mailin takes vulnerability reports by e-mail: a built-in SMTP
// listener that receives mail for the security addresses, and a poller that
// fetches it from an IMAP mailbox. Both turn each message into a
// report.Submission (Parse) and hand it to a Sink.
//
// The rules it keeps:
//
//   - Nothing received is dropped. A message is acknowledged (SMTP 250, or
//     IMAP \Seen) only after the Sink has stored it; when storing fails the
//     sender's MTA is told to retry (SMTP 451) or the message stays unseen
//     for the next poll. A message that cannot be parsed or decrypted is
//     still submitted, with its raw bytes and a title that says so.
//   - Raw is the message exactly as received, also when it arrived
//     OpenPGP-encrypted: decryption only fills the fields read from it.
//   - HTML is converted to plain text, never rendered; attachments are
//     kept as declared and never unpacked.
//   - Sender addresses, subjects and bodies are report content: they are
//     never logged. Neither is the IMAP password.
package mailin

import (
	"context"
	"errors"

	"github.com/embargohq/embargo/internal/report"
)

// Sink stores a submission; the report service implements it. Submit
// returns only after the submission and its receipt-log entry are
// committed, so that a channel may acknowledge the message. An error means
// nothing was stored and the message must be offered again later.
type Sink interface {
	Submit(ctx context.Context, s report.Submission) (report.Ack, error)
}

// Decrypter decrypts an OpenPGP message, armored or binary; *pgp.Key is
// one.
type Decrypter interface {
	Decrypt(ciphertext []byte) ([]byte, error)
}

// The default limits.
const (
	DefaultMaxMessageBytes = 25 << 20
	DefaultMaxAttachments  = 50
	DefaultMaxDepth        = 10
	DefaultMaxParts        = 500
)

// Limits bound what Parse reads from one message. Zero fields take the
// defaults.
type Limits struct {
	// MaxMessageBytes is the largest message accepted, as received (and,
	// for an encrypted message, after decryption).
	MaxMessageBytes int64
	// MaxAttachments is how many attachments are extracted; further ones
	// are kept only in the raw message.
	MaxAttachments int
	// MaxDepth is how deep multipart parts may nest; deeper parts are kept
	// only in the raw message.
	MaxDepth int
	// MaxParts is how many MIME parts are read in all.
	MaxParts int
}

func (l Limits) withDefaults() Limits {
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if l.MaxAttachments <= 0 {
		l.MaxAttachments = DefaultMaxAttachments
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	return l
}

// ErrTooLarge is returned by Parse for a message over Limits.MaxMessageBytes.
var ErrTooLarge = errors.New("mailin: message exceeds the maximum size")
