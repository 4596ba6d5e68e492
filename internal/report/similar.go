package report

import (
	"context"
	"sort"
	"strings"
	"unicode"

	"github.com/embargohq/embargo/internal/access"
)

// Suggestion is a report that may be a duplicate of another.
type Suggestion struct {
	TrackingID string
	Title      string
	Status     Status
	Score      float64 // 0…1
}

// similarWindow is how many recent reports Similar compares against.
const similarWindow = 500

// Similar suggests reports of p's organisation that may describe the same
// vulnerability as report t: similar title, description and product, by
// character bigrams, so that it works on Chinese text, which has no spaces
// between words. Content is sealed at rest, so the comparison runs here
// over the most recent reports, not in SQL. Audited as part of the read
// (report.similar).
func (s *Service) Similar(ctx context.Context, p *access.Principal, t string, max int) ([]Suggestion, error) {
	if err := requireTriage(p); err != nil {
		return nil, err
	}
	var out []Suggestion
	err := s.store.TransactReports(ctx, func(tx Tx) error {
		r, err := visible(ctx, tx, p, t)
		if err != nil {
			return err
		}
		c, err := s.open(r)
		if err != nil {
			return err
		}
		target := newFingerprint(c)
		rows, err := tx.ListReports(ctx, p.OrgID, Filter{Limit: similarWindow})
		if err != nil {
			return err
		}
		for _, o := range rows {
			if o.ID == r.ID || o.Status == Spam {
				continue
			}
			oc, err := s.open(o)
			if err != nil {
				return err
			}
			if score := target.similarity(newFingerprint(oc)); score >= 0.3 {
				out = append(out, Suggestion{TrackingID: o.TrackingID, Title: oc.Title, Status: o.Status, Score: score})
			}
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
		if max > 0 && len(out) > max {
			out = out[:max]
		}
		return record(ctx, tx, p, "report.similar", r, map[string]any{"compared": len(rows), "found": len(out)})
	})
	return out, err
}

// fingerprint is a report's comparable shape.
type fingerprint struct {
	title, description, product map[string]struct{}
}

// descriptionPrefix bounds how much of a description is compared.
const descriptionPrefix = 4000

func newFingerprint(c Content) fingerprint {
	d := c.Description
	if len(d) > descriptionPrefix {
		d = strings.ToValidUTF8(d[:descriptionPrefix], "")
	}
	return fingerprint{title: Bigrams(c.Title), description: Bigrams(d), product: Bigrams(c.Product)}
}

// similarity weighs title most, then description, then product. A missing
// product on either side neither helps nor hurts.
func (f fingerprint) similarity(g fingerprint) float64 {
	if len(f.product) == 0 || len(g.product) == 0 {
		return (0.6*jaccard(f.title, g.title) + 0.4*jaccard(f.description, g.description))
	}
	return 0.5*jaccard(f.title, g.title) + 0.3*jaccard(f.description, g.description) + 0.2*jaccard(f.product, g.product)
}

// Bigrams returns the set of character bigrams of s after folding case and
// treating every run of non-letters and non-digits as one space. A word of
// one character counts as itself.
func Bigrams(s string) map[string]struct{} {
	out := map[string]struct{}{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		r := []rune(w)
		if len(r) == 1 {
			out[w] = struct{}{}
		}
		for i := 0; i+1 < len(r); i++ {
			out[string(r[i:i+2])] = struct{}{}
		}
	}
	return out
}

func jaccard(a, b map[string]struct{}) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	n := 0
	for k := range a {
		if _, ok := b[k]; ok {
			n++
		}
	}
	return float64(n) / float64(len(a)+len(b)-n)
}
