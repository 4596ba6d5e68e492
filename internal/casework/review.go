package casework

import (
	"context"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
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
}

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
	rows, version, err := rs.ReviewRows(ctx, p.OrgID)
	if err != nil {
		return Review{}, err
	}
	for i := range rows {
		r := rows[i].Role
		rows[i].CanReadCases, rows[i].AllCases = r.Can(access.ReadCases), r.Can(access.ReadAllCases)
		rows[i].CanReadAudit, rows[i].CanShareAbroad = r.Can(access.ReadAudit), r.Can(access.ApproveSharing)
	}
	rev := Review{OrgID: p.OrgID, GeneratedAt: now.UTC(), Quarter: QuarterOf(now), StatementVersion: version, Entries: rows}
	err = s.store.TransactCases(ctx, func(tx Tx) error {
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
