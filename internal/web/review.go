package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// AccessReviewer produces the periodic access review (CN-11-2).
type AccessReviewer interface {
	AccessReview(ctx context.Context, p *access.Principal) (casework.Review, error)
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
	return h.render(w, r, http.StatusOK, pageReview, rev)
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
