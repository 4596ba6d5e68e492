package evidence

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

var (
	hexSHA256   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	caseRef     = regexp.MustCompile(`^EMB-[0-9]{4}-[0-9]{4,}$`)
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Problems lists what is inconsistent in p, each naming the place
// ("duties[2] (cn.nvdb_report): …"); none means the content is
// consistent. Sign refuses a pack with problems and Verify reports them.
func (p Pack) Problems() []string {
	var c checker
	c.header(p)
	c.caseInfo(p.Case)
	for i, d := range p.Duties {
		c.duty(fmt.Sprintf("duties[%d] (%s)", i, d.Code), d)
	}
	for i, s := range p.Submissions {
		c.submission(fmt.Sprintf("submissions[%d]", i), s)
	}
	for i, s := range p.SharingDecisions {
		c.sharing(fmt.Sprintf("sharing_decisions[%d]", i), s)
	}
	c.timeline(p.Timeline)
	c.mapping(p.LegalMapping)
	return c.problems
}

// checker collects problems.
type checker struct{ problems []string }

func (c *checker) addf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// need adds a problem when v is empty.
func (c *checker) need(where, field, v string) {
	if v == "" {
		c.addf("%s: %s is empty", where, field)
	}
}

// needTime adds a problem when t is zero.
func (c *checker) needTime(where, field string, t time.Time) {
	if t.IsZero() {
		c.addf("%s: %s is missing", where, field)
	}
}

// needHash adds a problem unless v is a lowercase hex SHA-256.
func (c *checker) needHash(where, field, v string) {
	if !hexSHA256.MatchString(v) {
		c.addf("%s: %s %q is not a SHA-256 (64 lowercase hex digits)", where, field, v)
	}
}

func (c *checker) header(p Pack) {
	c.needTime("pack", "generated_at", p.GeneratedAt)
	c.need("pack", "instance", p.Instance)
	c.need("pack", "organisation", p.Organisation)
	if h := p.AuditHead; h.Seq < 0 || h.Seq > 0 && !hexSHA256.MatchString(h.Hash) || h.Seq == 0 && h.Hash != "" {
		c.addf("audit_head: seq %d with hash %q: want seq ≥ 1 and a SHA-256 in hex, or seq 0 and no hash for an empty log", h.Seq, h.Hash)
	}
}

func (c *checker) caseInfo(k Case) {
	if !caseRef.MatchString(k.Ref) {
		c.addf("case: ref %q is not a case reference like EMB-2026-0001", k.Ref)
	}
	c.need("case", "title", k.Title)
	if k.Kind != Provider && k.Kind != Operator {
		c.addf("case: kind %q is neither provider nor operator", k.Kind)
	}
	c.needTime("case", "t0", k.T0)
	c.need("case", "t0_source", k.T0Source)
	c.need("case", "status", k.Status)
}

func (c *checker) duty(where string, d Duty) {
	c.need(where, "regime", d.Regime)
	c.need(where, "code", d.Code)
	c.need(where, "requirement", d.Requirement)
	switch d.State {
	case Pending, DueSoon, Overdue, Met, NotApplicable:
	default:
		c.addf("%s: unknown state %q", where, d.State)
	}
	if met := d.State == Met; met == d.MetAt.IsZero() {
		c.addf("%s: state %s with met_at %s: met_at is set exactly when the state is met", where, d.State, stamp(d.MetAt))
	}
	if d.State == Met && len(d.Evidence) == 0 {
		c.addf("%s: state met but no evidence", where)
	}
	if na := d.State == NotApplicable; na && (d.NotApplicableReason == "" || d.NotApplicableApprover == "") {
		c.addf("%s: not applicable without both a reason and an approver", where)
	} else if !na && (d.NotApplicableReason != "" || d.NotApplicableApprover != "") {
		c.addf("%s: state %s but a not-applicable reason or approver is set", where, d.State)
	}
	for j, it := range d.Evidence {
		c.item(fmt.Sprintf("%s evidence[%d]", where, j), it)
	}
}

func (c *checker) item(where string, it Item) {
	switch it.Kind {
	case KindSubmission, KindNotice, KindAdvisory, KindTransition, KindDecision, KindFile:
	default:
		c.addf("%s: unknown kind %q", where, it.Kind)
	}
	c.need(where, "reference", it.Reference)
	c.needTime(where, "at", it.At)
	c.needHash(where, "sha256", it.SHA256)
}

func (c *checker) submission(where string, s Submission) {
	c.need(where, "document", s.Document)
	c.need(where, "destination", s.Destination)
	c.needHash(where, "snapshot_sha256", s.SnapshotSHA256)
	c.needTime(where, "submitted_at", s.SubmittedAt)
	c.need(where, "by", s.By)
	c.need(where, "channel", s.Channel)
}

func (c *checker) sharing(where string, s SharingDecision) {
	c.need(where, "recipient", s.Recipient)
	if !countryCode.MatchString(s.Country) {
		c.addf("%s: country %q is not an ISO 3166 code like CN", where, s.Country)
	}
	if s.Decision != Allowed && s.Decision != Blocked {
		c.addf("%s: decision %q is neither allowed nor blocked", where, s.Decision)
	}
	c.need(where, "decided_by", s.DecidedBy)
	c.needTime(where, "decided_at", s.DecidedAt)
}

func (c *checker) timeline(events []Event) {
	for i, e := range events {
		where := fmt.Sprintf("timeline[%d]", i)
		c.needTime(where, "at", e.At)
		c.need(where, "actor", e.Actor)
		c.need(where, "action", e.Action)
		if i > 0 && e.At.Before(events[i-1].At) {
			c.addf("%s: %s is before the previous event (%s): the timeline must be sorted by time", where, stamp(e.At), stamp(events[i-1].At))
		}
	}
}

func (c *checker) mapping(m LegalMapping) {
	if _, err := m.ReviewDate(); err != nil {
		c.addf("legal_mapping: %v", err)
	}
	if len(m.Rows) == 0 {
		c.addf("legal_mapping: no rows")
	}
	seen := map[string]bool{}
	for i, r := range m.Rows {
		where := fmt.Sprintf("legal_mapping.rows[%d] (%s)", i, r.Requirement)
		c.need(where, "requirement", r.Requirement)
		c.need(where, "rmsv_article", r.RMSVArticle)
		if seen[r.Requirement] {
			c.addf("%s: requirement listed twice", where)
		}
		seen[r.Requirement] = true
		c.article(where+" csl_duty", r.Duty)
		c.article(where+" csl_penalty", r.Penalty)
		if (r.Penalty == nil) != (r.PenaltyVia == "") {
			c.addf("%s: a penalty article needs penalty_via (the RMSV article that points to it), and only then", where)
		}
	}
}

func (c *checker) article(where string, a *CSLArticle) {
	switch {
	case a == nil:
	case a.Before <= 0:
		c.addf("%s: no 2016 article number", where)
	case !slices.Contains([]string{Confirmed, Derived, Unconfirmed}, a.Status):
		c.addf("%s: status %q is not confirmed, derived or unconfirmed", where, a.Status)
	case (a.Status == Unconfirmed) != (a.Current == 0):
		c.addf("%s: status %s with current article %d: an unconfirmed number is 0, any other is not", where, a.Status, a.Current)
	}
}

// stamp formats t for messages, "none" when zero.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}
