package audit

import (
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/reliability"
)

// BenchmarkReliability measures, in one run on the same fleet, the
// reliability figures (order 2 for every service, whatever its
// tolerate) against the order-1 audit: loading the inventory, building
// the graph, the order-1 analysis and its findings (what faultline audit
// does without the figures). It reports both and their ratio, in wall
// time and in process CPU time (which does not count waiting for a core
// on a shared machine); each iteration measures both, alternating, and
// keeps the fastest of each.
func BenchmarkReliability(b *testing.B) {
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			data := fleetYAML(b, n)
			_, g := loadFleet(b, n)
			best := func(d *time.Duration, t time.Duration) {
				if *d == 0 || t < *d {
					*d = t
				}
			}
			var audit1, figures, analysis1, audit1CPU, figuresCPU time.Duration
			pairs := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start, cpu := time.Now(), cpuTime()
				inv, err := inventory.Parse("fleet.yaml", data, inventory.Options{})
				if err != nil {
					b.Fatal(err)
				}
				g2, err := model.Build(inv, nil)
				if err != nil {
					b.Fatal(err)
				}
				mid := time.Now()
				a := Analyze(g2, Options{SkipPairs: true})
				_ = a.Findings()
				best(&analysis1, time.Since(mid))
				best(&audit1, time.Since(start))
				best(&audit1CPU, cpuTime()-cpu)
				inv, g2, a = nil, nil, nil
				runtime.GC()

				start, cpu = time.Now(), cpuTime()
				net := fault.NewFabric(g)
				design := fault.New(g, net, make([]bool, len(g.Comps)))
				f := reliability.Compute(g, net, design, reliability.Unavailability(g))
				best(&figures, time.Since(start))
				best(&figuresCPU, cpuTime()-cpu)
				pairs = 0
				for s := range f.Services {
					pairs += len(f.Services[s].Order2)
				}
				runtime.GC()
			}
			b.ReportMetric(audit1.Seconds(), "audit1-s")
			b.ReportMetric(analysis1.Seconds(), "analysis1-s")
			b.ReportMetric(figures.Seconds(), "figures-s")
			b.ReportMetric(figures.Seconds()/audit1.Seconds(), "figures/audit1")
			if audit1CPU > 0 {
				b.ReportMetric(audit1CPU.Seconds(), "audit1-cpu-s")
				b.ReportMetric(figuresCPU.Seconds(), "figures-cpu-s")
				b.ReportMetric(figuresCPU.Seconds()/audit1CPU.Seconds(), "figures/audit1-cpu")
			}
			b.ReportMetric(float64(len(g.Services)), "services")
			b.ReportMetric(float64(pairs), "pairs")
		})
	}
}
