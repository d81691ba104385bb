package audit

import (
	"slices"

	"github.com/faultline/faultline/fault"
)

// Order-2 analysis for services with tolerate: 2: their minimal double
// faults, from fault.Pairs, nearest first and at most limit of them.
func (a *Analysis) pairs(limit int) {
	g := a.G
	var p *fault.Pairs
	for s := range g.Services {
		S := &g.Services[s]
		res := &a.DesignServices[s]
		if S.Tolerate < 2 || !res.Up {
			continue
		}
		if p == nil {
			p = fault.NewPairs(g, a.net, a.Design)
		}
		found := p.Service(int32(s))
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
