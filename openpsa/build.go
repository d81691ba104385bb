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
		loc := falseExpr
		switch {
		case P.Rack >= 0:
			loc = b.rack(P.Rack, dr)
		case P.Site >= 0:
			loc = b.site(P.Site, dr)
		}
		in := falseExpr
		if len(P.Inputs) > 0 {
			ins := make([]*expr, len(P.Inputs))
			for j, x := range P.Inputs {
				ins[j] = b.power(x, dr)
				if P.Inlets != nil && b.g.Failed[P.Inlets[j]] {
					ins[j] = or(b.event(P.Inlets[j]), ins[j])
				}
			}
			in = and(ins...)
		}
		f := or(b.event(P.Comp), loc, in)
		return b.define("power", P.ID, "power node "+P.ID+" down: it, its rack or site, or all its inputs", dr, f)
	})
}

func (b *builder) psu(i int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkPSU, i: i, dr: dr}, func() *expr {
		P := &b.g.PSUs[i]
		f := or(b.event(P.Comp), b.power(P.PDU, dr))
		return b.define("psu", P.ID, "PSU "+P.ID+" down: it or its power node", dr, f)
	})
}
