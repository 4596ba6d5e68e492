package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/casework/caseseed"
)

// operation is one kind of call measured: a principal and the filters it
// cycles through, one per call.
type operation struct {
	name    string
	p       *access.Principal
	filters []casework.Filter
}

// result is an operation's latencies, sorted, and the rows its calls
// returned on average.
type result struct {
	name  string
	times []time.Duration
	rows  float64
	// query are the latencies of the store's query alone, without the
	// audit event's transaction (its commit syncs to disk).
	query []time.Duration
}

// searcher is the store's search, which Service.Search calls before it
// records the search in the audit log.
type searcher interface {
	SearchCases(ctx context.Context, org, userID int64, f casework.Filter) ([]casework.Case, error)
}

// operations are what a case handler does all day: open the list, narrow
// it by status and grade, search titles (3 characters and more use the
// trigram index; fewer a substring scan) and look a CVE up.
func operations(w *caseseed.World) []operation {
	queries := func(qs ...string) []casework.Filter {
		var fs []casework.Filter
		for _, q := range qs {
			fs = append(fs, casework.Filter{Query: q})
		}
		return fs
	}
	trigram := queries("命令注入", "缓冲区溢出", "认证绕过", "跨站脚本", "SQL注入", "信息泄露", "路由器", "防火墙", "VPN网关", "工控PLC")
	rare := queries("天枢防火墙", "启明 R4500", "海星网络存储", "华睿工控PLC", "远航VPN网关固件升级", "恒信堡垒机登录接口")
	pairs := queries("溢出", "注入", "电表", "网关", "PLC", "漏洞")
	none := queries("量子", "蓝牙", "卫星", "基站")
	var filtered []casework.Filter
	for _, st := range []casework.Status{casework.Remediating, casework.Confirmed, casework.Verifying, casework.Closed} {
		for _, g := range casework.Grades {
			filtered = append(filtered, casework.Filter{Status: st, Grade: g})
		}
	}
	aliases := queries(w.Aliases...)
	return []operation{
		{"list, compliance officer (all cases)", w.Compliance, []casework.Filter{{}}},
		{"list, triager (need-to-know)", w.Triager, []casework.Filter{{}}},
		{"list, newcomer triager (few cases)", w.Newcomer, []casework.Filter{{}}},
		{"status + grade filter", w.Compliance, filtered},
		{"title search, ≥3 characters (trigram)", w.Compliance, trigram},
		{"title search, ≥3 characters, triager", w.Triager, trigram},
		{"title search, ≥3 characters, rare", w.Compliance, rare},
		{"title search, 2 characters (pairs)", w.Compliance, pairs},
		{"title search, 2 characters, no match", w.Compliance, none},
		{"CVE identifier", w.Compliance, aliases},
	}
}

// measure runs each operation warmup times unmeasured, then n times
// measured, one call after another (one client).
func measure(ctx context.Context, w *caseseed.World, st searcher, o options, stderr io.Writer) ([]result, error) {
	var out []result
	for _, op := range operations(w) {
		if len(op.filters) == 0 {
			return nil, fmt.Errorf("%s: nothing to search for", op.name)
		}
		r := result{name: op.name}
		rows := 0
		for i := range o.warmup + o.n {
			f := op.filters[i%len(op.filters)]
			start := time.Now()
			cases, err := w.Service.Search(ctx, op.p, f)
			d := time.Since(start)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", op.name, err)
			}
			if i >= o.warmup {
				r.times = append(r.times, d)
				rows += len(cases)
			}
		}
		userID := op.p.UserID
		if op.p.Can(access.ReadAllCases) {
			userID = 0
		}
		for i := range o.n {
			start := time.Now()
			if _, err := st.SearchCases(ctx, op.p.OrgID, userID, op.filters[i%len(op.filters)]); err != nil {
				return nil, fmt.Errorf("%s: %w", op.name, err)
			}
			r.query = append(r.query, time.Since(start))
		}
		slices.Sort(r.times)
		slices.Sort(r.query)
		r.rows = float64(rows) / float64(o.n)
		fmt.Fprintf(stderr, "%-42s p50 %s p95 %s (query alone p95 %s)\n", op.name, ms(r.pct(50)), ms(r.pct(95)), ms(pct(r.query, 95)))
		out = append(out, r)
	}
	return out, nil
}

// pct returns the p-th percentile (nearest rank) of Search's latencies.
func (r result) pct(p int) time.Duration { return pct(r.times, p) }

// pct returns the p-th percentile (nearest rank) of sorted ds.
func pct(ds []time.Duration, p int) time.Duration {
	i := (len(ds)*p + 99) / 100
	return ds[max(i-1, 0)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// printResults prints a Markdown table.
func printResults(out io.Writer, dialect string, o options, rs []result) {
	fmt.Fprintf(out, "\n%s, %d calls per operation after %d unmeasured, one client:\n\n", dialect, o.n, o.warmup)
	fmt.Fprintln(out, "| operation | rows | p50 | p95 | p99 | max | query alone p50 / p95 |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rs {
		fmt.Fprintf(out, "| %s | %.0f | %s | %s | %s | %s | %s / %s |\n", r.name, r.rows, ms(r.pct(50)), ms(r.pct(95)), ms(r.pct(99)),
			ms(r.times[len(r.times)-1]), ms(pct(r.query, 50)), ms(pct(r.query, 95)))
	}
}
