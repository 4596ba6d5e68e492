package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// SendError is a failed delivery with what the worker should do about it.
type SendError struct {
	Err error
	// Permanent failures are not retried: the message turns dead.
	Permanent bool
	// RetryAfter, when positive, is the least time to wait before the
	// next attempt (a receiver's Retry-After, a robot's rate limit).
	RetryAfter time.Duration
}

// Error implements error.
func (e *SendError) Error() string {
	if e.Permanent {
		return "permanent: " + e.Err.Error()
	}
	return e.Err.Error()
}

// Unwrap returns the cause.
func (e *SendError) Unwrap() error { return e.Err }

// Permanent marks err as a failure that retrying will not cure (the
// receiver refused the message, the address does not exist).
func Permanent(err error) error { return &SendError{Err: err, Permanent: true} }

// Temporary marks err as a failure to retry no sooner than after.
func Temporary(err error, after time.Duration) error { return &SendError{Err: err, RetryAfter: after} }

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// retryAfter returns the wait err asks for, or 0.
func retryAfter(err error) time.Duration {
	var se *SendError
	if errors.As(err, &se) {
		return se.RetryAfter
	}
	return 0
}

// Senders routes each message to the sender for its kind.
type Senders map[Kind]Sender

// Send implements Sender. A kind with no sender configured is a permanent
// failure: the message waits, dead, until it is configured and retried.
func (ss Senders) Send(ctx context.Context, m Message) error {
	s, ok := ss[m.Kind]
	if !ok || s == nil {
		return Permanent(fmt.Errorf("no sender for %s messages is configured", m.Kind))
	}
	return s.Send(ctx, m)
}
