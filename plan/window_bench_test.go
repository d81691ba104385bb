package plan

import (
	"context"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/reliability"
)

// BenchmarkPlanWindow plans taking down every top-of-rack switch of a
// generated fleet and then computes each batch's risk during a four-hour
// window (plan --window 4h), in the same iteration, the fastest of a few
// repetitions of each: window/plan is the added cost of --window as a
// ratio of the plan's own, and window/figures its cost as a ratio of the
// audit's reliability figures (every service's order-1 and order-2 cut
// sets, reliability.Compute) on the same fleet. Run it with -benchtime 1x.
func BenchmarkPlanWindow(b *testing.B) {
	for _, n := range []int{100_000} {
		b.Run(sizeName(n), func(b *testing.B) {
			_, g := loadFleet(b, n)
			reps := 3
			planT, riskT, figT := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
			var w *audit.PlanWindow
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for r := 0; r < reps; r++ {
					runtime.GC()
					start := time.Now()
					a := audit.Analyze(g, audit.Options{SkipPairs: true})
					p, err := Maintenance(g, a, []string{"*-tor-*"}, Options{})
					if err != nil {
						b.Fatal(err)
					}
					planT = min(planT, time.Since(start))
					runtime.GC()
					start = time.Now()
					if w, err = a.PlanRisk(context.Background(), p.BatchComponents(), 4*time.Hour); err != nil {
						b.Fatal(err)
					}
					riskT = min(riskT, time.Since(start))
					runtime.GC()
					start = time.Now()
					reliability.Compute(g, a.Fabric(), a.Design, reliability.Unavailability(g))
					figT = min(figT, time.Since(start))
				}
			}
			services := 0
			for _, bt := range w.Batches {
				services += len(bt.Services)
			}
			b.ReportMetric(float64(len(w.Batches)), "batches")
			b.ReportMetric(float64(services), "services-raised")
			b.ReportMetric(planT.Seconds(), "plan-s")
			b.ReportMetric(riskT.Seconds(), "window-s")
			b.ReportMetric(riskT.Seconds()/planT.Seconds(), "window/plan")
			b.ReportMetric(figT.Seconds(), "figures-s")
			b.ReportMetric(riskT.Seconds()/figT.Seconds(), "window/figures")
		})
	}
}
