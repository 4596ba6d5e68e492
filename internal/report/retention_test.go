package report_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// movableClock is a clock a test sets.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// TestReceiptRetention checks CN-05-3 with a moved clock: a retention
// under six months is refused, the purge never removes an entry younger
// than the retention or under a legal hold, and the log verifies after
// every purge.
func TestReceiptRetention(t *testing.T) {
	for name, dsn := range storetest.Dialects(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			t0 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
			clock := &movableClock{t: t0}
			w := newWorldAt(t, dsn(t), clock.now)
			op := access.Operator()
			var acks []report.Ack
			for _, at := range []time.Time{t0, t0.AddDate(0, 1, 0), t0.AddDate(0, 3, 0), t0.AddDate(0, 9, 0)} {
				clock.set(at)
				ack, err := w.svc.Submit(ctx, sample())
				if err != nil {
					t.Fatal(err)
				}
				acks = append(acks, ack)
			}
			kept := func(want ...int) {
				t.Helper()
				evs, err := w.d.DB.AuditEvents(ctx, audit.Receipts, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				var got []int
				for _, e := range evs {
					for i, a := range acks {
						if a.Receipt.Seq == e.Seq {
							got = append(got, i)
						}
					}
				}
				if len(got) != len(want) || (len(want) > 0 && got[0] != want[0]) {
					t.Errorf("kept receipts %v, want %v", got, want)
				}
				rep, err := audit.Verify(ctx, w.d.DB, audit.Receipts, nil)
				if err != nil || !rep.Intact() || rep.Events != int64(len(want)) {
					t.Errorf("verify after purge = %+v, %v", rep, err)
				}
			}

			// Five months is refused; so is anyone but an instance administrator.
			if _, err := report.PurgeReceipts(ctx, w.d.DB, op, 5, false); !errs.Is(err, errs.Invalid) {
				t.Errorf("5 months: err = %v", err)
			}
			if _, err := report.PurgeReceipts(ctx, w.d.DB, w.p["triager"], 6, false); !errs.Is(err, errs.Forbidden) {
				t.Errorf("triager: err = %v", err)
			}

			// Six months and a day after the first: only the first goes. A dry
			// run first removes nothing.
			clock.set(t0.AddDate(0, 6, 1))
			dry, err := report.PurgeReceipts(ctx, w.d.DB, op, 6, true)
			if err != nil || dry.Count != 1 || !dry.DryRun {
				t.Errorf("dry run = %+v, %v", dry, err)
			}
			kept(0, 1, 2, 3)
			p, err := report.PurgeReceipts(ctx, w.d.DB, op, 6, false)
			if err != nil || p.Count != 1 || p.Through != acks[0].Receipt.Seq {
				t.Errorf("purge = %+v, %v", p, err)
			}
			kept(1, 2, 3)

			// A legal hold from two months in keeps what it covers, even when
			// older than the retention.
			h, err := report.PlaceHold(ctx, w.d.DB, op, t0.AddDate(0, 2, 0), "诉讼保全 case 2026-17")
			if err != nil {
				t.Fatal(err)
			}
			clock.set(t0.AddDate(0, 10, 0))
			p, err = report.PurgeReceipts(ctx, w.d.DB, op, 6, false)
			if err != nil || p.Count != 1 || p.HeldBy != h.ID {
				t.Errorf("held purge = %+v, %v", p, err)
			}
			kept(2, 3)

			// Released, the hold no longer keeps the third; the fourth is
			// younger than six months and stays.
			if err := report.ReleaseHold(ctx, w.d.DB, op, h.ID); err != nil {
				t.Fatal(err)
			}
			if err := report.ReleaseHold(ctx, w.d.DB, op, h.ID); !errs.Is(err, errs.NotFound) {
				t.Errorf("second release: err = %v", err)
			}
			if _, err := report.PurgeReceipts(ctx, w.d.DB, op, 6, false); err != nil {
				t.Fatal(err)
			}
			kept(3)

			// Everything old enough: the log is empty and still verifies; new
			// receipts chain on.
			clock.set(t0.AddDate(2, 0, 0))
			if p, err := report.PurgeReceipts(ctx, w.d.DB, op, 12, false); err != nil || p.Count != 1 {
				t.Errorf("final purge = %+v, %v", p, err)
			}
			kept()
			ack, err := w.svc.Submit(ctx, sample())
			if err != nil {
				t.Fatal(err)
			}
			acks = append(acks, ack)
			kept(4)
			// The purges are in the audit log.
			evs, err := w.d.DB.SearchAudit(ctx, audit.Filter{Stream: audit.Main, Action: "receipt.", Limit: 20})
			if err != nil || len(evs) != 7 { // five purges (one dry), a hold, a release
				t.Errorf("receipt.* audit events = %d, %v", len(evs), err)
			}
		})
	}
}
