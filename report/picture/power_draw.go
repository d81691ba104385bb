package picture

import (
	"cmp"
	"slices"
	"strings"
)

// draw turns the placed layout into shapes.
func (l *powerLayout) draw() {
	p, g := l.p, l.p.g
	for _, s := range l.sites {
		f := frame{Class: "site", X: s.x, Y: s.y, W: s.w, H: s.h, Caption: l.caption(s), CX: s.x + sitePad, CY: s.y + 22}
		if s.site >= 0 {
			st := g.Inv.Sites[s.site]
			c := g.Sites[s.site].Comp
			f.ID = ComponentID(st.ID)
			f.Class = p.classOf("site", c)
			f.Caption = st.ID
			if st.Name != "" {
				f.Sub = " · " + st.Name
			}
			f.Title = title("site "+st.ID, st.Name, p.involvement(c))
		}
		l.out.Sites = append(l.out.Sites, f)
	}
	for _, s := range l.sites {
		for _, row := range s.rows {
			for _, rb := range row {
				p.drawRack(rb, l)
			}
		}
	}
	for _, s := range l.sites {
		for _, nodes := range s.layers {
			for _, i := range nodes {
				l.out.Nodes = append(l.out.Nodes, p.powerNode(i, l.at[i], p.sz.node, nodeH))
			}
		}
	}
	l.drawEdges()
}

// drawEdges draws each power edge from its input's bottom to its node's
// top. Edges leave and arrive spread along the boxes' edges in the order
// of where they lead, so that a feed's many PDUs fan out without their
// curves crossing at the ends.
func (l *powerLayout) drawEdges() {
	g := l.p.g
	type edge struct{ from, to int32 }
	var edges []edge
	outs := make(map[int32][]int, len(g.Power)) // by node: edge indexes leaving it
	ins := make(map[int32][]int, len(g.Power))
	for i := range g.Power {
		if at := l.at[i]; at.inRack && at.rackRow > 0 {
			l.labelInputs(int32(i))
		}
		for _, in := range g.Power[i].Inputs {
			if l.at[in].placed && l.at[i].placed && !l.behindRacks(in, int32(i)) {
				outs[in] = append(outs[in], len(edges))
				ins[int32(i)] = append(ins[int32(i)], len(edges))
				edges = append(edges, edge{in, int32(i)})
			}
		}
	}
	from := make([]int, len(edges))
	to := make([]int, len(edges))
	attach := func(node int32, es []int, other func(e int) int32, into []int) {
		at := l.at[node]
		slices.SortStableFunc(es, func(a, b int) int {
			return cmp.Compare(l.at[other(a)].x, l.at[other(b)].x)
		})
		span := at.w - 24
		for k, e := range es {
			into[e] = at.x - span/2 + span*(k+1)/(len(es)+1)
		}
	}
	for i := range g.Power {
		n := int32(i)
		attach(n, outs[n], func(e int) int32 { return edges[e].to }, from)
		attach(n, ins[n], func(e int) int32 { return edges[e].from }, to)
	}
	for k, e := range edges {
		cls := "edge"
		if g.Failed[g.Power[e.from].Comp] {
			cls += " dead"
		}
		l.out.Edges = append(l.out.Edges, wire{Class: cls, D: curve(from[k], l.at[e.from].bottom, to[k], l.at[e.to].top)})
	}
}

// behindRacks reports whether an edge would run down behind a row of
// racks: from outside the racks to a PDU below the first row. Those edges
// are not drawn; the PDU names its inputs instead (labelInputs).
func (l *powerLayout) behindRacks(from, to int32) bool {
	a, b := l.at[from], l.at[to]
	return b.inRack && b.rackRow > 0 && (!a.inRack || a.rackRow != b.rackRow)
}

// labelInputs writes, above a PDU in a lower row of racks, the inputs its
// edges would come from.
func (l *powerLayout) labelInputs(i int32) {
	g := l.p.g
	var names []string
	for _, in := range g.Power[i].Inputs {
		if l.at[in].placed && l.behindRacks(in, i) {
			names = append(names, g.Power[in].ID)
		}
	}
	if len(names) == 0 {
		return
	}
	at := l.at[i]
	text := "↑ " + strings.Join(names, ", ")
	l.out.Labels = append(l.out.Labels, label{Class: "from", X: at.x, Y: at.top - 5, Middle: true,
		Text: fit(text, at.w+rackGap, smallCharW)})
}

// powerNode draws a power node as a box centred on its spot.
func (p *Picture) powerNode(i int32, at spot, w, h int) node {
	g := p.g
	n := &g.Power[i]
	kind := string(n.Kind)
	x := at.x - w/2
	info := kind
	if n.CapacityW > 0 {
		info += " · " + formatWatts(n.CapacityW)
	}
	return node{
		ID: ComponentID(n.ID), Class: p.classOf("pw "+kind, n.Comp),
		Title: title(n.ID, info, p.involvement(n.Comp)), Href: p.href(n.Comp),
		X: x, Y: at.top, W: w, H: h,
		Kind: strings.ToUpper(kind), KindY: at.top + 12,
		Label: fit(n.ID, w-10, monoCharW), LX: at.x, LY: at.top + h - 9, Middle: true,
	}
}
