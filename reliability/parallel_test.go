package reliability_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/fleet"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/reliability"
)

// TestComputeWorkersAgree: the figures on several cores are the figures
// on one, for a generated fleet with enough services to split.
func TestComputeWorkersAgree(t *testing.T) {
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
	if len(g.Services) < 128 {
		t.Fatalf("only %d services: too few to split", len(g.Services))
	}
	compute := func(procs int) *reliability.Figures {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		net := fault.NewFabric(g)
		return reliability.Compute(g, net, fault.New(g, net, make([]bool, len(g.Comps))), reliability.Unavailability(g))
	}
	one, two := compute(1), compute(2)
	if diff := cmp.Diff(one.Services, two.Services); diff != "" {
		t.Errorf("figures on two cores differ from one (-one +two):\n%s", diff)
	}
	pairs := 0
	for _, s := range one.Services {
		pairs += len(s.Order2)
	}
	if pairs == 0 {
		t.Error("no pairs in the fleet: the test checks nothing of order 2")
	}
}
