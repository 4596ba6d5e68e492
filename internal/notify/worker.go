package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/errs"
)

// WorkerStore is what a Worker needs of the store; *store.DB is one.
type WorkerStore interface {
	// ClaimOutbox claims up to limit rows due at now for worker, leased
	// until now+lease.
	ClaimOutbox(ctx context.Context, worker string, now time.Time, limit int, lease time.Duration) ([]Row, error)
	// SettleOutbox records the outcomes of claimed rows in one
	// transaction: rowErrs[i] is errs.Conflict when outs[i]'s claim no
	// longer holds; err means nothing was recorded.
	SettleOutbox(ctx context.Context, outs []Outcome) (rowErrs []error, err error)
}

// WorkerOptions tune a Worker. Zero fields take the defaults given.
type WorkerOptions struct {
	// ID names the worker in claims (host name, process and a random
	// suffix).
	ID string
	// Batch is how many messages one claim takes (50), and Concurrency
	// how many of them are sent at once (16). A batch's outcomes are
	// recorded together, in one transaction.
	Batch, Concurrency int
	// Lease is how long a claim holds (5 minutes). It must exceed
	// SendTimeout times the rounds of sends of a batch (Batch /
	// Concurrency, rounded up), or a slow batch is claimed again while it
	// runs.
	Lease time.Duration
	// SendTimeout bounds one delivery (1 minute).
	SendTimeout time.Duration
	// Poll is the time between claims when nothing wakes the worker (30s).
	Poll time.Duration
	// MaxAttempts is how many attempts a message gets before it is dead (8).
	MaxAttempts int
	// BaseDelay is the wait after the first failure (30s); it doubles with
	// each further failure, up to MaxDelay (6 hours).
	BaseDelay, MaxDelay time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
	// Logger receives one line per attempt; never bodies, targets' tokens
	// or secrets (slog.Default()).
	Logger *slog.Logger
	// Settled, when set, is told of every message whose outcome was
	// recorded as final (Sent or Dead), after the record: what follows a
	// delivery (a notice campaign's state) hooks here instead of polling.
	// It must not block.
	Settled func(r Row, st State)
}

func (o WorkerOptions) withDefaults() WorkerOptions {
	if o.ID == "" {
		o.ID = defaultWorkerID()
	}
	o.Batch = cmpOr(o.Batch, 50)
	o.Concurrency = cmpOr(o.Concurrency, 16)
	o.SendTimeout = cmpOr(o.SendTimeout, time.Minute)
	o.Lease = cmpOr(o.Lease, 5*time.Minute)
	o.Poll = cmpOr(o.Poll, 30*time.Second)
	o.MaxAttempts = cmpOr(o.MaxAttempts, 8)
	o.BaseDelay = cmpOr(o.BaseDelay, 30*time.Second)
	o.MaxDelay = cmpOr(o.MaxDelay, 6*time.Hour)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// cmpOr returns v, or def when v is not positive.
func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func defaultWorkerID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Worker delivers the outbox: it claims due messages, sends them and
// records each outcome. Several workers, in one process or on several
// nodes, may run on one database.
type Worker struct {
	store  WorkerStore
	sealer Sealer
	sender Sender
	opt    WorkerOptions
	wake   chan struct{}
}

// NewWorker returns a worker that opens payloads with sl and delivers with
// sender (a Senders map, usually). It fails when the lease does not
// exceed the send timeout.
func NewWorker(st WorkerStore, sl Sealer, sender Sender, opt WorkerOptions) (*Worker, error) {
	opt = opt.withDefaults()
	// A batch is recorded when its last send ends: the lease must outlast
	// the rounds of sends a batch can take.
	rounds := time.Duration((opt.Batch + opt.Concurrency - 1) / opt.Concurrency)
	if opt.Lease <= rounds*opt.SendTimeout {
		return nil, fmt.Errorf("notify: the lease (%v) must exceed the send timeout (%v) times the rounds of sends of a batch (%d of %d at once)",
			opt.Lease, opt.SendTimeout, opt.Batch, opt.Concurrency)
	}
	return &Worker{store: st, sealer: sl, sender: sender, opt: opt, wake: make(chan struct{}, 1)}, nil
}

// Wake makes a running worker claim at once instead of at its next poll;
// call it after enqueuing. It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done, then returns nil once the sends under
// way have finished and been recorded. A failed claim is logged and tried
// again at the next poll.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-w.wake:
		}
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.opt.Logger.Warn("notify: claim failed", slog.String("worker", w.opt.ID), slog.Any("error", err))
		}
		wait := w.opt.Poll
		if n == w.opt.Batch {
			wait = 0 // more may be due
		}
		t.Reset(wait)
	}
}

