package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// AccessReviewer produces the periodic access review (CN-11-2), keeps the
// quarterly records and their sign-off.
type AccessReviewer interface {
	AccessReview(ctx context.Context, p *access.Principal) (casework.Review, error)
	RecordedReviews(ctx context.Context, p *access.Principal) ([]casework.RecordedReview, error)
	RecordedReview(ctx context.Context, p *access.Principal, id int64) (casework.RecordedReview, error)
	SignReview(ctx context.Context, p *access.Principal, id int64, note string) error
}

// RecordedReview is a quarter's recorded access review.
type RecordedReview struct {
	ID          int64           `json:"id"`
	Quarter     string          `json:"quarter"`
	GeneratedAt string          `json:"generated_at"`
	People      int             `json:"people"`
	SHA256      string          `json:"sha256"`
	SignedBy    string          `json:"signed_by,omitempty"`
	SignedAt    string          `json:"signed_at,omitempty"`
	Note        string          `json:"note,omitempty"`
	Review      json.RawMessage `json:"review,omitempty"` // the recorded JSON, when one is fetched
}

func recordedOf(r casework.RecordedReview) RecordedReview {
	out := RecordedReview{ID: r.ID, Quarter: r.Quarter, GeneratedAt: r.GeneratedAt.UTC().Format(time.RFC3339), People: r.People,
		SHA256: r.SHA256, SignedBy: r.SignedBy, Note: r.Note}
	if r.Signed() {
		out.SignedAt = r.SignedAt.UTC().Format(time.RFC3339)
	}
	if len(r.Content) > 0 {
		out.Review = r.Content
	}
	return out
}

// listRecordedReviews lists the quarterly records, newest first.
func (h *Handler) listRecordedReviews(w http.ResponseWriter, r *http.Request) error {
	p, err := caller(r)
	if err != nil {
		return err
	}
	if h.review == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	recs, err := h.review.RecordedReviews(r.Context(), p)
	if err != nil {
		return err
	}
	out := make([]RecordedReview, 0, len(recs))
	for _, rec := range recs {
		out = append(out, recordedOf(rec))
	}
	return writeJSON(w, http.StatusOK, out)
}

// getRecordedReview returns one quarter's record with the recorded JSON.
func (h *Handler) getRecordedReview(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.recordedReviewCall(r)
	if err != nil {
		return err
	}
	rec, err := h.review.RecordedReview(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, recordedOf(rec))
}

// signRecordedReview records the caller's sign-off, with a note.
func (h *Handler) signRecordedReview(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.recordedReviewCall(r)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.review.SignReview(r.Context(), p, id, in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
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

// recordedReviewCall is the preamble of the routes about one recorded
// review: the caller, and the record's ID from the path.
func (h *Handler) recordedReviewCall(r *http.Request) (*access.Principal, int64, error) {
	p, err := caller(r)
	if err != nil {
		return nil, 0, err
	}
	if h.review == nil {
		return nil, 0, errs.New(errs.NotFound, "no such page")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, 0, errs.New(errs.NotFound, "no such access review")
	}
	return p, id, nil
}
