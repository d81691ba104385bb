package model

import (
	"testing"

	"github.com/faultline/faultline/inventory"
)

// TestInlets: a node with two or more inputs has an inlet per input, in
// input order, numbered after every other component (so the others keep
// the numbers they had); a node with one input has none.
func TestInlets(t *testing.T) {
	const src = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: feed-a, kind: feed, site: s1}
  - {id: feed-b, kind: feed, site: s1}
  - {id: pdu-x, kind: pdu, rack: r1, inputs: [feed-b, feed-a]}
  - {id: pdu-y, kind: pdu, rack: r1, inputs: [feed-a]}
devices:
  - {id: srv-1, kind: server, rack: r1, psus: [{id: PSU1, pdu: pdu-x}, {id: PSU2, pdu: pdu-y}]}
`
	inv, err := inventory.Parse("i.yaml", []byte(src), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := Build(inv, &Overlay{Failed: map[string]Failure{"pdu-x/inlet/feed-a": {Why: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		node string
		want []string
	}{
		{"pdu-x", []string{"pdu-x/inlet/feed-b", "pdu-x/inlet/feed-a"}},
		{"pdu-y", nil},
		{"feed-a", nil},
	}
	first := len(g.Comps)
	for c, k := range g.Kinds {
		if k == KindInlet && c < first {
			first = c
		}
	}
	for _, c := range cases {
		P := &g.Power[g.Entities[g.Lookup(c.node)]]
		if len(P.Inlets) != len(c.want) {
			t.Fatalf("%s: inlets %v, want %v", c.node, P.Inlets, c.want)
		}
		for j, id := range c.want {
			x := P.Inlets[j]
			if g.ID(x) != id || g.Kinds[x] != KindInlet || g.Lookup(id) != x || int(x) < first {
				t.Errorf("%s inlet %d: %q kind %v, want %q (an inlet)", c.node, j, g.ID(x), g.Kinds[x], id)
			}
		}
	}
	for c, k := range g.Kinds {
		if k != KindInlet && c > first {
			t.Errorf("%s (%v) numbered after the first inlet", g.ID(int32(c)), k)
		}
	}
	x := &g.Power[g.Entities[g.Lookup("pdu-x")]]
	if !x.InputLive(0, g.Failed) || x.InputLive(1, g.Failed) {
		t.Errorf("pdu-x inputs live %v %v, want true false", x.InputLive(0, g.Failed), x.InputLive(1, g.Failed))
	}
	fa, fb := g.Entities[g.Lookup("feed-a")], g.Entities[g.Lookup("feed-b")]
	if x.FedBy(fa, g.Failed) || !x.FedBy(fb, g.Failed) {
		t.Errorf("pdu-x fed by feed-a %v feed-b %v, want false true", x.FedBy(fa, g.Failed), x.FedBy(fb, g.Failed))
	}
}
