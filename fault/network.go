package fault

import (
	"slices"

	"github.com/faultline/faultline/model"
)

// Network reachability is the one cyclic part of the model. A path to the
// network ends at the first root it meets, and only forwarding devices
// (switches, routers, firewalls) carry it on, so what matters for a device
// are the forwarding non-root devices connected to it without passing a
// root: its "fabric component". Cut sets there are the greatest fixpoint of
//
//	S(v) = ⋂ over usable neighbours u of ({link} ∪ cut(u up) ∪ S(u))   (S(root) = ∅)
//
// iterated from ⊤ (unreached). Union-with-a-constant distributes over
// intersection, so the fixpoint equals the meet over all paths: a
// component is in S(v) exactly when it hits every path from v to a root —
// the dominator sets of the undirected graph, generalized to components
// that take down several devices at once (a feed under both spines).

// Fabric is the fabric components of the design topology.
type Fabric struct {
	CompOf []int32   // by device: component, or -1 (roots and non-forwarding devices)
	Comps  [][]int32 // members of each component
}

func NewFabric(g *model.Graph) *Fabric {
	ni := &Fabric{CompOf: make([]int32, len(g.Devices))}
	for i := range ni.CompOf {
		ni.CompOf[i] = -1
	}
	if !g.NetworkModelled {
		return ni
	}
	inner := func(d int32) bool { D := &g.Devices[d]; return D.Forwards && !D.Root }
	var queue []int32
	for d := range g.Devices {
		di := int32(d)
		if !inner(di) || ni.CompOf[di] >= 0 {
			continue
		}
		k := int32(len(ni.Comps))
		ni.CompOf[di] = k
		queue = append(queue[:0], di)
		for h := 0; h < len(queue); h++ {
			for _, a := range g.Devices[queue[h]].Adj {
				if inner(a.Peer) && ni.CompOf[a.Peer] < 0 {
					ni.CompOf[a.Peer] = k
					queue = append(queue, a.Peer)
				}
			}
		}
		ni.Comps = append(ni.Comps, slices.Clone(queue))
	}
	return ni
}

// Net: whether device d has network, and what cuts it off.
func (e *Evaluator) Net(d int32) Val {
	if !e.g.NetworkModelled || e.g.Devices[d].Root {
		return Val{Up: true}
	}
	if v, ok := e.netv.get(d, e.epoch); ok {
		return v
	}
	v := e.meetNeighbours(d, false)
	e.netv.set(d, e.epoch, v)
	return v
}

// meetNeighbours intersects the path terms of d's usable neighbours. Inside
// the fixpoint (inFix) neighbours in d's own component contribute their
// current S, and unreached ones are skipped (⊤ is the identity of ⋂).
// Neighbours are evaluated first and counted after, because evaluating
// them may itself count (the counter is shared).
func (e *Evaluator) meetNeighbours(d int32, inFix bool) Val {
	g := e.g
	adj := g.Devices[d].Adj
	base := len(e.stack)
	for _, a := range adj {
		var v Val
		l := g.Links[a.Link].Comp
		P := &g.Devices[a.Peer]
		switch {
		case e.failed[l]:
		case P.Root:
			v = e.Device(a.Peer)
		case P.Forwards && inFix:
			if e.reach[a.Peer] && e.sSet[a.Peer] {
				v = e.Device(a.Peer)
			}
		case P.Forwards:
			v = e.fwdVal(a.Peer)
		}
		e.stack = append(e.stack, v)
	}
	terms := int32(0)
	for i, a := range adj {
		v := e.stack[base+i]
		if !v.Up {
			continue
		}
		e.term = append(e.term[:0], g.Links[a.Link].Comp)
		e.term = append(e.term, e.Cut(v)...)
		if inFix && !g.Devices[a.Peer].Root {
			e.term = append(e.term, e.ar.get(e.sVal[a.Peer])...)
		}
		slices.Sort(e.term)
		e.term = slices.Compact(e.term)
		e.cnt.add(e.term)
		terms++
	}
	e.stack = e.stack[:base]
	if terms == 0 {
		return Val{}
	}
	e.tmp = e.cnt.atLeast(e.tmp[:0], terms)
	return Val{Up: true, cut: e.ar.put(e.tmp)}
}

// fwdVal is a forwarding non-root device as a next hop: up and reaching a
// root, with cut(up) ∪ S.
func (e *Evaluator) fwdVal(d int32) Val {
	if v, ok := e.fwd.get(d, e.epoch); ok {
		return v
	}
	k := e.net.CompOf[d]
	if e.comp[k] != e.epoch && (e.fabricFrom == nil || !e.CopyFabric(k, e.fabricFrom)) {
		e.solve(k)
	}
	return e.fwd[d].v
}

// solve computes reachability and the S fixpoint for one fabric component.
func (e *Evaluator) solve(k int32) {
	g := e.g
	members := e.net.Comps[k]
	e.comp[k] = e.epoch
	// Reachability: breadth first from members next to a live root.
	order := make([]int32, 0, len(members))
	for _, d := range members {
		e.reach[d], e.sSet[d] = false, false
	}
	for _, d := range members {
		if !e.Device(d).Up {
			continue
		}
		for _, a := range g.Devices[d].Adj {
			if g.Devices[a.Peer].Root && !e.failed[g.Links[a.Link].Comp] && e.Device(a.Peer).Up {
				e.reach[d] = true
				order = append(order, d)
				break
			}
		}
	}
	for h := 0; h < len(order); h++ {
		for _, a := range g.Devices[order[h]].Adj {
			p := a.Peer
			if e.net.CompOf[p] != k || e.reach[p] || e.failed[g.Links[a.Link].Comp] || !e.Device(p).Up {
				continue
			}
			e.reach[p] = true
			order = append(order, p)
		}
	}
	// The fixpoint, in breadth-first order so most values settle in one pass.
	for changed := true; changed; {
		changed = false
		for _, d := range order {
			v := e.meetNeighbours(d, true)
			cur := e.ar.get(v.cut)
			if e.sSet[d] && slices.Equal(cur, e.ar.get(e.sVal[d])) {
				continue
			}
			e.sSet[d], e.sVal[d] = true, v.cut
			changed = true
		}
	}
	for _, d := range members {
		var v Val
		if e.reach[d] {
			v = e.and(nil, e.Device(d), Val{Up: true, cut: e.sVal[d]})
		}
		e.fwd.set(d, e.epoch, v)
	}
}
