package plan

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// fleets keeps each size's YAML for the process, as audit's benchmarks
// do: the heap the measured work runs beside — and so how often the
// garbage collector runs — is then the same as theirs, and their figures
// compare.
var fleets sync.Map // size -> []byte

// loadFleet builds a generated fleet of about n components.
func loadFleet(tb testing.TB, n int) (*inventory.Inventory, *model.Graph) {
	data, ok := fleets.Load(n)
	if !ok {
		var buf bytes.Buffer
		if err := fleet.Write(&buf, fleet.ForComponents(n, 1)); err != nil {
			tb.Fatal(err)
		}
		data, _ = fleets.LoadOrStore(n, buf.Bytes())
	}
	inv, err := inventory.Parse("fleet.yaml", data.([]byte), inventory.Options{})
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
