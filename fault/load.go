package fault

import (
	"container/heap"
	"math"
	"slices"

	"github.com/faultline/faultline/model"
)

// Load flow: a powered device's draw is split evenly over its live PSUs
// and flows up the power chain; a node with several live inputs draws from
// the first one listed, except what its outlets bound to one input draw
// (a bank-split PDU): that flows to that input. A node that reports its own load carries that
// load (measured power wins), and it is the base that a failure adds the
// moving load to: the load that moves is still the devices' draws.
//
// Failover asks what every node would carry with some power components
// failed. Recomputing the whole chain per failure is quadratic; instead a
// failure is applied as a delta (Flow): the devices that lose a PSU
// re-split their draw, and nodes whose first live input changed move
// their whole load, propagated upward in topological order. Work per
// failure is proportional to what it feeds.

// Eps is the tolerance of load comparisons, in watts.
const Eps = 1e-6

// Load is the load flow of one state: what each power node carries, and
// the structure failover needs.
type Load struct {
	g       *model.Graph
	failed  []bool
	Live    []bool    // power node up
	PSULive []bool    // PSU up
	Route   []int32   // power node -> the input it draws from, or -1
	Watts   []float64 // power node -> load
	// Declared is what each node would carry on the declared (or device-
	// reported) draws alone; Measured marks the nodes whose Watts is their
	// own measurement (nil when the graph has no meters).
	Declared []float64
	Measured []bool
	Share    []float64 // device -> watts per live PSU (0 if unpowered)
	// Bound is what each node's outlets bound to one of its inputs draw:
	// part of its Watts that flows to those inputs, not along Route.
	Bound   []float64
	psusOn  [][]int32 // power node -> PSUs plugged into it
	boundTo [][]int32 // power node -> PSUs on outlets bound to it as an input
	feeds   [][]int32 // power node -> nodes that list it as an input
}

// NewLoad computes the load flow of the state e evaluates.
func NewLoad(g *model.Graph, e *Evaluator) *Load {
	l := &Load{g: g, failed: e.failed,
		Live: make([]bool, len(g.Power)), PSULive: make([]bool, len(g.PSUs)),
		Route: make([]int32, len(g.Power)), Watts: make([]float64, len(g.Power)),
		Share: make([]float64, len(g.Devices)), Bound: make([]float64, len(g.Power)),
		psusOn: make([][]int32, len(g.Power)), boundTo: make([][]int32, len(g.Power)),
		feeds: make([][]int32, len(g.Power)),
	}
	for p := range g.Power {
		l.Live[p] = e.Power(int32(p)).Up
		for _, in := range g.Power[p].Inputs {
			l.feeds[in] = append(l.feeds[in], int32(p))
		}
	}
	for i := range g.PSUs {
		l.PSULive[i] = e.PSU(int32(i)).Up
		l.psusOn[g.PSUs[i].PDU] = append(l.psusOn[g.PSUs[i].PDU], int32(i))
		if in := l.BoundInput(int32(i)); in >= 0 {
			l.boundTo[in] = append(l.boundTo[in], int32(i))
		}
	}
	l.split()
	l.Declared = append([]float64(nil), l.Watts...)
	if g.Meters != nil {
		l.Measured = make([]bool, len(g.Power))
	}
	for p := len(g.Power) - 1; p >= 0; p-- {
		l.Route[p] = -1
		if !l.Live[p] {
			continue
		}
		if w, ok := MeasuredLoad(g, int32(p)); ok {
			l.Watts[p], l.Measured[p] = w, true
		}
		if in := l.firstInput(int32(p), nil, 0); in >= 0 {
			l.Route[p] = in
			l.Watts[in] += routed(l.Watts[p], l.Bound[p])
			l.Declared[in] += routed(l.Declared[p], l.Bound[p])
		}
	}
	return l
}

