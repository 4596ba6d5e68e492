package report

import (
	"context"
	"sync"

	"github.com/embargohq/embargo/internal/errs"
)

// maxBatch bounds how many submissions share one transaction.
const maxBatch = 256

// committer stores submissions by group commit: one goroutine takes every
// submission waiting, writes them in one transaction (each with its own
// receipt-log entry) and answers each only after the commit. Under load
// many reports share one commit, and so one disk sync and one turn at the
// receipt chain's head lock; alone, a report is committed at once.
type committer struct {
	s        *Service
	in       chan *pending
	start    sync.Once
	mu       sync.RWMutex // guards closed against sends on in
	closed   bool
	finished chan struct{}
}

func newCommitter(s *Service) *committer {
	return &committer{s: s, in: make(chan *pending, maxBatch), finished: make(chan struct{})}
}

// submit queues p and waits for its transaction. When ctx ends first, the
// submission may still be stored, but it was not acknowledged.
func (c *committer) submit(ctx context.Context, p *pending) (Ack, error) {
	c.start.Do(func() { go c.run() })
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return Ack{}, errs.Coded(errs.Unavailable, "report.closed", "intake is shutting down; try again shortly")
	}
	select {
	case c.in <- p:
		c.mu.RUnlock()
	case <-ctx.Done():
		c.mu.RUnlock()
		return Ack{}, ctx.Err()
	}
	select {
	case r := <-p.done:
		return r.ack, r.err
	case <-ctx.Done():
		return Ack{}, ctx.Err()
	}
}

// close stops taking submissions, commits those queued, and waits for the
// loop to end.
func (c *committer) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-c.finished
		return
	}
	c.closed = true
	close(c.in)
	c.mu.Unlock()
	c.start.Do(func() { go c.run() })
	<-c.finished
}

func (c *committer) run() {
	defer close(c.finished)
	for p := range c.in {
		batch := []*pending{p}
	drain:
		for len(batch) < maxBatch {
			select {
			case q, ok := <-c.in:
				if !ok {
					break drain
				}
				batch = append(batch, q)
			default:
				break drain
			}
		}
		c.commit(batch)
	}
}

// commit writes batch in one transaction; when that fails, it writes each
// submission alone, so that one bad submission fails only itself.
func (c *committer) commit(batch []*pending) {
	// The transaction must not end with one client's request.
	ctx := context.Background()
	acks := make([]Ack, len(batch))
	err := c.s.store.TransactReports(ctx, func(tx Tx) error {
		for i, p := range batch {
			var err error
			if acks[i], err = c.s.insert(ctx, tx, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for i, p := range batch {
			p.done <- result{ack: acks[i]}
		}
		return
	}
	if len(batch) == 1 {
		batch[0].done <- result{err: err}
		return
	}
	for _, p := range batch {
		c.commit([]*pending{p})
	}
}
