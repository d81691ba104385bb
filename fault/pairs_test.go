package fault_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// pairsInventory: leaf-1 and leaf-2 forward, each uplinked to both
// spines by one breakout (brk-1, brk-2), and linked to each other; web
// hangs off leaf-1 alone, so it keeps its network while either breakout
// lives. db-1, on spine-1, has one PSU on each bank of the bank-split
// pdu-x.
const pairsInventory = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: feed-a, kind: feed, site: s1}
  - {id: feed-b, kind: feed, site: s1}
  - {id: pdu-x, kind: pdu, rack: r1, inputs: [feed-a, feed-b]}
devices:
  - {id: web-1, kind: server, rack: r1}
  - {id: db-1, kind: server, rack: r1, psus: [{id: P1, pdu: pdu-x, input: feed-a}, {id: P2, pdu: pdu-x, input: feed-b}]}
  - {id: spine-1, kind: switch, rack: r1}
  - {id: spine-2, kind: switch, rack: r1}
  - {id: leaf-1, kind: switch, rack: r1}
  - {id: leaf-2, kind: switch, rack: r1}
links:
  - {a: "leaf-1:e49", b: "spine-1:e1", cable: brk-1}
  - {a: "leaf-1:e49", b: "spine-2:e1", cable: brk-1}
  - {a: "leaf-2:e49", b: "spine-1:e2", cable: brk-2}
  - {a: "leaf-2:e49", b: "spine-2:e2", cable: brk-2}
  - {a: "leaf-1:e1", b: "leaf-2:e1"}
  - {a: "web-1:eth0", b: "leaf-1:e2"}
  - {a: "db-1:eth0", b: "spine-1:e3"}
network:
  roots: [spine-1, spine-2]
services:
  - {id: web, members: [web-1], min_up: 1}
  - {id: db, members: [db-1], min_up: 1}
`

// TestPairsExtensions: order-2 cut sets through a breakout cable between
// forwarding devices (the cable is part of the fabric: failing it must
// re-solve the fabric, not reuse the design's) and through the two banks
// of a bank-split PDU.
func TestPairsExtensions(t *testing.T) {
	inv, err := inventory.Parse("pairs.yaml", []byte(pairsInventory), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	fabric := fault.NewFabric(g)
	design := fault.New(g, fabric, make([]bool, len(g.Comps)))
	p := fault.NewPairs(g, fabric, design)
	for _, c := range []struct {
		service string
		want    []string
	}{
		{"web", []string{
			"brk-1 + brk-2", "brk-1 + leaf-1:e1~leaf-2:e1", "brk-1 + leaf-2", "spine-1 + spine-2",
		}},
		{"db", []string{"db-1/P1 + db-1/P2", "db-1/P1 + feed-b", "db-1/P2 + feed-a", "feed-a + feed-b"}},
	} {
		var got []string
		for _, pr := range p.Service(g.ServiceIndex(c.service)) {
			a, b := g.ID(pr[0]), g.ID(pr[1])
			if b < a {
				a, b = b, a
			}
			got = append(got, a+" + "+b)
		}
		want := slices.Clone(c.want) // each pair with its ids in order
		slices.Sort(got)
		slices.Sort(want)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("service %s: order-2 cut sets (-want +got):\n%s", c.service, diff)
		}
	}
}
