// Package report owns intake: every submission that reaches Embargo, from
// any channel, lands here as one Report (RMSV Art. 5, 6).
//
// The rules it keeps:
//
//   - A submission is written to the receipt log (the audit.Receipts hash
//     chain, CN-05-2) in the same transaction as the report itself, and only
//     after that transaction commits does any channel acknowledge it. What
//     was acknowledged is never lost.
//   - The report is immutable as received: its raw content (request body,
//     MIME message, form fields) is kept sealed at rest with its SHA-256 and
//     size; the fields read from it (title, description, product, reporter)
//     are sealed too. Contact details never enter the log in clear.
//   - The reporter gets a tracking ID and a private link whose token is
//     stored only as a hash.
//   - Staff read reports only with access.ReadReports; every read of report
//     content is audited.
package report

import (
	"time"
)

// Channel names where a submission came in.
type Channel string

// The intake channels.
const (
	Web  Channel = "web"  // the public form at /report
	API  Channel = "api"  // POST /api/v1/reports
	SMTP Channel = "smtp" // the built-in SMTP listener
	IMAP Channel = "imap" // a polled IMAP mailbox
)

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	switch c {
	case Web, API, SMTP, IMAP:
		return true
	}
	return false
}

// Reporter is who sent a submission, as they gave it.
type Reporter struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Attachment is one file sent with a submission.
type Attachment struct {
	Name        string // as given, cleaned of path elements
	ContentType string // as declared; the sniffed type is stored beside it
	Data        []byte
}

// Submission is one incoming report as a channel decoded it.
type Submission struct {
	// OrgID is the receiving organisation; 0 means the instance's intake
	// organisation (the first one).
	OrgID       int64
	Channel     Channel
	Title       string
	Description string
	Product     string
	Version     string
	Reporter    Reporter
	Attachments []Attachment
	// Raw is the content exactly as received (the request body, the MIME
	// message as delivered); its SHA-256 and size go into the receipt log.
	Raw []byte
	// Encrypted is set when the submission arrived OpenPGP-encrypted; Raw
	// is then the ciphertext as received.
	Encrypted bool
	// DedupKey, when set, makes a submission idempotent: a second
	// submission with the same key returns the first one's Ack instead of
	// a new report (mailbox polling after a crash, client retries).
	DedupKey string
	// Actor is who submitted, for the log: "anonymous", "token:7",
	// "smtp:203.0.113.9", "imap:security@example.com".
	Actor string
	// Language is the reporter's language for replies ("zh-CN", "en").
	Language string
	// RemoteAddr is the client's address, when the channel has one.
	RemoteAddr string
}

// Receipt is a submission's entry in the receipt log.
type Receipt struct {
	ID         string    `json:"id"`          // "rcpt-<seq>"
	Seq        int64     `json:"-"`           // its position in the receipt chain
	ReceivedAt time.Time `json:"received_at"` // UTC
	SHA256     string    `json:"sha256"`      // of Raw, hex
	Size       int64     `json:"size"`        // of Raw, bytes
	Channel    Channel   `json:"channel"`
}

// Ack is what the reporter gets back once a submission is stored.
type Ack struct {
	TrackingID string
	Receipt    Receipt
	// Secret is the private link's token. It is shown once, here; only its
	// hash is stored. Empty when a DedupKey matched an earlier submission.
	Secret string
	// Duplicate is set when DedupKey matched an earlier submission.
	Duplicate bool
}
