package fault

import (
	"slices"

	"github.com/faultline/faultline/model"
)

// Order-2 minimal cut sets. A pair {a, b} is a minimal cut set of a
// service when neither alone takes it down but both do; equivalently b is
// a single point of failure once a has failed. So for each component a in
// the service's cone that is not itself a cut, Pairs fails it,
// re-evaluates the service, and reads the new single points of failure.
//
// Each re-evaluation derives only what a can change: the service's
// member devices whose cone does not hold a keep their design values
// (CopyAvail), and when a is no part of any fabric component's cone (a
// server's PSU, drive or PDU) the fabric keeps its design values too
// (SeedFabric); a member whose own up state (not its network) does not
// read a keeps that (CopyDevice), and so do the switches and roots of
// its fabric whose own up state does not; and when a is no site, rack or
// power node, every power node keeps its design value (SeedPower). So a component local to one member
// costs that member's re-evaluation, not the whole service's.
//
// What counts follows the fault model: sites only for services with
// dr: true, and never an inlet (it fails only as observed).

// Pairs finds services' order-2 minimal cut sets on the design (nothing
// failed), or given the failures of the evaluator it is made with (the
// cut sets of what is left: a plan's batch taken out). It is not safe for
// concurrent use; it reuses its evaluator from one service to the next.
type Pairs struct {
	g      *model.Graph
	net    *Fabric
	design *Evaluator
	cond   *Evaluator
	failed []bool
	isCut  []bool
	// fabric marks the components some fabric component's value reads:
	// the links between forwarding or root devices (and the cables that
	// carry them), and those devices' own cones.
	fabric []bool
	// coneOf, cone and devs are the last service's cone, its member
	// devices (at any depth) and each one's own cone (see Cone).
	coneOf int32
	cone   []int32
	devs   []int32
	cones  [][]int32
	own    [][]int32 // each device's own cone: what its up state reads
	// fabDevs are the forwarding and root devices in the last service's
	// cone; ownOf caches such devices' own cones across services.
	fabDevs []int32
	ownOf   map[int32][]int32
}

// NewPairs prepares order-2 analysis of g, whose fabric components are
// net. design is an evaluator of g, normally with nothing failed in its
// current evaluation; Pairs reads its values and may add to them
// (memoizing what it had not evaluated yet), never changes them. With
// components failed in design, the cut sets are those given their
// failure, made of components not failed.
func NewPairs(g *model.Graph, net *Fabric, design *Evaluator) *Pairs {
	failed := slices.Clone(design.Failures())
	p := &Pairs{g: g, net: net, design: design, failed: failed,
		cond: New(g, net, failed), isCut: make([]bool, len(g.Comps)), coneOf: -1,
		fabric: make([]bool, len(g.Comps)), ownOf: map[int32][]int32{}}
	c := NewCone(g, net)
	for d := range g.Devices {
		if g.Devices[d].Root || g.Devices[d].Forwards {
			c.device(int32(d))
		}
	}
	for _, x := range c.out {
		p.fabric[x] = true
	}
	for li, l := range g.Links {
		a, b := &g.Devices[l.A], &g.Devices[l.B]
		if (a.Root || a.Forwards) && (b.Root || b.Forwards) {
			for _, c := range g.LinkComps(nil, int32(li)) { // the link and its cable
				p.fabric[c] = true
			}
		}
	}
	return p
}

// Counts reports whether component c counts as a cause for service s:
// a site only when s has dr: true, an inlet never.
func Counts(g *model.Graph, s int32, c int32) bool {
	switch g.Kinds[c] {
	case model.KindSite:
		return g.Services[s].DR
	case model.KindInlet:
		return false
	}
	return true
}

// Up reports whether service s is up with nothing failed.
func (p *Pairs) Up(s int32) bool { return p.design.Service(s).Up }

// Cuts returns service s's order-1 minimal cut sets on the design: the
// components that alone take it down and count for it (see Counts),
// ascending. It is nil when s is down with nothing failed. The slice is
// new; the caller owns it.
func (p *Pairs) Cuts(s int32) []int32 {
	v := p.design.Service(s)
	if !v.Up {
		return nil
	}
	var out []int32
	for _, c := range p.design.Cut(v) {
		if Counts(p.g, s, c) {
			out = append(out, c)
		}
	}
	return out
}

