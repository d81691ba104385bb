package picture

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/faultline/faultline/inventory"
)

// Geometry of the power picture, in pixels.
const (
	margin     = 12
	sitePad    = 14 // inside a site's frame
	siteGap    = 18 // between sites
	siteHead   = 34 // a site's caption band
	nodeH      = 34 // a power node outside racks
	nodeGap    = 16 // between power nodes in a row
	rowGap     = 32 // between rows of power nodes: room for the curves
	maxRowW    = 1240
	maxPanelW  = 1600
	rackRowGap = 22 // below a row of racks, before the next row's PDUs
)

// siteBox is a site's column in the power picture.
type siteBox struct {
	site   int32 // -1 for power nodes whose site cannot be told
	racks  []*rackBox
	rows   [][]*rackBox
	layers [][]int32 // power nodes outside racks, by row
	x, y   int
	w, h   int
}

// spot is where a power node was drawn: its centre, its box's top and
// bottom, and its width; for a PDU in a rack, the row of racks.
type spot struct {
	x, top, bottom, w int
	rackRow           int
	inRack, placed    bool
}

// powerLayout holds the power picture while it is laid out.
type powerLayout struct {
	p     *Picture
	out   *panel
	sites []*siteBox
	at    []spot    // by power index
	kids  [][]int32 // by power index: drawn nodes it feeds
	order []int     // by power index: position in the inventory file
	heads bool      // some drawn rack holds power nodes
	rows  int       // rows of power nodes outside racks
}

// powerKindRank is the row a power node of each kind belongs in, at least.
func powerKindRank(k inventory.PowerKind) int {
	switch k {
	case inventory.Utility, inventory.Generator:
		return 0
	case inventory.ATS:
		return 1
	case inventory.UPS:
		return 2
	case inventory.Feed:
		return 3
	}
	return 4
}

// layoutPower lays out the power picture, or returns nil when there is
// nothing to draw.
func (p *Picture) layoutPower() *panel {
	g, sel := p.g, p.sel
	l := &powerLayout{p: p, out: &panel{}, at: make([]spot, len(g.Power)),
		kids: make([][]int32, len(g.Power)), order: make([]int, len(g.Power))}
	byID := make(map[string]int, len(g.Inv.Power))
	for i := range g.Inv.Power {
		byID[g.Inv.Power[i].ID] = i
	}
	for i := range g.Power {
		l.order[i] = byID[g.Power[i].ID]
	}
	for i := range g.Power {
		if !sel.power[i] {
			continue
		}
		for _, in := range g.Power[i].Inputs {
			if sel.power[in] {
				l.kids[in] = append(l.kids[in], int32(i))
			}
		}
	}
	rowOf := l.upstreamRows()
	l.collect(rowOf)
	if len(l.sites) == 0 {
		p.notes = append(p.notes, "The inventory declares no sites or power: there is no power picture.")
		return nil
	}
	for _, s := range l.sites {
		l.sizeSite(s)
	}
	l.place()
	l.draw()
	return l.out
}

// inRack reports whether power node i is drawn inside its rack.
func (l *powerLayout) inRack(i int32) bool {
	r := l.p.g.Power[i].Rack
	return r >= 0 && l.p.sel.rack[r]
}

// upstreamRows gives each drawn power node outside racks its row: at
// least its kind's rank, below all its inputs, with unused rows dropped.
func (l *powerLayout) upstreamRows() []int {
	g, sel := l.p.g, l.p.sel
	layer := make([]int, len(g.Power))
	used := map[int]bool{}
	for i := range g.Power {
		if !sel.power[i] || l.inRack(int32(i)) {
			layer[i] = -1
			continue
		}
		layer[i] = powerKindRank(g.Power[i].Kind)
		for _, in := range g.Power[i].Inputs {
			if sel.power[in] && layer[in] >= 0 {
				layer[i] = max(layer[i], layer[in]+1)
			}
		}
		used[layer[i]] = true
	}
	compact := map[int]int{}
	for k := 0; len(compact) < len(used); k++ {
		if used[k] {
			compact[k] = len(compact)
		}
	}
	l.rows = len(compact)
	for i := range layer {
		if layer[i] >= 0 {
			layer[i] = compact[layer[i]]
		}
	}
	return layer
}

