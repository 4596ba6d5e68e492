package api

import (
	"context"
	"net/http"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// AccessReviewer produces the periodic access review (CN-11-2).
type AccessReviewer interface {
	AccessReview(ctx context.Context, p *access.Principal) (casework.Review, error)
}

// ReviewEntry is one person in the access review.
type ReviewEntry struct {
	Email             string   `json:"email"`
	Name              string   `json:"name"`
	Role              string   `json:"role"`
	Country           string   `json:"country"`
	Disabled          bool     `json:"disabled"`
	TwoFactor         bool     `json:"two_factor"`
	StatementAccepted bool     `json:"statement_accepted"`
	ReadsAllCases     bool     `json:"reads_all_cases"`
	Cases             []string `json:"cases"`
	ReadsAudit        bool     `json:"reads_audit"`
	ApprovesForeign   bool     `json:"approves_foreign_sharing"`
}

// accessReview returns who can see what in the caller's organisation.
func (h *Handler) accessReview(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	if h.review == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	rev, err := h.review.AccessReview(r.Context(), p)
	if err != nil {
		return err
	}
	out := struct {
		Quarter     string        `json:"quarter"`
		GeneratedAt string        `json:"generated_at"`
		Entries     []ReviewEntry `json:"entries"`
	}{Quarter: rev.Quarter, GeneratedAt: rev.GeneratedAt.Format("2006-01-02T15:04:05Z"), Entries: []ReviewEntry{}}
	for _, e := range rev.Entries {
		cases := e.CaseRefs
		if cases == nil {
			cases = []string{}
		}
		out.Entries = append(out.Entries, ReviewEntry{Email: e.Email, Name: e.Name, Role: string(e.Role), Country: e.Country,
			Disabled: e.Disabled, TwoFactor: e.TwoFactor, StatementAccepted: e.AckVersion >= rev.StatementVersion,
			ReadsAllCases: e.AllCases, Cases: cases, ReadsAudit: e.CanReadAudit, ApprovesForeign: e.CanShareAbroad})
	}
	return writeJSON(w, http.StatusOK, out)
}
