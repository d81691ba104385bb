package audit

import (
	"slices"

	"github.com/faultline/faultline/fault"
	"github.com/faultline/faultline/model"
)

// The planner checks a candidate batch by evaluating only what the batch
// can change. A component's effect is the structural downstream of it in
// the fault graph, whatever else has failed: the services whose state it
// can change, and — for power components — the power nodes and PSUs it
// can take down and the nodes whose load it can change. Gates evaluate
// only their upstream cone, so a service outside every member's effect
// evaluates exactly as it does now, and a node's load depends only on the
// failures whose effect lists it.

// effect is one component's downstream.
type effect struct {
	svcs []int32 // services whose state it can change, ascending
	devs []int32 // devices whose own state (up, not network) it can change
	// avail are the devices whose availability (up and network) it can
	// change: devs and those whose network it can change.
	avail []int32
	fabs  []int32 // fabric components whose reachability it can change
	// Power components only (site, rack, power node, PSU):
	power bool
	pows  []int32 // power nodes it can take down, ascending (topological)
	psus  []int32 // PSUs it can take down
	la    []int32 // power nodes with a capacity whose load it can change, ascending
}

// planIndex is the reverse structure of a graph, for effects.
type planIndex struct {
	g          *model.Graph
	net        *fault.Fabric
	svcOfDev   csr       // device -> services it is a member of
	svcParents [][]int32 // service -> services with it as member or requirement
	devsOf     [][]int32 // rack -> devices
	racksOf    [][]int32 // site -> racks
	powOfRack  [][]int32 // rack -> power nodes in it
	powOfSite  [][]int32 // site -> power nodes naming it
	feeds      [][]int32 // power node -> nodes listing it as an input
	psusOn     [][]int32 // power node -> PSUs plugged into it

	round                              uint32
	devMark, availMark, powMark, kMark []uint32
	svcMark                            []uint32
}

func newPlanIndex(g *model.Graph, net *fault.Fabric) *planIndex {
	x := &planIndex{g: g, net: net,
		svcParents: make([][]int32, len(g.Services)),
		devsOf:     make([][]int32, len(g.Racks)), racksOf: make([][]int32, len(g.Sites)),
		powOfRack: make([][]int32, len(g.Racks)), powOfSite: make([][]int32, len(g.Sites)),
		feeds: make([][]int32, len(g.Power)), psusOn: make([][]int32, len(g.Power)),
		devMark: make([]uint32, len(g.Devices)), availMark: make([]uint32, len(g.Devices)),
		powMark: make([]uint32, len(g.Power)), kMark: make([]uint32, len(net.Comps)),
		svcMark: make([]uint32, len(g.Services)),
	}
	x.svcOfDev = newCSR(len(g.Devices), func(add func(from, to int32)) {
		for s := range g.Services {
			for _, m := range g.Services[s].Members {
				if m.Device >= 0 {
					add(m.Device, int32(s))
				}
			}
		}
	})
	for s := range g.Services {
		S := &g.Services[s]
		for _, m := range S.Members {
			if m.Device < 0 {
				x.svcParents[m.Service] = append(x.svcParents[m.Service], int32(s))
			}
		}
		for _, r := range S.Requires {
			x.svcParents[r] = append(x.svcParents[r], int32(s))
		}
	}
	for d := range g.Devices {
		x.devsOf[g.Devices[d].Rack] = append(x.devsOf[g.Devices[d].Rack], int32(d))
	}
	for r := range g.Racks {
		x.racksOf[g.Racks[r].Site] = append(x.racksOf[g.Racks[r].Site], int32(r))
	}
	for p := range g.Power {
		P := &g.Power[p]
		if P.Rack >= 0 {
			x.powOfRack[P.Rack] = append(x.powOfRack[P.Rack], int32(p))
		}
		if P.Site >= 0 {
			x.powOfSite[P.Site] = append(x.powOfSite[P.Site], int32(p))
		}
		for _, in := range P.Inputs {
			x.feeds[in] = append(x.feeds[in], int32(p))
		}
	}
	for i := range g.PSUs {
		x.psusOn[g.PSUs[i].PDU] = append(x.psusOn[g.PSUs[i].PDU], int32(i))
	}
	return x
}

