package audit

import (
	"context"
	"fmt"
)

// Reader reads a stream back for verification.
type Reader interface {
	// AuditHead returns the stream's head; a stream never written has a
	// head with Last {0, GenesisHash} and FirstSeq 1.
	AuditHead(ctx context.Context, stream Stream) (Head, error)
	// AuditEvents returns up to limit events of stream with Seq > after,
	// in ascending Seq order.
	AuditEvents(ctx context.Context, stream Stream, after int64, limit int) ([]Event, error)
}

// Break describes the first broken link found in a chain.
type Break struct {
	Seq    int64  // the event at which the chain breaks
	Reason string // what is wrong there
}

// Error implements error, so that a Break can be returned as one.
func (b *Break) Error() string {
	return fmt.Sprintf("audit chain broken at event %d: %s", b.Seq, b.Reason)
}

// Report is the outcome of verifying one stream.
type Report struct {
	Stream Stream
	Events int64 // events checked
	Head   Link  // the head row's claim
	Break  *Break
}

// Intact reports whether the whole stream verified.
func (r Report) Intact() bool { return r.Break == nil }

// verifyPage is how many events Verify reads per query.
const verifyPage = 2000

// Verify walks stream from its first kept event to its head, recomputing
// every hash. It returns a Report whose Break names the first event that is
// missing, out of place, or altered; err is only for failures to read.
// progress, when not nil, is called after each page with the events checked.
func Verify(ctx context.Context, r Reader, stream Stream, progress func(checked int64)) (Report, error) {
	head, err := r.AuditHead(ctx, stream)
	if err != nil {
		return Report{}, fmt.Errorf("audit: read head of %s: %w", stream, err)
	}
	rep := Report{Stream: stream, Head: head.Last}
	prev := Link{Seq: head.FirstSeq - 1, Hash: head.FirstPrev}
	for {
		events, err := r.AuditEvents(ctx, stream, prev.Seq, verifyPage)
		if err != nil {
			return rep, fmt.Errorf("audit: read %s after %d: %w", stream, prev.Seq, err)
		}
		for _, e := range events {
			if b := checkLink(prev, e); b != nil {
				rep.Break = b
				return rep, nil
			}
			prev = Link{Seq: e.Seq, Hash: e.Hash}
			rep.Events++
		}
		if progress != nil && len(events) > 0 {
			progress(rep.Events)
		}
		if len(events) < verifyPage {
			break
		}
	}
	rep.Break = checkHead(prev, head.Last)
	return rep, nil
}

// checkLink checks that e follows prev and that its hash is its own.
func checkLink(prev Link, e Event) *Break {
	switch {
	case e.Seq != prev.Seq+1:
		return &Break{Seq: prev.Seq + 1, Reason: fmt.Sprintf("event %d is missing (the next stored event is %d)", prev.Seq+1, e.Seq)}
	case e.PrevHash != prev.Hash:
		return &Break{Seq: e.Seq, Reason: "its previous-event hash does not match the event before it"}
	case e.Hash != e.ComputeHash():
		return &Break{Seq: e.Seq, Reason: "its content does not match its hash (the event was altered)"}
	}
	if c, err := canonicalize([]byte(e.Details)); err != nil || c != e.Details {
		return &Break{Seq: e.Seq, Reason: "its details are not in canonical form (the event was altered)"}
	}
	return nil
}

// checkHead checks that the last event read is the one the head names.
func checkHead(last, head Link) *Break {
	switch {
	case last.Seq < head.Seq:
		return &Break{Seq: last.Seq + 1, Reason: fmt.Sprintf("events %d to %d are missing (the head names event %d)", last.Seq+1, head.Seq, head.Seq)}
	case last.Seq > head.Seq:
		return &Break{Seq: head.Seq + 1, Reason: fmt.Sprintf("events after %d were added outside the log (the head names event %d)", head.Seq, head.Seq)}
	case last.Hash != head.Hash:
		return &Break{Seq: last.Seq, Reason: "it does not match the hash the head recorded"}
	}
	return nil
}
