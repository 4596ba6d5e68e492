package exposure

import (
	"slices"

	"github.com/embargohq/embargo/internal/format/osv"
)

// FromOSV converts a parsed OSV record to an Advisory. The OSV model is
// this package's own, so nothing is lost that matching uses: aliases, the
// withdrawal time, every range (SEMVER, ECOSYSTEM, GIT) with its
// introduced, fixed, last_affected and limit events, and the versions
// lists. Severity, references, credits and the ecosystem- and
// database-specific fields are not carried over.
func FromOSV(r *osv.Record) Advisory {
	a := Advisory{
		ID:        r.ID,
		Aliases:   slices.Clone(r.Aliases),
		Source:    "osv",
		Summary:   r.Summary,
		Published: r.Published,
		Modified:  r.Modified,
		Withdrawn: r.Withdrawn,
	}
	for _, oa := range r.Affected {
		a.Affected = append(a.Affected, affectedFromOSV(oa))
	}
	return a
}

func affectedFromOSV(oa osv.Affected) Affected {
	a := Affected{
		Ecosystem: oa.Package.Ecosystem,
		Package:   oa.Package.Name,
		Purl:      oa.Package.Purl,
		Versions:  slices.Clone(oa.Versions),
	}
	for _, r := range oa.Ranges {
		rg := Range{Type: r.Type, Events: make([]Event, len(r.Events))}
		for i, e := range r.Events {
			rg.Events[i] = Event(e)
		}
		a.Ranges = append(a.Ranges, rg)
	}
	return a
}

// AdvisoriesFromOSV converts many records, in order.
func AdvisoriesFromOSV(recs []*osv.Record) []Advisory {
	out := make([]Advisory, len(recs))
	for i, r := range recs {
		out[i] = FromOSV(r)
	}
	return out
}
