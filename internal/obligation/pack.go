// Package obligation turns the legal duties on a case into clocks: each
// duty of each enabled regime becomes an obligation with a due time, a
// state, escalations, and the evidence that met it.
//
// A regime is a rule pack: data (packs/*.json: which duties, for which
// kind of case, anchored on which fact, due how long after it) plus the
// small Go functions in this file that the data names (anchors and
// conditions). A pack is versioned, so a new regime or a changed rule is a
// reviewed change of data, with the version recorded on every obligation it
// raised.
//
// All arithmetic is on UTC instants; China Standard Time (UTC+8, no
// daylight saving) is used only for the NVDB duty's outer bound (end of
// day D+2, RMSV CN-07-5) and for display. There is no working-day
// arithmetic: "2 days" is 48 hours after T0 (../shared/regulation/RMSV.md).
package obligation

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Regime names a rule pack.
type Regime string

// The regimes Embargo ships.
const (
	CNRMSV Regime = "CN-RMSV" // the Chinese regulations (on by default)
	EUCRA  Regime = "EU-CRA"  // the EU Cyber Resilience Act, Art. 14 (opt-in)
)

// CST is China Standard Time, UTC+8 with no daylight saving; a fixed zone
// so that no time-zone database is needed.
var CST = time.FixedZone("CST", 8*3600)

// Pack is one regime's rules.
type Pack struct {
	Regime    Regime `json:"regime"`
	Version   string `json:"version"`
	TitleEN   string `json:"title_en"`
	TitleZH   string `json:"title_zh"`
	DefaultOn bool   `json:"default_on"`
	Duties    []Rule `json:"duties"`
}

// Rule is one duty of a pack.
type Rule struct {
	Code        string `json:"code"`        // "cn.nvdb_report"
	Requirement string `json:"requirement"` // "CN-07-5" (REQUIREMENTS.md)
	Article     string `json:"article"`
	TitleEN     string `json:"title_en"`
	TitleZH     string `json:"title_zh"`
	// Kinds are the kinds of case ("provider", "operator") it falls on.
	Kinds []string `json:"kinds"`
	// When are conditions (see conditions) that must all hold.
	When []string `json:"when"`
	// Anchor names the fact the clock starts from (see anchors); while
	// that fact is unknown the duty has no due time and is not raised.
	Anchor string `json:"anchor"`
	// Offset is how long after the anchor the duty is due: a Go duration
	// ("48h") or whole calendar months ("1mo"). OffsetByGrade, when set,
	// gives it per GB/T 30279 grade instead.
	Offset        string            `json:"offset"`
	OffsetByGrade map[string]string `json:"offset_by_grade"`
	// Configurable duties take an organisation's own offset; the others
	// are fixed by law (the NVDB report's 48 hours).
	Configurable bool `json:"configurable"`
	// Immediate duties are due "立即" (at once); the offset is the alert
	// threshold the organisation holds itself to.
	Immediate bool `json:"immediate"`
	// OuterBound names an informational later bound (see outerBounds).
	OuterBound string `json:"outer_bound"`
	// MetBy are the kinds of evidence that meet the duty.
	MetBy []EvidenceKind `json:"met_by"`
}

// Submitted reports whether a submitted report meets the duty, so that it
// has a report package (the NVDB report, the CRA's reports); the others
// are met by a transition, a notice or an advisory.
func (r Rule) Submitted() bool { return slices.Contains(r.MetBy, BySubmission) }

// EvidenceKind is what kind of record met a duty.
type EvidenceKind string

// The kinds of evidence.
const (
	ByTransition EvidenceKind = "transition" // the case moved (verifying, remediated…)
	BySubmission EvidenceKind = "submission" // a report marked submitted, with its snapshot
	ByNotice     EvidenceKind = "notice"     // a notice delivered (or recorded as sent)
	ByAdvisory   EvidenceKind = "advisory"   // a published advisory
)

//go:embed packs/*.json
var packFiles embed.FS

// Packs returns the shipped rule packs, checked, in a fixed order.
func Packs() []Pack {
	var out []Pack
	for _, name := range []string{"packs/cn-rmsv.json", "packs/eu-cra.json"} {
		b, err := packFiles.ReadFile(name)
		if err != nil {
			panic(err)
		}
		p, err := ParsePack(b)
		if err != nil {
			panic(fmt.Sprintf("obligation: %s: %v", name, err))
		}
		out = append(out, p)
	}
	return out
}

