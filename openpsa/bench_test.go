package openpsa_test

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/openpsa"
	"github.com/faultline/faultline/reliability"
)

// BenchmarkExport writes the export of generated fleets of about 100k
// and 1M components, beside the order-1 audit of the same graph as the
// baseline: compare the two within one run (make bench BENCH=Export)
// and read the ratio, not the absolute times.
func BenchmarkExport(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
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
		q := reliability.Unavailability(g)
		runtime.GC()
		b.Run(fmt.Sprintf("%dk/audit-order1", n/1000), func(b *testing.B) {
			for b.Loop() {
				audit.Audit(g, audit.Options{SkipPairs: true})
			}
		})
		b.Run(fmt.Sprintf("%dk/export", n/1000), func(b *testing.B) {
			cw := &countWriter{}
			for b.Loop() {
				if err := openpsa.Write(cw, g, q, openpsa.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cw.n)/float64(b.N)/1e6, "MB/op-written")
			if a := openpsa.Approximations(g, openpsa.Options{}); len(a) > 0 {
				b.Logf("approximated: %v", a)
			}
		})
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
