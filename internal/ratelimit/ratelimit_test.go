package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(3, time.Minute, func() time.Time { return now })
	for i := range 3 {
		if ok, _ := l.Allow("203.0.113.9"); !ok {
			t.Fatalf("event %d refused within the burst", i+1)
		}
	}
	ok, wait := l.Allow("203.0.113.9")
	if ok || wait != 20*time.Second {
		t.Fatalf("4th event: ok=%v wait=%v, want refused for 20s", ok, wait)
	}
	if ok, _ := l.Allow("198.51.100.1"); !ok {
		t.Error("another key was limited")
	}
	now = now.Add(20 * time.Second)
	if ok, _ := l.Allow("203.0.113.9"); !ok {
		t.Error("a token did not come back after its refill time")
	}
	if ok, _ := l.Allow("203.0.113.9"); ok {
		t.Error("two tokens came back in one refill time")
	}
}

func TestSweepForgetsFullBuckets(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(1, time.Second, func() time.Time { return now })
	l.Allow("a")
	now = now.Add(time.Hour)
	l.sweep(now)
	if len(l.buckets) != 0 {
		t.Errorf("%d buckets kept after refilling", len(l.buckets))
	}
}
