package audit

import (
	"slices"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// Order-2 analysis for services with tolerate: 2. A pair {a, b} is a
// minimal double fault when neither alone takes the service down but both
// do; equivalently b is a single point of failure once a has failed. So
// for each component a in the service's cone that is not already a cut,
// fail it, re-evaluate only the service's cone (the evaluator is demand
// driven), and read the new single points of failure. The cone is small
// for real services (members, their power chains, drives, links and the
// fabric up to the first roots), so this is |cone|² work per service, not
// |inventory|².

func (a *Analysis) pairs(limit int) {
	g := a.G
	var cond *fault.Evaluator
	var failed []bool
	for s := range g.Services {
		S := &g.Services[s]
		res := &a.DesignServices[s]
		if S.Tolerate < 2 || !res.Up {
			continue
		}
		if cond == nil {
			failed = make([]bool, len(g.Comps))
			cond = fault.New(g, a.net, failed)
		}
		isCut := make(map[int32]bool, len(res.Cuts))
		for _, c := range res.Cuts {
			isCut[c] = true
		}
		skip := func(c int32) bool {
			return isCut[c] || (!S.DR && g.Kinds[c] == model.KindSite) || g.Kinds[c] == model.KindInlet
		}
		var found [][2]int32
		for _, x := range a.support(int32(s)) {
			if skip(x) {
				continue
			}
			failed[x] = true
			cond.Next()
			v := cond.Service(int32(s))
			failed[x] = false
			if !v.Up {
				continue // cannot happen: x is not a cut
			}
			for _, y := range cond.Cut(v) {
				if y > x && !skip(y) {
					found = append(found, [2]int32{x, y})
				}
			}
		}
		for i := range found {
			if a.nearer(found[i][1], found[i][0]) < 0 {
				found[i][0], found[i][1] = found[i][1], found[i][0]
			}
		}
		slices.SortFunc(found, func(p, q [2]int32) int {
			if c := a.nearer(p[0], q[0]); c != 0 {
				return c
			}
			return a.nearer(p[1], q[1])
		})
		if len(found) > limit {
			res.Dropped = len(found) - limit
			found = found[:limit]
		}
		res.Pairs = found
	}
}

// support lists every component in a service's cone: everything whose
// state its evaluation reads.
func (a *Analysis) support(s int32) []int32 {
	c := fault.NewCone(a.G, a.net)
	c.Service(s)
	return c.Sorted()
}
