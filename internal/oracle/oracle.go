package oracle

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/inventory"
)

// Oracle is the naive evaluation of the fault model, written straight
// from the documented semantics (docs/rules.md, docs/architecture.md) over the inventory itself (no code
// shared with package fault): fail some components, recompute everything. Entities
// are addressed by their position in the inventory's lists for speed; the
// algorithm stays the naive one.
type Oracle struct {
	Inv   *inventory.Inventory
	Comps []string // every component id
	Kind  []string // "site", "rack", "power", "device", "psu", "drive", "link", "cable", "inlet"
	Index map[string]int

	site, rack, power, device, service map[string]int // id -> position
	rackSite                           []int          // rack -> site position
	powerRack, powerSite               []int          // -1 when none
	PowerInputs                        [][]int        // power position -> input positions
	powerInlets                        [][]int        // component numbers parallel to powerInputs, nil under two inputs
	nCause                             int            // o.Comps[:nCause] can fail by design; the rest are inlets
	devRack                            []int
	psuComp                            [][]int // device -> component numbers of its PSUs
	psuNeed                            []int   // device -> PSUs it needs of those
	psuPDU                             [][]int // device -> power positions
	psuIn                              [][]int // device -> position in its PDU's inputs of the input its outlet is bound to, or -1
	drives                             [][][]int
	isRoot, forwards                   []bool
	adj                                [][]struct{ link, cable, peer int } // link, cable = component numbers (cable -1: none)
	members                            [][]struct{ dev, svc int }
	requires                           [][]int
}

// New numbers the inventory's components for the naive evaluation.
func New(inv *inventory.Inventory) *Oracle {
	o := &Oracle{Inv: inv, Index: map[string]int{}, site: map[string]int{}, rack: map[string]int{}, power: map[string]int{}, device: map[string]int{}, service: map[string]int{}}
	for i, s := range inv.Sites {
		o.add(s.ID, "site")
		o.site[s.ID] = i
	}
	for i, r := range inv.Racks {
		o.add(r.ID, "rack")
		o.rack[r.ID] = i
		o.rackSite = append(o.rackSite, o.site[r.Site])
	}
	o.addPower()
	o.addDevices()
	o.addLinks()
	// A node with several inputs has an inlet per input, failed only as
	// observed (its input reads no voltage): then that input does not feed it.
	o.nCause = len(o.Comps)
	for _, p := range inv.Power {
		var inl []int
		if len(p.Inputs) >= 2 {
			for _, in := range p.Inputs {
				inl = append(inl, o.add(p.ID+"/inlet/"+in, "inlet"))
			}
		}
		o.powerInlets = append(o.powerInlets, inl)
	}
	o.addServices()
	return o
}

// add numbers one component.
func (o *Oracle) add(id, k string) int {
	o.Index[id] = len(o.Comps)
	o.Comps = append(o.Comps, id)
	o.Kind = append(o.Kind, k)
	return len(o.Comps) - 1
}

// addPower numbers the power nodes and records where each sits and what
// feeds it.
func (o *Oracle) addPower() {
	inv := o.Inv
	for i, p := range inv.Power {
		o.add(p.ID, "power")
		o.power[p.ID] = i
	}
	for _, p := range inv.Power {
		r, s := -1, -1
		if p.Rack != "" {
			r = o.rack[p.Rack]
		}
		if p.Site != "" {
			s = o.site[p.Site]
		}
		o.powerRack, o.powerSite = append(o.powerRack, r), append(o.powerSite, s)
		var ins []int
		for _, in := range p.Inputs {
			ins = append(ins, o.power[in])
		}
		o.PowerInputs = append(o.PowerInputs, ins)
	}
}

