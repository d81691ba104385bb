package plan

import (
	"github.com/faultline/faultline/audit"
	"slices"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// maxEnum bounds the power components of one batch whose loads interact
// (bear on one node with a capacity) with a candidate's: every subset of
// them is evaluated, 2^maxEnum at most. A candidate that would make more
// interact is kept out of the batch (a sufficient check, never a guess).
const maxEnum = 12

// checker judges batches against one baseline: the graph's state with
// some components failed (the observed failures, or those minus one
// repair). The working vector holds the baseline plus the batch under
// test; evaluations are incremental: only services and loads downstream
// of the candidate are evaluated.
type checker struct {
	g        *model.Graph
	a        *audit.Analysis // the baseline's analysis
	effect   func(c int32) *fault.Reach
	keep     bool
	base     []bool // the baseline's failures
	work     []bool
	e        *fault.Evaluator
	loads    *planLoad
	limit    float64
	nowCuts  [][]int32 // per service: its cuts now, ascending (built on use)
	nowBuilt []bool
	scratch  []int32
	effs     []*fault.Reach
	comps    []int32

	state   *fault.State // the up/down state of the baseline plus the applied set
	applied []int32      // components applied, in order
	pow     []int32      // the power components among them

	// touched counts, per device, the applied components whose effect
	// can change the device's own state; seen stamps the devices seeded
	// in the current evaluation.
	touched []int32
	fabs    []int32 // the same per fabric component
	seen    []uint32
	seenAt  uint32
	walk    []int32
}

func newChecker(a *audit.Analysis, x *fault.Index, effect func(int32) *fault.Reach, keep bool) *checker {
	g := a.G
	work := slices.Clone(g.Failed)
	return &checker{g: g, a: a, effect: effect, keep: keep, base: g.Failed, work: work,
		e: fault.New(g, a.Fabric(), work), loads: newPlanLoad(a.Power.Flow()), limit: a.Power.Limit,
		nowCuts: make([][]int32, len(g.Services)), nowBuilt: make([]bool, len(g.Services)),
		state: fault.NewState(x, g.Failed), touched: make([]int32, len(g.Devices)), fabs: make([]int32, len(a.Fabric().Comps)), seen: make([]uint32, len(g.Devices))}
}

func (k *checker) touch(c int32, d int32) {
	ef := k.effect(c)
	for _, dev := range ef.Devices {
		k.touched[dev] += d
	}
	for _, f := range ef.Fabrics {
		k.fabs[f] += d
	}
}

// seedCone starts a new evaluation of the working vector in which every
// device the services svcs can reach (members, recursively through member
// and required services, and the devices their network runs through)
// that no applied component can change takes its value now, cut set
// included, instead of re-deriving it: a device's own state depends only
// on its cone. What is left to evaluate is what the batch changes.
func (k *checker) seedCone(svcs []int32) {
	g, e, base := k.g, k.e, k.a.Current
	e.Next()
	k.seenAt++
	at := k.seenAt
	seed := func(d int32) {
		if k.seen[d] == at {
			return
		}
		k.seen[d] = at
		if k.touched[d] > 0 {
			return
		}
		e.CopyDevice(d, base)
	}
	net := k.a.Fabric()
	fabric := func(d int32) {
		kc := net.CompOf[d]
		if kc < 0 {
			return
		}
		if k.fabs[kc] == 0 && e.CopyFabric(kc, base) {
			// Untouched: its members' values as next hops, as now.
			for _, m := range net.Comps[kc] {
				k.seen[m] = at
			}
			return
		}
		for _, m := range net.Comps[kc] {
			if k.seen[m] == at {
				continue
			}
			seed(m)
			for _, a := range g.Devices[m].Adj {
				if g.Devices[a.Peer].Root {
					seed(a.Peer)
				}
			}
		}
	}
	k.walk = append(k.walk[:0], svcs...)
	for i := 0; i < len(k.walk); i++ {
		S := &g.Services[k.walk[i]]
		for _, m := range S.Members {
			if m.Service >= 0 {
				k.walk = append(k.walk, m.Service)
				continue
			}
			seed(m.Device)
			for _, a := range g.Devices[m.Device].Adj {
				P := &g.Devices[a.Peer]
				switch {
				case P.Root:
					seed(a.Peer)
				case P.Forwards && k.seen[a.Peer] != at:
					fabric(a.Peer)
				}
			}
		}
		k.walk = append(k.walk, S.Requires...)
	}
}

// apply adds c to the applied set without checking it.
func (k *checker) apply(c int32) {
	k.state.Fail(c)
	k.touch(c, 1)
	k.work[c] = true
	k.applied = append(k.applied, c)
	if k.effect(c).Power {
		k.pow = append(k.pow, c)
	}
}

// reset empties the applied set: the baseline again.
func (k *checker) reset() {
	k.state.UndoTo(0)
	for _, c := range k.applied {
		k.work[c] = k.base[c]
		k.touch(c, -1)
	}
	k.applied, k.pow = k.applied[:0], k.pow[:0]
}

// try adds c to the applied set if the set stays safe with it: every
// service up now stays up (the up/down state, incrementally), no node is
// pushed over the limit by any subset of the set's power components with
// c, and with keep-redundancy no service gains a single point of failure
// (cut sets of the services downstream of c).
func (k *checker) try(c int32) bool { return k.tryOn(c, k.effect(c).Services) }

// tryOn is try with the cut-set check limited to services svcs (a caller
// that knows the others unaffected: a pair of components each safe alone
// can only conflict on services both reach).
func (k *checker) tryOn(c int32, svcs []int32) bool {
	m := k.state.Mark()
	k.state.Fail(c)
	ok := k.state.Down() == 0
	k.touch(c, 1)
	if ok && k.keep {
		k.work[c] = true
		k.seedCone(svcs)
		ok = k.availOK(svcs)
	}
	if ok {
		ok, _, _, _ = k.loadOK(c, k.pow)
	}
	if !ok {
		k.state.UndoTo(m)
		k.work[c] = k.base[c]
		k.touch(c, -1)
		return false
	}
	k.work[c] = true
	k.applied = append(k.applied, c)
	if k.effect(c).Power {
		k.pow = append(k.pow, c)
	}
	return true
}

func (k *checker) cutsNow(s int32) []int32 {
	if !k.nowBuilt[s] {
		k.nowBuilt[s] = true
		k.nowCuts[s] = slices.Sorted(slices.Values(k.a.CurrentServices[s].Cuts))
	}
	return k.nowCuts[s]
}

// svcCuts are a service's cuts under the current evaluation, as the audit
// counts them (sites only for dr services), ascending.
func (k *checker) svcCuts(s int32, v fault.Val) []int32 {
	k.scratch = k.scratch[:0]
	dr := k.g.Services[s].DR
	for _, c := range k.e.Cut(v) {
		if dr || k.g.Kinds[c] != model.KindSite {
			k.scratch = append(k.scratch, c)
		}
	}
	return k.scratch
}

// availOK evaluates services svcs in the evaluation seedCone started (the
// working vector: the batch and the candidate failed): none that is up now
// may go down, and with keep-redundancy none may gain a single point of
// failure.
func (k *checker) availOK(svcs []int32) bool {
	for _, s := range svcs {
		now := &k.a.CurrentServices[s]
		if !now.Up {
			continue
		}
		v := k.e.Service(s)
		if !v.Up {
			return false
		}
		if k.keep && k.g.Services[s].Tolerate >= 1 {
			old := k.cutsNow(s)
			for _, c := range k.svcCuts(s, v) {
				if _, found := slices.BinarySearch(old, c); !found {
					return false
				}
			}
		}
	}
	return true
}

// nodeLoad is a power node's load.
type nodeLoad struct {
	node  int32
	watts float64
}

// loadOK checks candidate c against the batch's power components: for
// every subset of them that bears on a node c bears on, with c failed too,
// no node may be pushed over the limit. It returns the peak load of each
// such node (when ok), or the subset and nodes of the first violation.
func (k *checker) loadOK(c int32, batchPow []int32) (ok bool, peaks []nodeLoad, witness []int32, over []int32) {
	ec := k.effect(c)
	if !ec.Power || len(ec.Loads) == 0 {
		return true, nil, nil, nil
	}
	var q []int32
	for _, x := range batchPow {
		if meets(k.effect(x).Loads, ec.Loads) {
			q = append(q, x)
		}
	}
	if len(q) > maxEnum {
		return false, nil, q, nil
	}
	peaks = make([]nodeLoad, len(ec.Loads))
	for i, n := range ec.Loads {
		peaks[i] = nodeLoad{n, k.loads.now[n]}
	}
	for mask := 0; mask < 1<<len(q); mask++ {
		k.comps = append(k.comps[:0], c)
		k.effs = append(k.effs[:0], ec)
		for i, x := range q {
			if mask&(1<<i) != 0 {
				k.comps = append(k.comps, x)
				k.effs = append(k.effs, k.effect(x))
			}
		}
		k.loads.eval(k.comps, k.effs)
		for i, n := range ec.Loads {
			if k.loads.over(n, k.limit) {
				over = append(over, n)
			}
			if k.loads.alive(n) {
				peaks[i].watts = max(peaks[i].watts, k.loads.load(n))
			}
		}
		if len(over) > 0 {
			return false, nil, slices.Clone(k.comps), over
		}
	}
	return true, peaks, nil, nil
}

// explain says what c alone does that makes it unsafe: the services it
// takes down, those that would lose redundancy (keep-redundancy), the
// power nodes it overloads.
func (k *checker) explain(c int32) (down, degraded []audit.Impact) {
	g := k.g
	k.apply(c)
	defer k.reset()
	k.seedCone(k.effect(c).Services)
	for _, s := range k.effect(c).Services {
		if !k.a.CurrentServices[s].Up {
			continue
		}
		v := k.e.Service(s)
		if !v.Up {
			down = append(down, k.a.DownImpact(k.e, s))
			continue
		}
		if k.keep && g.Services[s].Tolerate >= 1 {
			if fresh := k.freshCuts(s, v); len(fresh) > 0 {
				degraded = append(degraded, audit.WouldDegradeImpact(g.Services[s].ID, fresh))
			}
		}
	}
	ec := k.effect(c)
	if ec.Power {
		k.loads.eval([]int32{c}, []*fault.Reach{ec})
		for _, n := range ec.Loads {
			if k.loads.over(n, k.limit) {
				P := &g.Power[n]
				w := k.loads.load(n)
				down = append(down, audit.OverloadImpact(P.ID, w, P.CapacityW, k.loads.now[n]))
			}
		}
	}
	return down, degraded
}

// freshCuts are a service's single points of failure under the current
// evaluation that it does not have now, nearest first.
func (k *checker) freshCuts(s int32, v fault.Val) []string {
	old := k.cutsNow(s)
	var fresh []int32
	for _, c := range k.svcCuts(s, v) {
		if _, found := slices.BinarySearch(old, c); !found {
			fresh = append(fresh, c)
		}
	}
	return k.a.Names(k.a.NearestFirst(fresh))
}
