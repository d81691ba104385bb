package fault_test

import (
	"fmt"
	"slices"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

const exampleInventory = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: feed-a, kind: feed, site: s1, inputs: [grid]}
  - {id: feed-b, kind: feed, site: s1, inputs: [grid]}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [feed-a], capacity_w: 1000}
  - {id: pdu-b, kind: pdu, rack: r1, inputs: [feed-b], capacity_w: 1000}
devices:
  - {id: db-1, kind: server, rack: r1, draw_w: 400, psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]}
  - {id: db-2, kind: server, rack: r1, draw_w: 400, psus: [{id: PSU1, pdu: pdu-a}]}
services:
  - {id: db, members: [db-1, db-2], min_up: 1}
`

// Example shows the package's use by a consumer: evaluate the design,
// read a gate and its order-1 cut set, then evaluate the same graph with
// a failure by seeding what the failure cannot reach, and compute the
// load flow with a power node failed.
func Example() {
	inv, err := inventory.Parse("example.yaml", []byte(exampleInventory), inventory.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fabric := fault.NewFabric(g)
	design := fault.New(g, fabric, make([]bool, len(g.Comps)))
	db := g.ServiceIndex("db")
	v := design.Service(db)
	var cut []string
	for _, c := range design.Cut(v) {
		cut = append(cut, g.ID(c))
	}
	fmt.Println("db up:", v.Up, "single points of failure:", cut)

	// The same graph with pdu-a failed: db-1 is untouched by it except
	// through its power, so only what pdu-a reaches is re-derived.
	failed := make([]bool, len(g.Comps))
	failed[g.Lookup("pdu-a")] = true
	now := fault.New(g, fabric, failed)
	reach := fault.NewIndex(g, fabric).Reach(g.Lookup("pdu-a"))
	for d := range g.Devices {
		if !slices.Contains(reach.Devices, int32(d)) {
			now.CopyDevice(int32(d), design)
		}
	}
	db2 := g.Entities[g.Lookup("db-2")]
	fmt.Println("with pdu-a failed, db up:", now.Service(db).Up, "db-2 up:", now.Device(db2).Up)

	// Load flow: what pdu-b carries now, and if pdu-a fails.
	load := fault.NewLoad(g, design)
	pduA, pduB := g.Entities[g.Lookup("pdu-a")], g.Entities[g.Lookup("pdu-b")]
	flow := load.NewFlow()
	flow.FailNodes([]int32{pduA})
	fmt.Printf("pdu-b carries %.0f W, %.0f W if pdu-a fails\n", load.Watts[pduB], flow.Watts(pduB))
	// Output:
	// db up: true single points of failure: [s1 r1 grid]
	// with pdu-a failed, db up: true db-2 up: false
	// pdu-b carries 200 W, 400 W if pdu-a fails
}

// ExamplePairs reads a service's minimal cut sets of order 1 and 2 on
// the design: what the double-fault findings and the reliability figures
// rest on.
func ExamplePairs() {
	inv, err := inventory.Parse("example.yaml", []byte(exampleInventory), inventory.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fabric := fault.NewFabric(g)
	design := fault.New(g, fabric, make([]bool, len(g.Comps)))
	p := fault.NewPairs(g, fabric, design)
	db := g.ServiceIndex("db")
	var order1 []string
	for _, c := range p.Cuts(db) { // the site does not count: db has no dr: true
		order1 = append(order1, g.ID(c))
	}
	fmt.Println("order 1:", order1)
	for _, pr := range p.Service(db) {
		fmt.Println("order 2:", g.ID(pr[0]), g.ID(pr[1]))
	}
	// Output:
	// order 1: [r1 grid]
	// order 2: feed-a feed-b
	// order 2: feed-a pdu-b
	// order 2: feed-a db-1
	// order 2: feed-a db-1/PSU2
	// order 2: feed-b pdu-a
	// order 2: pdu-a pdu-b
	// order 2: pdu-a db-1
	// order 2: pdu-a db-1/PSU2
	// order 2: db-1 db-2
	// order 2: db-1 db-2/PSU1
}
