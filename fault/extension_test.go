package fault_test

import (
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// An estate with a bank-split PDU (pdu-x: outlets bound to feed-a or
// feed-b), a transfer-switch PDU (pdu-t), and leaves uplinked by a
// breakout cable (brk-1) and by two separate cables.
const extensionInventory = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: feed-a, kind: feed, site: s1}
  - {id: feed-b, kind: feed, site: s1}
  - {id: pdu-x, kind: pdu, rack: r1, inputs: [feed-a, feed-b]}
  - {id: pdu-t, kind: pdu, rack: r1, inputs: [feed-a, feed-b]}
devices:
  - {id: a-only, kind: server, rack: r1, draw_w: 300, psus: [{id: P1, pdu: pdu-x, input: feed-a}]}
  - {id: split, kind: server, rack: r1, draw_w: 400, psus: [{id: P1, pdu: pdu-x, input: feed-a}, {id: P2, pdu: pdu-x, input: feed-b}]}
  - {id: ats, kind: server, rack: r1, draw_w: 100, psus: [{id: P1, pdu: pdu-t}]}
  - {id: spine-1, kind: switch, rack: r1}
  - {id: spine-2, kind: switch, rack: r1}
  - {id: leaf-1, kind: switch, rack: r1}
  - {id: leaf-2, kind: switch, rack: r1}
links:
  - {a: "leaf-1:e49", b: "spine-1:e1", cable: brk-1}
  - {a: "leaf-1:e49", b: "spine-2:e1", cable: brk-1}
  - {a: "leaf-2:e49", b: "spine-1:e2", cable: c-2}
  - {a: "leaf-2:e50", b: "spine-2:e2", cable: c-3}
network:
  roots: [spine-1, spine-2]
`

// TestExtensions: an outlet bound to one input goes down with it although
// the PDU's other input is live, and its load flows to that input; links
// in one cable fail together, and cut sets name the cable.
func TestExtensions(t *testing.T) {
	inv, err := inventory.Parse("ext.yaml", []byte(extensionInventory), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	fabric := fault.NewFabric(g)
	failed := make([]bool, len(g.Comps))
	e := fault.New(g, fabric, failed)
	dev := func(id string) int32 { return g.Entities[g.Lookup(id)] }
	cut := func(v fault.Val) []string {
		var out []string
		for _, c := range e.Cut(v) {
			out = append(out, g.ID(c))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		name string
		got  func() fault.Val
		want []string
	}{
		{"bound to feed-a alone", func() fault.Val { return e.Powered(dev("a-only")) }, []string{"a-only/P1", "feed-a", "pdu-x", "r1", "s1"}},
		{"one outlet on each bank", func() fault.Val { return e.Powered(dev("split")) }, []string{"pdu-x", "r1", "s1"}},
		{"a transfer switch", func() fault.Val { return e.Powered(dev("ats")) }, []string{"ats/P1", "pdu-t", "r1", "s1"}},
		{"two uplinks in one breakout", func() fault.Val { return e.Net(dev("leaf-1")) }, []string{"brk-1", "r1", "s1"}},
		{"two uplinks in two cables", func() fault.Val { return e.Net(dev("leaf-2")) }, []string{"r1", "s1"}}, // the spines' rack
	} {
		v := c.got()
		if !v.Up {
			t.Errorf("%s: down on the design", c.name)
			continue
		}
		if diff := cmp.Diff(c.want, cut(v)); diff != "" {
			t.Errorf("%s: cut set (-want +got):\n%s", c.name, diff)
		}
	}

	l := fault.NewLoad(g, e)
	watts := func(id string) float64 { return l.Watts[g.Entities[g.Lookup(id)]] }
	// pdu-x carries a-only 300 + split 400; feed-a gets a-only 300 + split
	// 200 + ats 100 (pdu-t routes to its first input), feed-b split 200.
	for id, want := range map[string]float64{"pdu-x": 700, "pdu-t": 100, "feed-a": 600, "feed-b": 200} {
		if got := watts(id); math.Abs(got-want) > fault.Eps {
			t.Errorf("load of %s = %v, want %v", id, got, want)
		}
	}
	// feed-a fails: a-only goes down, split moves all 400 W to feed-b, and
	// pdu-t's 100 W moves to feed-b.
	f := l.NewFlow()
	f.FailNodes([]int32{g.Entities[g.Lookup("feed-a")]})
	for id, want := range map[string]float64{"pdu-x": 400, "feed-b": 500} {
		if got := f.Watts(g.Entities[g.Lookup(id)]); math.Abs(got-want) > fault.Eps {
			t.Errorf("with feed-a failed, load of %s = %v, want %v", id, got, want)
		}
	}

	// pdu-x's inlet from feed-a lost (observed): the bank on feed-a is
	// down, the PDU and its other bank are not.
	failed[g.Lookup("pdu-x/inlet/feed-a")] = true
	e.Next()
	if e.Powered(dev("a-only")).Up || !e.Powered(dev("split")).Up || !e.Power(g.Entities[g.Lookup("pdu-x")]).Up {
		t.Errorf("with pdu-x/inlet/feed-a lost: a-only powered %v (want false), split %v, pdu-x %v (want true)",
			e.Powered(dev("a-only")).Up, e.Powered(dev("split")).Up, e.Power(g.Entities[g.Lookup("pdu-x")]).Up)
	}
	failed[g.Lookup("pdu-x/inlet/feed-a")] = false

	// The breakout failed (observed): leaf-1 is cut off, leaf-2 is not.
	failed[g.Lookup("brk-1")] = true
	e.Next()
	if e.Net(dev("leaf-1")).Up || !e.Net(dev("leaf-2")).Up {
		t.Errorf("with brk-1 failed: leaf-1 has network %v (want false), leaf-2 %v (want true)", e.Net(dev("leaf-1")).Up, e.Net(dev("leaf-2")).Up)
	}
}