// collect sorts what is drawn into site columns and racks.
func (l *powerLayout) collect(rowOf []int) {
	g, sel := l.p.g, l.p.sel
	bySite := map[int32]*siteBox{}
	site := func(s int32) *siteBox {
		b := bySite[s]
		if b == nil {
			b = &siteBox{site: s, layers: make([][]int32, l.rows)}
			bySite[s] = b
		}
		return b
	}
	racks := make([]*rackBox, len(g.Racks))
	for r := range g.Racks {
		if sel.rack[r] {
			racks[r] = &rackBox{rack: int32(r)}
			s := site(g.Racks[r].Site)
			s.racks = append(s.racks, racks[r])
		}
	}
	// Power nodes in file order, so that ties keep the order people wrote.
	byFile := make([]int32, len(g.Power))
	for i, o := range l.order {
		byFile[o] = int32(i)
	}
	for _, i := range byFile {
		switch {
		case !sel.power[i]:
		case l.inRack(i):
			rb := racks[g.Power[i].Rack]
			rb.power = append(rb.power, i)
			l.heads = true
		default:
			s := site(l.p.siteOfPower[i])
			s.layers[rowOf[i]] = append(s.layers[rowOf[i]], i)
		}
	}
	for d := range g.Devices {
		if sel.dev[d] {
			rb := racks[g.Devices[d].Rack]
			rb.devs = append(rb.devs, int32(d))
		}
	}
	for _, rb := range racks {
		if rb != nil {
			rb.more = sel.more[rb.rack]
			l.p.sortRack(rb.devs)
		}
	}
	for s := range g.Sites {
		if sel.aggregated[s] {
			b := site(int32(s))
			b.racks = append(b.racks, &rackBox{rack: -1, site: int32(s)})
		}
	}
	for s := range g.Sites {
		if b := bySite[int32(s)]; b != nil && sel.site[s] {
			l.sites = append(l.sites, b)
		} else if sel.site[s] && l.p.marks[g.Sites[s].Comp] != Unmarked {
			l.sites = append(l.sites, site(int32(s)))
		} else {
			sel.site[s] = false
		}
	}
	if b := bySite[-1]; b != nil {
		l.sites = append(l.sites, b)
	}
}

// sizeSite wraps a site's racks into rows and sizes its frame.
func (l *powerLayout) sizeSite(s *siteBox) {
	var row []*rackBox
	w := 0
	for _, rb := range s.racks {
		l.p.sizeRack(rb)
		if len(row) > 0 && w+rackGap+rb.w > maxRowW {
			s.rows = append(s.rows, row)
			row, w = nil, 0
		}
		if len(row) > 0 {
			w += rackGap
		}
		row = append(row, rb)
		w += rb.w
	}
	if len(row) > 0 {
		s.rows = append(s.rows, row)
	}
	inner := textW(l.caption(s), sansCharW)
	for _, row := range s.rows {
		inner = max(inner, rowWidth(row))
	}
	for _, nodes := range s.layers {
		inner = max(inner, len(nodes)*(l.p.sz.node+nodeGap)-nodeGap)
	}
	s.w = inner + 2*sitePad
}

func rowWidth(row []*rackBox) int {
	w := 0
	for i, rb := range row {
		if i > 0 {
			w += rackGap
		}
		w += rb.w
	}
	return w
}

func (l *powerLayout) caption(s *siteBox) string {
	if s.site < 0 {
		return "power with no site"
	}
	st := l.p.g.Inv.Sites[s.site]
	if st.Name != "" {
		return st.ID + " · " + st.Name
	}
	return st.ID
}