// addDevices numbers the devices and their PSUs and drives.
func (o *Oracle) addDevices() {
	inv := o.Inv
	roots := map[string]bool{}
	for _, r := range inv.Network.Roots {
		roots[r] = true
	}
	// A PSU with no source, or on a node that supplies nothing known, is
	// unknown: no component, never up; the device needs what it needs of
	// its known PSUs, and with none known its power is not modelled.
	unknownPower := inv.UnknownPower()
	for i, d := range inv.Devices {
		o.add(d.ID, "device")
		o.device[d.ID] = i
		o.devRack = append(o.devRack, o.rack[d.Rack])
		var pc, pp, pin []int
		for _, p := range d.PSUs {
			// An outlet bound to an input of its PDU that supplies
			// nothing known has no known source either.
			if p.PDU == "" || unknownPower[p.PDU] || (p.Input != "" && unknownPower[p.Input]) {
				continue
			}
			pc = append(pc, o.add(d.ID+"/"+p.ID, "psu"))
			pp = append(pp, o.power[p.PDU])
			pin = append(pin, slices.Index(inv.Power[o.power[p.PDU]].Inputs, p.Input)) // -1 when not bound
		}
		o.psuComp, o.psuPDU, o.psuIn = append(o.psuComp, pc), append(o.psuPDU, pp), append(o.psuIn, pin)
		o.psuNeed = append(o.psuNeed, min(d.NeededPSUs(), len(pc)))
		var vols [][]int
		for _, v := range d.Storage {
			var ds []int
			for n := 0; n < v.Drives; n++ {
				ds = append(ds, o.add(fmt.Sprintf("%s/%s/%d", d.ID, v.ID, n), "drive"))
			}
			vols = append(vols, ds)
		}
		o.drives = append(o.drives, vols)
		o.isRoot = append(o.isRoot, roots[d.ID])
		o.forwards = append(o.forwards, d.Kind.Forwards())
	}
}

// addLinks numbers the links, and each cable carrying several links as
// one more component whose failure cuts them all.
func (o *Oracle) addLinks() {
	inv := o.Inv
	o.adj = make([][]struct{ link, cable, peer int }, len(inv.Devices))
	linkComp := make([]int, len(inv.Links))
	carried := map[string]int{} // cable -> links naming it
	for i := range inv.Links {
		linkComp[i] = o.add(inv.Links[i].ID(), "link")
		if c := inv.Links[i].Cable; c != "" {
			carried[c]++
		}
	}
	cableComp := map[string]int{}
	for i := range inv.Links {
		if c := inv.Links[i].Cable; carried[c] > 1 {
			if _, ok := cableComp[c]; !ok {
				cableComp[c] = o.add(c, "cable")
			}
		}
	}
	for i := range inv.Links {
		l := &inv.Links[i]
		c, cb := linkComp[i], -1
		if x, ok := cableComp[l.Cable]; ok {
			cb = x
		}
		a, _, _ := inventory.SplitEnd(l.A)
		b, _, _ := inventory.SplitEnd(l.B)
		ai, bi := o.device[a], o.device[b]
		o.adj[ai] = append(o.adj[ai], struct{ link, cable, peer int }{c, cb, bi})
		o.adj[bi] = append(o.adj[bi], struct{ link, cable, peer int }{c, cb, ai})
	}
}

// addServices records each service's members and requirements.
func (o *Oracle) addServices() {
	inv := o.Inv
	for i, s := range inv.Services {
		o.service[s.ID] = i
	}
	for _, s := range inv.Services {
		var ms []struct{ dev, svc int }
		for _, m := range s.Members {
			if d, ok := o.device[m]; ok {
				ms = append(ms, struct{ dev, svc int }{d, -1})
			} else {
				ms = append(ms, struct{ dev, svc int }{-1, o.service[m]})
			}
		}
		o.members = append(o.members, ms)
		var rs []int
		for _, r := range s.Requires {
			rs = append(rs, o.service[r])
		}
		o.requires = append(o.requires, rs)
	}
}

// State is one naive evaluation; slices are by entity position.
type State struct {
	o       *Oracle
	Failed  []bool // by component
	Power   []bool // by power node: up
	Up      []bool // by device: up (power, rack, site, own state)
	Powered []bool // by device: enough live PSUs
	Net     []bool // by device: reaches a root
	Svc     []bool // by service: up
}

// Causes are the components that can fail by design (every one but the inlets).
func (o *Oracle) Causes() []string { return o.Comps[:o.nCause] }

// InletUp reports whether power node i's j-th input reaches it: its inlet
// (when it has one) is not failed.
func (o *Oracle) InletUp(failed []bool, i, j int) bool {
	return o.powerInlets[i] == nil || !failed[o.powerInlets[i][j]]
}

// Inlets are the inlet components' ids.
func (o *Oracle) Inlets() []string { return o.Comps[o.nCause:] }

