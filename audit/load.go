package audit

import (
	"slices"

	"github.com/faultline/faultline/fault"
)

// Load and failover are computed by fault.Load; this is what the audit
// keeps of them.

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

	load *fault.Load // the flow the loads were computed by (plan reuses it)
}

// Shift is one failure and the load it would put on a node.
type Shift struct {
	Failed int32   // power node index
	Load   float64 // watts the node would carry
}

const eps = fault.Eps

func (a *Analysis) power(e *fault.Evaluator, limit float64) PowerResult {
	g := a.G
	l := fault.NewLoad(g, e)
	res := PowerResult{Limit: limit, Load: l.Watts, Failover: map[int32][]Shift{}, Declared: l.Declared, Measured: l.Measured, load: l}
	for p := range g.Power {
		if c := g.Power[p].CapacityW; c > 0 && l.Watts[p] > limit*c+eps {
			res.Overloads = append(res.Overloads, int32(p))
		}
	}
	dead := l.DeadSets(e)
	l.Failover(dead, limit, func(c, n int32, w float64) {
		res.Failover[n] = append(res.Failover[n], Shift{Failed: c, Load: w})
	})
	if g.Meters != nil {
		res.Branches = branches(l, g, dead, limit)
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