// effectOf computes component c's effect.
func (x *planIndex) effectOf(c int32) *effect {
	g := x.g
	x.round++
	round := x.round
	ef := &effect{}
	var devs, avail, pows []int32
	hitDev := func(d int32) {
		if x.devMark[d] != round {
			x.devMark[d] = round
			devs = append(devs, d)
		}
	}
	hitAvail := func(d int32) {
		if x.availMark[d] != round {
			x.availMark[d] = round
			avail = append(avail, d)
		}
	}
	hitPow := func(p int32) {
		if x.powMark[p] != round {
			x.powMark[p] = round
			pows = append(pows, p)
		}
	}
	hitRack := func(r int32) {
		for _, d := range x.devsOf[r] {
			hitDev(d)
		}
		for _, p := range x.powOfRack[r] {
			hitPow(p)
		}
	}
	// Devices whose network runs through a fabric component: its members
	// and every device linked to one of them.
	hitFabric := func(k int32) {
		if k < 0 || x.kMark[k] == round {
			return
		}
		x.kMark[k] = round
		ef.fabs = append(ef.fabs, k)
		for _, m := range x.net.Comps[k] {
			hitAvail(m)
			for _, a := range g.Devices[m].Adj {
				hitAvail(a.Peer)
			}
		}
	}
	e := g.Entities[c]
	switch g.Kinds[c] {
	case model.KindSite:
		ef.power = true
		for _, r := range x.racksOf[e] {
			hitRack(r)
		}
		for _, p := range x.powOfSite[e] {
			hitPow(p)
		}
	case model.KindRack:
		ef.power = true
		hitRack(e)
	case model.KindPower:
		ef.power = true
		hitPow(e)
	case model.KindPSU:
		ef.power = true
		ef.psus = append(ef.psus, e)
		hitDev(g.PSUs[e].Device)
	case model.KindDrive, model.KindDevice:
		hitDev(g.DeviceOf(c))
	case model.KindLink:
		L := &g.Links[e]
		for _, end := range []int32{L.A, L.B} {
			hitAvail(end)
			hitFabric(x.net.CompOf[end])
		}
	}
	for i := 0; i < len(pows); i++ {
		p := pows[i]
		for _, child := range x.feeds[p] {
			hitPow(child)
		}
		for _, q := range x.psusOn[p] {
			ef.psus = append(ef.psus, q)
			hitDev(g.PSUs[q].Device)
		}
	}
	for _, d := range devs {
		hitAvail(d)
		D := &g.Devices[d]
		switch {
		case D.Root:
			for _, a := range D.Adj {
				hitAvail(a.Peer)
				hitFabric(x.net.CompOf[a.Peer])
			}
		case D.Forwards:
			hitFabric(x.net.CompOf[d])
		}
	}
	var svcs []int32
	for _, d := range avail {
		for _, s := range x.svcOfDev.at(d) {
			if x.svcMark[s] != round {
				x.svcMark[s] = round
				svcs = append(svcs, s)
			}
		}
	}
	for i := 0; i < len(svcs); i++ {
		for _, s := range x.svcParents[svcs[i]] {
			if x.svcMark[s] != round {
				x.svcMark[s] = round
				svcs = append(svcs, s)
			}
		}
	}
	slices.Sort(svcs)
	ef.svcs, ef.devs, ef.avail = svcs, devs, avail
	if !ef.power {
		return ef
	}
	slices.Sort(pows)
	ef.pows = pows
	// Loads that can change: every node at or above a node it can take
	// down (routes switch inputs), and at or above any PDU of a device
	// that can lose a PSU (its draw re-splits).
	x.round++
	round = x.round
	var up []int32
	hit := func(p int32) {
		if x.powMark[p] != round {
			x.powMark[p] = round
			up = append(up, p)
		}
	}
	for _, p := range pows {
		hit(p)
	}
	for _, q := range ef.psus {
		for _, r := range g.Devices[g.PSUs[q].Device].PSUs {
			hit(g.PSUs[r].PDU)
		}
	}
	for i := 0; i < len(up); i++ {
		for _, in := range g.Power[up[i]].Inputs {
			hit(in)
		}
	}
	for _, p := range up {
		if g.Power[p].CapacityW > 0 {
			ef.la = append(ef.la, p)
		}
	}
	slices.Sort(ef.la)
	return ef
}

// meets reports whether two ascending lists share an element.
func meets(a, b []int32) bool {
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// shared returns the elements two ascending lists share.
func shared(dst, a, b []int32) []int32 {
	dst = dst[:0]
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			dst = append(dst, a[i])
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return dst
}

// csr is a one-to-many map over dense keys in two flat arrays (no slice
// per key: a million devices would be a million allocations).
type csr struct{ off, val []int32 }

// newCSR builds one from the pairs edges yields, in the order yielded.
func newCSR(n int, edges func(add func(from, to int32))) csr {
	c := csr{off: make([]int32, n+1)}
	edges(func(from, _ int32) { c.off[from+1]++ })
	for i := 1; i <= n; i++ {
		c.off[i] += c.off[i-1]
	}
	c.val = make([]int32, c.off[n])
	next := slices.Clone(c.off[:n])
	edges(func(from, to int32) {
		c.val[next[from]] = to
		next[from]++
	})
	return c
}

func (c csr) at(i int32) []int32 { return c.val[c.off[i]:c.off[i+1]] }
