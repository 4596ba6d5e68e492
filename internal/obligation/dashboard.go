package obligation

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
)

// Span is one measured interval: from an anchor to when something was
// done.
type Span struct{ From, To time.Time }

// DutyStats are one duty's figures for the compliance dashboard.
type DutyStats struct {
	Regime        Regime
	Duty          string
	Requirement   string
	TitleEN       string
	TitleZH       string
	Total         int // obligations raised and not withdrawn
	MetOnTime     int
	MetLate       int
	Open          int // still open and not yet due
	Overdue       int // still open and past due
	NotApplicable int
	// OnTimeRate is met on time over everything that came due (met, or
	// open and overdue); -1 when nothing came due yet.
	OnTimeRate float64
	// Time from the anchor to meeting the duty.
	Time Durations
}

// Durations summarises measured intervals.
type Durations struct {
	Count       int
	Median, P90 time.Duration
}

// Dashboard is an organisation's compliance figures.
type Dashboard struct {
	At     time.Time
	Duties []DutyStats
	// The times to acknowledge a report, to start verifying, to report to
	// NVDB, and to have a fix (from T0).
	Acknowledge, Verify, Report, Fix Durations
}

// DashboardStore reads what the dashboard measures beyond obligations;
// it is part of Store.
type DashboardStore interface {
	// AckSpans returns, per report of org, its receipt and first answer.
	AckSpans(ctx context.Context, org int64) ([]Span, error)
	// FixSpans returns, per case of org with a fix, its T0 and fix time.
	FixSpans(ctx context.Context, org int64) ([]Span, error)
}

// Dashboard computes the principal's organisation's compliance figures as
// of now: per duty the on-time rate and the time it took, and the times to
// acknowledge, verify, report and fix. Needs access.ManageObligations or
// access.ReadAudit.
func (s *Service) Dashboard(ctx context.Context, p *access.Principal, now time.Time) (Dashboard, error) {
	if !p.Can(access.ManageObligations) && !p.Can(access.ReadAudit) {
		return Dashboard{}, p.Require(access.ManageObligations)
	}
	all, err := s.store.AllObligations(ctx, p.OrgID)
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{At: now, Duties: s.dutyStats(all, now)}
	var verify, report []Span
	for _, o := range all {
		if o.Stored != StoredMet {
			continue
		}
		switch o.Duty {
		case "cn.verify":
			verify = append(verify, Span{o.AnchorAt, o.ClosedAt})
		case "cn.nvdb_report":
			report = append(report, Span{o.AnchorAt, o.ClosedAt})
		}
	}
	d.Verify, d.Report = summarise(verify), summarise(report)
	acks, err := s.store.AckSpans(ctx, p.OrgID)
	if err != nil {
		return d, err
	}
	fixes, err := s.store.FixSpans(ctx, p.OrgID)
	if err != nil {
		return d, err
	}
	d.Acknowledge, d.Fix = summarise(acks), summarise(fixes)
	return d, nil
}

func (s *Service) dutyStats(all []Obligation, now time.Time) []DutyStats {
	var out []DutyStats
	spans := map[string][]Span{}
	for _, p := range s.packs {
		for _, r := range p.Duties {
			out = append(out, DutyStats{Regime: p.Regime, Duty: r.Code, Requirement: r.Requirement, TitleEN: r.TitleEN, TitleZH: r.TitleZH})
		}
	}
	for _, o := range all {
		i := slices.IndexFunc(out, func(d DutyStats) bool { return d.Regime == o.Regime && d.Duty == o.Duty })
		if i < 0 || o.Stored == StoredWithdr {
			continue
		}
		st := &out[i]
		st.Total++
		switch o.StateAt(now) {
		case Met:
			if o.ClosedAt.After(o.DueAt) {
				st.MetLate++
			} else {
				st.MetOnTime++
			}
			spans[o.Duty] = append(spans[o.Duty], Span{o.AnchorAt, o.ClosedAt})
		case NotApplicable:
			st.NotApplicable++
		case Overdue:
			st.Overdue++
		default:
			st.Open++
		}
	}
	for i := range out {
		st := &out[i]
		st.OnTimeRate = -1
		if due := st.MetOnTime + st.MetLate + st.Overdue; due > 0 {
			st.OnTimeRate = float64(st.MetOnTime) / float64(due)
		}
		st.Time = summarise(spans[st.Duty])
	}
	return out
}

// summarise returns the count, median and 90th percentile (nearest rank)
// of the spans' lengths.
func summarise(spans []Span) Durations {
	var ds []time.Duration
	for _, s := range spans {
		if !s.From.IsZero() && !s.To.IsZero() && !s.To.Before(s.From) {
			ds = append(ds, s.To.Sub(s.From))
		}
	}
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	rank := func(q float64) time.Duration { return ds[int(math.Ceil(q*float64(len(ds))))-1] }
	return Durations{Count: len(ds), Median: rank(0.5), P90: rank(0.9)}
}

// WriteCSV writes the dashboard's per-duty figures as CSV, for
// spreadsheets: hours with one decimal, the rate as a fraction ("" when
// nothing came due).
func (d Dashboard) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"regime", "duty", "requirement", "title_zh", "title_en", "total", "met_on_time", "met_late", "open",
		"overdue", "not_applicable", "on_time_rate", "median_hours", "p90_hours"})
	hours := func(x time.Duration) string { return strconv.FormatFloat(x.Hours(), 'f', 1, 64) }
	for _, s := range d.Duties {
		rate := ""
		if s.OnTimeRate >= 0 {
			rate = strconv.FormatFloat(s.OnTimeRate, 'f', 3, 64)
		}
		_ = cw.Write([]string{string(s.Regime), s.Duty, s.Requirement, s.TitleZH, s.TitleEN, strconv.Itoa(s.Total),
			strconv.Itoa(s.MetOnTime), strconv.Itoa(s.MetLate), strconv.Itoa(s.Open), strconv.Itoa(s.Overdue),
			strconv.Itoa(s.NotApplicable), rate, hours(s.Time.Median), hours(s.Time.P90)})
	}
	cw.Flush()
	return cw.Error()
}
