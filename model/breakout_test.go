package model

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

const breakoutInv = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
devices:
  - {id: spine, kind: switch, rack: r1, psus: [], management: {snmp: {address: 127.0.0.4, community: "${env:C}"}}}
  - {id: leaf-1, kind: switch, rack: r1, psus: []}
  - {id: leaf-2, kind: switch, rack: r1, psus: []}
links:
  - {a: "spine:e1", b: "leaf-1:e49", cable: brk-1}
  - {a: "spine:e1", b: "leaf-2:e49", cable: brk-1}
`

// TestBreakoutNeighbours: the shared port of a breakout sees every far end
// of its cable; only a neighbour that is none of them is drift. The cable
// carrying several links is one component, numbered after the others.
func TestBreakoutNeighbours(t *testing.T) {
	inv, err := inventory.Parse("x.yaml", []byte(breakoutInv), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		peers []string
		drift []string
	}{
		{"both far ends", []string{"leaf-1", "leaf-2"}, nil},
		{"one far end", []string{"leaf-2"}, nil},
		{"a stranger", []string{"leaf-1", "leaf-9"}, []string{"spine:e1~leaf-1:e49", "spine:e1~leaf-2:e49"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := observation.Port{Name: "e1", Oper: "up"}
			for _, p := range tc.peers {
				port.Neighbors = append(port.Neighbors, observation.Neighbor{Protocol: "lldp", SysName: p, PortID: "e49"})
			}
			got := Observe(inv, []observation.Device{{ID: "spine", Source: "snmp", CollectedAt: now, AttemptedAt: now, Ports: []observation.Port{port}}})
			var drift []string
			for _, f := range got.Facts {
				if f.Kind == FactDrift {
					drift = append(drift, f.Part)
				}
			}
			slices.Sort(drift)
			if diff := cmp.Diff(tc.drift, drift); diff != "" {
				t.Errorf("drift (-want +got):\n%s", diff)
			}
		})
	}
	g, err := Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := g.Lookup("brk-1")
	if c != int32(len(g.Comps)-1) || g.Kinds[c] != KindCable || len(g.LinksOf(c)) != 2 {
		t.Errorf("brk-1: component %d of %d, kind %v, links %v", c, len(g.Comps), g.Kinds[c], g.LinksOf(c))
	}
	for li := range g.Links {
		if g.Links[li].Cable != 0 || !g.LinkLive(int32(li), g.Failed) {
			t.Errorf("link %d: cable %d", li, g.Links[li].Cable)
		}
	}
}