// FailedSet builds a failure vector from component ids.
func (o *Oracle) FailedSet(ids ...string) []bool {
	f := make([]bool, len(o.Comps))
	for _, id := range ids {
		f[o.Index[id]] = true
	}
	return f
}

// Eval recomputes everything with the components failed set down.
func (o *Oracle) Eval(failed []bool) *State {
	inv := o.Inv
	nd := len(inv.Devices)
	st := &State{o: o, Failed: failed, Power: make([]bool, len(inv.Power)), Up: make([]bool, nd), Powered: make([]bool, nd), Net: make([]bool, nd), Svc: make([]bool, len(inv.Services))}
	st.evalPower()
	for i := range inv.Devices {
		st.evalDevice(i)
	}
	st.evalNet()
	st.evalServices()
	return st
}

// rackUp: rack r and its site are not failed (sites are numbered first).
func (st *State) rackUp(r int) bool {
	return !st.Failed[len(st.o.Inv.Sites)+r] && !st.Failed[st.o.rackSite[r]]
}

// selfUp: power node i itself and its place (rack, site) are not failed,
// whatever its inputs do.
func (st *State) selfUp(i int) bool {
	o, failed := st.o, st.Failed
	ok := !failed[len(o.Inv.Sites)+len(o.Inv.Racks)+i]
	if r := o.powerRack[i]; r >= 0 && !st.rackUp(r) {
		ok = false
	}
	if s := o.powerSite[i]; s >= 0 && failed[s] {
		ok = false
	}
	return ok
}

// evalPower: a node is up when it, its rack and its site are not failed
// and (with inputs) one live input reaches it through its inlet.
func (st *State) evalPower() {
	o, inv, failed := st.o, st.o.Inv, st.Failed
	done := make([]bool, len(inv.Power))
	var powerUp func(i int) bool
	powerUp = func(i int) bool {
		if done[i] {
			return st.Power[i]
		}
		ok := st.selfUp(i)
		if ins := o.PowerInputs[i]; len(ins) > 0 {
			any := false
			for j, in := range ins {
				if powerUp(in) && o.InletUp(failed, i, j) {
					any = true
				}
			}
			ok = ok && any
		}
		done[i], st.Power[i] = true, ok
		return ok
	}
	for i := range inv.Power {
		powerUp(i)
	}
}

// evalDevice: device i is up when it and its rack are not failed, enough
// of its PSUs are live, and every volume survives its failed drives.
func (st *State) evalDevice(i int) {
	o, failed := st.o, st.Failed
	d := &o.Inv.Devices[i]
	n := 0
	for j := range o.psuComp[i] {
		if st.psuUp(i, j) {
			n++
		}
	}
	pw := len(o.psuComp[i]) == 0 || n >= o.psuNeed[i]
	st.Powered[i] = pw
	ok := !failed[o.Index[d.ID]] && st.rackUp(o.devRack[i]) && pw
	for vi, v := range d.Storage {
		ok = ok && volumeUp(v, o.drives[i][vi], failed)
	}
	st.Up[i] = ok
}

// volumeUp: a volume of RAID level v.RAID survives its failed drives.
func volumeUp(v inventory.Volume, drives []int, failed []bool) bool {
	upN := 0
	for _, c := range drives {
		if !failed[c] {
			upN++
		}
	}
	switch v.RAID {
	case inventory.RAID0, inventory.Single:
		return upN == v.Drives
	case inventory.RAID1:
		return upN >= 1
	case inventory.RAID5:
		return upN >= v.Drives-1
	case inventory.RAID6:
		return upN >= v.Drives-2
	case inventory.RAID10:
		for k := 0; k+1 < len(drives); k += 2 {
			if failed[drives[k]] && failed[drives[k+1]] {
				return false
			}
		}
		return true
	}
	return false
}

// evalNet: breadth first from live roots through live links and live
// forwarding devices (everything is on the network without roots).
func (st *State) evalNet() {
	o, failed := st.o, st.Failed
	if len(o.Inv.Network.Roots) == 0 {
		for i := range st.Net {
			st.Net[i] = true
		}
		return
	}
	var queue []int
	for i := range o.Inv.Devices {
		if o.isRoot[i] {
			st.Net[i] = true
			if st.Up[i] {
				queue = append(queue, i)
			}
		}
	}
	visited := make([]bool, len(o.Inv.Devices))
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if visited[x] {
			continue
		}
		visited[x] = true
		for _, a := range o.adj[x] {
			if failed[a.link] || (a.cable >= 0 && failed[a.cable]) {
				continue
			}
			st.Net[a.peer] = true
			if st.Up[a.peer] && o.forwards[a.peer] && !visited[a.peer] {
				queue = append(queue, a.peer)
			}
		}
	}
}

