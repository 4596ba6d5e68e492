package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
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

// reviewPage is the data of /admin/access-review: the review as of now and
// the quarterly records.
type reviewPage struct {
	casework.Review
	Records []casework.RecordedReview
	CanSign bool
	Zone    *time.Location
}

// showAccessReview shows who can see what, or sends it as CSV with
// ?format=csv for the review's records.
func (h *Handler) showAccessReview(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if h.cfg.Review == nil {
		return errs.New(errs.NotFound, "no such page")
	}
	rev, err := h.cfg.Review.AccessReview(r.Context(), p)
	if err != nil {
		return err
	}
	noStore(w)
	if r.URL.Query().Get("format") == "csv" {
		return writeReviewCSV(w, rev)
	}
	recs, err := h.cfg.Review.RecordedReviews(r.Context(), p)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, pageReview, reviewPage{Review: rev, Records: recs,
		CanSign: p.Can(access.SignAccessReview), Zone: chinaTime})
}

// recordedReview sends a quarter's recorded review as the JSON whose
// SHA-256 the record and the audit log hold.
func (h *Handler) recordedReview(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.recordedReviewCall(r)
	if err != nil {
		return err
	}
	rec, err := h.cfg.Review.RecordedReview(r.Context(), p, id)
	if err != nil {
		return err
	}
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="access-review-`+rec.Quarter+`.json"`)
	_, _ = w.Write(rec.Content)
	return nil
}

// signReview records a compliance officer's sign-off of a quarter's
// review, with a note.
func (h *Handler) signReview(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.recordedReviewCall(r)
	if err != nil {
		return err
	}
	if err := h.cfg.Review.SignReview(r.Context(), p, id, r.PostFormValue("note")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/access-review#records", http.StatusSeeOther)
	return nil
}

// writeReviewCSV writes the review as CSV, one person a row.
func writeReviewCSV(w http.ResponseWriter, rev casework.Review) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="access-review-`+rev.Quarter+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"email", "name", "role", "country", "disabled", "two_factor", "statement_accepted",
		"reads_all_cases", "cases", "reads_audit", "approves_foreign_sharing"})
	for _, e := range rev.Entries {
		_ = cw.Write([]string{e.Email, csvSafe(e.Name), string(e.Role), e.Country, strconv.FormatBool(e.Disabled),
			strconv.FormatBool(e.TwoFactor), strconv.FormatBool(e.AckVersion >= rev.StatementVersion),
			strconv.FormatBool(e.AllCases), strings.Join(e.CaseRefs, " "), strconv.FormatBool(e.CanReadAudit),
			strconv.FormatBool(e.CanShareAbroad)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// recordedReviewCall is the preamble of the pages about one recorded
// review: the reader, and the record's ID from the path.
func (h *Handler) recordedReviewCall(r *http.Request) (*access.Principal, int64, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, 0, err
	}
	if h.cfg.Review == nil {
		return nil, 0, errs.New(errs.NotFound, "no such page")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, 0, errs.New(errs.NotFound, "no such access review")
	}
	return p, id, nil
}
