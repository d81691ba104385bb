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
	c := a.newCone()
	c.service(s)
	return c.sorted()
}

// cone collects the components an evaluation reads: a service's, or one
// side (power, network) of a device's.
type cone struct {
	a                         *Analysis
	seen                      map[int32]bool
	out                       []int32
	powerSeen, devSeen, svcOK map[int32]bool
	compSeen                  map[int32]bool
}

func (a *Analysis) newCone() *cone {
	return &cone{a: a, seen: map[int32]bool{}, powerSeen: map[int32]bool{}, devSeen: map[int32]bool{}, svcOK: map[int32]bool{}, compSeen: map[int32]bool{}}
}

func (c *cone) sorted() []int32 {
	slices.Sort(c.out)
	return c.out
}

func (c *cone) add(x int32) {
	if !c.seen[x] {
		c.seen[x] = true
		c.out = append(c.out, x)
	}
}

func (c *cone) power(p int32) {
	if c.powerSeen[p] {
		return
	}
	c.powerSeen[p] = true
	g := c.a.G
	P := &g.Power[p]
	c.add(P.Comp)
	if P.Rack >= 0 {
		c.add(g.Racks[P.Rack].Comp)
		c.add(g.Sites[g.Racks[P.Rack].Site].Comp)
	}
	if P.Site >= 0 {
		c.add(g.Sites[P.Site].Comp)
	}
	for _, x := range P.Inlets { // observed-failed inlets are what spent a node's inputs
		c.add(x)
	}
	for _, in := range P.Inputs {
		c.power(in)
	}
}

// powered adds a device's PSUs and the power chain behind them.
func (c *cone) powered(d int32) {
	g := c.a.G
	for _, p := range g.Devices[d].PSUs {
		c.add(g.PSUs[p].Comp)
		c.power(g.PSUs[p].PDU)
	}
}

func (c *cone) device(d int32) {
	if c.devSeen[d] {
		return
	}
	c.devSeen[d] = true
	g := c.a.G
	D := &g.Devices[d]
	c.add(D.Comp)
	c.add(g.Racks[D.Rack].Comp)
	c.add(g.Sites[g.Racks[D.Rack].Site].Comp)
	c.powered(d)
	for _, v := range D.Volumes {
		for _, dr := range v.Drives {
			c.add(dr)
		}
	}
}

func (c *cone) links(d int32) {
	g := c.a.G
	for _, adj := range g.Devices[d].Adj {
		P := &g.Devices[adj.Peer]
		if P.Root || P.Forwards {
			c.add(g.Links[adj.Link].Comp)
		}
		if P.Root {
			c.device(adj.Peer)
		}
	}
}

// network adds what a device's path to the roots reads.
func (c *cone) network(d int32) {
	g := c.a.G
	if !g.NetworkModelled || g.Devices[d].Root {
		return
	}
	c.links(d)
	for _, adj := range g.Devices[d].Adj {
		k := c.a.net.CompOf[adj.Peer]
		if k < 0 || c.compSeen[k] {
			continue
		}
		c.compSeen[k] = true
		for _, m := range c.a.net.Comps[k] {
			c.device(m)
			c.links(m)
		}
	}
}

func (c *cone) service(s int32) {
	if c.svcOK[s] {
		return
	}
	c.svcOK[s] = true
	S := &c.a.G.Services[s]
	for _, m := range S.Members {
		if m.Device >= 0 {
			c.device(m.Device)
			c.network(m.Device)
		} else {
			c.service(m.Service)
		}
	}
	for _, r := range S.Requires {
		c.service(r)
	}
}
