package report_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/embargohq/embargo/internal/report"
	"github.com/embargohq/embargo/internal/store/storetest"
)

// BenchmarkSubmit measures the intake path below HTTP: validation, sealing,
// and the group commit of each report with its receipt-log entry, on every
// dialect under test. "serial" is one submitter at a time (every report
// commits alone); "parallel" is 16 submitters per CPU, so that commits are
// shared as under load. It reports acknowledged reports per second.
func BenchmarkSubmit(b *testing.B) {
	for name, newDSN := range storetest.Dialects(b) {
		for _, mode := range []struct {
			name        string
			parallelism int
		}{{"serial", 0}, {"parallel", 16}} {
			b.Run(name+"/"+mode.name, func(b *testing.B) {
				benchmarkSubmit(b, newWorld(b, newDSN(b)), mode.parallelism)
			})
		}
	}
}

func benchmarkSubmit(b *testing.B, w *world, parallelism int) {
	ctx := context.Background()
	var n atomic.Int64
	submit := func() {
		sub := benchSubmission(n.Add(1))
		if _, err := w.svc.Submit(ctx, sub); err != nil {
			b.Error(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	if parallelism == 0 {
		for b.Loop() {
			submit()
		}
	} else {
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				submit()
			}
		})
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

// benchSubmission is a small API submission, like the load generator's.
func benchSubmission(i int64) report.Submission {
	raw := fmt.Sprintf(`{"title":"Bench report %d","description":"ping 参数未过滤 %d"}`, i, i)
	return report.Submission{Channel: report.API, Title: fmt.Sprintf("Bench report %d", i),
		Description: fmt.Sprintf("ping 参数未过滤 %d, %0400d", i, 0), Product: "AX3000",
		Reporter: report.Reporter{Name: "张三", Email: "zhangsan@example.cn"}, Raw: []byte(raw), Actor: "anonymous"}
}
