package obligation

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// State is where an obligation stands. Open obligations are Pending, DueSoon
// or Overdue depending on the time; Met and NotApplicable are recorded.
// Withdrawn is an open obligation whose duty no longer falls on the case
// (the case was rejected, the root cause is not upstream after all).
type State string

// The states.
const (
	Pending       State = "pending"
	DueSoon       State = "due_soon"
	Overdue       State = "overdue"
	Met           State = "met"
	NotApplicable State = "not_applicable"
	Withdrawn     State = "withdrawn"
)

// Closed reports whether the state is final for the clock.
func (s State) Closed() bool { return s == Met || s == NotApplicable || s == Withdrawn }

// dueSoonWindow is how long before its due time an open obligation counts
// as due soon: a day, or half its span when that is shorter, so that a
// 24-hour duty is not "due soon" from its first minute.
func dueSoonWindow(anchor, due time.Time) time.Duration {
	return min(24*time.Hour, due.Sub(anchor)/2)
}

// OpenState is the state of an open obligation at now.
func OpenState(anchor, due, now time.Time) State {
	switch {
	case !now.Before(due):
		return Overdue
	case due.Sub(now) <= dueSoonWindow(anchor, due):
		return DueSoon
	}
	return Pending
}

// Threshold is an escalation point: an open obligation with at most Before
// left (0: overdue) escalates once.
type Threshold struct {
	Before time.Duration
}

// Name is the threshold as stored in an obligation's fired list: "24h",
// "4h", "overdue".
func (t Threshold) Name() string {
	if t.Before <= 0 {
		return "overdue"
	}
	return shortDuration(t.Before)
}

// shortDuration writes 24h0m0s as 24h and 1h30m0s as 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// DefaultThresholds are 24 hours, 4 hours and overdue.
var DefaultThresholds = []Threshold{{24 * time.Hour}, {4 * time.Hour}, {0}}

// ParseThresholds reads "24h,4h,overdue".
func ParseThresholds(s string) ([]Threshold, error) {
	var out []Threshold
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "overdue" || f == "0" {
			out = append(out, Threshold{0})
			continue
		}
		d, err := time.ParseDuration(f)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("escalation threshold %q: want a duration such as 4h, or overdue", f)
		}
		out = append(out, Threshold{d})
	}
	slices.SortFunc(out, func(a, b Threshold) int { return int((b.Before - a.Before) / time.Second) })
	return slices.CompactFunc(out, func(a, b Threshold) bool { return a == b }), nil
}

// Escalate returns the threshold to announce now for an open obligation
// due at due, and the names of every threshold crossed by now that are not
// in fired. Each threshold fires once: when several were crossed at once
// (the duty was raised late, or the worker was down), only the most urgent
// is announced and the others are recorded as passed. A threshold longer
// than the obligation's whole span (24 h before a duty raised 24 h before
// it is due) is skipped.
func Escalate(thresholds []Threshold, anchor, due, now time.Time, fired []string) (announce Threshold, crossed []string, ok bool) {
	left := due.Sub(now)
	for _, t := range thresholds {
		if t.Before >= due.Sub(anchor) && t.Before > 0 {
			continue
		}
		if left > t.Before || slices.Contains(fired, t.Name()) {
			continue
		}
		crossed = append(crossed, t.Name())
		if !ok || t.Before < announce.Before {
			announce, ok = t, true
		}
	}
	return announce, crossed, ok
}
