// Package audit is Embargo's append-only, tamper-evident audit log.
//
// Every event carries the SHA-256 hash of the previous event in its stream
// and the SHA-256 of its own canonical encoding, which covers that previous
// hash. Changing, inserting or deleting any stored event breaks the chain at
// that point, and Verify names the first broken link. The store appends
// under a lock on the stream's head row, so concurrent writers queue rather
// than fork the chain; the head also reveals a deleted last event.
//
// The receipt log of RMSV Art. 5 (CN-05-2, CN-05-3) is a stream of its own,
// so that it can keep its own retention without breaking the main chain.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/request"
)

// Stream names one hash chain within the audit log.
type Stream string

// The streams.
const (
	Main     Stream = "audit"   // everything people and programs do
	Receipts Stream = "receipt" // the RMSV Art. 5 receipt log (CN-05-2)
)

// GenesisHash is the previous hash of a chain's first event.
var GenesisHash = strings.Repeat("0", 64)

// TimeLayout is the fixed-width UTC form of an event's time in its
// canonical encoding: microseconds, the precision both databases keep.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// encodingVersion starts every canonical encoding, so that a future change
// of format is explicit rather than silent.
const encodingVersion = "embargo.audit.v2"

// Event is one audit record.
type Event struct {
	Stream    Stream
	Seq       int64     // 1, 2, 3… within the stream
	OrgID     int64     // the organisation the event belongs to; 0 for the instance itself
	At        time.Time // UTC, microsecond precision
	Actor     string    // who: "user:42", "token:7", "system", "cli", "anonymous"
	Action    string    // what: "instance.init", "case.read", "report.receive"
	Subject   string    // on what: "case:EMB-2026-0001"; "" when none
	RequestID string    // ties the event to an HTTP request or CLI call
	Details   string    // canonical JSON object (see CanonicalJSON)
	PrevHash  string    // hex SHA-256 of the previous event's encoding
	Hash      string    // hex SHA-256 of this event's canonical encoding
}

// Link identifies a position in a chain: an event's sequence number and
// hash. A stream's head is the Link of its last event.
type Link struct {
	Seq  int64
	Hash string
}

// Head is a stream's head row: the last event, and where the chain starts
// (after a retention purge, the first kept event and its previous hash).
type Head struct {
	Last      Link
	FirstSeq  int64
	FirstPrev string
}

// New returns an unsealed event of the main stream, with the request ID
// taken from ctx and details encoded canonically. Details may be nil.
func New(ctx context.Context, actor, action, subject string, details any) (Event, error) {
	d, err := CanonicalJSON(details)
	if err != nil {
		return Event{}, fmt.Errorf("audit: %s details: %w", action, err)
	}
	return Event{Stream: Main, Actor: actor, Action: action, Subject: subject,
		RequestID: request.ID(ctx), Details: d}, nil
}

// CanonicalJSON encodes v as canonical JSON: compact, object keys sorted,
// numbers kept as written. A nil v encodes as {}.
func CanonicalJSON(v any) (string, error) {
	if v == nil {
		return "{}", nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return canonicalize(raw)
}

// canonicalize re-encodes JSON text canonically. It requires an object.
func canonicalize(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", fmt.Errorf("details must be a JSON object: %w", err)
	}
	if dec.More() {
		return "", fmt.Errorf("details: trailing data after the JSON object")
	}
	if m == nil {
		m = map[string]any{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// Encode returns e's canonical encoding: a JSON array of a version tag and
// every field but Hash, in a fixed order (v2 added the organisation, so
// that an event cannot be moved between tenants unnoticed). Details goes in verbatim, so that
// any change to the stored bytes changes the hash.
func (e Event) Encode() []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, s := range []string{encodingVersion, string(e.Stream)} {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, s)
	}
	fmt.Fprintf(&b, ",%d,%d", e.Seq, e.OrgID)
	for _, s := range []string{e.At.UTC().Format(TimeLayout), e.Actor, e.Action, e.Subject, e.RequestID} {
		b.WriteByte(',')
		writeString(&b, s)
	}
	b.WriteByte(',')
	writeString(&b, e.Details) // as a string: no parser decides what it means
	b.WriteByte(',')
	writeString(&b, e.PrevHash)
	b.WriteByte(']')
	return b.Bytes()
}

func writeString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always marshals
	b.Write(enc)
}

// ComputeHash returns the hex SHA-256 of e's canonical encoding.
func (e Event) ComputeHash() string {
	sum := sha256.Sum256(e.Encode())
	return hex.EncodeToString(sum[:])
}

// Seal places e after prev in its chain: it sets Seq, PrevHash and Hash,
// and normalises At to UTC microseconds. It returns an error when e lacks
// an actor or action, or its details are not canonical JSON.
func Seal(prev Link, e Event) (Event, error) {
	if e.Stream == "" || e.Actor == "" || e.Action == "" {
		return Event{}, fmt.Errorf("audit: event needs a stream, an actor and an action (got %q, %q, %q)", e.Stream, e.Actor, e.Action)
	}
	if e.Details == "" {
		e.Details = "{}"
	}
	if c, err := canonicalize([]byte(e.Details)); err != nil || c != e.Details {
		return Event{}, fmt.Errorf("audit: %s: details are not canonical JSON (use CanonicalJSON)", e.Action)
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.Seq = prev.Seq + 1
	e.PrevHash = prev.Hash
	e.Hash = e.ComputeHash()
	return e, nil
}
