package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// Meter is what a power node measures of itself, as its last usable
// observation says: the load it carries, and for a PDU its outlets and
// branch circuits with the declared PSUs on each. The model only carries
// the readings; what they mean (measured load wins, unaccounted load,
// an outlet that draws nothing under a PSU that draws) is decided by the
// audit.
type Meter struct {
	// Reporter is the managed id the readings come from; At when they were read.
	Reporter string
	At       time.Time
	// LoadW is the node's own measured load (a PDU's total power, a UPS's
	// output; else the sum of its inputs' power when each reports one),
	// nil when it reports none.
	LoadW    *float64
	Outlets  []MeteredOutlet
	Branches []MeteredBranch
}

// MeteredOutlet is one outlet as the PDU reports it.
type MeteredOutlet struct {
	ID     string
	On     *bool
	Watts  *float64
	Volts  *float64
	Branch string
	// PSUs are the declared PSUs on this outlet.
	PSUs []PluggedPSU
}

// PluggedPSU is a declared PSU on an outlet, with what its own device
// reports of it.
type PluggedPSU struct {
	ID string // device/psu
	// Declared is the outlet as the inventory writes it.
	Declared inventory.Outlet
	// InputW is the input power the PSU reports drawing (nil: not reported).
	InputW *float64
}

// MeteredBranch is a branch circuit as the PDU reports it.
type MeteredBranch struct {
	ID                     string
	Breaker                string // observation.Breaker*, or ""
	Amps, RatedAmps, Volts *float64
	Watts                  *float64
	Outlets                []string
}

// psuSeen records what a device reports of one of its declared PSUs, for
// the meters of the PDUs they are plugged into.
func (o *observer) psuSeen(id string, q observation.PSU) {
	if q.InputWatts == nil {
		return
	}
	if o.psuInput == nil {
		o.psuInput = map[string]*float64{}
	}
	o.psuInput[id] = q.InputWatts
}

// meter reads a power node's own measurements into the overlay, and marks
// what a tripped breaker or a lost supply leaves without power.
func (o *observer) meter(p *inventory.PowerNode, d *observation.Device) {
	m := &Meter{Reporter: o.reporter, At: o.at, LoadW: d.PowerWatts}
	if m.LoadW == nil {
		// Without a total (most SNMP PDUs), the load is what comes in
		// through its inputs, where every input reports its power.
		sum, all := 0.0, len(d.Inputs) > 0
		for _, in := range d.Inputs {
			if in.Watts == nil {
				all = false
				break
			}
			sum += *in.Watts
		}
		if all {
			m.LoadW = &sum
		}
	}
	for _, out := range d.Outlets {
		m.Outlets = append(m.Outlets, MeteredOutlet{ID: out.ID, On: out.On, Watts: out.Watts, Volts: out.Volts, Branch: out.Branch})
	}
	tripped := map[string]string{}
	for _, b := range d.Branches {
		m.Branches = append(m.Branches, MeteredBranch{ID: b.ID, Breaker: b.Breaker, Amps: b.Amps, RatedAmps: b.RatedAmps, Volts: b.Volts, Watts: b.Watts, Outlets: b.Outlets})
		if b.Breaker == observation.BreakerTripped || b.Breaker == observation.BreakerOff {
			tripped[b.ID] = b.Breaker
			o.fact(Fact{Kind: FactFailed, Device: p.ID, Part: p.ID + "/branch/" + b.ID, Detail: "branch circuit " + b.ID + "'s breaker is " + b.Breaker})
		}
	}
	// Every input reading no voltage: the node itself has no power,
	// whatever feeds it. (A failed condition alone is not enough: SNMP
	// PDUs report an overloaded phase as failed, and it still carries.)
	if len(d.Inputs) > 0 {
		dead := 0
		for _, in := range d.Inputs {
			if in.Voltage != nil && *in.Voltage < 10 {
				dead++
			}
		}
		if dead == len(d.Inputs) {
			o.fail(p.ID, "no voltage on any input")
			o.fact(Fact{Kind: FactFailed, Device: p.ID, Part: p.ID, Detail: "has no power: no voltage on any input"})
		} else if dead > 0 && len(p.Inputs) >= 2 {
			o.inletsLost(p, d.Inputs)
		}
	}
	for _, pl := range o.plugs(p.ID) {
		dev, ps := pl.dev, pl.psu
		id := dev.ID + "/" + ps.ID
		i := outletIndex(d.Outlets, ps.Outlet)
		if i < 0 {
			continue // a PDU may list only some outlets; nothing is known of the rest
		}
		m.Outlets[i].PSUs = append(m.Outlets[i].PSUs, PluggedPSU{ID: id, Declared: ps.Outlet})
		if why, ok := tripped[d.Outlets[i].Branch]; ok {
			reason := fmt.Sprintf("%s outlet %s is on branch %s, whose breaker is %s", p.ID, ps.Outlet, d.Outlets[i].Branch, why)
			o.fail(id, reason)
			o.fact(Fact{Kind: FactFailed, Device: dev.ID, Part: id, Detail: "has no power: " + reason})
		}
	}
	if o.out.Overlay.Meters == nil {
		o.out.Overlay.Meters = map[string]*Meter{}
	}
	if old := o.out.Overlay.Meters[p.ID]; old == nil || !m.At.Before(old.At) {
		o.out.Overlay.Meters[p.ID] = m
	}
}