// ParsePack reads and checks a rule pack: every condition, anchor, offset
// and outer bound it names must exist.
func ParsePack(b []byte) (Pack, error) {
	var p Pack
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Pack{}, fmt.Errorf("rule pack: %w", err)
	}
	if p.Regime == "" || p.Version == "" || len(p.Duties) == 0 {
		return Pack{}, fmt.Errorf("rule pack: regime, version and duties are required")
	}
	seen := map[string]bool{}
	for _, r := range p.Duties {
		if err := r.check(); err != nil {
			return Pack{}, fmt.Errorf("rule pack %s: duty %q: %w", p.Regime, r.Code, err)
		}
		if seen[r.Code] {
			return Pack{}, fmt.Errorf("rule pack %s: duty %q twice", p.Regime, r.Code)
		}
		seen[r.Code] = true
	}
	return p, nil
}

func (r Rule) check() error {
	if r.Code == "" || r.Requirement == "" || r.TitleEN == "" || r.TitleZH == "" || len(r.MetBy) == 0 {
		return fmt.Errorf("code, requirement, both titles and met_by are required")
	}
	if _, ok := anchors[r.Anchor]; !ok {
		return fmt.Errorf("unknown anchor %q", r.Anchor)
	}
	for _, w := range r.When {
		if _, ok := conditions[w]; !ok {
			return fmt.Errorf("unknown condition %q", w)
		}
	}
	for _, k := range r.Kinds {
		if k != "provider" && k != "operator" {
			return fmt.Errorf("unknown kind %q", k)
		}
	}
	if r.OuterBound != "" && outerBounds[r.OuterBound] == nil {
		return fmt.Errorf("unknown outer bound %q", r.OuterBound)
	}
	offsets := []string{r.Offset}
	if r.OffsetByGrade != nil {
		offsets = nil
		for _, o := range r.OffsetByGrade {
			offsets = append(offsets, o)
		}
	}
	for _, o := range offsets {
		if _, err := ParseOffset(o); err != nil {
			return err
		}
	}
	return nil
}

// Offset is a span after an anchor: a fixed duration, or calendar months.
type Offset struct {
	D      time.Duration
	Months int
}

// ParseOffset reads "48h", "90m" or "1mo".
func ParseOffset(s string) (Offset, error) {
	if n, ok := strings.CutSuffix(s, "mo"); ok {
		m, err := strconv.Atoi(n)
		if err != nil || m < 1 || m > 24 {
			return Offset{}, fmt.Errorf("offset %q: want whole months, 1mo to 24mo", s)
		}
		return Offset{Months: m}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > 366*24*time.Hour {
		return Offset{}, fmt.Errorf("offset %q: want a duration such as 24h, at most a year", s)
	}
	return Offset{D: d}, nil
}

// After returns t plus the offset. Calendar months are counted in China
// Standard Time and clamped to the month's last day (31 January plus one
// month is the end of February), since a month later has no 31 February.
func (o Offset) After(t time.Time) time.Time {
	if o.Months == 0 {
		return t.Add(o.D).UTC()
	}
	c := t.In(CST)
	y, m, d := c.Date()
	first := time.Date(y, m+time.Month(o.Months), 1, c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), CST)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1).UTC()
}

// String gives the offset back in its pack form.
func (o Offset) String() string {
	if o.Months > 0 {
		return strconv.Itoa(o.Months) + "mo"
	}
	return shortDuration(o.D)
}

// Facts are what the rules read from a case. Zero times are unknown.
type Facts struct {
	Kind     string   // "provider" or "operator"
	Products []string // the products of the affected scope
	Rejected bool     // the case is rejected (not a vulnerability, …)
	Grade    string   // GB/T 30279 grade: critical, high, medium, low
	// T0 is when the organisation learned of the vulnerability (CN-07-1).
	T0 time.Time
	// UpstreamAt is when the root cause was attributed to an upstream
	// component (CN-07-4); zero when it is not upstream.
	UpstreamAt time.Time
	// UserAction says users must act (upgrade, reconfigure) (CN-07-9).
	UserAction bool
	// FixAvailableAt is when a fix or mitigation became available.
	FixAvailableAt time.Time
	// ExploitedAt is the awareness of active exploitation (EU-14-1).
	ExploitedAt time.Time
	// IncidentAt is the awareness of a severe incident (CRA Art. 14(3)).
	IncidentAt time.Time
	// IncidentNotifiedAt is when the 72-hour incident notification was
	// submitted; the incident final report is due a month after it.
	IncidentNotifiedAt time.Time
}

var anchors = map[string]func(Facts) time.Time{
	"t0":                func(f Facts) time.Time { return f.T0 },
	"upstream_marked":   func(f Facts) time.Time { return f.UpstreamAt },
	"fix_available":     func(f Facts) time.Time { return f.FixAvailableAt },
	"exploited_aware":   func(f Facts) time.Time { return f.ExploitedAt },
	"incident_aware":    func(f Facts) time.Time { return f.IncidentAt },
	"incident_notified": func(f Facts) time.Time { return f.IncidentNotifiedAt },
}

