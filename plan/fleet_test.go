package plan

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"

	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// loadFleet builds a generated fleet of about n components (as audit's
// benchmarks do, so their figures compare).
func loadFleet(tb testing.TB, n int) (*inventory.Inventory, *model.Graph) {
	var buf bytes.Buffer
	if err := fleet.Write(&buf, fleet.ForComponents(n, 1)); err != nil {
		tb.Fatal(err)
	}
	inv, err := inventory.Parse("fleet.yaml", buf.Bytes(), inventory.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		tb.Fatal(err)
	}
	// Collect the loader's garbage now, so that the measured work does
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