// split spreads each powered device's draw over its live PSUs: onto their
// PDUs, and an outlet bound to an input also straight onto that input.
func (l *Load) split() {
	g := l.g
	for d := range g.Devices {
		D := &g.Devices[d]
		n := 0
		for _, p := range D.PSUs {
			if l.PSULive[p] {
				n++
			}
		}
		if n == 0 || n < D.MinPSUs {
			continue
		}
		l.Share[d] = D.DrawW / float64(n)
		for _, p := range D.PSUs {
			if !l.PSULive[p] {
				continue
			}
			pdu := g.PSUs[p].PDU
			l.Watts[pdu] += l.Share[d]
			if in := l.BoundInput(p); in >= 0 {
				l.Bound[pdu] += l.Share[d]
				l.Watts[in] += l.Share[d]
			}
		}
	}
}

// routed is the part of a node's load that flows along its route: all of
// it but what its bound outlets send to their inputs directly.
func routed(watts, bound float64) float64 { return max(watts-bound, 0) }

// BoundInput is the power node PSU q's outlet is bound to (an input of its
// PDU), or -1.
func (l *Load) BoundInput(q int32) int32 {
	Q := &l.g.PSUs[q]
	if Q.Input < 0 {
		return -1
	}
	return l.g.Power[Q.PDU].Inputs[Q.Input]
}

// firstInput is the input node p draws from: its first live input whose
// inlet is live and that is not dead (stamped round in dead; dead may be
// nil), or -1.
func (l *Load) firstInput(p int32, dead []uint32, round uint32) int32 {
	P := &l.g.Power[p]
	for j, in := range P.Inputs {
		if l.Live[in] && (dead == nil || dead[in] != round) && P.InputLive(j, l.failed) {
			return in
		}
	}
	return -1
}

// MeasuredLoad is power node p's own measured load, when it has one.
func MeasuredLoad(g *model.Graph, p int32) (float64, bool) {
	m := g.Meters[p]
	if m == nil || m.LoadW == nil || math.IsNaN(*m.LoadW) || math.IsInf(*m.LoadW, 0) || *m.LoadW < 0 {
		return 0, false
	}
	return *m.LoadW, true
}

// PSUsOn lists the PSUs plugged into power node n.
func (l *Load) PSUsOn(n int32) []int32 { return l.psusOn[n] }

// PSUsAt lists the PSUs that power node n's failure takes down: those
// plugged into it, then those on outlets bound to it as their PDU's input
// (a PSU may be in both).
func (l *Load) PSUsAt(n int32) []int32 {
	if len(l.boundTo[n]) == 0 {
		return l.psusOn[n]
	}
	return append(slices.Clone(l.psusOn[n]), l.boundTo[n]...)
}

// LostWith reports whether PSU q goes down with the power nodes dead: its
// PDU, or the input its outlet is bound to.
func (l *Load) LostWith(q int32, dead func(n int32) bool) bool {
	if dead(l.g.PSUs[q].PDU) {
		return true
	}
	in := l.BoundInput(q)
	return in >= 0 && dead(in)
}

// NewShare is device d's draw per PSU once the PSUs lost reports are gone
// (0 when it is then unpowered).
func (l *Load) NewShare(d int32, lost func(q int32) bool) float64 {
	D := &l.g.Devices[d]
	left := 0
	for _, q := range D.PSUs {
		if l.PSULive[q] && !lost(q) {
			left++
		}
	}
	if left > 0 && left >= D.MinPSUs {
		return D.DrawW / float64(left)
	}
	return 0
}

// DeadSets lists, for each live power node c, the power nodes down when c
// fails: those with c in their order-1 cut set under e.
func (l *Load) DeadSets(e *Evaluator) [][]int32 {
	g := l.g
	dead := make([][]int32, len(g.Power))
	for p := range g.Power {
		if !l.Live[p] {
			continue
		}
		for _, c := range e.Cut(e.Power(int32(p))) {
			if g.Kinds[c] == model.KindPower {
				ci := g.Entities[c]
				dead[ci] = append(dead[ci], int32(p))
			}
		}
	}
	return dead
}

