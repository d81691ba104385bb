package picture

import (
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
	case inventory.UPS, inventory.Panel:
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
