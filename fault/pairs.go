package fault

import (
	"slices"

	"github.com/faultline/faultline/model"
)

// Order-2 minimal cut sets. A pair {a, b} is a minimal cut set of a
// service when neither alone takes it down but both do; equivalently b is
// a single point of failure once a has failed. So for each component a in
// the service's cone that is not itself a cut, Pairs fails it,
// re-evaluates the service (the evaluator is demand driven, so only the
// service's cone), and reads the new single points of failure.
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
	// coneOf and cone are the last service's cone (see Cone).
	coneOf int32
	cone   []int32
}

// NewPairs prepares order-2 analysis of g, whose fabric components are
// net. design is an evaluator of g, normally with nothing failed (shared,
// read only: Pairs asks it for each service's order-1 cut set); with
// components failed, the cut sets are those given their failure, made of
// components not failed.
func NewPairs(g *model.Graph, net *Fabric, design *Evaluator) *Pairs {
	failed := slices.Clone(design.Failures())
	return &Pairs{g: g, net: net, design: design, failed: failed,
		cond: New(g, net, failed), isCut: make([]bool, len(g.Comps)), coneOf: -1}
}

// Up reports whether service s is up with nothing failed.
func (p *Pairs) Up(s int32) bool { return p.design.Service(s).Up }

// Cone returns service s's cone: every component whose state its
// evaluation reads, ascending. The slice is Pairs' own, valid until the
// next call of Cone or Service for another service.
func (p *Pairs) Cone(s int32) []int32 {
	if p.coneOf != s {
		c := NewCone(p.g, p.net)
		c.Service(s)
		p.cone, p.coneOf = c.Sorted(), s
	}
	return p.cone
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

// Service returns service s's order-2 minimal cut sets on the design:
// every pair {a, b}, a < b, of components that count for s (see Counts),
// neither of which alone takes s down, that together do. Pairs are in
// ascending order of a, then b. It returns nil when s is down with
// nothing failed (it has no minimal cut sets then).
func (p *Pairs) Service(s int32) [][2]int32 {
	g := p.g
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
	skip := func(c int32) bool { return p.isCut[c] || p.failed[c] || !Counts(g, s, c) }
	var found [][2]int32
	for _, x := range p.Cone(s) {
		if skip(x) {
			continue
		}
		p.failed[x] = true
		p.cond.Next()
		w := p.cond.Service(s)
		p.failed[x] = false
		if !w.Up {
			continue // cannot happen: x is not a cut
		}
		for _, y := range p.cond.Cut(w) {
			if y > x && !skip(y) {
				found = append(found, [2]int32{x, y})
			}
		}
	}
	return found
}
