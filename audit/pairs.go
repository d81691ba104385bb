package audit

import (
	"slices"

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
	var cond *evaluator
	var failed []bool
	for s := range g.Services {
		S := &g.Services[s]
		res := &a.Services[s]
		if S.Tolerate < 2 || !res.Up {
			continue
		}
		if cond == nil {
			failed = make([]bool, len(g.Comps))
			cond = newEvaluator(g, a.net, failed)
		}
		isCut := make(map[int32]bool, len(res.Cuts))
		for _, c := range res.Cuts {
			isCut[c] = true
		}
		skip := func(c int32) bool { return isCut[c] || (!S.DR && g.Kinds[c] == model.KindSite) }
		var found [][2]int32
		for _, x := range a.support(int32(s)) {
			if skip(x) {
				continue
			}
			failed[x] = true
			cond.next()
			v := cond.svcVal(int32(s))
			failed[x] = false
			if !v.up {
				continue // cannot happen: x is not a cut
			}
			for _, y := range cond.cutOf(v) {
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
	g := a.G
	seen := make(map[int32]bool)
	var out []int32
	add := func(c int32) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	powerSeen := map[int32]bool{}
	var power func(p int32)
	power = func(p int32) {
		if powerSeen[p] {
			return
		}
		powerSeen[p] = true
		P := &g.Power[p]
		add(P.Comp)
		if P.Rack >= 0 {
			add(g.Racks[P.Rack].Comp)
			add(g.Sites[g.Racks[P.Rack].Site].Comp)
		}
		if P.Site >= 0 {
			add(g.Sites[P.Site].Comp)
		}
		for _, in := range P.Inputs {
			power(in)
		}
	}
	devSeen := map[int32]bool{}
	device := func(d int32) {
		if devSeen[d] {
			return
		}
		devSeen[d] = true
		D := &g.Devices[d]
		add(D.Comp)
		add(g.Racks[D.Rack].Comp)
		add(g.Sites[g.Racks[D.Rack].Site].Comp)
		for _, p := range D.PSUs {
			add(g.PSUs[p].Comp)
			power(g.PSUs[p].PDU)
		}
		for _, v := range D.Volumes {
			for _, dr := range v.Drives {
				add(dr)
			}
		}
	}
	compSeen := map[int32]bool{}
	links := func(d int32) {
		for _, adj := range g.Devices[d].Adj {
			P := &g.Devices[adj.Peer]
			if P.Root || P.Forwards {
				add(g.Links[adj.Link].Comp)
			}
			if P.Root {
				device(adj.Peer)
			}
		}
	}
	network := func(d int32) {
		if !g.NetworkModelled || g.Devices[d].Root {
			return
		}
		links(d)
		for _, adj := range g.Devices[d].Adj {
			k := a.net.compOf[adj.Peer]
			if k < 0 || compSeen[k] {
				continue
			}
			compSeen[k] = true
			for _, m := range a.net.comps[k] {
				device(m)
				links(m)
			}
		}
	}
	svcSeen := map[int32]bool{}
	var service func(s int32)
	service = func(s int32) {
		if svcSeen[s] {
			return
		}
		svcSeen[s] = true
		S := &g.Services[s]
		for _, m := range S.Members {
			if m.Device >= 0 {
				device(m.Device)
				network(m.Device)
			} else {
				service(m.Service)
			}
		}
		for _, r := range S.Requires {
			service(r)
		}
	}
	service(s)
	slices.Sort(out)
	return out
}
