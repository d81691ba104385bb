package audit

import (
	"fmt"
	"slices"
	"time"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// Redundancy spent by observed failures: which observed failures made a
// component a new single point of failure, and the device-level
// redundancy-lost rule (a device whose own redundancy is spent).

// spentBy names the observed failures that made the causes single points
// of failure of a gate (a service, one side of a device): each failure
// that makes one of them a cut on its own (checked by failing it alone on
// the design), or, when it takes several together, all of them.
func (a *Analysis) spentBy(causes, failed []int32, gate func(e *fault.Evaluator) fault.Val) []int32 {
	if len(failed) <= 1 {
		return failed
	}
	if a.attrib == nil {
		a.attribFailed = make([]bool, len(a.G.Comps))
		a.attrib = fault.New(a.G, a.net, a.attribFailed)
	}
	var out []int32
	explained := make([]bool, len(causes))
	for _, f := range failed {
		a.attribFailed[f] = true
		a.attrib.Next()
		v := gate(a.attrib)
		a.attribFailed[f] = false
		if !v.Up {
			continue
		}
		cut := a.attrib.Cut(v)
		hit := false
		for i, c := range causes {
			if _, ok := slices.BinarySearch(cut, c); ok {
				explained[i], hit = true, true
			}
		}
		if hit {
			out = append(out, f)
		}
	}
	if len(out) == 0 || slices.Contains(explained, false) {
		return failed // some cause needs several failures together
	}
	return out
}

// observedEvidence adds, for each observed failure, why it is failed, and
// dates the finding (observedAt).
func (a *Analysis) observedEvidence(f *Finding, failed []int32) {
	for _, c := range failed {
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s failed: %s", a.G.ID(c), a.G.Failures[c].Why))
	}
	a.observedAt(f, failed)
}

// observedAt sets a finding's observed_at to the oldest read of the
// observed failures it rests on and, for each that no answer since has
// confirmed (last known state), says how old that knowledge is.
func (a *Analysis) observedAt(f *Finding, failed []int32) {
	g := a.G
	var oldest time.Time
	said := map[string]bool{}
	for _, c := range failed {
		fl := g.Failures[c]
		at := fl.At
		if at.IsZero() {
			continue
		}
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
		if line, ok := lastKnown(fl.Reporter, at, fl.LastAttempt, a.now); ok && !said[line] {
			said[line] = true
			f.Evidence = append(f.Evidence, line)
		}
	}
	if !oldest.IsZero() {
		t := oldest.UTC()
		f.ObservedAt = &t
	}
}

// ownTo says which components are part of device d for its own
// redundancy: its parts, its rack and its site; and power sources
// (utility, generator), site-wide risks the services' findings report.
func (a *Analysis) ownTo(d int32) func(c int32) bool {
	g := a.G
	D := &g.Devices[d]
	rack, site := g.Racks[D.Rack].Comp, g.Sites[g.Racks[D.Rack].Site].Comp
	return func(c int32) bool {
		if g.Kinds[c] == model.KindPower {
			if k := g.Power[g.Entities[c]].Kind; k == inventory.Utility || k == inventory.Generator {
				return true
			}
		}
		return g.DeviceOf(c) == d || c == rack || c == site
	}
}

// devicesLost finds, for every device with redundant PSUs or links that
// is up now, the components outside it that now cut its power or its
// network while by design they do not.
func (a *Analysis) devicesLost() {
	g := a.G
	for d := range g.Devices {
		di := int32(d)
		D := &g.Devices[d]
		if !D.PSUsRedundant && !D.LinksRedundant {
			continue
		}
		if !a.Current.Device(di).Up {
			continue
		}
		own := a.ownTo(di)
		fresh := func(design, now fault.Val) []int32 {
			if !design.Up || !now.Up {
				return nil
			}
			old := a.Design.Cut(design)
			var out []int32
			for _, c := range filter(a.Current.Cut(now), own) {
				if _, ok := slices.BinarySearch(old, c); !ok {
					out = append(out, c)
				}
			}
			return a.sortedCurrent(out)
		}
		if D.PSUsRedundant {
			a.Devices[d].LostPower = fresh(a.Design.Powered(di), a.Current.Powered(di))
		}
		if D.LinksRedundant {
			a.Devices[d].LostNet = fresh(a.Design.Net(di), a.Current.Net(di))
		}
	}
}

// lostFindings are a device's redundancy-lost findings, one per side.
func (a *Analysis) lostFindings(d int32) []Finding {
	g := a.G
	D := &g.Devices[d]
	var out []Finding
	if cuts := a.Devices[d].LostPower; len(cuts) > 0 {
		c := fault.NewCone(g, a.net)
		c.Powered(d)
		failed := a.failedAmong(c.Sorted())
		spent := a.spentBy(cuts, failed, func(e *fault.Evaluator) fault.Val { return e.Powered(d) })
		names := a.names(cuts)
		f := newFinding(RedundancyLost, D.ID, names)
		f.ID = deviceID(RedundancyLost, D.ID, sidePower, names[0])
		anchors := a.nearestPower(cuts)
		on := g.ID(anchors[0])
		if len(anchors) > 1 {
			on = "each of " + few(a.names(anchors), "and")
		}
		f.Message = fmt.Sprintf("%s now hangs on %s: %s; losing %s alone now cuts its power (%d of its %d PSUs are needed)",
			D.ID, on, a.spentPhrase(d, spent), few(names, "or"), D.MinPSUs, len(D.PSUs))
		a.observedEvidence(&f, spent)
		for _, an := range anchors {
			f.Evidence = append(f.Evidence, a.psuPaths(d, an)...)
		}
		f.Remediation = fmt.Sprintf("replace or repair %s; until then do no maintenance on %s", few(a.names(spent), "and"), few(a.names(anchors), "or"))
		out = append(out, f)
	}
	if cuts := a.Devices[d].LostNet; len(cuts) > 0 {
		c := fault.NewCone(g, a.net)
		c.Network(d)
		failed := a.failedAmong(c.Sorted())
		spent := a.spentBy(cuts, failed, func(e *fault.Evaluator) fault.Val { return e.Net(d) })
		names := a.names(cuts)
		f := newFinding(RedundancyLost, D.ID, names)
		f.ID = deviceID(RedundancyLost, D.ID, sideNetwork, names[0])
		anchor := a.firstOfKind(cuts, model.KindDevice)
		f.Message = fmt.Sprintf("%s now reaches the network only through %s: %s; losing %s alone now cuts it off from the network roots",
			D.ID, g.ID(anchor), a.spentPhrase(d, spent), few(names, "or"))
		a.observedEvidence(&f, spent)
		f.Remediation = fmt.Sprintf("replace or repair %s; until then do no maintenance on %s", few(a.names(spent), "and"), g.ID(anchor))
		out = append(out, f)
	}
	return out
}

// failedAmong keeps the observed failures among cs, nearest first.
func (a *Analysis) failedAmong(cs []int32) []int32 {
	var out []int32
	for _, c := range cs {
		if a.G.Failed[c] {
			out = append(out, c)
		}
	}
	return a.sortedCurrent(out)
}

// nearestPower are the power nodes among cs nearest the load (the PDUs a
// device now hangs on), in cs' order; cs itself when none is a power node.
func (a *Analysis) nearestPower(cs []int32) []int32 {
	g := a.G
	var out []int32
	best := int32(-1)
	for _, c := range cs {
		if g.Kinds[c] != model.KindPower {
			continue
		}
		switch d := g.Power[g.Entities[c]].Depth; {
		case best < 0 || d < best:
			best, out = d, []int32{c}
		case d == best:
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return cs[:1]
	}
	return out
}

// firstOfKind is the first of cs of a kind (the PDU a device hangs on,
// the switch it reaches the network through), else the first.
func (a *Analysis) firstOfKind(cs []int32, k model.Kind) int32 {
	for _, c := range cs {
		if a.G.Kinds[c] == k {
			return c
		}
	}
	return cs[0]
}

// spentPhrase says what spent device d's redundancy: "its PSU2 on pdu-b
// failed", "link a:1~b:1 is down", "pdu-b failed".
func (a *Analysis) spentPhrase(d int32, spent []int32) string {
	g := a.G
	var parts []string
	for _, c := range spent {
		switch g.Kinds[c] {
		case model.KindPSU:
			P := &g.PSUs[g.Entities[c]]
			name := P.ID
			if P.Device == d {
				name = "its " + P.ID[len(g.Devices[d].ID)+1:]
			}
			parts = append(parts, fmt.Sprintf("%s on %s failed", name, g.Power[P.PDU].ID))
		case model.KindLink:
			parts = append(parts, fmt.Sprintf("link %s is down", g.ID(c)))
		case model.KindCable:
			parts = append(parts, fmt.Sprintf("cable %s is down", g.ID(c)))
		default:
			parts = append(parts, g.ID(c)+" failed")
		}
	}
	if len(parts) > 4 {
		parts = append(parts[:3], plural(len(parts)-3, "other failure"))
	}
	return words(parts, "and")
}
