package audit

import (
	"container/heap"
	"slices"
)

// planLoad computes loads with a set of power components failed on top of
// the state now, as deltas from it (load.go's failover generalized from one
// node to a set of nodes, racks, sites and PSUs): the nodes that die, the
// devices that lose PSUs and re-split their draw, the routes that switch
// inputs, propagated up in topological order. Work is proportional to
// what the failed set feeds. Scratch entries are valid while their stamp
// equals round.
type planLoad struct {
	lc    *loadCalc
	round uint32
	inS   []uint32 // component -> round it is in the failed set
	dead  []uint32 // power node -> round it is dead in
	psuD  []uint32 // PSU -> round it is dead in
	seen  []uint32 // device -> round it was re-split in
	queue []uint32 // power node -> round it was queued in
	delta []float64
	now   []float64 // power node -> load this round (valid where queued)
	heap  maxHeap
	cand  []int32
}

func newPlanLoad(lc *loadCalc) *planLoad {
	g := lc.g
	return &planLoad{lc: lc,
		inS: make([]uint32, len(g.Comps)), dead: make([]uint32, len(g.Power)),
		psuD: make([]uint32, len(g.PSUs)), seen: make([]uint32, len(g.Devices)),
		queue: make([]uint32, len(g.Power)), delta: make([]float64, len(g.Power)),
		now: make([]float64, len(g.Power)),
	}
}

// eval fails comps (power components, with their effects) and computes
// the loads. load and isDead then answer for any node.
func (pl *planLoad) eval(comps []int32, effs []*effect) {
	lc, g := pl.lc, pl.lc.g
	pl.round++
	round := pl.round
	for _, c := range comps {
		pl.inS[c] = round
	}
	in := func(c int32) bool { return pl.inS[c] == round }
	pl.heap = pl.heap[:0]
	push := func(n int32) {
		if pl.queue[n] != round {
			pl.queue[n] = round
			pl.delta[n] = 0
			heap.Push(&pl.heap, n)
		}
	}
	// Nodes that die, in topological order (inputs first).
	pl.cand = pl.cand[:0]
	for _, ef := range effs {
		pl.cand = append(pl.cand, ef.pows...)
	}
	sortCompact(&pl.cand)
	for _, n := range pl.cand {
		if !lc.live[n] {
			continue
		}
		P := &g.Power[n]
		d := in(P.Comp)
		if P.Rack >= 0 {
			R := &g.Racks[P.Rack]
			d = d || in(R.Comp) || in(g.Sites[R.Site].Comp)
		}
		if P.Site >= 0 {
			d = d || in(g.Sites[P.Site].Comp)
		}
		if !d && len(P.Inputs) > 0 {
			d = true
			for j, i := range P.Inputs {
				if lc.live[i] && pl.dead[i] != round && P.InputLive(j, lc.e.Failures()) {
					d = false
					break
				}
			}
		}
		if d {
			pl.dead[n] = round
		}
	}
	isDead := func(n int32) bool { return pl.dead[n] == round }
	for _, n := range pl.cand {
		if !isDead(n) {
			continue
		}
		push(n)
		for _, child := range lc.feeds[n] {
			if lc.live[child] {
				push(child)
			}
		}
	}
	for _, ef := range effs {
		for _, q := range ef.psus {
			if lc.psuLive[q] && (in(g.PSUs[q].Comp) || isDead(g.PSUs[q].PDU)) {
				pl.psuD[q] = round
			}
		}
	}
	// Devices losing PSUs re-split their draw over the PSUs left.
	for _, ef := range effs {
		for _, q := range ef.psus {
			if pl.psuD[q] != round {
				continue
			}
			d := g.PSUs[q].Device
			if pl.seen[d] == round || lc.share[d] == 0 {
				continue
			}
			pl.seen[d] = round
			D := &g.Devices[d]
			left := 0
			for _, r := range D.PSUs {
				if lc.psuLive[r] && pl.psuD[r] != round {
					left++
				}
			}
			share := 0.0
			if left > 0 && left >= D.MinPSUs {
				share = D.DrawW / float64(left)
			}
			for _, r := range D.PSUs {
				if !lc.psuLive[r] {
					continue
				}
				pdu := g.PSUs[r].PDU
				switch {
				case pl.psuD[r] != round:
					push(pdu)
					pl.delta[pdu] += share - lc.share[d]
				case !isDead(pdu):
					push(pdu)
					pl.delta[pdu] -= lc.share[d]
				}
			}
		}
	}
	for pl.heap.Len() > 0 {
		n := heap.Pop(&pl.heap).(int32)
		old := lc.load[n]
		now := 0.0
		route := int32(-1)
		if !isDead(n) {
			now = old + pl.delta[n]
			for j, i := range g.Power[n].Inputs {
				if lc.live[i] && !isDead(i) && g.Power[n].InputLive(j, lc.e.Failures()) {
					route = i
					break
				}
			}
		}
		pl.now[n] = now
		if r := lc.route[n]; r == route {
			if d := now - old; d != 0 && r >= 0 {
				push(r)
				pl.delta[r] += d
			}
		} else {
			if r >= 0 {
				push(r)
				pl.delta[r] -= old
			}
			if route >= 0 {
				push(route)
				pl.delta[route] += now
			}
		}
	}
}

// load is a node's load after the last eval.
func (pl *planLoad) load(n int32) float64 {
	if pl.queue[n] == pl.round {
		return pl.now[n]
	}
	return pl.lc.load[n]
}

// alive says whether a node is up after the last eval.
func (pl *planLoad) alive(n int32) bool { return pl.lc.live[n] && pl.dead[n] != pl.round }

// over reports whether node n is pushed over the limit after the last
// eval: above the limit and above what it carries now (a node already over
// the limit must not get worse).
func (pl *planLoad) over(n int32, limit float64) bool {
	P := &pl.lc.g.Power[n]
	if P.CapacityW <= 0 || !pl.alive(n) {
		return false
	}
	w := pl.load(n)
	return w > limit*P.CapacityW+eps && w > pl.lc.load[n]+eps
}

func sortCompact(s *[]int32) {
	slices.Sort(*s)
	*s = slices.Compact(*s)
}
