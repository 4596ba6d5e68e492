package advisory

import (
	"context"
	"slices"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// Public is a published advisory as its readers see it: only its frozen
// revisions, never the working copy.
type Public struct {
	Ref       string
	OrgID     int64
	CaseID    int64
	Publisher string     // the publishing organisation's name
	Revisions []Revision // oldest first; never empty
}

// Current returns the last revision: the live one, or the withdrawal.
func (p Public) Current() Revision { return p.Revisions[len(p.Revisions)-1] }

// Withdrawn reports whether the advisory has been taken back.
func (p Public) Withdrawn() bool { return p.Current().Kind == Withdrawal }

// Content returns what was last published (a withdrawal repeats it).
func (p Public) Content() Content { return p.Current().Content }

// Label returns the advisory's TLP label.
func (p Public) Label() string { return p.Content().Label() }

// Released returns the first publication's time.
func (p Public) Released() time.Time { return p.Revisions[0].PublishedAt }

// Updated returns the last revision's time.
func (p Public) Updated() time.Time { return p.Current().PublishedAt }

// PublicStore reads published advisories across organisations: the
// public catalogue of the instance.
type PublicStore interface {
	// PublishedAdvisories returns every advisory with at least one
	// revision, most recently updated first.
	PublishedAdvisories(ctx context.Context) ([]Public, error)
	// PublishedAdvisory returns the advisory whose ref is ref, if it has a
	// revision; errs.NotFound.
	PublishedAdvisory(ctx context.Context, ref string) (Public, error)
}

// Labels returns the TLP labels of the published, not withdrawn,
// advisories, each once; reading no content for anyone, it is not
// audited.
func (s *Service) Labels(ctx context.Context) ([]string, error) {
	all, err := s.store.PublishedAdvisories(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range all {
		if !a.Withdrawn() && !slices.Contains(out, a.Label()) {
			out = append(out, a.Label())
		}
	}
	return out, nil
}

// Restricted reports whether label is for a restricted audience: every
// label but WHITE.
func Restricted(label string) bool { return label != TLPWhite }

// Catalogue returns the published advisories p may read (nil p:
// anonymous), most recently updated first: TLP:WHITE for everyone; GREEN,
// AMBER and RED only for a signed-in principal who may read the case (its
// organisation's readers and the case's party contacts), each such read
// audited (advisory.read_restricted, CSAF-3). Withdrawn advisories are
// included, marked by their last revision.
func (s *Service) Catalogue(ctx context.Context, p *access.Principal) ([]Public, error) {
	all, err := s.store.PublishedAdvisories(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		if !Restricted(a.Label()) {
			out = append(out, a)
			continue
		}
		ok, err := s.mayRead(ctx, p, a)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// Published returns the advisory ref as p may read it (see Catalogue);
// errs.NotFound for one that does not exist, is unpublished, or is
// restricted from p, so that its existence is not told.
func (s *Service) Published(ctx context.Context, p *access.Principal, ref string) (Public, error) {
	a, err := s.store.PublishedAdvisory(ctx, ref)
	if err != nil {
		return Public{}, err
	}
	if !Restricted(a.Label()) {
		return a, nil
	}
	ok, err := s.mayRead(ctx, p, a)
	if err != nil {
		return Public{}, err
	}
	if !ok {
		return Public{}, errs.Coded(errs.NotFound, "advisory.no_such", "no published advisory %s", ref)
	}
	return a, nil
}

// mayRead decides whether p may read restricted advisory a, and audits
// the read when it may.
func (s *Service) mayRead(ctx context.Context, p *access.Principal, a Public) (bool, error) {
	if p == nil {
		return false, nil
	}
	var ok bool
	err := s.transact(ctx, func(tx Tx) error {
		c, err := s.cases.Visible(ctx, tx, p, a.CaseID)
		if err != nil {
			if errs.KindOf(err) == errs.NotFound || errs.KindOf(err) == errs.Forbidden {
				return nil
			}
			return err
		}
		ok = true
		return record(ctx, tx, p.Actor(), "advisory.read_restricted", c, map[string]any{"advisory": a.Ref, "tlp": a.Label()})
	})
	return ok, err
}
