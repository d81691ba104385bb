package audit

// Measured power wins: a power node that reports its
// own load carries that load for overload, and it is the base that
// failover-overload adds the moving load to (the load that moves on a
// failure is still the devices' draws, observed or declared). A node
// without a meter carries what it feeds: measured where the nodes below it
// measure, declared elsewhere.
//
// What the meters say beyond that is judged here, with these tolerances:
//   - unaccounted load: a node measuring more than the inventory accounts
//     for (declared draws, or what devices report) by more than
//     unaccountedPct and unaccountedW at once is drift — undeclared
//     devices, or draw_w figures that are too low;
//   - an outlet drawing at most idleOutletW while a declared PSU on it
//     reports drawing at least activePSUW is drift: the cable is elsewhere;
//   - a metered outlet drawing at least undeclaredW with no declared PSU
//     on it is drift: an undeclared device (or a cable declared elsewhere).
// The first is inferred from the inventory; the other two are observed
// (outlet metering and the PSU's own input reading), and the cable's real
// place is inferred when one undeclared outlet on the same PDU draws what
// the PSU reports (within matchPct).

import (
	"fmt"
	"math"
	"strconv"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// The tolerances of the measured-power rules.
const (
	unaccountedPct = 0.25  // measured above accounted by more than 25% …
	unaccountedW   = 200.0 // … and by more than 200 W
	idleOutletW    = 5.0   // an outlet at or below 5 W draws nothing
	activePSUW     = 20.0  // a PSU reporting 20 W or more is drawing
	undeclaredW    = 20.0  // an outlet at 20 W or more with no declared PSU feeds something
	matchPct       = 0.25  // an outlet drawing within 25% of a PSU's input is a candidate for its cable
)

// loadWord says where a node's load comes from, for messages.
func (pr *PowerResult) loadWord(p int32) string {
	if pr.Measured != nil && pr.Measured[p] {
		return "measured"
	}
	return "declared"
}

func kW(w float64) string { return strconv.FormatFloat(w/1000, 'f', 1, 64) + " kW" }

// measuredFindings are the drift findings of the meters.
func (a *Analysis) measuredFindings() []Finding {
	g := a.G
	if g.Meters == nil {
		return nil
	}
	var out []Finding
	pr := a.Power
	for p := range g.Power {
		m := g.Meters[int32(p)]
		if m == nil {
			continue
		}
		P := &g.Power[p]
		if w, ok := fault.MeasuredLoad(g, int32(p)); ok && pr.Measured[p] {
			acc := pr.Declared[p]
			if w > acc*(1+unaccountedPct) && w-acc > unaccountedW {
				f := newFinding(Drift, P.ID, []string{P.ID})
				f.ID = findingID(Drift, P.ID, "load")
				f.Message = fmt.Sprintf("%s measures %s; the inventory accounts for %s", P.ID, kW(w), kW(acc))
				f.Evidence = []string{fmt.Sprintf("%s reports %s W; the devices plugged into it draw %s W by the inventory (draw_w, or what they report)", P.ID, watts(w), watts(acc))}
				f.Remediation = fmt.Sprintf("find the load on %s the inventory does not know: undeclared devices (see its outlets), or draw_w figures that are too low", P.ID)
				meterAt(&f, m)
				out = append(out, f)
			}
		}
		if a.Current.Power(int32(p)).Up {
			for _, f := range outletFindings(P.ID, m) {
				meterAt(&f, m)
				out = append(out, f)
			}
		}
	}
	return out
}

// meterAt dates a finding resting on a power node's meter by when it was read.
func meterAt(f *Finding, m *model.Meter) {
	if m != nil && !m.At.IsZero() {
		at := m.At.UTC()
		f.ObservedAt = &at
	}
}

// outletFindings checks a PDU's metered outlets against the declared PSUs
// on them.
func outletFindings(pdu string, m *model.Meter) []Finding {
	var out []Finding
	// Only a live outlet's reading says where a cable is: switched on,
	// with voltage where the PDU reports it (a tripped branch or a lost
	// inlet leaves outlets on but dead).
	drawing := func(o model.MeteredOutlet) bool {
		return o.Watts != nil && (o.On == nil || *o.On) && (o.Volts == nil || *o.Volts > 0)
	}
	// Outlets that draw with nothing declared on them.
	var spare []model.MeteredOutlet
	for _, o := range m.Outlets {
		if drawing(o) && len(o.PSUs) == 0 && *o.Watts >= undeclaredW {
			spare = append(spare, o)
		}
	}
	claimed := map[string]bool{}
	for _, o := range m.Outlets {
		if !drawing(o) || *o.Watts > idleOutletW {
			continue
		}
		for _, ps := range o.PSUs {
			if ps.InputW == nil || *ps.InputW < activePSUW {
				continue
			}
			f := newFinding(Drift, ps.ID, []string{ps.ID, pdu})
			f.ID = findingID(Drift, ps.ID, "outlet-draw")
			f.Message = fmt.Sprintf("%s reports drawing %s W, but %s outlet %s, where the inventory plugs it, draws %s W: the cable is elsewhere", ps.ID, watts(*ps.InputW), pdu, o.ID, watts(*o.Watts))
			f.Evidence = []string{
				fmt.Sprintf("%s input power: %s W (reported by its device)", ps.ID, watts(*ps.InputW)),
				fmt.Sprintf("%s outlet %s: on, %s W (metered)", pdu, o.ID, watts(*o.Watts)),
			}
			if c, ok := candidate(spare, *ps.InputW); ok {
				claimed[c.ID] = true
				f.Message += fmt.Sprintf("; outlet %s, which no declared PSU uses, draws %s W: probably there", c.ID, watts(*c.Watts))
				f.Evidence = append(f.Evidence, fmt.Sprintf("%s outlet %s: %s W, no declared PSU (metered)", pdu, c.ID, watts(*c.Watts)))
			}
			f.Remediation = fmt.Sprintf("trace the cable of %s and fix the inventory's outlet, or plug it back into %s outlet %s", ps.ID, pdu, o.ID)
			out = append(out, f)
		}
	}
	for _, o := range spare {
		f := newFinding(Drift, pdu, []string{pdu})
		f.ID = findingID(Drift, pdu, "outlet", o.ID)
		f.Message = fmt.Sprintf("%s outlet %s draws %s W, but the inventory plugs nothing into it: an undeclared device", pdu, o.ID, watts(*o.Watts))
		if claimed[o.ID] {
			f.Message = fmt.Sprintf("%s outlet %s draws %s W, but the inventory plugs nothing into it: probably a PSU declared on another outlet (see its drift)", pdu, o.ID, watts(*o.Watts))
		}
		f.Remediation = fmt.Sprintf("declare what is plugged into %s outlet %s (its PSU's outlet), or unplug it", pdu, o.ID)
		out = append(out, f)
	}
	return out
}

// candidate is the one spare outlet drawing what a PSU reports (within
// matchPct); none when zero or several do.
func candidate(spare []model.MeteredOutlet, w float64) (model.MeteredOutlet, bool) {
	var found []model.MeteredOutlet
	for _, o := range spare {
		if math.Abs(*o.Watts-w) <= matchPct*w {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		return model.MeteredOutlet{}, false
	}
	return found[0], true
}
