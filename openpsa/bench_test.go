package openpsa_test

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/internal/cputime"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/openpsa"
	"github.com/faultline/faultline/reliability"
)

// BenchmarkExport measures, in one run on the same generated fleet (about
// 100k and 1M components), the export against the order-1 audit of the
// same graph (the analysis and its findings): both and their ratio, in
// wall time and in process CPU time (which does not count waiting for a
// core on a shared machine). Each iteration measures both, alternating,
// and keeps the fastest of each. make bench BENCH=Export.
func BenchmarkExport(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			g := fleetGraph(b, n)
			q := reliability.Unavailability(g)
			var audit1, export, audit1CPU, exportCPU time.Duration
			best := func(d *time.Duration, t time.Duration) {
				if *d == 0 || t < *d {
					*d = t
				}
			}
			cw := &countWriter{}
			for b.Loop() {
				start, cpu := time.Now(), cputime.Used()
				audit.Audit(g, audit.Options{SkipPairs: true})
				best(&audit1, time.Since(start))
				best(&audit1CPU, cputime.Used()-cpu)
				runtime.GC()
				cw.n = 0
				start, cpu = time.Now(), cputime.Used()
				if err := openpsa.Write(cw, g, q, openpsa.Options{}); err != nil {
					b.Fatal(err)
				}
				best(&export, time.Since(start))
				best(&exportCPU, cputime.Used()-cpu)
				runtime.GC()
			}
			b.ReportMetric(audit1.Seconds(), "audit1-s")
			b.ReportMetric(export.Seconds(), "export-s")
			b.ReportMetric(export.Seconds()/audit1.Seconds(), "export/audit1")
			if audit1CPU > 0 {
				b.ReportMetric(audit1CPU.Seconds(), "audit1-cpu-s")
				b.ReportMetric(exportCPU.Seconds(), "export-cpu-s")
				b.ReportMetric(exportCPU.Seconds()/audit1CPU.Seconds(), "export/audit1-cpu")
			}
			b.ReportMetric(float64(cw.n)/1e6, "MB-written")
			if a := openpsa.Approximations(g, openpsa.Options{}); len(a) > 0 {
				b.Logf("approximated: %v", a)
			}
		})
	}
}

func fleetGraph(b *testing.B, n int) *model.Graph {
	var buf bytes.Buffer
	if err := fleet.Write(&buf, fleet.ForComponents(n, 1)); err != nil {
		b.Fatal(err)
	}
	inv, err := inventory.Parse("fleet.yaml", buf.Bytes(), inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	return g
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