var conditions = map[string]func(Facts) bool{
	"not_rejected": func(f Facts) bool { return !f.Rejected },
	"upstream":     func(f Facts) bool { return !f.UpstreamAt.IsZero() },
	"user_action":  func(f Facts) bool { return f.UserAction },
	"graded":       func(f Facts) bool { return f.Grade != "" },
	"exploited":    func(f Facts) bool { return !f.ExploitedAt.IsZero() },
	"incident":     func(f Facts) bool { return !f.IncidentAt.IsZero() },
}

var outerBounds = map[string]func(t0 time.Time) time.Time{
	// RMSV CN-07-5: the end of the second calendar day after T0's day,
	// Beijing time: T0 on day D → 24:00 of D+2 (00:00 of D+3), CST.
	"cst_end_of_day_plus_2": func(t0 time.Time) time.Time {
		c := t0.In(CST)
		y, m, d := c.Date()
		return time.Date(y, m, d+3, 0, 0, 0, 0, CST).UTC()
	},
}

// Settings are an organisation's choices: which regimes apply, and its own
// offsets for the configurable duties, by duty code (for graded duties,
// "code:grade").
type Settings struct {
	Regimes map[Regime]bool
	Offsets map[string]string
	// ProductRegimes turn regimes on for cases about some products only
	// (the products sold on that market), by product name.
	ProductRegimes map[string][]Regime
}

// Enabled reports whether the pack applies organisation-wide under s.
func (s Settings) Enabled(p Pack) bool {
	if on, ok := s.Regimes[p.Regime]; ok {
		return on
	}
	return p.DefaultOn
}

// EnabledFor reports whether the pack applies to a case about products:
// organisation-wide, or for one of the products.
func (s Settings) EnabledFor(p Pack, products []string) bool {
	if s.Enabled(p) {
		return true
	}
	for _, name := range products {
		if slices.Contains(s.ProductRegimes[name], p.Regime) {
			return true
		}
	}
	return false
}

// Due is one duty computed for a case: when it is due and from what.
type Due struct {
	Regime      Regime
	PackVersion string
	Rule        Rule
	AnchorAt    time.Time
	DueAt       time.Time
	OuterBound  time.Time // zero unless the rule has one
	Offset      string
}

// Compute returns the duties that fall on a case with facts f under
// settings s, in pack order. A duty whose anchor is unknown (no fix yet
// for the CRA final report) is not returned: it has no clock yet.
func Compute(packs []Pack, s Settings, f Facts) []Due {
	var out []Due
	for _, p := range packs {
		if !s.EnabledFor(p, f.Products) {
			continue
		}
		for _, r := range p.Duties {
			if d, ok := r.due(f, s); ok {
				d.Regime, d.PackVersion = p.Regime, p.Version
				out = append(out, d)
			}
		}
	}
	return out
}

func (r Rule) due(f Facts, s Settings) (Due, bool) {
	if !slices.Contains(r.Kinds, f.Kind) {
		return Due{}, false
	}
	for _, w := range r.When {
		if !conditions[w](f) {
			return Due{}, false
		}
	}
	at := anchors[r.Anchor](f)
	if at.IsZero() {
		return Due{}, false
	}
	off, ok := r.offset(f.Grade, s)
	if !ok {
		return Due{}, false
	}
	d := Due{Rule: r, AnchorAt: at.UTC(), DueAt: off.After(at), Offset: off.String()}
	if r.OuterBound != "" {
		d.OuterBound = outerBounds[r.OuterBound](at)
	}
	return d, true
}

// offset is the rule's span, the organisation's own where the rule allows
// one and it is valid.
func (r Rule) offset(grade string, s Settings) (Offset, bool) {
	key, def := r.Code, r.Offset
	if r.OffsetByGrade != nil {
		key, def = r.Code+":"+grade, r.OffsetByGrade[grade]
		if def == "" {
			return Offset{}, false
		}
	}
	if own, ok := s.Offsets[key]; ok && r.Configurable {
		if o, err := ParseOffset(own); err == nil {
			return o, true
		}
	}
	o, err := ParseOffset(def)
	return o, err == nil
}

// Find returns the rule with the given regime and code.
func Find(packs []Pack, regime Regime, code string) (Pack, Rule, bool) {
	for _, p := range packs {
		if p.Regime != regime {
			continue
		}
		for _, r := range p.Duties {
			if r.Code == code {
				return p, r, true
			}
		}
	}
	return Pack{}, Rule{}, false
}