// evalServices: a service is up when enough members are available (a
// member service up) and every service it requires is up.
func (st *State) evalServices() {
	o, inv := st.o, st.o.Inv
	sdone := make([]bool, len(inv.Services))
	var svcUp func(i int) bool
	svcUp = func(i int) bool {
		if sdone[i] {
			return st.Svc[i]
		}
		n := 0
		for _, m := range o.members[i] {
			if m.dev >= 0 {
				if st.Up[m.dev] && st.Net[m.dev] {
					n++
				}
			} else if svcUp(m.svc) {
				n++
			}
		}
		ok := n >= inv.Services[i].NeededUp()
		for _, r := range o.requires[i] {
			if !svcUp(r) {
				ok = false
			}
		}
		sdone[i], st.Svc[i] = true, ok
		return ok
	}
	for i := range inv.Services {
		svcUp(i)
	}
}

// psuUp is whether device i's j-th known PSU is up: it and its PDU are;
// on an outlet bound to one input, it, the PDU itself and that input are
// (the PDU's other inputs do not matter).
func (st *State) psuUp(i, j int) bool {
	o := st.o
	if st.Failed[o.psuComp[i][j]] {
		return false
	}
	pdu, in := o.psuPDU[i][j], o.psuIn[i][j]
	if in < 0 {
		return st.Power[pdu]
	}
	return st.selfUp(pdu) && st.Power[o.PowerInputs[pdu][in]] && o.InletUp(st.Failed, pdu, in)
}

// Avail says whether device d is available: up and on the network.
func (st *State) Avail(d int) bool { return st.Up[d] && st.Net[d] }

// With returns base plus extra failures (component numbers).
func With(base []bool, extra ...int) []bool {
	m := append([]bool(nil), base...)
	for _, x := range extra {
		m[x] = true
	}
	return m
}

// Loads computes every power node's load under a failure state.
func (o *Oracle) Loads(st *State) []float64 {
	inv := o.Inv
	load := make([]float64, len(inv.Power))
	bound := make([]float64, len(inv.Power)) // what a node's bound outlets send to their inputs directly
	for i := range inv.Devices {
		d := &inv.Devices[i]
		var live []int
		for j := range o.psuComp[i] {
			if st.psuUp(i, j) {
				live = append(live, j)
			}
		}
		if len(live) == 0 || len(live) < o.psuNeed[i] {
			continue
		}
		share := d.DrawW / float64(len(live))
		for _, j := range live {
			pdu := o.psuPDU[i][j]
			load[pdu] += share
			if in := o.psuIn[i][j]; in >= 0 {
				bound[pdu] += share
				load[o.PowerInputs[pdu][in]] += share
			}
		}
	}
	// Push each live node's load into its first live input once every
	// live consumer has pushed into it.
	route := make([]int, len(inv.Power))
	consumers := make([]int, len(inv.Power))
	for i := range inv.Power {
		route[i] = -1
		if !st.Power[i] {
			continue
		}
		for j, in := range o.PowerInputs[i] {
			if st.Power[in] && o.InletUp(st.Failed, i, j) {
				route[i] = in
				consumers[in]++
				break
			}
		}
	}
	done := make([]bool, len(inv.Power))
	for progress := true; progress; {
		progress = false
		for i := range inv.Power {
			if done[i] || consumers[i] > 0 {
				continue
			}
			done[i], progress = true, true
			if r := route[i]; r >= 0 {
				load[r] += max(load[i]-bound[i], 0)
				consumers[r]--
			}
		}
	}
	return load
}

// IsOwn says whether component c is device d's own (itself, its parts,
// its rack, its site) or a utility or generator: never a device-spof.
func (o *Oracle) IsOwn(d *inventory.Device, c string) bool {
	if p := o.Inv.PowerNode(c); p != nil && (p.Kind == inventory.Utility || p.Kind == inventory.Generator) {
		return true
	}
	return c == d.ID || strings.HasPrefix(c, d.ID+"/") || c == d.Rack || c == o.Inv.Rack(d.Rack).Site
}
