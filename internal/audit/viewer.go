package audit

import (
	"context"
	"time"

	"github.com/embargohq/embargo/internal/access"
)

// Filter selects events for reading the log.
type Filter struct {
	Stream  Stream
	OrgID   int64  // 0: every organisation (instance administrators only)
	Actor   string // exact, e.g. "user:42"
	Action  string // prefix, e.g. "case." or "user.lock"
	Subject string // exact, e.g. "case:EMB-2026-0001"
	From    time.Time
	To      time.Time // exclusive
	Before  int64     // only events with Seq < Before (paging); 0: from the newest
	Limit   int
}

// Searcher finds events; the store implements it.
type Searcher interface {
	Reader
	SearchAudit(ctx context.Context, f Filter) ([]Event, error)
}

// Viewer lets auditors read the log: access.ReadAudit holders see their
// organisation's events, instance administrators every event.
type Viewer struct {
	store Searcher
}

// NewViewer returns a Viewer over st.
func NewViewer(st Searcher) *Viewer { return &Viewer{store: st} }

// MaxPage is the most events Search returns at once.
const MaxPage = 500

// Search returns events matching f, newest first. Errors:
// errs.Unauthenticated / errs.Forbidden without access.ReadAudit.
func (v *Viewer) Search(ctx context.Context, p *access.Principal, f Filter) ([]Event, error) {
	if err := p.Require(access.ReadAudit); err != nil {
		return nil, err
	}
	if !p.InstanceAdmin {
		f.OrgID = p.OrgID // never another tenant's events
	}
	if f.Stream == "" {
		f.Stream = Main
	}
	if f.Limit <= 0 || f.Limit > MaxPage {
		f.Limit = 100
	}
	return v.store.SearchAudit(ctx, f)
}

// Verify checks a stream's whole chain, for the viewer's "verify now".
// The chain covers every organisation, so any ReadAudit holder may ask
// whether it is intact; the report names only sequence numbers.
func (v *Viewer) Verify(ctx context.Context, p *access.Principal, s Stream) (Report, error) {
	if err := p.Require(access.ReadAudit); err != nil {
		return Report{}, err
	}
	return Verify(ctx, v.store, s, nil)
}

// Head returns a stream's head, for showing the chain's current state.
func (v *Viewer) Head(ctx context.Context, p *access.Principal, s Stream) (Head, error) {
	if err := p.Require(access.ReadAudit); err != nil {
		return Head{}, err
	}
	return v.store.AuditHead(ctx, s)
}