// headBand is the height above a row of racks taken by their PDUs.
func (l *powerLayout) headBand() int {
	if l.heads {
		return headH + headGap
	}
	return 0
}

// place positions sites (wrapping them into rows), racks and power nodes.
func (l *powerLayout) place() {
	y := margin
	width := 0
	for start := 0; start < len(l.sites); {
		end, w := start, 0
		for end < len(l.sites) && (end == start || w+siteGap+l.sites[end].w <= maxPanelW) {
			if end > start {
				w += siteGap
			}
			w += l.sites[end].w
			end++
		}
		x, h := margin, 0
		for _, s := range l.sites[start:end] {
			s.x, s.y = x, y
			l.placeSite(s)
			x += s.w + siteGap
			h = max(h, s.h)
		}
		for _, s := range l.sites[start:end] {
			s.h = h // a row of sites shares one height
		}
		width = max(width, w)
		y += h + siteGap
		start = end
	}
	l.out.W = width + 2*margin
	l.out.H = y - siteGap + margin
	l.placeUpstream()
}

// placeSite positions a site's racks, and its rows of power nodes
// vertically (horizontal positions come from what they feed).
func (l *powerLayout) placeSite(s *siteBox) {
	top := s.y + siteHead + l.rows*(nodeH+rowGap)
	if l.rows > 0 && len(s.rows) == 0 {
		top -= rowGap
	}
	bottom := top
	for r, row := range s.rows {
		top += l.headBand()
		x := s.x + (s.w-rowWidth(row))/2
		h := 0
		for _, rb := range row {
			rb.x, rb.y = x, top
			l.p.placeRack(rb, l, r)
			x += rb.w + rackGap
			h = max(h, rb.h)
		}
		bottom = top + h
		top = bottom + rackRowGap
	}
	s.h = bottom + sitePad - s.y
}

// placeUpstream places the power nodes outside racks, row by row from the
// bottom: each as near the middle of what it feeds as the others allow.
// Nodes feeding nothing drawn are then placed under their inputs.
func (l *powerLayout) placeUpstream() {
	g := l.p.g
	row := func(s *siteBox, r int, wantOf func(i int32) (float64, bool)) {
		nodes := s.layers[r]
		items := make([]*item, len(nodes))
		mid := float64(s.x + s.w/2)
		for k, i := range nodes {
			w, ok := wantOf(i)
			if !ok {
				w = mid
			}
			items[k] = &item{want: w, order: k}
		}
		w := l.p.sz.node
		spread(items, w+nodeGap, s.x+sitePad+w/2, s.x+s.w-sitePad-w/2)
		y := s.y + siteHead + r*(nodeH+rowGap)
		for k, i := range nodes {
			l.at[i] = spot{x: items[k].at, top: y, bottom: y + nodeH, w: w, placed: true}
		}
	}
	mean := func(ids []int32) (float64, bool) {
		var sum float64
		n := 0
		for _, j := range ids {
			if l.at[j].placed {
				sum += float64(l.at[j].x)
				n++
			}
		}
		if n == 0 {
			return math.NaN(), false
		}
		return sum / float64(n), true
	}
	fromKids := func(i int32) (float64, bool) { return mean(l.kids[i]) }
	for r := l.rows - 1; r >= 0; r-- {
		for _, s := range l.sites {
			row(s, r, fromKids)
		}
	}
	for r := 0; r < l.rows; r++ {
		for _, s := range l.sites {
			orphans := false
			for _, i := range s.layers[r] {
				orphans = orphans || len(l.kids[i]) == 0
			}
			if !orphans {
				continue
			}
			row(s, r, func(i int32) (float64, bool) {
				if len(l.kids[i]) > 0 {
					return fromKids(i)
				}
				return mean(g.Power[i].Inputs)
			})
		}
	}
}

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
