package fault

import (
	"slices"

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

// Reach is one component's downstream: what its failure can change.
type Reach struct {
	Services []int32 // services whose state it can change, ascending
	Devices  []int32 // devices whose own state (up, not network) it can change
	// Avail are the devices whose availability (up and network) it can
	// change: Devices and those whose network it can change.
	Avail   []int32
	Fabrics []int32 // fabric components whose reachability it can change
	// Power components only (site, rack, power node, PSU):
	Power bool
	Nodes []int32 // power nodes it can take down, ascending (topological)
	PSUs  []int32 // PSUs it can take down
	Loads []int32 // power nodes with a capacity whose load it can change, ascending
}

// Index is the reverse structure of a graph: what feeds what, for Reach
// and for State.
type Index struct {
	g          *model.Graph
	net        *Fabric
	svcOfDev   csr       // device -> services it is a member of
	svcParents [][]int32 // service -> services with it as member or requirement
	devsOf     [][]int32 // rack -> devices
	racksOf    [][]int32 // site -> racks
	powOfRack  [][]int32 // rack -> power nodes in it
	powOfSite  [][]int32 // site -> power nodes naming it
	feeds      [][]int32 // power node -> nodes listing it as an input
	psusOn     [][]int32 // power node -> PSUs plugged into it
	boundTo    [][]int32 // power node -> PSUs on outlets bound to it as their PDU's input

	round                              uint32
	devMark, availMark, powMark, kMark []uint32
	svcMark                            []uint32
}

// NewIndex indexes g, whose fabric components are net.
func NewIndex(g *model.Graph, net *Fabric) *Index {
	x := &Index{g: g, net: net,
		svcParents: make([][]int32, len(g.Services)),
		devsOf:     make([][]int32, len(g.Racks)), racksOf: make([][]int32, len(g.Sites)),
		powOfRack: make([][]int32, len(g.Racks)), powOfSite: make([][]int32, len(g.Sites)),
		feeds: make([][]int32, len(g.Power)), psusOn: make([][]int32, len(g.Power)),
		boundTo: make([][]int32, len(g.Power)),
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
		Q := &g.PSUs[i]
		x.psusOn[Q.PDU] = append(x.psusOn[Q.PDU], int32(i))
		if Q.Input >= 0 {
			in := g.Power[Q.PDU].Inputs[Q.Input]
			x.boundTo[in] = append(x.boundTo[in], int32(i))
		}
	}
	return x
}

// Reach computes what component c's failure can change, whatever else
// has failed.
func (x *Index) Reach(c int32) *Reach {
	g := x.g
	x.round++
	w := &reachWalk{x: x, round: x.round, ef: &Reach{}}
	e := g.Entities[c]
	switch g.Kinds[c] {
	case model.KindSite:
		w.ef.Power = true
		for _, r := range x.racksOf[e] {
			w.rack(r)
		}
		for _, p := range x.powOfSite[e] {
			w.pow(p)
		}
	case model.KindRack:
		w.ef.Power = true
		w.rack(e)
	case model.KindPower:
		w.ef.Power = true
		w.pow(e)
	case model.KindPSU:
		w.ef.Power = true
		w.ef.PSUs = append(w.ef.PSUs, e)
		w.dev(g.PSUs[e].Device)
	case model.KindDrive, model.KindDevice:
		w.dev(g.DeviceOf(c))
	case model.KindLink, model.KindCable:
		for _, li := range g.LinksOf(c) {
			L := &g.Links[li]
			for _, end := range []int32{L.A, L.B} {
				w.avail(end)
				w.fabric(x.net.CompOf[end])
			}
		}
	}
	w.downstream()
	ef := w.ef
	ef.Services, ef.Devices, ef.Avail = x.servicesOf(w.avails), w.devs, w.avails
	if !ef.Power {
		return ef
	}
	slices.Sort(w.pows)
	ef.Nodes = w.pows
	ef.Loads = x.loadsOf(ef)
	return ef
}

// reachWalk collects one Reach; marks are valid while they equal round.
type reachWalk struct {
	x                  *Index
	round              uint32
	ef                 *Reach
	devs, avails, pows []int32
}

func (w *reachWalk) dev(d int32) {
	if w.x.devMark[d] != w.round {
		w.x.devMark[d] = w.round
		w.devs = append(w.devs, d)
	}
}

func (w *reachWalk) avail(d int32) {
	if w.x.availMark[d] != w.round {
		w.x.availMark[d] = w.round
		w.avails = append(w.avails, d)
	}
}

func (w *reachWalk) pow(p int32) {
	if w.x.powMark[p] != w.round {
		w.x.powMark[p] = w.round
		w.pows = append(w.pows, p)
	}
}

func (w *reachWalk) rack(r int32) {
	for _, d := range w.x.devsOf[r] {
		w.dev(d)
	}
	for _, p := range w.x.powOfRack[r] {
		w.pow(p)
	}
}

// fabric: devices whose network runs through a fabric component are its
// members and every device linked to one of them.
func (w *reachWalk) fabric(k int32) {
	x := w.x
	if k < 0 || x.kMark[k] == w.round {
		return
	}
	x.kMark[k] = w.round
	w.ef.Fabrics = append(w.ef.Fabrics, k)
	for _, m := range x.net.Comps[k] {
		w.avail(m)
		for _, a := range x.g.Devices[m].Adj {
			w.avail(a.Peer)
		}
	}
}

// downstream follows the power nodes hit to what they feed, and the
// devices hit to the network they carry.
func (w *reachWalk) downstream() {
	x, g := w.x, w.x.g
	for i := 0; i < len(w.pows); i++ {
		p := w.pows[i]
		for _, child := range x.feeds[p] {
			w.pow(child)
		}
		for _, on := range [2][][]int32{x.psusOn, x.boundTo} {
			for _, q := range on[p] {
				w.ef.PSUs = append(w.ef.PSUs, q)
				w.dev(g.PSUs[q].Device)
			}
		}
	}
	for _, d := range w.devs {
		w.avail(d)
		D := &g.Devices[d]
		switch {
		case D.Root:
			for _, a := range D.Adj {
				w.avail(a.Peer)
				w.fabric(x.net.CompOf[a.Peer])
			}
		case D.Forwards:
			w.fabric(x.net.CompOf[d])
		}
	}
}

// servicesOf lists, ascending, the services the devices avail are
// members of, and every service with one of those as a member or
// requirement.
func (x *Index) servicesOf(avail []int32) []int32 {
	round := x.round
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
	return svcs
}

// loadsOf lists, ascending, the nodes with a capacity whose load a power
// failure can change: every node at or above a node it can take down
// (routes switch inputs), and at or above any PDU of a device that can
// lose a PSU (its draw re-splits).
func (x *Index) loadsOf(ef *Reach) []int32 {
	g := x.g
	x.round++
	round := x.round
	var up []int32
	hit := func(p int32) {
		if x.powMark[p] != round {
			x.powMark[p] = round
			up = append(up, p)
		}
	}
	for _, p := range ef.Nodes {
		hit(p)
	}
	for _, q := range ef.PSUs {
		for _, r := range g.Devices[g.PSUs[q].Device].PSUs {
			hit(g.PSUs[r].PDU)
		}
	}
	for i := 0; i < len(up); i++ {
		for _, in := range g.Power[up[i]].Inputs {
			hit(in)
		}
	}
	var loads []int32
	for _, p := range up {
		if g.Power[p].CapacityW > 0 {
			loads = append(loads, p)
		}
	}
	slices.Sort(loads)
	return loads
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
