package audit

import (
	"reflect"
	"testing"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// TestReliabilityReuse: an audit given an earlier analysis of the same
// design reuses its figures (serve's loop computes them once); a change
// of the design — observed volumes that differ from the declared ones, or
// another inventory — computes them afresh, and the fresh figures are the
// ones a first audit of that design gives.
func TestReliabilityReuse(t *testing.T) {
	inv, err := inventory.Load("../inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	build := func(inv *inventory.Inventory, ov *model.Overlay) *model.Graph {
		t.Helper()
		g, err := model.Build(inv, ov)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	first := Analyze(build(inv, nil), Options{Reliability: true})
	if first.Figures == nil {
		t.Fatal("no figures")
	}
	var dev string
	for _, d := range inv.Devices {
		if len(d.Storage) > 0 {
			dev = d.ID
			break
		}
	}
	failed := &model.Overlay{Failed: map[string]model.Failure{dev: {}}}
	raid0 := &model.Overlay{Volumes: map[string][]model.ObservedVolume{dev: {{ID: "os", RAID: inventory.RAID0, Drives: 2}}}}
	again, err := inventory.Load("../inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		g     *model.Graph
		reuse bool
	}{
		{"same inventory, nothing observed", build(inv, nil), true},
		{"same inventory, a device failed", build(inv, failed), true},
		{"observed volumes differ", build(inv, raid0), false},
		{"the inventory reloaded", build(again, nil), false},
	} {
		a := Analyze(c.g, Options{Reliability: true, Previous: first})
		if got := a.Figures == first.Figures; got != c.reuse {
			t.Errorf("%s: figures reused %v, want %v", c.name, got, c.reuse)
		}
		fresh := Analyze(c.g, Options{Reliability: true})
		if !reflect.DeepEqual(a.Figures, fresh.Figures) {
			t.Errorf("%s: the figures differ from a first audit's", c.name)
		}
	}
	if a := Analyze(build(inv, nil), Options{Previous: first}); a.Figures != nil {
		t.Error("figures without Options.Reliability")
	}
}