// Failover fails each live power node c in turn (with dead[c], every node
// that goes down with it) and calls over for each node it pushes above
// limit of its capacity and above what it carries now.
func (l *Load) Failover(dead [][]int32, limit float64, over func(c, node int32, watts float64)) {
	f := l.NewFlow()
	for c := range l.g.Power {
		if !l.Live[c] {
			continue
		}
		f.FailNodes(dead[c])
		for _, n := range f.Changed() {
			if f.Over(n, limit) {
				over(int32(c), n, f.Watts(n))
			}
		}
	}
}

// Flow is the load flow with a set of power components failed on top of
// a Load's state, as deltas from it. Its scratch arrays are reused across
// failures: an entry is valid while its stamp equals round.
type Flow struct {
	l       *Load
	round   uint32
	inS     []uint32 // component -> round it is in the failed set
	dead    []uint32 // power node -> round it is dead in
	psuD    []uint32 // PSU -> round it is dead in
	seen    []uint32 // device -> round it was re-split in
	queued  []uint32 // power node -> round it was queued in
	delta   []float64
	bdelta  []float64 // power node -> the part of delta its bound outlets send to their inputs
	now     []float64 // power node -> load this round (valid where queued)
	heap    maxHeap
	lost    []int32
	changed []int32
}

// NewFlow returns a Flow over l's state.
func (l *Load) NewFlow() *Flow {
	g := l.g
	return &Flow{l: l,
		inS: make([]uint32, len(g.Comps)), dead: make([]uint32, len(g.Power)),
		psuD: make([]uint32, len(g.PSUs)), seen: make([]uint32, len(g.Devices)),
		queued: make([]uint32, len(g.Power)), delta: make([]float64, len(g.Power)),
		bdelta: make([]float64, len(g.Power)), now: make([]float64, len(g.Power)),
	}
}

func (f *Flow) begin() {
	f.round++
	f.heap = f.heap[:0]
	f.changed = f.changed[:0]
	f.lost = f.lost[:0]
}

func (f *Flow) push(n int32) {
	if f.queued[n] != f.round {
		f.queued[n] = f.round
		f.delta[n], f.bdelta[n] = 0, 0
		heap.Push(&f.heap, n)
	}
}

func (f *Flow) isDead(n int32) bool { return f.dead[n] == f.round }

// killed queues a dead node and the live nodes it feeds.
func (f *Flow) killed(n int32) {
	f.push(n)
	for _, child := range f.l.feeds[n] {
		if f.l.Live[child] {
			f.push(child)
		}
	}
}

// FailNodes computes the loads with the power nodes dead failed: every
// node that goes down, given by the caller.
func (f *Flow) FailNodes(dead []int32) {
	l := f.l
	f.begin()
	for _, n := range dead {
		f.dead[n] = f.round
	}
	for _, n := range dead {
		f.killed(n)
	}
	for _, n := range dead {
		for _, on := range [2][][]int32{l.psusOn, l.boundTo} {
			for _, p := range on[n] {
				if l.PSULive[p] && f.psuD[p] != f.round {
					f.psuD[p] = f.round
					f.lost = append(f.lost, p)
				}
			}
		}
	}
	f.resplit()
	f.propagate()
}

// Fail computes the loads with comps failed. pows must list, ascending,
// every power node the failure can take down, and psus every PSU it can
// take down (a superset does no harm).
func (f *Flow) Fail(comps, pows, psus []int32) {
	l, g := f.l, f.l.g
	f.begin()
	round := f.round
	for _, c := range comps {
		f.inS[c] = round
	}
	in := func(c int32) bool { return f.inS[c] == round }
	// Nodes that die, in topological order (inputs first).
	for _, n := range pows {
		if !l.Live[n] {
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
			d = l.firstInput(n, f.dead, round) < 0
		}
		if d {
			f.dead[n] = round
		}
	}
	for _, n := range pows {
		if f.isDead(n) {
			f.killed(n)
		}
	}
	for _, q := range psus {
		if l.PSULive[q] && (in(g.PSUs[q].Comp) || f.isDead(g.PSUs[q].PDU) || f.bankLost(q, in)) {
			f.psuD[q] = round
		}
	}
	for _, q := range psus {
		if f.psuD[q] == round {
			f.lost = append(f.lost, q)
		}
	}
	f.resplit()
	f.propagate()
}

