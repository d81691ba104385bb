package picture

import (
	"cmp"
	"slices"
)

// drawLinks draws each link between drawn devices: down from the upper
// row's bottom edge to the lower's top edge, straight across between
// neighbours in a row, or arching over a row. Ends are spread along each
// side in the order of the devices they lead to, so links do not cross at
// their ends, and parallel links stay apart.
func (p *Picture) drawLinks(out *panel, nodes map[int32]*netNode) {
	g := p.g
	routes := p.routeLinks(nodes)
	p.spreadEnds(nodes)
	for _, r := range routes {
		x1, y1 := p.endPoint(r.a, r.sideA, r.endA)
		x2, y2 := p.endPoint(r.b, r.sideB, r.endB)
		var d string
		switch {
		case r.sideA == sideTop && r.sideB == sideTop:
			h := min(netTop-10, 18+abs(x2-x1)/8)
			d = path('M', x1, y1, 'C', x1, y1-h, x2, y2-h, x2, y2)
		case r.sideA == sideLeft || r.sideA == sideRight:
			d = path('M', x1, y1, 'L', x2, y2)
		default:
			d = curve(x1, y1, x2, y2)
		}
		c := g.Links[r.li].Comp
		l := g.Inv.Links[r.li]
		out.Links = append(out.Links, link{
			ID: ComponentID(g.ID(c)), Class: p.classOf("link", c), D: d, Href: p.href(c),
			Title: title(l.A+" — "+l.B, p.involvement(c)),
		})
	}
}

// route is one link between drawn devices: the side of each end's node it
// leaves from, and its place among that side's ends.
type route struct {
	li         int32
	a, b       *netNode
	sideA      int
	sideB      int
	endA, endB int // index into the side's ends
}

// routeLinks picks the sides each link between two drawn devices leaves
// from (bottom to top between rows, right to left between neighbours in a
// row, top to top otherwise) and adds its ends to the nodes' sides.
func (p *Picture) routeLinks(nodes map[int32]*netNode) []route {
	var routes []route
	for li, l := range p.g.Links {
		a, b := nodes[l.A], nodes[l.B]
		if a == nil || b == nil || l.A == l.B {
			continue
		}
		r := route{li: int32(li), a: a, b: b}
		switch {
		case a.row < b.row:
			r.sideA, r.sideB = sideBottom, sideTop
		case a.row > b.row:
			r.sideA, r.sideB = sideTop, sideBottom
		case a.col+1 == b.col:
			r.sideA, r.sideB = sideRight, sideLeft
		case b.col+1 == a.col:
			r.sideA, r.sideB = sideLeft, sideRight
		default:
			r.sideA, r.sideB = sideTop, sideTop
		}
		r.endA = len(a.ends[r.sideA])
		a.ends[r.sideA] = append(a.ends[r.sideA], netEnd{link: r.li, peerX: b.x})
		r.endB = len(b.ends[r.sideB])
		b.ends[r.sideB] = append(b.ends[r.sideB], netEnd{link: r.li, peerX: a.x})
		routes = append(routes, r)
	}
	return routes
}

// spreadEnds places the ends on each side of each node evenly along it,
// in the order of the peers' x (then of the links), so that ends do not
// cross.
func (p *Picture) spreadEnds(nodes map[int32]*netNode) {
	for _, n := range nodes {
		for side := range n.ends {
			ends := n.ends[side]
			order := make([]int, len(ends))
			for i := range order {
				order[i] = i
			}
			slices.SortStableFunc(order, func(i, j int) int {
				if c := cmp.Compare(ends[i].peerX, ends[j].peerX); c != 0 {
					return c
				}
				return cmp.Compare(ends[i].link, ends[j].link)
			})
			length := p.sz.net
			if side == sideLeft || side == sideRight {
				length = netNodeH
			}
			for rank, i := range order {
				ends[i].at = length * (rank + 1) / (len(ends) + 1)
			}
		}
	}
}

// endPoint is where end number end on a side of node n is drawn.
func (p *Picture) endPoint(n *netNode, side, end int) (int, int) {
	at := n.ends[side][end].at
	switch side {
	case sideTop:
		return n.x + at, n.y
	case sideBottom:
		return n.x + at, n.y + netNodeH
	case sideLeft:
		return n.x, n.y + at
	}
	return n.x + p.sz.net, n.y + at
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
