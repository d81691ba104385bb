package openpsa

import (
	"fmt"
	"strconv"
)

// Network reachability is the model's one cyclic part: a device has
// network while a path of up links through up forwarding devices reaches
// a root. A fault tree is acyclic, so each fabric component (the
// forwarding non-root devices connected without passing a root; see
// fault.Fabric) is unrolled into hop layers: a member is cut off within
// h hops when it is down, or when every root next to it and, for h > 0,
// every fabric neighbour cut off within h−1 hops is out of reach (down,
// or behind a down link). A simple path through a component of n members
// takes at most n−1 hops, so n−1 layers are exact; fewer layers leave out
// the longer paths, which only adds failures: an upper bound.

// DefaultMaxFabricWork bounds the gates the network's layers may take per
// fabric component (layers × (members + links)) before the export falls
// back to fewer layers than exact.
const DefaultMaxFabricWork = 200_000

// planFabrics decides each fabric component's layers: exact when that
// fits maxWork, else as many as fit but never fewer than its design's
// longest shortest path to a root plus 2 (detours of two hops kept).
func (b *builder) planFabrics(maxWork int) {
	b.hops = make([]int32, len(b.net.Comps))
	for k, members := range b.net.Comps {
		n := len(members)
		edges := 0
		for _, m := range members {
			edges += len(b.g.Devices[m].Adj)
		}
		exact := n - 1
		h := exact
		if work := exact * (n + edges); maxWork > 0 && work > maxWork {
			h = max(maxWork/(n+edges), b.depth(int32(k))+2)
			h = min(h, exact)
		}
		b.hops[k] = int32(h)
		if h < exact {
			b.approx = append(b.approx, fmt.Sprintf("the network fabric of %s (%d forwarding devices) is unrolled to %d hops of the %d an exact tree needs: paths through it longer than that are left out, so its devices' failures are over-counted (an upper bound on unavailability)",
				b.g.Devices[members[0]].ID, n, h, exact))
		}
	}
}

// depth is the longest shortest path, in hops, from a member of fabric
// component k to a member next to a root, on the design (nothing failed).
func (b *builder) depth(k int32) int {
	g := b.g
	dist := map[int32]int{}
	var queue []int32
	for _, m := range b.net.Comps[k] {
		for _, a := range g.Devices[m].Adj {
			if g.Devices[a.Peer].Root {
				dist[m] = 0
				queue = append(queue, m)
				break
			}
		}
	}
	far := 0
	for h := 0; h < len(queue); h++ {
		d := queue[h]
		for _, a := range g.Devices[d].Adj {
			if _, seen := dist[a.Peer]; !seen && b.net.CompOf[a.Peer] == k {
				dist[a.Peer] = dist[d] + 1
				far = max(far, dist[d]+1)
				queue = append(queue, a.Peer)
			}
		}
	}
	return far
}

// netDown: device d is cut off from the roots when every neighbour is
// out of reach: a root behind its link (or the link's cable), a
// forwarding device behind its link and its fabric's layers. Servers and storage do not forward.
func (b *builder) netDown(d int32, dr bool) *expr {
	D := &b.g.Devices[d]
	if !b.g.NetworkModelled || D.Root {
		return falseExpr
	}
	return b.memoized(memoKey{kind: gkNet, i: d, dr: dr}, func() *expr {
		f := and(b.hopTerms(d, -1, dr)...)
		return b.define("net", D.ID, "device "+D.ID+" cut off from the network roots", dr, f)
	})
}

// hopTerms are device d's neighbours out of reach: roots, and forwarding
// devices cut off within h hops (h < 0: the neighbour's fabric's full
// layers; h = 0: roots only).
func (b *builder) hopTerms(d int32, h int32, dr bool) []*expr {
	g := b.g
	var terms []*expr
	for _, a := range g.Devices[d].Adj {
		P := &g.Devices[a.Peer]
		switch {
		case P.Root:
			terms = append(terms, or(append(b.linkDown(a.Link), b.device(a.Peer, dr))...))
		case P.Forwards && h != 0:
			hh := h - 1
			if h < 0 {
				hh = b.hops[b.net.CompOf[a.Peer]]
			}
			terms = append(terms, or(append(b.linkDown(a.Link), b.fabric(a.Peer, hh, dr))...))
		}
	}
	return terms
}

// fabric: forwarding device d is cut off within h hops when it is down or
// every neighbour is out of reach within h.
func (b *builder) fabric(d int32, h int32, dr bool) *expr {
	return b.memoized(memoKey{kind: gkFabric, i: d, h: h, dr: dr}, func() *expr {
		id := b.g.Devices[d].ID
		f := or(b.device(d, dr), and(b.hopTerms(d, h, dr)...))
		return b.define("fabric-"+strconv.Itoa(int(h)), id, "forwarding device "+id+" down or cut off from the network roots within "+strconv.Itoa(int(h))+" hops", dr, f)
	})
}

// linkDown are the events that take link li down: the link itself and
// the cable that carries it with other links (a breakout, a bundle),
// whose one event every link in it reads.
func (b *builder) linkDown(li int32) []*expr {
	L := &b.g.Links[li]
	if L.Cable < 0 {
		return []*expr{b.event(L.Comp)}
	}
	return []*expr{b.event(L.Comp), b.event(b.g.Cables[L.Cable].Comp)}
}
