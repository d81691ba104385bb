package openpsa

import (
	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// gate is one named gate: its formula and what it stands for.
type gate struct {
	name, label string
	f           *expr
}

// memoKey names one gate of the model in one view.
type memoKey struct {
	kind gk
	i    int32
	h    int32 // fabric hop layer
	dr   bool
}

// gk is a kind of gate.
type gk uint8

const (
	gkRack gk = iota
	gkPower
	gkPSU
	gkPowered
	gkDevice
	gkNet
	gkAvail
	gkFabric
	gkService
)

// builder turns the graph into gates, each once per view (with or
// without sites), shared by every formula that reads it.
type builder struct {
	g    *model.Graph
	net  *fault.Fabric
	memo map[memoKey]*expr         // fabric layers
	tabs [gkService + 1][2][]*expr // every other gate, by kind and view
	// gates are in the order they were defined; byName finds them.
	gates  []*gate
	byName map[string]*gate
	// used marks the components whose events the gates read; events
	// holds each one's formula, made once.
	used   []bool
	events []*expr
	// hops is, by fabric component, how many hop layers it is unrolled
	// to; approx notes the fabrics where that is fewer than exact.
	hops   []int32
	approx []string
}

func newBuilder(g *model.Graph, maxFabricWork int) *builder {
	b := &builder{g: g, net: fault.NewFabric(g), memo: map[memoKey]*expr{},
		byName: map[string]*gate{}, used: make([]bool, len(g.Comps)), events: make([]*expr, len(g.Comps))}
	b.planFabrics(maxFabricWork)
	return b
}

// event is component c's event: a house event (true) when observed
// failed, else a basic event.
func (b *builder) event(c int32) *expr {
	if e := b.events[c]; e != nil {
		return e
	}
	b.used[c] = true
	e := &expr{op: opEvent, name: EventName(b.g, c)}
	if b.g.Failed[c] {
		e.op = opHouse
	} else {
		e.site = b.g.Kinds[c] == model.KindSite
	}
	b.events[c] = e
	return e
}

// site is site s's failure in a view: its event under dr, and never (a
// site does not count) in the other view unless observed failed.
func (b *builder) site(s int32, dr bool) *expr {
	c := b.g.Sites[s].Comp
	if dr || b.g.Failed[c] {
		return b.event(c)
	}
	return falseExpr
}

// define names formula f as the gate of kind for id in view dr and
// returns a reference to it; a leaf needs no gate and stands for itself.
// A dr-view formula that reads no site is the other view's, and shares
// its name and gate.
func (b *builder) define(kind, id, label string, dr bool, f *expr) *expr {
	if f.leaf() {
		return f
	}
	name := GateName(kind, id, dr && f.site)
	if _, ok := b.byName[name]; !ok {
		gt := &gate{name: name, label: label, f: f}
		b.gates = append(b.gates, gt)
		b.byName[name] = gt
	}
	return &expr{op: opGate, name: name, site: f.site}
}

// memoized returns the memoized formula of key, or computes it with fn.
// Fabric layers are memoized in a map; every other gate in a slice by
// kind, view and entity (nil: not yet computed).
func (b *builder) memoized(key memoKey, fn func() *expr) *expr {
	if key.kind == gkFabric {
		if e, ok := b.memo[key]; ok {
			return e
		}
		e := fn()
		b.memo[key] = e
		return e
	}
	view := 0
	if key.dr {
		view = 1
	}
	tab := b.tabs[key.kind][view]
	if tab == nil {
		tab = make([]*expr, b.entities(key.kind))
		b.tabs[key.kind][view] = tab
	}
	if e := tab[key.i]; e != nil {
		return e
	}
	e := fn()
	tab[key.i] = e
	return e
}

// entities is how many gates of a kind a view can hold.
func (b *builder) entities(k gk) int {
	switch k {
	case gkRack:
		return len(b.g.Racks)
	case gkPower:
		return len(b.g.Power)
	case gkPSU:
		return len(b.g.PSUs)
	case gkService:
		return len(b.g.Services)
	}
	return len(b.g.Devices)
}

func (b *builder) rack(r int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkRack, i: r, dr: dr}, func() *expr {
		R := &b.g.Racks[r]
		f := or(b.event(R.Comp), b.site(R.Site, dr))
		return b.define("rack", R.ID, "rack "+R.ID+" down: it or its site", dr, f)
	})
}

// power: a power node is down when it, its rack or site, or every one of
// its inputs is down (an input whose inlet is observed failed is down).
func (b *builder) power(p int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkPower, i: p, dr: dr}, func() *expr {
		P := &b.g.Power[p]
		in := falseExpr
		if len(P.Inputs) > 0 {
			ins := make([]*expr, len(P.Inputs))
			for j := range P.Inputs {
				ins[j] = b.input(P, j, dr)
			}
			in = and(ins...)
		}
		f := or(b.event(P.Comp), b.loc(P, dr), in)
		return b.define("power", P.ID, "power node "+P.ID+" down: it, its rack or site, or all its inputs", dr, f)
	})
}

// loc is the failure of where power node P sits: its rack, or its site,
// or nothing.
func (b *builder) loc(P *model.Power, dr bool) *expr {
	switch {
	case P.Rack >= 0:
		return b.rack(P.Rack, dr)
	case P.Site >= 0:
		return b.site(P.Site, dr)
	}
	return falseExpr
}

// input is power node P's j-th input failing to feed it: the input node
// down, or its inlet observed failed (an inlet is never a basic event: it
// fails only as observed, a house event).
func (b *builder) input(P *model.Power, j int, dr bool) *expr {
	in := b.power(P.Inputs[j], dr)
	if P.Inlets != nil && b.g.Failed[P.Inlets[j]] {
		in = or(b.event(P.Inlets[j]), in)
	}
	return in
}

// psu: a PSU is down when it or the power node it is plugged into is
// down. On an outlet bound to one input of a bank-split PDU, it is down
// when it, the PDU itself, the PDU's rack or site, or that input is down,
// whatever the PDU's other inputs do: it does not read the PDU's gate,
// which stays up while any input lives.
func (b *builder) psu(i int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkPSU, i: i, dr: dr}, func() *expr {
		Q := &b.g.PSUs[i]
		P := &b.g.Power[Q.PDU]
		if Q.Input < 0 {
			f := or(b.event(Q.Comp), b.power(Q.PDU, dr))
			return b.define("psu", Q.ID, "PSU "+Q.ID+" down: it or its power node", dr, f)
		}
		in := P.Inputs[Q.Input]
		f := or(b.event(Q.Comp), b.event(P.Comp), b.loc(P, dr), b.input(P, int(Q.Input), dr))
		label := "PSU " + Q.ID + " down: it, power node " + P.ID + " itself, its rack or site, or its input " + b.g.Power[in].ID + ", which the outlet is bound to"
		return b.define("psu", Q.ID, label, dr, f)
	})
}
