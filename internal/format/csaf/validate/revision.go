package validate

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

// integerVersion and semanticVersion are the two versioning schemes of
// CSAF 2.0 §3.1.11.1 and §3.1.11.2.
var (
	integerVersion  = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)
	semanticVersion = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
)

// version is a document or revision version number.
type version struct {
	raw     string
	integer bool   // integer versioning
	semver  bool   // semantic versioning
	major   uint64 // the integer, or the semantic major version
	pre     string // the semantic pre-release part
}

// parseVersion reads s in either scheme; neither flag is set for anything
// else (which the schema rejects).
func parseVersion(s string) version {
	v := version{raw: s}
	if integerVersion.MatchString(s) {
		v.integer = true
		v.major, _ = strconv.ParseUint(s, 10, 64)
	} else if m := semanticVersion.FindStringSubmatch(s); m != nil {
		v.semver = true
		v.major, _ = strconv.ParseUint(m[1], 10, 64)
		v.pre = m[4]
	}
	return v
}

// withoutBuild returns the version without its build metadata; also
// without its pre-release part if noPre.
func (v version) withoutBuild(noPre bool) string {
	s, _, _ := strings.Cut(v.raw, "+")
	if noPre && v.semver {
		s, _, _ = strings.Cut(s, "-")
	}
	return s
}

// compareVersions orders integers numerically and semantic versions by
// precedence; anything else by its text.
func compareVersions(a, b version) int {
	switch {
	case a.integer && b.integer:
		if len(a.raw) != len(b.raw) {
			return cmp.Compare(len(a.raw), len(b.raw))
		}
		return strings.Compare(a.raw, b.raw)
	case a.semver && b.semver:
		return semver.Compare("v"+a.raw, "v"+b.raw)
	}
	return strings.Compare(a.raw, b.raw)
}

// revision is one item of the revision history.
type revision struct {
	path   pointer
	date   time.Time
	number version
}

// revisions returns the revision history items that have a number and a
// valid date, sorted ascending by date and, for equal dates, by number.
func revisions(doc any) []revision {
	var out []revision
	for i, r := range arr(get(doc, "document", "tracking", "revision_history")) {
		n, ok := get(r, "number").(string)
		if !ok {
			continue
		}
		d, err := time.Parse(time.RFC3339Nano, str(get(r, "date")))
		if err != nil {
			continue
		}
		out = append(out, revision{pointer("/document/tracking/revision_history").index(i), d, parseVersion(n)})
	}
	slices.SortStableFunc(out, func(a, b revision) int {
		return cmp.Or(a.date.Compare(b.date), compareVersions(a.number, b.number))
	})
	return out
}

// normalDate returns an RFC 3339 date as an instant in UTC, so that equal
// instants written differently compare equal; other text unchanged.
func normalDate(s string) string {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return s
}

// documentVersion returns /document/tracking/version, if it is a string.
func documentVersion(doc any) (version, bool) {
	s, ok := get(doc, "document", "tracking", "version").(string)
	return parseVersion(s), ok
}

// status returns /document/tracking/status.
func status(doc any) string {
	return str(get(doc, "document", "tracking", "status"))
}

// 6.1.14: sorted by date, the revision history's numbers ascend.
func sortedRevisionHistory(doc any) []Violation {
	rs := revisions(doc)
	var out []Violation
	for i := 1; i < len(rs); i++ {
		if compareVersions(rs[i-1].number, rs[i].number) > 0 {
			out = append(out, violation(rs[i].path, "revision %s is dated %s, after revision %s, but numbered lower",
				rs[i].number.raw, rs[i].date.Format(time.RFC3339Nano), rs[i-1].number.raw))
		}
	}
	return out
}

// 6.1.16: the document version is the number of the latest revision,
// ignoring build metadata, and for drafts the pre-release part.
func latestDocumentVersion(doc any) []Violation {
	v, ok := documentVersion(doc)
	rs := revisions(doc)
	if !ok || len(rs) == 0 {
		return nil
	}
	draft := status(doc) == "draft"
	last := rs[len(rs)-1]
	if v.withoutBuild(draft) != last.number.withoutBuild(draft) {
		return []Violation{violation("/document/tracking/version", "the document version is %s but the latest revision (%s) is %s", v.raw, last.path, last.number.raw)}
	}
	return nil
}