// bankLost reports whether PSU q's outlet is bound to an input of its PDU
// that the failure takes away: the input dies, or its inlet is among the
// failed components.
func (f *Flow) bankLost(q int32, in func(c int32) bool) bool {
	Q := &f.l.g.PSUs[q]
	if Q.Input < 0 {
		return false
	}
	P := &f.l.g.Power[Q.PDU]
	return f.isDead(P.Inputs[Q.Input]) || (P.Inlets != nil && in(P.Inlets[Q.Input]))
}

// resplit: devices losing PSUs (f.lost) re-split their draw over the PSUs
// left.
func (f *Flow) resplit() {
	l, g := f.l, f.l.g
	lost := func(q int32) bool { return f.psuD[q] == f.round }
	for _, q := range f.lost {
		d := g.PSUs[q].Device
		if f.seen[d] == f.round || l.Share[d] == 0 {
			continue
		}
		f.seen[d] = f.round
		share := l.NewShare(d, lost)
		for _, r := range g.Devices[d].PSUs {
			if !l.PSULive[r] {
				continue
			}
			switch {
			case !lost(r):
				f.move(r, share-l.Share[d])
			case !f.isDead(g.PSUs[r].PDU):
				f.move(r, -l.Share[d])
			default: // its PDU is dead and carries nothing; a bound input still loses it
				if in := l.BoundInput(r); in >= 0 {
					f.push(in)
					f.delta[in] -= l.Share[d]
				}
			}
		}
	}
}

// move changes what PSU r draws by dw: on its PDU, and for an outlet bound
// to an input, on that input directly.
func (f *Flow) move(r int32, dw float64) {
	pdu := f.l.g.PSUs[r].PDU
	f.push(pdu)
	f.delta[pdu] += dw
	if in := f.l.BoundInput(r); in >= 0 {
		f.bdelta[pdu] += dw
		f.push(in)
		f.delta[in] += dw
	}
}

// propagate moves the deltas up the chain, consumers before their inputs.
func (f *Flow) propagate() {
	l := f.l
	for f.heap.Len() > 0 {
		n := heap.Pop(&f.heap).(int32)
		old := l.Watts[n]
		oldR := routed(old, l.Bound[n])
		now, nowR := 0.0, 0.0
		route := int32(-1)
		if !f.isDead(n) {
			now = old + f.delta[n]
			nowR = routed(now, l.Bound[n]+f.bdelta[n])
			route = l.firstInput(n, f.dead, f.round)
		}
		f.now[n] = now
		f.changed = append(f.changed, n)
		if r := l.Route[n]; r == route {
			if d := nowR - oldR; d != 0 && r >= 0 {
				f.push(r)
				f.delta[r] += d
			}
		} else {
			if r >= 0 {
				f.push(r)
				f.delta[r] -= oldR
			}
			if route >= 0 {
				f.push(route)
				f.delta[route] += nowR
			}
		}
	}
}

// Changed lists the nodes whose load the last failure may have changed,
// consumers before their inputs.
func (f *Flow) Changed() []int32 { return f.changed }

// Watts is node n's load after the last failure.
func (f *Flow) Watts(n int32) float64 {
	if f.queued[n] == f.round {
		return f.now[n]
	}
	return f.l.Watts[n]
}

// Alive says whether node n is up after the last failure.
func (f *Flow) Alive(n int32) bool { return f.l.Live[n] && !f.isDead(n) }

// Over reports whether node n is pushed over limit of its capacity by the
// last failure: above the limit and above what it carries now (a node
// already over the limit must not get worse).
func (f *Flow) Over(n int32, limit float64) bool {
	P := &f.l.g.Power[n]
	if P.CapacityW <= 0 || !f.Alive(n) {
		return false
	}
	w := f.Watts(n)
	return w > limit*P.CapacityW+Eps && w > f.l.Watts[n]+Eps
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
