// Package ratelimit limits how often one client (an address, an account,
// a token) may do something: token buckets per key, in memory.
//
// Each node limits on its own, which is enough to slow down password and
// code guessing and floods; account lockout (identity) is the durable,
// shared limit.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter allows up to Burst events at once per key, refilled at
// Burst/Per. It is safe for concurrent use.
type Limiter struct {
	burst float64
	rate  float64 // tokens per second
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxKeys bounds memory: beyond it, full buckets are forgotten.
const maxKeys = 100_000

// New returns a Limiter allowing burst events per key per period. now may
// be nil for the wall clock.
func New(burst int, per time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{burst: float64(burst), rate: float64(burst) / per.Seconds(), now: now, buckets: map[string]*bucket{}}
}

// Allow takes one token from key's bucket. When there is none it returns
// false and how long until there will be one.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxKeys {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// sweep forgets buckets that have refilled completely.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}
