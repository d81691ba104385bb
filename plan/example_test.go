package plan_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/plan"
)

// Maintenance plans taking every top-of-rack switch of the bundled
// inventory down: the batches that may each be down at once, and the lower
// bound that proves how few batches any safe plan needs.
func ExampleMaintenance() {
	data, err := os.ReadFile("../inventory.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	inv, err := inventory.Parse("inventory.yaml", data, inventory.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	sels, err := plan.CheckRequest([]string{"tor-*"}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := plan.Maintenance(g, nil, sels, plan.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, b := range p.Batches {
		fmt.Printf("batch %d: %s\n", i+1, strings.Join(b.Components, ", "))
	}
	fmt.Printf("blocked: %d; lower bound %d: %s\n", len(p.Blocked), p.LowerBound, p.LowerBoundReason)
	// Output:
	// batch 1: tor-2a, tor-3a
	// batch 2: tor-2b, tor-3b
	// blocked: 0; lower bound 2: no two of tor-2a and tor-2b may share a batch
}
