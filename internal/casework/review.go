package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// ReviewEntry is one person in an access review: who they are and what
// undisclosed information they can see.
type ReviewEntry struct {
	UserID         int64
	Email          string
	Name           string
	Role           access.Role
	Country        string
	Disabled       bool
	TwoFactor      bool
	AckVersion     int
	AllCases       bool     // their role reads every case of the organisation
	CaseRefs       []string // cases on whose access list they are
	CanReadCases   bool
	CanReadAudit   bool
	CanShareAbroad bool // may approve foreign transfers (Art. 9(7))
}

// Review is the periodic access review (CN-11-2): who can see what, as of
// GeneratedAt.
type Review struct {
	OrgID            int64
	GeneratedAt      time.Time
	Quarter          string // "2026-Q4", in China Standard Time
	StatementVersion int
	Entries          []ReviewEntry
}

// ReviewStore reads what a review needs.
type ReviewStore interface {
	// ReviewRows returns every account of org with the refs of the cases on
	// whose access list it is.
	ReviewRows(ctx context.Context, org int64) ([]ReviewEntry, int, error)
	// OrgIDs returns the IDs of every organisation of the instance.
	OrgIDs(ctx context.Context) ([]int64, error)
	// RecordedReviews returns org's recorded reviews, newest first,
	// without their content.
	RecordedReviews(ctx context.Context, org int64) ([]RecordedReview, error)
}

// RecordedReview is a quarter's access review as recorded: the review as
// JSON, its SHA-256, and who signed it off.
type RecordedReview struct {
	ID          int64
	OrgID       int64
	Quarter     string
	GeneratedAt time.Time
	People      int
	Content     []byte // the Review as JSON; empty in listings
	SHA256      string // of Content, hex
	SignedBy    string // actor; "" until signed
	SignedAt    time.Time
	Note        string
}

// Signed reports whether the review has been signed off.
func (r RecordedReview) Signed() bool { return r.SignedBy != "" }

// cst is China Standard Time, in which quarters are counted.
var cst = time.FixedZone("CST", 8*60*60)

// QuarterOf names the calendar quarter of t in China Standard Time.
func QuarterOf(t time.Time) string {
	t = t.In(cst)
	return t.Format("2006") + "-Q" + string(rune('1'+(int(t.Month())-1)/3))
}

