package audit

import (
	"container/heap"
	"slices"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// Load: a powered device's draw is split evenly over its live PSUs and
// flows up the power chain; a node with several live inputs draws from the
// first one listed. Failover asks, for each power node c, what every other
// node would carry if c failed. Recomputing the whole chain per c is
// quadratic; instead each failure is applied as a delta: the devices that
// lose a PSU re-split their draw, and nodes whose first live input changed
// move their whole load, propagated upward in topological order. Work per
// c is proportional to what c actually feeds.

// PowerResult is the load analysis under the current state.
type PowerResult struct {
	Limit float64
	// Load is what each power node carries now, in watts.
	Load []float64
	// Overloads are nodes above the limit now.
	Overloads []int32
	// Failover maps an overloaded-on-failover node to the failures (power
	// node indexes, nearest first) that would overload it.
	Failover map[int32][]Shift
	// Declared is what each node would carry on the declared (or device-
	// reported) draws alone: what the inventory accounts for. Measured
	// marks the nodes whose Load is their own measurement (measured power
	// wins; see measured.go).
	Declared []float64
	Measured []bool
	// Branches are branch circuits over the limit now, or after a failure
	// (branch.go).
	Branches []BranchLoad

	lc *loadCalc // the state the loads were computed from (plan reuses it)
}

// Shift is one failure and the load it would put on a node.
type Shift struct {
	Failed int32   // power node index
	Load   float64 // watts the node would carry
}

const eps = 1e-6

type loadCalc struct {
	g       *model.Graph
	e       *fault.Evaluator
	live    []bool    // power node up now
	psuLive []bool    // PSU up now
	route   []int32   // first live input, or -1
	load    []float64 // now
	share   []float64 // per device: watts per live PSU now (0 if unpowered)
	nLive   []int32   // per device: live PSUs now
	psusOn  [][]int32 // PSUs plugged into each power node
	feeds   [][]int32 // power nodes that list each node as an input
}

func (a *Analysis) power(e *fault.Evaluator, limit float64) PowerResult {
	g := a.G
	lc := &loadCalc{g: g, e: e,
		live: make([]bool, len(g.Power)), psuLive: make([]bool, len(g.PSUs)),
		route: make([]int32, len(g.Power)), load: make([]float64, len(g.Power)),
		share: make([]float64, len(g.Devices)), nLive: make([]int32, len(g.Devices)),
		psusOn: make([][]int32, len(g.Power)), feeds: make([][]int32, len(g.Power)),
	}
	for p := range g.Power {
		lc.live[p] = e.Power(int32(p)).Up
		for _, in := range g.Power[p].Inputs {
			lc.feeds[in] = append(lc.feeds[in], int32(p))
		}
	}
	for i := range g.PSUs {
		lc.psuLive[i] = e.PSU(int32(i)).Up
		lc.psusOn[g.PSUs[i].PDU] = append(lc.psusOn[g.PSUs[i].PDU], int32(i))
	}
	for d := range g.Devices {
		D := &g.Devices[d]
		for _, p := range D.PSUs {
			if lc.psuLive[p] {
				lc.nLive[d]++
			}
		}
		if n := lc.nLive[d]; n > 0 && int(n) >= D.MinPSUs {
			lc.share[d] = D.DrawW / float64(n)
			for _, p := range D.PSUs {
				if lc.psuLive[p] {
					lc.load[g.PSUs[p].PDU] += lc.share[d]
				}
			}
		}
	}
	declared := slices.Clone(lc.load)
	var measured []bool
	if g.Meters != nil {
		measured = make([]bool, len(g.Power))
	}
	for p := len(g.Power) - 1; p >= 0; p-- {
		lc.route[p] = -1
		if !lc.live[p] {
			continue
		}
		if w, ok := measuredLoad(g, int32(p)); ok {
			lc.load[p], measured[p] = w, true
		}
		for j, in := range g.Power[p].Inputs {
			if lc.live[in] && g.Power[p].InputLive(j, e.Failures()) {
				lc.route[p] = in
				lc.load[in] += lc.load[p]
				declared[in] += declared[p]
				break
			}
		}
	}
	res := PowerResult{Limit: limit, Load: lc.load, Failover: map[int32][]Shift{}, Declared: declared, Measured: measured, lc: lc}
	for p := range g.Power {
		if c := g.Power[p].CapacityW; c > 0 && lc.load[p] > limit*c+eps {
			res.Overloads = append(res.Overloads, int32(p))
		}
	}
	dead := lc.deadSets(a)
	fo := &failover{lc: lc,
		delta:  make([]float64, len(g.Power)),
		dead:   make([]uint32, len(g.Power)),
		queued: make([]uint32, len(g.Power)),
		seen:   make([]uint32, len(g.Devices)),
	}
	for c := range g.Power {
		if !lc.live[c] {
			continue
		}
		for _, sh := range fo.apply(int32(c), dead[c], limit) {
			res.Failover[sh.node] = append(res.Failover[sh.node], Shift{Failed: int32(c), Load: sh.load})
		}
	}
	if g.Meters != nil {
		res.Branches = lc.branches(dead, limit)
	}
	for n, shifts := range res.Failover {
		slices.SortFunc(shifts, func(x, y Shift) int {
			if d := len(dead[x.Failed]) - len(dead[y.Failed]); d != 0 {
				return d
			}
			return a.nearer(g.Power[x.Failed].Comp, g.Power[y.Failed].Comp)
		})
		res.Failover[n] = shifts
	}
	return res
}

// deadSets lists, for each power node c, the power nodes down when c
// fails: those with c in their order-1 cut set.
func (lc *loadCalc) deadSets(a *Analysis) [][]int32 {
	g := lc.g
	dead := make([][]int32, len(g.Power))
	for p := range g.Power {
		if !lc.live[p] {
			continue
		}
		for _, c := range lc.e.Cut(lc.e.Power(int32(p))) {
			if g.Kinds[c] == model.KindPower {
				ci := g.Entities[c]
				dead[ci] = append(dead[ci], int32(p))
			}
		}
	}
	return dead
}

// failover applies one power failure at a time. Its scratch arrays are
// reused across failures: an entry is valid while its stamp equals round.
type failover struct {
	lc     *loadCalc
	round  uint32
	delta  []float64
	dead   []uint32 // power node -> round it is dead in
	queued []uint32 // power node -> round it was queued in
	seen   []uint32 // device -> round it was re-split in
	queue  maxHeap
}

type shifted struct {
	node int32
	load float64
}

// apply computes the loads with power node c failed (dead lists every node
// that goes down with it) and returns the nodes pushed over the limit.
func (f *failover) apply(c int32, dead []int32, limit float64) []shifted {
	lc, g := f.lc, f.lc.g
	f.round++
	round := f.round
	f.queue = f.queue[:0]
	push := func(n int32) {
		if f.queued[n] != round {
			f.queued[n] = round
			f.delta[n] = 0
			heap.Push(&f.queue, n)
		}
	}
	isDead := func(n int32) bool { return f.dead[n] == round }
	for _, n := range dead {
		f.dead[n] = round
	}
	for _, n := range dead {
		push(n)
		for _, child := range lc.feeds[n] {
			if lc.live[child] {
				push(child)
			}
		}
	}
	// Devices losing PSUs re-split their draw over the PSUs left.
	for _, n := range dead {
		for _, p := range lc.psusOn[n] {
			d := g.PSUs[p].Device
			if !lc.psuLive[p] || f.seen[d] == round || lc.share[d] == 0 {
				continue
			}
			f.seen[d] = round
			D := &g.Devices[d]
			left := int32(0)
			for _, q := range D.PSUs {
				if lc.psuLive[q] && !isDead(g.PSUs[q].PDU) {
					left++
				}
			}
			newShare := 0.0
			if left > 0 && int(left) >= D.MinPSUs {
				newShare = D.DrawW / float64(left)
			}
			for _, q := range D.PSUs {
				if pdu := g.PSUs[q].PDU; lc.psuLive[q] && !isDead(pdu) {
					push(pdu)
					f.delta[pdu] += newShare - lc.share[d]
				}
			}
		}
	}
	var out []shifted
	for f.queue.Len() > 0 {
		n := heap.Pop(&f.queue).(int32)
		old := lc.load[n]
		now := 0.0
		newRoute := int32(-1)
		if !isDead(n) {
			now = old + f.delta[n]
			for j, in := range g.Power[n].Inputs {
				if lc.live[in] && !isDead(in) && g.Power[n].InputLive(j, lc.e.Failures()) {
					newRoute = in
					break
				}
			}
		}
		if r := lc.route[n]; r == newRoute {
			if d := now - old; d != 0 && r >= 0 {
				push(r)
				f.delta[r] += d
			}
		} else {
			if r >= 0 {
				push(r)
				f.delta[r] -= old
			}
			if newRoute >= 0 {
				push(newRoute)
				f.delta[newRoute] += now
			}
		}
		if cp := g.Power[n].CapacityW; cp > 0 && now > limit*cp+eps && now > old+eps {
			out = append(out, shifted{node: n, load: now})
		}
	}
	return out
}

// maxHeap pops the highest power index first: consumers before their inputs.
type maxHeap []int32

func (h maxHeap) Len() int           { return len(h) }
func (h maxHeap) Less(i, j int) bool { return h[i] > h[j] }
func (h maxHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *maxHeap) Push(x any)        { *h = append(*h, x.(int32)) }
func (h *maxHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
