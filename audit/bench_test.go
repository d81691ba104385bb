package audit

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// Benchmarks on generated fleets of about 10k, 100k and 1M components.
// Compare within one run (same machine, same load):
//
//	make bench BENCH='Load|Analyze|Naive'
//
// and read the ratios, not the absolute times. docs/performance.md has
// the numbers.

var sizes = []int{10_000, 100_000, 1_000_000}

var fleets sync.Map // size -> []byte

func fleetYAML(b testing.TB, n int) []byte {
	if v, ok := fleets.Load(n); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	if err := fleet.Write(&buf, fleet.ForComponents(n, 1)); err != nil {
		b.Fatal(err)
	}
	fleets.Store(n, buf.Bytes())
	return buf.Bytes()
}

func loadFleet(b testing.TB, n int) (*inventory.Inventory, *model.Graph) {
	inv, err := inventory.Parse("fleet.yaml", fleetYAML(b, n), inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		b.Fatal(err)
	}
	// Collect the loader's garbage now, so that the measured analysis does
	// not pay for it.
	runtime.GC()
	return inv, g
}

func sizeName(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// BenchmarkLoad is yaml.v3 decoding plus our strict walk and validation.
func BenchmarkLoad(b *testing.B) {
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			data := fleetYAML(b, n)
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := inventory.Parse("fleet.yaml", data, inventory.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuild numbers a loaded inventory into the fault graph.
func BenchmarkBuild(b *testing.B) {
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			inv, g := loadFleet(b, n)
			b.ResetTimer()
			b.ReportMetric(float64(len(g.Comps)), "components")
			for i := 0; i < b.N; i++ {
				if _, err := model.Build(inv, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAnalyze is the order-1 analysis of everything (every service's
// single points of failure, device-spof, loads and failover) and the
// findings built from it.
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			_, g := loadFleet(b, n)
			b.ResetTimer()
			b.ReportMetric(float64(len(g.Comps)), "components")
			for i := 0; i < b.N; i++ {
				a := Analyze(g, Options{SkipPairs: true})
				_ = a.Findings()
			}
		})
	}
}

// BenchmarkOrder2 is the order-2 analysis of every tolerate: 2 service.
func BenchmarkOrder2(b *testing.B) {
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			_, g := loadFleet(b, n)
			t2 := 0
			for _, s := range g.Services {
				if s.Tolerate == 2 {
					t2++
				}
			}
			b.ResetTimer() // (it also drops metrics reported before it)
			b.ReportMetric(float64(t2), "tolerate2-services")
			for i := 0; i < b.N; i++ {
				a := Analyze(g, Options{})
				_ = a.Findings()
			}
		})
	}
}

// BenchmarkNaive times the naive oracle — fail one component, re-evaluate
// everything — on a sample of components, and extrapolates to all of them
// (running it in full at 100k components would take hours). The reported
// naive-s metric is the estimated time of the full naive order-1 analysis.
func BenchmarkNaive(b *testing.B) {
	for _, n := range sizes[:2] {
		b.Run(sizeName(n), func(b *testing.B) {
			inv, _ := loadFleet(b, n)
			o := oracle.New(inv)
			none := make([]bool, len(o.Comps))
			sample := 200
			b.ResetTimer()
			var per time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				for k := 0; k < sample; k++ {
					c := (k * 7919) % len(o.Comps)
					st := o.Eval(oracle.With(none, c))
					runtime.KeepAlive(st)
				}
				per = time.Since(start) / time.Duration(sample)
			}
			b.ReportMetric(per.Seconds()*float64(len(o.Comps)), "naive-s")
			b.ReportMetric(float64(len(o.Comps)), "components")
		})
	}
}

// BenchmarkAnalyzeObserved is BenchmarkAnalyze with observed failures (one
// PSU in a hundred, one link in a hundred): the state now, service and
// device redundancy-lost and the findings that name what spent it.
func BenchmarkAnalyzeObserved(b *testing.B) {
	for _, n := range sizes {
		b.Run(sizeName(n), func(b *testing.B) {
			inv, g := loadFleet(b, n)
			ov := &model.Overlay{Failed: map[string]model.Failure{}}
			for i, p := range g.PSUs {
				if i%100 == 7 {
					ov.Failed[p.ID] = model.Failure{Why: "observed failed"}
				}
			}
			for i := range inv.Links {
				if i%100 == 3 {
					ov.Failed[inv.Links[i].ID()] = model.Failure{Why: "link down"}
				}
			}
			g, err := model.Build(inv, ov)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			b.ResetTimer()
			b.ReportMetric(float64(len(ov.Failed)), "failed")
			for i := 0; i < b.N; i++ {
				a := Analyze(g, Options{SkipPairs: true})
				_ = a.Findings()
			}
		})
	}
}