// RunOnce claims one batch of due messages, delivers them and records the
// outcomes, all of the batch in one transaction (a transaction per message
// made the store's syncs, not the sending, the limit on throughput). It
// returns how many it claimed. Sends under way when ctx ends finish
// (within SendTimeout) and are recorded. A worker that dies before the
// batch is recorded leaves its messages to be sent again when their lease
// ends: delivery is at least once, and receivers deduplicate.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, nil
	}
	rows, err := w.store.ClaimOutbox(ctx, w.opt.ID, w.opt.Now(), w.opt.Batch, w.opt.Lease)
	if err != nil {
		return 0, err
	}
	// Deliveries outlive ctx: a claimed message is sent and settled, not
	// abandoned to wait for its lease to end.
	bg := context.WithoutCancel(ctx)
	outs := make([]Outcome, len(rows))
	sem := make(chan struct{}, w.opt.Concurrency)
	var wg sync.WaitGroup
	for i, r := range rows {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			outs[i] = w.deliver(bg, r)
		})
	}
	wg.Wait()
	if len(outs) == 0 {
		return 0, nil
	}
	rowErrs, err := w.store.SettleOutbox(bg, outs)
	for i, o := range outs {
		e := err
		if e == nil {
			e = rowErrs[i]
		}
		w.settled(o, e)
	}
	return len(rows), nil
}

// deliver sends one claimed row and returns the outcome to record.
func (w *Worker) deliver(ctx context.Context, r Row) Outcome {
	var err error
	if r.Attempts > w.opt.MaxAttempts {
		// Claimed again after a lease ended with no attempt left: its
		// worker died while sending it, perhaps because of it.
		err = Permanent(fmt.Errorf("no attempt left after %d (the last one's worker stopped mid-send)", w.opt.MaxAttempts))
	} else {
		err = w.send(ctx, r)
	}
	now := w.opt.Now()
	if err == nil {
		return Outcome{Row: r, SentAt: now}
	}
	f := Failure{Error: errorText(err), At: now}
	f.Dead = IsPermanent(err) || r.Attempts >= w.opt.MaxAttempts
	f.NextAttemptAt = now
	if !f.Dead {
		f.NextAttemptAt = now.Add(max(w.Backoff(r.Attempts), min(retryAfter(err), w.opt.MaxDelay)))
	}
	return Outcome{Row: r, Failure: &f}
}

// settled logs the outcome o of a row as recorded (err: not recorded),
// and tells Settled of a final one.
func (w *Worker) settled(o Outcome, err error) {
	r := o.Row
	log := w.opt.Logger.With(slog.Int64("outbox_id", r.ID), slog.String("kind", string(r.Kind)),
		slog.Int64("org_id", r.OrgID), slog.String("target", r.Target), slog.Int("attempt", r.Attempts))
	st, msg, level := Sent, "notify: sent", slog.LevelInfo
	if f := o.Failure; f != nil {
		log = log.With(slog.String("error", f.Error))
		st, msg, level = Dead, "notify: dead", slog.LevelError
		if !f.Dead {
			log = log.With(slog.Time("next_attempt_at", f.NextAttemptAt))
			st, msg, level = Pending, "notify: attempt failed", slog.LevelWarn
		}
	}
	switch {
	case errs.Is(err, errs.Conflict):
		log.Warn("notify: lease ended before the outcome was recorded; another worker owns the message")
	case err != nil:
		log.Error("notify: recording the outcome failed; the message will be sent again", slog.Any("store_error", err))
	default:
		log.Log(context.Background(), level, msg)
		if w.opt.Settled != nil && st != Pending {
			w.opt.Settled(r, st)
		}
	}
}

// send opens r's payload and hands the message to the sender.
func (w *Worker) send(ctx context.Context, r Row) error {
	plain, err := w.sealer.Unseal(r.Payload, payloadAAD(r.DedupKey))
	if err != nil {
		return Permanent(fmt.Errorf("open payload: %w", err))
	}
	var p payload
	if err := json.Unmarshal(plain, &p); err != nil {
		return Permanent(fmt.Errorf("decode payload: %w", err))
	}
	m := Message{OrgID: r.OrgID, OutboxID: r.ID, Kind: r.Kind, DedupKey: r.DedupKey, Target: p.Target, Secret: p.Secret,
		Subject: p.Subject, Text: p.Text, HTML: p.HTML, Unsubscribe: p.Unsub, Markdown: p.Markdown, Event: p.Event, Data: p.Data}
	ctx, cancel := context.WithTimeout(ctx, w.opt.SendTimeout)
	defer cancel()
	return w.sender.Send(ctx, m)
}

// Backoff returns the wait after failed attempt n (1, 2, …): BaseDelay
// doubled n-1 times, at most MaxDelay.
func (w *Worker) Backoff(n int) time.Duration {
	d := w.opt.BaseDelay
	for i := 1; i < n && d < w.opt.MaxDelay; i++ {
		d *= 2
	}
	return min(d, w.opt.MaxDelay)
}

// errorText is err as stored in last_error: one line, at most 500 bytes.
func errorText(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len(s) > 500 {
		s = s[:500]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}