// Cone returns service s's cone: every component whose state its
// evaluation reads, ascending. The slice is Pairs' own, valid until the
// next call of Cone or Service for another service.
func (p *Pairs) Cone(s int32) []int32 {
	if p.coneOf == s {
		return p.cone
	}
	p.coneOf, p.devs, p.cones, p.own = s, p.devs[:0], p.cones[:0], p.own[:0]
	p.memberDevices(s, map[int32]bool{}, map[int32]bool{})
	var all []int32
	for _, d := range p.devs {
		c := NewCone(p.g, p.net)
		c.device(d)
		p.own = append(p.own, slices.Clone(c.Sorted()))
		c.Network(d)
		cone := c.Sorted()
		p.cones = append(p.cones, cone)
		all = append(all, cone...)
	}
	slices.Sort(all)
	p.cone = slices.Compact(all)
	p.fabDevs = p.fabDevs[:0]
	for _, c := range p.cone {
		if p.g.Kinds[c] != model.KindDevice {
			continue
		}
		d := p.g.Entities[c]
		if D := &p.g.Devices[d]; D.Root || D.Forwards {
			p.fabDevs = append(p.fabDevs, d)
		}
	}
	return p.cone
}

// ownCone is a device's own cone (what its up state reads), cached.
func (p *Pairs) ownCone(d int32) []int32 {
	if c, ok := p.ownOf[d]; ok {
		return c
	}
	c := NewCone(p.g, p.net)
	c.device(d)
	p.ownOf[d] = c.Sorted()
	return p.ownOf[d]
}

// memberDevices lists the devices service s's evaluation reads the
// availability of: its members', its member services' and its required
// services', at any depth.
func (p *Pairs) memberDevices(s int32, seenSvc, seenDev map[int32]bool) {
	if seenSvc[s] {
		return
	}
	seenSvc[s] = true
	S := &p.g.Services[s]
	for _, m := range S.Members {
		switch {
		case m.Device >= 0 && !seenDev[m.Device]:
			seenDev[m.Device] = true
			p.devs = append(p.devs, m.Device)
		case m.Service >= 0:
			p.memberDevices(m.Service, seenSvc, seenDev)
		}
	}
	for _, r := range S.Requires {
		p.memberDevices(r, seenSvc, seenDev)
	}
}

// Service returns service s's order-2 minimal cut sets on the design:
// every pair {a, b}, a < b, of components that count for s (see Counts),
// neither of which alone takes s down, that together do. Pairs are in
// ascending order of a, then b. It returns nil when s is down with
// nothing failed (it has no minimal cut sets then).
func (p *Pairs) Service(s int32) [][2]int32 {
	v := p.design.Service(s)
	if !v.Up {
		return nil
	}
	cut := p.design.Cut(v)
	for _, c := range cut {
		p.isCut[c] = true
	}
	defer func() {
		for _, c := range cut {
			p.isCut[c] = false
		}
	}()
	cone := p.Cone(s)
	for _, d := range p.devs {
		p.design.Avail(d) // memoized (the device's up state too), for CopyAvail and CopyDevice
	}
	for _, f := range p.fabDevs {
		p.design.Device(f)
	}
	var found [][2]int32
	for _, x := range cone {
		if p.isCut[x] || p.failed[x] || !Counts(p.g, s, x) {
			continue
		}
		w := p.without(s, x)
		if !w.Up {
			continue // cannot happen: x is not a cut
		}
		for _, y := range p.cond.Cut(w) {
			if y > x && !p.isCut[y] && Counts(p.g, s, y) {
				found = append(found, [2]int32{x, y})
			}
		}
	}
	return found
}

// without evaluates service s with component x failed, deriving only
// what x can change.
func (p *Pairs) without(s, x int32) Val {
	p.failed[x] = true
	defer func() { p.failed[x] = false }()
	p.cond.Next()
	switch p.g.Kinds[x] {
	case model.KindSite, model.KindRack, model.KindPower, model.KindInlet:
	default: // no power node reads x
		p.cond.SeedPower(p.design)
	}
	if !p.fabric[x] {
		p.cond.SeedFabric(p.design)
	} else {
		for _, f := range p.fabDevs {
			if _, in := slices.BinarySearch(p.ownCone(f), x); !in {
				p.cond.CopyDevice(f, p.design)
			}
		}
	}
	for i, d := range p.devs {
		if _, in := slices.BinarySearch(p.cones[i], x); !in {
			p.cond.CopyAvail(d, p.design)
		} else if _, in := slices.BinarySearch(p.own[i], x); !in {
			p.cond.CopyDevice(d, p.design)
		}
	}
	return p.cond.Service(s)
}