// AccessReview builds the access review of the principal's organisation
// and audits that it was produced. Needs access.ReadAudit (auditors,
// compliance officers, administrators).
func (s *Service) AccessReview(ctx context.Context, p *access.Principal, rs ReviewStore, now time.Time) (Review, error) {
	if err := p.Require(access.ReadAudit); err != nil {
		return Review{}, err
	}
	rev, err := buildReview(ctx, rs, p.OrgID, now)
	if err != nil {
		return Review{}, err
	}
	rows := rev.Entries
	err = s.transact(ctx, func(tx Tx) error {
		ev, err := audit.New(ctx, p.Actor(), "access_review.generate", "org:"+itoa(p.OrgID),
			map[string]any{"quarter": rev.Quarter, "people": len(rows)})
		if err != nil {
			return err
		}
		ev.OrgID = p.OrgID
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
	return rev, err
}

// buildReview reads org's review as of now.
func buildReview(ctx context.Context, rs ReviewStore, org int64, now time.Time) (Review, error) {
	rows, version, err := rs.ReviewRows(ctx, org)
	if err != nil {
		return Review{}, err
	}
	for i := range rows {
		r := rows[i].Role
		rows[i].CanReadCases, rows[i].AllCases = r.Can(access.ReadCases), r.Can(access.ReadAllCases)
		rows[i].CanReadAudit, rows[i].CanShareAbroad = r.Can(access.ReadAudit), r.Can(access.ApproveSharing)
	}
	return Review{OrgID: org, GeneratedAt: now.UTC(), Quarter: QuarterOf(now), StatementVersion: version, Entries: rows}, nil
}

// RecordQuarterlyReviews records the access review of every organisation
// that has none for the quarter of now yet (CN-11-2: the scheduler
// produces a quarterly review). Each is stored with the SHA-256 of its
// JSON and audited (access_review.record) in one transaction; another node
// recording the same quarter first is not an error. It returns the reviews
// it recorded. Only the system may call it.
func (s *Service) RecordQuarterlyReviews(ctx context.Context, p *access.Principal, rs ReviewStore, now time.Time) ([]RecordedReview, error) {
	if !p.System {
		return nil, errs.New(errs.Forbidden, "only the scheduler records quarterly reviews")
	}
	orgs, err := rs.OrgIDs(ctx)
	if err != nil {
		return nil, err
	}
	quarter := QuarterOf(now)
	var out []RecordedReview
	for _, org := range orgs {
		done, err := rs.RecordedReviews(ctx, org)
		if err != nil {
			return out, err
		}
		if len(done) > 0 && done[0].Quarter == quarter {
			continue
		}
		rev, err := buildReview(ctx, rs, org, now)
		if err != nil {
			return out, err
		}
		content, err := json.Marshal(rev)
		if err != nil {
			return out, err
		}
		sum := sha256.Sum256(content)
		rec := RecordedReview{OrgID: org, Quarter: quarter, GeneratedAt: rev.GeneratedAt, People: len(rev.Entries),
			Content: content, SHA256: hex.EncodeToString(sum[:])}
		err = s.transact(ctx, func(tx Tx) error {
			if rec.ID, err = tx.SaveReview(ctx, rec); err != nil {
				return err
			}
			if err := s.announceReview(ctx, tx, rec, rev.Entries); err != nil {
				return err
			}
			ev, err := audit.New(ctx, p.Actor(), "access_review.record", "access_review:"+itoa(rec.ID),
				map[string]any{"quarter": quarter, "people": rec.People, "sha256": rec.SHA256})
			if err != nil {
				return err
			}
			ev.OrgID = org
			_, err = tx.AppendAudit(ctx, ev)
			return err
		})
		if errs.Is(err, errs.Conflict) {
			continue // another node recorded it
		}
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	if len(out) > 0 && s.review != nil {
		s.review.wake()
	}
	return out, nil
}

// Notifier queues outbound messages in the caller's transaction;
// *notify.Service is one.
type Notifier interface {
	EnqueueTx(ctx context.Context, tx notify.Enqueuer, m notify.Message) (int64, error)
}

type reviewNotices struct {
	n    Notifier
	base string
	wake func()
}

// WithReviewNotices makes RecordQuarterlyReviews mail everyone who may
// sign a review off (compliance officers, administrators) that it awaits
// them at base + "admin/access-review"; wake pokes the delivery worker.
func (s *Service) WithReviewNotices(n Notifier, base string, wake func()) *Service {
	if wake == nil {
		wake = func() {}
	}
	s.review = &reviewNotices{n: n, base: base, wake: wake}
	return s
}

// announceReview queues the mail about recorded review rec to the active
// people of entries who may sign it off.
func (s *Service) announceReview(ctx context.Context, tx Tx, rec RecordedReview, entries []ReviewEntry) error {
	if s.review == nil {
		return nil
	}
	for _, e := range entries {
		if e.Disabled || !e.Role.Can(access.SignAccessReview) {
			continue
		}
		text := fmt.Sprintf("%s 季度的访问权限审查已生成（%d 人，SHA-256 %s），请审阅并签署：\n%sadmin/access-review\n\n"+
			"The access review for %s is recorded (%d people, SHA-256 %s). Please review and sign it off:\n%sadmin/access-review\n",
			rec.Quarter, rec.People, rec.SHA256, s.review.base, rec.Quarter, rec.People, rec.SHA256, s.review.base)
		_, err := s.review.n.EnqueueTx(ctx, tx, notify.Message{OrgID: rec.OrgID, Kind: notify.Email,
			DedupKey: fmt.Sprintf("access-review:%d:%s:%d", rec.OrgID, rec.Quarter, e.UserID), Target: e.Email,
			Subject: rec.Quarter + " 访问权限审查待签署 / Access review awaits your sign-off", Text: text})
		if err != nil {
			return err
		}
	}
	return nil
}

// RecordedReviews lists the principal's organisation's recorded reviews.
// Needs access.ReadAudit.
func (s *Service) RecordedReviews(ctx context.Context, p *access.Principal, rs ReviewStore) ([]RecordedReview, error) {
	if err := p.Require(access.ReadAudit); err != nil {
		return nil, err
	}
	return rs.RecordedReviews(ctx, p.OrgID)
}

// RecordedReview returns recorded review id with its content. Needs
// access.ReadAudit; another organisation's review is errs.NotFound.
func (s *Service) RecordedReview(ctx context.Context, p *access.Principal, id int64) (RecordedReview, error) {
	if err := p.Require(access.ReadAudit); err != nil {
		return RecordedReview{}, err
	}
	var rec RecordedReview
	err := s.transact(ctx, func(tx Tx) (err error) {
		rec, err = tx.ReviewByID(ctx, id)
		return err
	})
	if err == nil && rec.OrgID != p.OrgID {
		err = errs.New(errs.NotFound, "no such access review")
	}
	return rec, err
}

// MaxReviewNote bounds a sign-off note, in characters.
const MaxReviewNote = 2000

// SignReview records that the principal has reviewed recorded review id,
// with a note (what was changed as a result, say), and audits it
// (access_review.sign). Needs access.SignAccessReview; a review is signed
// once.
func (s *Service) SignReview(ctx context.Context, p *access.Principal, id int64, note string) error {
	if err := p.Require(access.SignAccessReview); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxReviewNote {
		return errs.Coded(errs.Invalid, "review.note_too_long", "the note may be at most %d characters", MaxReviewNote)
	}
	return s.transact(ctx, func(tx Tx) error {
		rec, err := tx.ReviewByID(ctx, id)
		if err != nil {
			return err
		}
		if rec.OrgID != p.OrgID {
			return errs.New(errs.NotFound, "no such access review")
		}
		if rec.Signed() {
			return errs.Coded(errs.Conflict, "review.signed", "this review was signed off by %s already", rec.SignedBy)
		}
		if err := tx.SignReview(ctx, id, p.Actor(), tx.Now(), note); err != nil {
			return err
		}
		ev, err := audit.New(ctx, p.Actor(), "access_review.sign", "access_review:"+itoa(id),
			map[string]any{"quarter": rec.Quarter, "sha256": rec.SHA256, "note": note})
		if err != nil {
			return err
		}
		ev.OrgID = p.OrgID
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
}
