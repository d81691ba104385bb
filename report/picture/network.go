package picture

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Geometry of the network picture: devices in rows by hops from the
// network roots (roots on top), each row ordered by where its neighbours
// above are, wrapped when wide.
const (
	netNodeH  = 24
	netGap    = 14 // between devices in a row
	netRowH   = netNodeH + 62
	netLabelW = 92 // the column of row captions
	netTop    = 58 // room for links arching over the first row
)

// netNode is a device in the network picture.
type netNode struct {
	d      int32
	layer  int
	row    int // row of the picture (a wide layer takes several)
	col    int // position in its row
	x, y   int // top-left
	bary   float64
	site   int32
	ends   [4][]netEnd // attach points by side: top, bottom, left, right
	placed bool
}

// netEnd is a link's end on one side of a device.
type netEnd struct {
	link  int32
	peerX int
	at    int // the attach point along the side
}

const (
	sideTop = iota
	sideBottom
	sideLeft
	sideRight
)

func (p *Picture) layoutNetwork() *panel {
	g, sel := p.g, p.sel
	p.netRow = map[int32]bool{}
	if len(g.Links) == 0 {
		p.notes = append(p.notes, "The inventory declares no links: there is no network picture.")
		return nil
	}
	nodes := map[int32]*netNode{}
	add := func(d int32) {
		if nodes[d] == nil {
			nodes[d] = &netNode{d: d, layer: -1, site: g.SiteOfDevice(d)}
		}
	}
	for _, l := range g.Links {
		if sel.dev[l.A] && sel.dev[l.B] && l.A != l.B {
			add(l.A)
			add(l.B)
		}
	}
	for d := range g.Devices {
		if sel.dev[d] && g.Devices[d].Root {
			add(int32(d))
		}
	}
	if len(nodes) == 0 {
		return nil
	}
	layers, unreached := p.netLayers(nodes)
	out := &panel{}
	slot := p.sz.net + netGap
	perRow := max(4, (maxPanelW-2*margin-netLabelW)/slot)
	widest := 0
	for _, layer := range layers {
		widest = max(widest, min(len(layer), perRow))
	}
	out.W = 2*margin + netLabelW + widest*slot
	if p.power != nil {
		out.W = max(out.W, p.power.W)
	}
	row := 0
	for k, layer := range layers {
		p.orderLayer(layer, nodes, k)
		for start := 0; start < len(layer); start += perRow {
			part := layer[start:min(start+perRow, len(layer))]
			xs := rowXs(part, out.W, p.sz.net, len(part) < len(layer))
			y := netTop + row*netRowH
			for c, n := range part {
				n.row, n.col, n.x, n.y, n.placed = row, c, xs[c], y, true
			}
			if start == 0 {
				out.Labels = append(out.Labels, label{Class: "layer", X: margin, Y: y + 16, Text: p.layerCaption(k, unreached && k == len(layers)-1)})
			}
			row++
		}
	}
	out.H = netTop + (row-1)*netRowH + netNodeH + margin + 8
	p.drawLinks(out, nodes)
	ds := make([]int32, 0, len(nodes))
	for d := range nodes {
		ds = append(ds, d)
	}
	slices.Sort(ds)
	for _, d := range ds {
		n := nodes[d]
		p.netRow[d] = true
		out.Nodes = append(out.Nodes, p.deviceNode(d, NetworkID(g.Devices[d].ID), n.x, n.y, p.sz.net, netNodeH, true))
	}
	p.networkNotes(nodes)
	return out
}

// rowXs places a row's devices (left edges): under the devices above
// them as far as spacing allows, or evenly across the middle for the first
// row, a wrapped layer and devices no earlier row leads to.
func rowXs(part []*netNode, width, nodeW int, wrapped bool) []int {
	slot := nodeW + netGap
	lo, hi := margin+netLabelW+nodeW/2, width-margin-nodeW/2
	items := make([]*item, len(part))
	even := wrapped
	for c, n := range part {
		items[c] = &item{want: n.bary, order: c}
		even = even || math.IsInf(n.bary, 1)
	}
	if even {
		mid := float64(lo+hi) / 2
		for c, it := range items {
			it.want = mid + float64((2*c-len(items)+1)*slot)/2
		}
	}
	placed := slices.Clone(items)
	spread(placed, slot, lo, hi)
	xs := make([]int, len(part))
	for c, it := range items {
		xs[c] = it.at - nodeW/2
	}
	return xs
}

