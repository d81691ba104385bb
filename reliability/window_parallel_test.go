package reliability_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/reliability"
)

// TestWindowWorkersAgree: a window's risk on several cores is the risk on
// one, for a batch of a generated fleet (every other switch, as a plan's
// first batch, until it reaches enough services to split).
func TestWindowWorkersAgree(t *testing.T) {
	var buf bytes.Buffer
	if err := fleet.Write(&buf, fleet.ForComponents(10_000, 1)); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Parse("fleet.yaml", buf.Bytes(), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Every other switch until the batch reaches enough services for two
	// workers (and not many more: the test runs under -race).
	x := fault.NewIndex(g, fault.NewFabric(g))
	var batch []int32
	reached := map[int32]bool{}
	for d := 0; d < len(g.Devices) && len(reached) < 160; d += 2 {
		if D := &g.Devices[d]; D.Forwards && !D.Root {
			batch = append(batch, D.Comp)
			for _, s := range x.Reach(D.Comp).Services {
				reached[s] = true
			}
		}
	}
	risk := func(procs int) []reliability.Risk {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		net := fault.NewFabric(g)
		w := reliability.NewWindow(g, net, make([]bool, len(g.Comps)), reliability.Rates(g), 4)
		r, err := w.Batch(context.Background(), batch)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	one, two := risk(1), risk(2)
	if len(one) < 128 {
		t.Fatalf("the batch of %d switches reaches only %d services: too few to split", len(batch), len(one))
	}
	if diff := cmp.Diff(one, two); diff != "" {
		t.Errorf("risk on two cores differs from one (-one +two):\n%s", diff)
	}
	raised := 0
	for _, r := range one {
		if r.With.Unavailability > r.Without.Unavailability {
			raised++
		}
	}
	if raised == 0 {
		t.Error("the batch raises no service's risk: the test checks nothing")
	}
}

// TestRatesMatchUnavailability: Rates looks figures up as Unavailability
// does: every component's q is its rate's.
func TestRatesMatchUnavailability(t *testing.T) {
	inv, err := inventory.Parse("r.yaml", []byte(rated), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, rates := reliability.Unavailability(g), reliability.Rates(g)
	for c := range q {
		if q[c] != rates[c].Unavailability() {
			t.Errorf("%s: q %g, its rate's %g", g.ID(int32(c)), q[c], rates[c].Unavailability())
		}
	}
}
