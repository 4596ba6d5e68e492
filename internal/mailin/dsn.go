package mailin

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-message"

	"github.com/embargohq/embargo/internal/report"
)

// DSN is what a delivery status notification (RFC 3464) says of one
// message Embargo sent: its Message-ID and, for each recipient it names,
// what became of the delivery.
type DSN struct {
	// MessageID is the returned message's Message-ID, without angle
	// brackets.
	MessageID  string
	Recipients []DSNRecipient
}

// DSNRecipient is one per-recipient block of a DSN.
type DSNRecipient struct {
	Recipient  string // the Final-Recipient's address
	Action     string // failed, delayed, delivered, relayed, expanded
	Status     string // "5.1.1"
	Diagnostic string // the remote server's answer, when given
}

// Failed reports whether the recipient's delivery failed for good: the
// action is "failed" (RFC 3464 §2.3.3), or the status is permanent (5.x.x,
// RFC 3463) when the action is missing.
func (r DSNRecipient) Failed() bool {
	return r.Action == "failed" || (r.Action == "" && strings.HasPrefix(r.Status, "5."))
}

// maxDSNRecipients bounds the recipients read from one DSN.
const maxDSNRecipients = 100

// ParseDSN reads raw as a delivery status notification: a multipart/report
// with report-type delivery-status (or its internationalised form, RFC
// 6533), whose message/delivery-status part gives the recipients' fates
// and whose returned message or headers give the Message-ID. ok is false
// for any other message, or a DSN that names no Message-ID or no
// recipient: it is not one Embargo can act on. It never fails otherwise:
// bad parts are skipped.
func ParseDSN(raw []byte) (d DSN, ok bool) {
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil || (err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err)) {
		return DSN{}, false
	}
	mt, params, err := e.Header.ContentType()
	if err != nil || mt != "multipart/report" {
		return DSN{}, false
	}
	if rt := strings.ToLower(params["report-type"]); rt != "delivery-status" && rt != "global-delivery-status" {
		return DSN{}, false
	}
	mr := e.MultipartReader()
	if mr == nil {
		return DSN{}, false
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		pt, _, _ := p.Header.ContentType()
		body := io.LimitReader(p.Body, 256<<10)
		switch pt {
		case "message/delivery-status", "message/global-delivery-status":
			d.Recipients = append(d.Recipients, deliveryStatus(body)...)
		case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
			if d.MessageID == "" {
				d.MessageID = returnedMessageID(body)
			}
		}
	}
	if len(d.Recipients) > maxDSNRecipients {
		d.Recipients = d.Recipients[:maxDSNRecipients]
	}
	return d, d.MessageID != "" && len(d.Recipients) > 0
}

// deliveryStatus reads the blocks of a message/delivery-status body: the
// per-message fields, then one block per recipient.
func deliveryStatus(r io.Reader) []DSNRecipient {
	tp := textproto.NewReader(bufio.NewReader(r))
	var out []DSNRecipient
	for first := true; len(out) <= maxDSNRecipients; first = false {
		h, err := tp.ReadMIMEHeader()
		if len(h) > 0 && !first {
			rec := DSNRecipient{
				Recipient:  typedAddress(h.Get("Final-Recipient")),
				Action:     strings.ToLower(strings.TrimSpace(h.Get("Action"))),
				Status:     strings.TrimSpace(h.Get("Status")),
				Diagnostic: typedValue(h.Get("Diagnostic-Code")),
			}
			if rec.Recipient == "" {
				rec.Recipient = typedAddress(h.Get("Original-Recipient"))
			}
			if rec.Status != "" || rec.Action != "" {
				out = append(out, rec)
			}
		}
		if err != nil {
			// The per-message block may have been alone in its first
			// read; a block without a blank line before EOF ends it.
			if len(h) > 0 && first {
				continue
			}
			break
		}
	}
	return out
}

// returnedMessageID reads the Message-ID of a returned message or its
// headers.
func returnedMessageID(r io.Reader) string {
	h, err := textproto.NewReader(bufio.NewReader(r)).ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return ""
	}
	id := strings.TrimSpace(h.Get("Message-Id"))
	return strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
}

// typedAddress reads an "address-type; address" field (rfc822;
// user@example.com).
func typedAddress(v string) string {
	return strings.Trim(typedValue(v), "<>")
}

// typedValue drops the type before the first semicolon.
func typedValue(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return strings.TrimSpace(v)
}

// Bounces takes the failed deliveries that DSNs report; notify.Service
// implements it (through a small adapter in cmd). Bounced reports whether
// the Message-ID was one of Embargo's own messages.
type Bounces interface {
	Bounced(ctx context.Context, messageID string, r DSNRecipient, at time.Time) (bool, error)
}

// WithBounces returns a Sink that reads every message first as a DSN: one
// that names a message Embargo sent and a failed recipient is handed to
// bounces and stored as nothing else; every other message (DSNs about
// other mail among them) goes on to next as a report. An error from
// bounces makes the channel offer the message again later, as a failed
// Submit does.
func WithBounces(next Sink, bounces Bounces, log *slog.Logger) Sink {
	return &bounceSink{next: next, bounces: bounces, log: log}
}

type bounceSink struct {
	next    Sink
	bounces Bounces
	log     *slog.Logger
}

// Submit implements Sink.
func (b *bounceSink) Submit(ctx context.Context, s report.Submission) (report.Ack, error) {
	d, ok := ParseDSN(s.Raw)
	if !ok {
		return b.next.Submit(ctx, s)
	}
	ours := false
	var errList []error
	for _, r := range d.Recipients {
		if !r.Failed() {
			continue
		}
		handled, err := b.bounces.Bounced(ctx, d.MessageID, r, time.Now())
		if err != nil {
			errList = append(errList, err)
		}
		ours = ours || handled
	}
	if err := errors.Join(errList...); err != nil {
		return report.Ack{}, err
	}
	if !ours {
		return b.next.Submit(ctx, s)
	}
	// Addresses are report content, never logged; the count is enough.
	b.log.Info("mailin: a bounce marked a message not delivered", "recipients", len(d.Recipients))
	return report.Ack{}, nil
}