// netLayers puts each device in a layer: its hops from the nearest root
// through forwarding devices (from any switch, router or firewall when
// the inventory names no roots); devices no root reaches come last.
func (p *Picture) netLayers(nodes map[int32]*netNode) (layers [][]*netNode, unreached bool) {
	g := p.g
	var queue []int32
	for d := range g.Devices {
		n := nodes[int32(d)]
		if n == nil {
			continue
		}
		if (g.NetworkModelled && g.Devices[d].Root) || (!g.NetworkModelled && g.Devices[d].Forwards) {
			n.layer = 0
			queue = append(queue, int32(d))
		}
	}
	deepest := 0
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		nu := nodes[u]
		if nu.layer > 0 && !g.Devices[u].Forwards {
			continue
		}
		for _, a := range g.Devices[u].Adj {
			if nv := nodes[a.Peer]; nv != nil && nv.layer < 0 {
				nv.layer = nu.layer + 1
				deepest = max(deepest, nv.layer)
				queue = append(queue, a.Peer)
			}
		}
	}
	for _, n := range nodes {
		if n.layer < 0 {
			unreached = true
		}
	}
	count := deepest + 1
	if unreached {
		count++
	}
	layers = make([][]*netNode, count)
	for d := range g.Devices {
		if n := nodes[int32(d)]; n != nil {
			if n.layer < 0 {
				n.layer = count - 1
			}
			layers[n.layer] = append(layers[n.layer], n)
		}
	}
	if len(layers[0]) == 0 { // nothing reached anything: one row
		var all []*netNode
		for _, l := range layers {
			all = append(all, l...)
		}
		for _, n := range all {
			n.layer = 0
		}
		return [][]*netNode{all}, false
	}
	return layers, unreached
}

// layerCaption names layer k of the network picture; unreached says it
// holds the devices no root reaches.
func (p *Picture) layerCaption(k int, unreached bool) string {
	modelled := p.g.NetworkModelled
	switch {
	case unreached && modelled:
		return "no path to a root"
	case unreached:
		return "not connected"
	case k == 0 && modelled:
		return "roots"
	case k == 0:
		return "forwarding"
	case k == 1:
		return "1 hop"
	}
	return fmt.Sprintf("%d hops", k)
}

// orderLayer orders a layer: the first by site, then file order; the
// others by the mean position of their neighbours in the layers above.
func (p *Picture) orderLayer(layer []*netNode, nodes map[int32]*netNode, k int) {
	g := p.g
	for _, n := range layer {
		n.bary = math.Inf(1)
		if k == 0 {
			continue
		}
		var sum float64
		c := 0
		for _, a := range g.Devices[n.d].Adj {
			if m := nodes[a.Peer]; m != nil && m.placed && m.layer < k {
				sum += float64(m.x)
				c++
			}
		}
		if c > 0 {
			n.bary = sum / float64(c)
		}
	}
	slices.SortStableFunc(layer, func(a, b *netNode) int {
		if c := cmp.Compare(a.bary, b.bary); c != 0 {
			return c
		}
		if c := cmp.Compare(a.site, b.site); c != 0 {
			return c
		}
		return cmp.Compare(a.d, b.d)
	})
}

// networkNotes says which devices the network picture leaves out.
func (p *Picture) networkNotes(nodes map[int32]*netNode) {
	g, sel := p.g, p.sel
	if sel.summary {
		p.notes = append(p.notes, "The network picture shows the links between the devices drawn; links to other devices are left out.")
		return
	}
	var alone []string
	for d := range g.Devices {
		if nodes[int32(d)] == nil {
			alone = append(alone, g.Devices[d].ID)
		}
	}
	if len(alone) == 0 {
		return
	}
	names := alone
	if len(names) > 8 {
		names = append(names[:7:7], fmt.Sprintf("%d others", len(alone)-7))
	}
	p.notes = append(p.notes, fmt.Sprintf("%s no links and %s not in the network picture: %s.",
		plural(len(alone), "device has", "devices have"), verb(len(alone), "is", "are"), strings.Join(names, ", ")))
}
