package reliability_test

import (
	"math"
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
	"github.com/faultline/faultline/reliability"
)

const rated = `version: 1
sites: [{id: lon1}]
racks: [{id: r01, site: lon1}]
power:
  - {id: grid, kind: utility, site: lon1}
  - {id: feed-a, kind: feed, site: lon1, inputs: [grid]}
  - {id: feed-b, kind: feed, site: lon1, inputs: [grid]}
  - {id: pdu-a, kind: pdu, rack: r01, inputs: [feed-a, feed-b]}
devices:
  - id: db-1
    kind: server
    rack: r01
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-a}]
    storage: [{id: data, raid: raid1, drives: 2}]
  - {id: tor-1, kind: switch, rack: r01, psus: [{id: PSU1, pdu: pdu-a}]}
links:
  - {a: "db-1:eno1", b: "tor-1:e1"}
  - {a: "db-1:eno2", b: "tor-1:e2", cable: bnd-1}
  - {a: "db-1:eno3", b: "tor-1:e3", cable: bnd-1}
  - {a: "db-1:eno4", b: "tor-1:e4", cable: bnd-2}
  - {a: "db-1:eno5", b: "tor-1:e5", cable: bnd-2}
network: {roots: [tor-1]}
services:
  - {id: db, members: [db-1]}
reliability:
  defaults:
    psu: {afr: 0.02, repair: 8h}
    switch: {repair: 1d12h}
    cable: {afr: 0.005}
  components:
    db-1: {afr: 0.1, repair: 48h}
    db-1/PSU1: {repair: 30m}
    db-1/data/1: {afr: 0.05}
    db-1:eno1~tor-1:e1: {afr: 0}
    bnd-1: {repair: 2h}
`

func TestUnavailability(t *testing.T) {
	inv, err := inventory.Parse("r.yaml", []byte(rated), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := reliability.Unavailability(g)
	if len(q) != len(g.Comps) {
		t.Fatalf("%d figures for %d components", len(q), len(g.Comps))
	}
	b := inventory.BuiltinRates
	tests := []struct {
		id   string
		want float64
	}{
		{"db-1", 0.1 * 48 / 8760},
		{"db-1/PSU1", 0.02 * 0.5 / 8760},
		{"db-1/PSU2", 0.02 * 8 / 8760},
		{"tor-1/PSU1", 0.02 * 8 / 8760},
		{"db-1/data/0", b["drive"].Unavailability()},
		{"db-1/data/1", 0.05 * b["drive"].Repair.Hours() / 8760},
		{"db-1:eno1~tor-1:e1", 0},
		{"db-1:eno2~tor-1:e2", b["link"].Unavailability()},
		{"bnd-1", 0.005 * 2 / 8760},
		{"bnd-2", 0.005 * b["cable"].Repair.Hours() / 8760},
		{"tor-1", b["switch"].AFR * 36 / 8760},
		{"grid", b["utility"].Unavailability()},
		{"feed-a", b["feed"].Unavailability()},
		{"pdu-a", b["pdu"].Unavailability()},
		{"r01", b["rack"].Unavailability()},
		{"lon1", b["site"].Unavailability()},
	}
	for _, tt := range tests {
		c := g.Lookup(tt.id)
		if c < 0 {
			t.Fatalf("no component %s", tt.id)
		}
		if math.Abs(q[c]-tt.want) > 1e-15 {
			t.Errorf("q(%s) = %g, want %g", tt.id, q[c], tt.want)
		}
	}
	for c, comp := range g.Comps {
		if comp.Kind == model.KindInlet && q[c] != 0 {
			t.Errorf("inlet %s: q = %g, want 0", comp.ID, q[c])
		}
	}
}