// 6.1.17: a version 0, 0.y.z or with a pre-release part is a draft.
func documentStatusDraft(doc any) []Violation {
	v, ok := documentVersion(doc)
	if !ok || status(doc) == "draft" || !(v.integer || v.semver) {
		return nil
	}
	if v.major == 0 || v.pre != "" {
		return []Violation{violation("/document/tracking/status", "version %s is a pre-release, so the status must be draft, not %s", v.raw, status(doc))}
	}
	return nil
}

// released reports whether the document's status is final or interim.
func released(doc any) bool {
	s := status(doc)
	return s == "final" || s == "interim"
}

// 6.1.18: a final or interim document has no revision 0 or 0.y.z.
func releasedRevisionHistory(doc any) []Violation {
	if !released(doc) {
		return nil
	}
	var out []Violation
	for _, r := range revisions(doc) {
		if (r.number.integer || r.number.semver) && r.number.major == 0 {
			out = append(out, violation(r.path.key("number"), "the document is %s but its revision history has the pre-release version %s", status(doc), r.number.raw))
		}
	}
	return out
}

// 6.1.19: no revision is numbered with a pre-release part.
func preReleaseRevisions(doc any) []Violation {
	var out []Violation
	for _, r := range revisions(doc) {
		if r.number.pre != "" {
			out = append(out, violation(r.path.key("number"), "revision %s has a pre-release part", r.number.raw))
		}
	}
	return out
}

// 6.1.20: a final or interim document's version has no pre-release part.
func nonDraftVersion(doc any) []Violation {
	v, ok := documentVersion(doc)
	if ok && released(doc) && v.pre != "" {
		return []Violation{violation("/document/tracking/version", "the document is %s but its version %s has a pre-release part", status(doc), v.raw)}
	}
	return nil
}

// 6.1.21: sorted by date, the revision history starts at 0 or 1 and
// skips no number (for semantic versions: no major version).
func missingRevision(doc any) []Violation {
	rs := revisions(doc)
	var out []Violation
	for i, r := range rs {
		if !r.number.integer && !r.number.semver {
			continue
		}
		if i == 0 {
			if r.number.major > 1 {
				out = append(out, violation(r.path.key("number"), "the first revision is %s; it must be 0 or 1 (major version 0 or 1)", r.number.raw))
			}
			continue
		}
		prev := rs[i-1].number
		if (prev.integer || prev.semver) && r.number.major > prev.major+1 {
			out = append(out, violation(r.path.key("number"), "revision %s follows %s: a version is missing in between", r.number.raw, prev.raw))
		}
	}
	return out
}

// 6.1.22: no revision number is used twice.
func multipleRevision(doc any) []Violation {
	var defs []ref
	for i, r := range arr(get(doc, "document", "tracking", "revision_history")) {
		if n, ok := get(r, "number").(string); ok {
			defs = append(defs, ref{pointer("/document/tracking/revision_history").index(i).key("number"), n})
		}
	}
	return duplicates(defs, "revision number")
}

// 6.1.30: the document version and the revision numbers use one scheme.
func mixedVersioning(doc any) []Violation {
	v, ok := documentVersion(doc)
	if !ok || !(v.integer || v.semver) {
		return nil
	}
	scheme := map[bool]string{true: "integer", false: "semantic"}
	var out []Violation
	for i, r := range arr(get(doc, "document", "tracking", "revision_history")) {
		n := parseVersion(str(get(r, "number")))
		if (n.integer || n.semver) && n.integer != v.integer {
			out = append(out, violation(pointer("/document/tracking/revision_history").index(i).key("number"),
				"revision %s uses %s versioning but the document version %s uses %s versioning", n.raw, scheme[n.integer], v.raw, scheme[v.integer]))
		}
	}
	return out
}
