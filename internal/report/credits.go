package report

import (
	"context"
	"strings"
)

// Credited is a finder an advisory may thank by name.
type Credited struct {
	Tracking string
	Name     string
}

// Credits returns, for the reports with the given tracking IDs, the
// finders who chose to be credited by name (CreditName) and gave one; a
// reporter who chose anonymity, or gave no name, is not named. It serves
// the drafting of a case's advisory, which has checked sight of the case.
func (s *Service) Credits(ctx context.Context, tracking []string) ([]Credited, error) {
	var out []Credited
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		for _, t := range tracking {
			r, err := tx.ReportByTracking(ctx, t)
			if err != nil {
				return err
			}
			if r.Credit != CreditName {
				continue
			}
			c, err := s.open(r)
			if err != nil {
				return err
			}
			if name := strings.TrimSpace(c.Reporter.Name); name != "" {
				out = append(out, Credited{Tracking: t, Name: name})
			}
		}
		return nil
	})
	return out, err
}
