// Package notify delivers Embargo's outbound messages: e-mail over SMTP,
// signed JSON webhooks, and the WeCom, DingTalk and Feishu group robots.
//
// Every message goes through the outbox, a table written in the same
// transaction as the change it announces (EnqueueTx), so a notification is
// never promised without being stored, nor stored for a change that rolled
// back. A Worker claims due rows, sends them and records the outcome on
// each row. The rules it keeps:
//
//   - At least once: a claim is a lease. A worker that dies mid-send leaves
//     its rows "sending" until the lease ends; then any worker claims them
//     again. Receivers deduplicate by the message's dedup key, which every
//     delivery carries (the webhook's X-Embargo-Delivery, the e-mail's
//     Message-ID).
//   - Idempotent enqueue: a dedup key names one message for ever; enqueuing
//     it again returns the first message's ID and changes nothing.
//   - Temporary failures are retried with exponential backoff (30s·2ⁿ, at
//     most 6h); permanent ones, and the last allowed attempt, leave the row
//     "dead" until someone with access.ManageOrg retries it (audited).
//   - Message bodies may hold undisclosed vulnerability information: the
//     payload, the real target and the signing secret are sealed at rest
//     and never logged. The outbox keeps a masked target for display.
package notify

import (
	"context"
	"encoding/json"
	"time"
)

// Kind is how a message is delivered.
type Kind string

// The kinds.
const (
	Email    Kind = "email"    // SMTP; Target is an e-mail address
	Webhook  Kind = "webhook"  // signed JSON POST; Target is an https URL
	WeCom    Kind = "wecom"    // 企业微信 group robot; Target is its webhook URL (with key=…)
	DingTalk Kind = "dingtalk" // 钉钉 custom robot; Target is its webhook URL (with access_token=…)
	Feishu   Kind = "feishu"   // 飞书 custom bot; Target is its webhook URL (…/bot/v2/hook/…)
)

// Kinds returns every kind, in a stable order.
func Kinds() []Kind { return []Kind{Email, Webhook, WeCom, DingTalk, Feishu} }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	switch k {
	case Email, Webhook, WeCom, DingTalk, Feishu:
		return true
	}
	return false
}

// robot reports whether k is a group robot.
func (k Kind) robot() bool { return k == WeCom || k == DingTalk || k == Feishu }

// State is where a message is in delivery.
type State string

// The states. A message is pending until a worker claims it; sending while
// the claim's lease runs; then sent, or pending again with a later attempt
// time, or dead when it may not be tried again.
const (
	Pending State = "pending"
	Sending State = "sending"
	Sent    State = "sent"
	Dead    State = "dead"
)

// Valid reports whether st is a known state.
func (st State) Valid() bool {
	switch st {
	case Pending, Sending, Sent, Dead:
		return true
	}
	return false
}

// Message is one notification to send.
type Message struct {
	// OrgID is the organisation the message belongs to; 0 for the
	// instance itself.
	OrgID int64
	Kind  Kind
	// DedupKey names the message for ever: "case:EMB-2026-0001:notice:3".
	// Required; enqueuing a key again is a no-op.
	DedupKey string
	// Target is the e-mail address or the webhook URL. Robot URLs carry
	// their access token, so the target is sealed and shown masked.
	Target string
	// Secret signs webhooks (required for Webhook) and robot messages
	// (optional: the robot's "加签" secret). Sealed, never logged.
	Secret string
	// Subject is the e-mail subject, the robot markdown title, and the
	// webhook's "subject" field.
	Subject string
	// Text is the plain-text body (UTF-8). Required for e-mail and robots.
	Text string
	// HTML is an optional HTML alternative for e-mail.
	HTML string
	// Unsubscribe is the https URL of a one-click unsubscribe (RFC 8058)
	// for e-mail to a subscriber: it goes out as List-Unsubscribe with
	// List-Unsubscribe-Post.
	Unsubscribe string
	// Markdown sends Text as markdown to WeCom and DingTalk robots.
	Markdown bool
	// Event names what happened, for webhooks ("case.published").
	Event string
	// Data is the webhook's JSON payload; it must be a JSON value.
	Data json.RawMessage
	// OutboxID is the outbox row being delivered, set by the worker: an
	// e-mail's Message-ID names it, so that a bounce can be traced back.
	OutboxID int64
}

// Sender delivers messages of one or more kinds. Send returns nil once the
// receiver accepted the message; otherwise an error, which is retried
// unless marked with Permanent. Errors are stored and logged, so they must
// never contain the message body, the secret or the target's token.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Row is an outbox row as stored: the message's payload, target and
// secret sealed in Payload, the masked target in Target.
type Row struct {
	ID            int64
	OrgID         int64
	Kind          Kind
	DedupKey      string
	Target        string // masked, for display
	Payload       []byte // sealed payload
	State         State
	Attempts      int // claims so far, the current one included
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SentAt        time.Time // zero until sent
	LeaseUntil    time.Time // zero unless sending
	LockedBy      string    // the worker holding the lease
}

// Failure is the outcome of a failed attempt.
type Failure struct {
	Error string
	// Dead ends delivery; otherwise the row is pending again from
	// NextAttemptAt.
	Dead          bool
	NextAttemptAt time.Time
	At            time.Time
}

// Outcome is the result of one attempt to deliver a claimed row: sent at
// SentAt when Failure is nil.
type Outcome struct {
	Row     Row
	SentAt  time.Time
	Failure *Failure
}

// Filter selects outbox rows.
type Filter struct {
	// OrgID selects one organisation's rows (0: the instance's own), unless
	// AnyOrg is set.
	OrgID  int64
	AnyOrg bool
	State  State // "" for every state
	Before int64 // only rows with a smaller ID (paging); 0 for none
	Limit  int
}

// Enqueuer is a transaction that can enqueue outbox rows; *store.Tx is
// one, so domain services enqueue in their own transactions.
type Enqueuer interface {
	Now() time.Time
	// EnqueueOutbox stores r unless a row with its dedup key exists, and
	// returns the ID of the row with that key and whether it stored r.
	EnqueueOutbox(ctx context.Context, r Row) (id int64, created bool, err error)
}

// payload is what Row.Payload seals.
type payload struct {
	Target   string          `json:"target"`
	Secret   string          `json:"secret,omitempty"`
	Subject  string          `json:"subject,omitempty"`
	Text     string          `json:"text,omitempty"`
	HTML     string          `json:"html,omitempty"`
	Unsub    string          `json:"unsubscribe,omitempty"`
	Markdown bool            `json:"markdown,omitempty"`
	Event    string          `json:"event,omitempty"`
	Data     json.RawMessage `json:"data,omitempty"`
}

// payloadAAD binds a sealed payload to its row's dedup key, which is
// unique and never changes, so a payload copied to another row does not
// open.
func payloadAAD(dedupKey string) []byte { return []byte("outbox.payload:" + dedupKey) }