// plug is a declared PSU with an outlet.
type plug struct {
	dev *inventory.Device
	psu *inventory.PSU
}

// plugs lists the declared PSUs with an outlet on PDU pdu, in file order
// (indexed once per Observe: a PDU's outlets are matched in time
// proportional to its own PSUs, not to the inventory).
func (o *observer) plugs(pdu string) []plug {
	if o.plugged == nil {
		o.plugged = map[string][]plug{}
		for di := range o.inv.Devices {
			d := &o.inv.Devices[di]
			for pi := range d.PSUs {
				if ps := &d.PSUs[pi]; ps.Outlet != "" {
					o.plugged[ps.PDU] = append(o.plugged[ps.PDU], plug{dev: d, psu: ps})
				}
			}
		}
	}
	return o.plugged[pdu]
}

// finishMeters joins each metered outlet's PSUs with what their devices
// report drawing (devices are read in any order relative to their PDUs).
func (o *observer) finishMeters() {
	for _, m := range o.out.Overlay.Meters {
		for i := range m.Outlets {
			for j := range m.Outlets[i].PSUs {
				m.Outlets[i].PSUs[j].InputW = o.psuInput[m.Outlets[i].PSUs[j].ID]
			}
		}
	}
}

func outletIndex(outs []observation.Outlet, decl inventory.Outlet) int {
	o, ok := findOutlet(outs, decl)
	if !ok {
		return -1
	}
	for i := range outs {
		if outs[i].ID == o.ID && outs[i].Index == o.Index {
			return i
		}
	}
	return -1
}

// inletsLost marks the inlets of a node with several declared inputs that
// read no voltage while another still has power: that input no longer
// feeds the node. An observed input is the declared input it names (its
// name is the input's id), else, when the node reports exactly one input
// per declared input, the declared input at its position. Inputs that
// match neither (phases of one inlet) mark nothing.
func (o *observer) inletsLost(p *inventory.PowerNode, ins []observation.PowerInput) {
	byPos := len(ins) == len(p.Inputs)
	for i, in := range ins {
		if in.Voltage == nil || *in.Voltage >= 10 {
			continue
		}
		decl := ""
		for _, id := range p.Inputs {
			if strings.EqualFold(strings.TrimSpace(in.Name), id) {
				decl = id
			}
		}
		if decl == "" && byPos {
			decl = p.Inputs[i]
		}
		if decl == "" {
			continue
		}
		id := InletID(p.ID, decl)
		reason := fmt.Sprintf("input %s reads %s V: no power from %s", in.Name, strconv.FormatFloat(*in.Voltage, 'f', -1, 64), decl)
		o.fail(id, reason) // the input's component-failed is its own fact (powerNode)
	}
}
