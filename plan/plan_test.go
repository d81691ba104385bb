package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/faultline/faultline/internal/oracle"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// TestPlanInteractingPower: more power components bearing on one node with
// a capacity than the load check enumerates (maxEnum) are split across
// batches — a sufficient check, never a guess — and every batch it does
// form is verified by the oracle in every order.
func TestPlanInteractingPower(t *testing.T) {
	const racks = maxEnum + 4
	var b strings.Builder
	b.WriteString("version: 1\nsites: [{id: s}]\nracks:\n")
	for r := 0; r < racks; r++ {
		fmt.Fprintf(&b, "  - {id: r%d, site: s}\n", r)
	}
	b.WriteString("power:\n  - {id: grid, kind: utility, site: s}\n")
	b.WriteString("  - {id: ups-a, kind: ups, site: s, inputs: [grid], capacity_w: 100000}\n")
	b.WriteString("  - {id: ups-b, kind: ups, site: s, inputs: [grid], capacity_w: 100000}\n")
	for r := 0; r < racks; r++ {
		fmt.Fprintf(&b, "  - {id: pdu-%d-a, kind: pdu, rack: r%d, inputs: [ups-a]}\n  - {id: pdu-%d-b, kind: pdu, rack: r%d, inputs: [ups-b]}\n", r, r, r, r)
	}
	b.WriteString("devices:\n")
	for r := 0; r < racks; r++ {
		fmt.Fprintf(&b, "  - {id: srv-%d, kind: server, rack: r%d, draw_w: 400, psus: [{id: PSU1, pdu: pdu-%d-a}, {id: PSU2, pdu: pdu-%d-b}]}\n", r, r, r, r)
	}
	inv, err := inventory.Parse("power.yaml", []byte(b.String()), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Maintenance(g, nil, []string{"pdu-*-b"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Blocked) != 0 || len(p.Batches) != 2 || len(p.Batches[0].Components) != maxEnum+1 {
		t.Fatalf("want %d PDUs then the rest (the limit of the exact check), got %d batches, %d blocked: %+v", maxEnum+1, len(p.Batches), len(p.Blocked), p.Batches)
	}
	if p.LowerBound != 1 {
		t.Errorf("lower bound %d: nothing forbids one batch", p.LowerBound)
	}
	// The first batch peaks on ups-a with every B PDU of it down.
	want := PeakLoad{ID: "ups-a", Watts: float64(400*racks/2 + 200*(maxEnum+1)), CapacityW: 100000}
	if got := p.Batches[0].PeakLoad; len(got) != 1 || got[0] != want {
		t.Errorf("peak load %+v, want %+v", got, want)
	}
	j := newJudge(oracle.New(inv), make([]bool, len(g.Comps)), false)
	for _, bt := range p.Batches {
		if why := j.unsafe(bt.Components); why != "" {
			t.Errorf("batch %v: %s", bt.Components, why)
		}
	}
}
