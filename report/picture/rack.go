package picture

import (
	"fmt"
	"slices"
	"strings"

	"github.com/faultline/faultline/inventory"
)

// Geometry of a rack: its PDUs stand above it as labelled heads, each with
// a rail down one side of the rack (the first half on the left, the rest on
// the right, as zero-U PDUs hang); devices are rows between the rails, top
// of the rack first, and each PSU is a square on its device's edge with a
// cord to its PDU's rail.
const (
	headH    = 30
	headGap  = 16 // from a PDU head to its rack's top
	rackMinW = 180
	rackHead = 24 // the rack's caption band
	devH     = 22
	devGap   = 5
	rackGap  = 14
	psuSize  = 8
)

// rackBox is a rack in the power picture, or (rack -1) the box standing
// for a site's racks that are not drawn.
type rackBox struct {
	rack  int32
	site  int32 // for the box of racks not drawn
	power []int32
	devs  []int32
	more  int
	x, y  int
	w, h  int
	nl    int // power nodes on the left rail
	railL int // width taken by the left rails
	railR int
	headW int
}

// sortRack orders a rack's devices top down: highest rack unit first,
// devices without a position last, each in file order.
func (p *Picture) sortRack(devs []int32) {
	inv := p.g.Inv
	slices.SortStableFunc(devs, func(a, b int32) int {
		pa, pb := inv.Devices[a].Position, inv.Devices[b].Position
		switch {
		case pa == pb:
			return int(a - b)
		case pa == 0:
			return 1
		case pb == 0:
			return -1
		}
		return pb - pa
	})
}

func rail(n int) int {
	if n == 0 {
		return 10
	}
	return 28 + 10*(n-1)
}

func (p *Picture) sizeRack(rb *rackBox) {
	if rb.rack < 0 {
		rb.w, rb.h = rackMinW, rackHead+2*(devH+devGap)+4
		return
	}
	n := len(rb.power)
	rb.nl = (n + 1) / 2
	rb.railL, rb.railR = rail(rb.nl), rail(n-rb.nl)
	rb.headW = p.sz.head
	rb.w = max(rackMinW, rb.railL+p.sz.dev+rb.railR, n*rb.headW+(n-1)*6+12)
	rows := len(rb.devs)
	if rb.more > 0 || rows == 0 {
		rows++
	}
	rb.h = rackHead + rows*(devH+devGap) + 4
}

// headX is the left edge of the rack's k-th PDU head.
func (rb *rackBox) headX(k int) int {
	n := len(rb.power)
	if n == 1 {
		return rb.x + 6
	}
	return rb.x + 6 + k*(rb.w-12-rb.headW)/(n-1)
}

// railX is the x of the rack's k-th PDU rail.
func (rb *rackBox) railX(k int) int {
	if k < rb.nl {
		return rb.x + 14 + 10*k
	}
	return rb.x + rb.w - 14 - 10*(len(rb.power)-1-k)
}

// placeRack records where the rack's PDU heads are, for the power edges.
func (p *Picture) placeRack(rb *rackBox, l *powerLayout, row int) {
	for k, i := range rb.power {
		x := rb.headX(k)
		l.at[i] = spot{x: x + rb.headW/2, top: rb.y - headGap - headH, bottom: rb.y - headGap, w: rb.headW,
			rackRow: row, inRack: true, placed: true}
	}
}

func (p *Picture) drawRack(rb *rackBox, l *powerLayout) {
	g := p.g
	out := l.out
	if rb.rack < 0 {
		p.drawAggregate(rb, out)
		return
	}
	r := g.Inv.Racks[rb.rack]
	rc := g.Racks[rb.rack].Comp
	f := frame{ID: ComponentID(r.ID), Class: p.classOf("rack", rc), X: rb.x, Y: rb.y, W: rb.w, H: rb.h,
		Caption: r.ID, CX: rb.x + rb.w/2, CY: rb.y + 16, Middle: true}
	where := "rack " + r.ID
	if r.Room != "" {
		f.Sub = " · " + r.Room
		where += " in " + r.Room
	}
	f.Title = title(where+", site "+r.Site, plural(len(rb.devs)+rb.more, "device", "devices"), p.involvement(rc))
	out.Frames = append(out.Frames, f)

	bottom := rb.y + rb.h - 6
	for k, i := range rb.power {
		n := p.powerNode(i, l.at[i], rb.headW, headH)
		hx, bx := rb.headX(k), rb.railX(k)
		if bx >= hx+6 && bx <= hx+rb.headW-6 {
			n.Bar = path('M', bx, rb.y-headGap, 'V', bottom)
		} else {
			n.Bar = path('M', hx+rb.headW/2, rb.y-headGap, 'V', rb.y-headGap+7, 'H', bx, 'V', bottom)
		}
		out.Nodes = append(out.Nodes, n)
	}
	dx, dw := rb.x+rb.railL, rb.w-rb.railL-rb.railR
	for row, d := range rb.devs {
		y := rb.y + rackHead + row*(devH+devGap)
		out.Nodes = append(out.Nodes, p.deviceNode(d, ComponentID(g.Devices[d].ID), dx, y, dw, devH, false))
		p.drawPSUs(rb, l, d, dx, dw, y+devH/2)
	}
	if rb.more > 0 {
		y := rb.y + rackHead + len(rb.devs)*(devH+devGap)
		out.Labels = append(out.Labels, label{Class: "more", X: rb.x + rb.w/2, Y: y + 15, Middle: true,
			Text: fmt.Sprintf("+ %s", plural(rb.more, "more device", "more devices"))})
	}
}

// drawPSUs draws a device's PSUs on its edges and their cords: across to
// the rail of a PDU in the same rack, or up to a PDU drawn elsewhere.
func (p *Picture) drawPSUs(rb *rackBox, l *powerLayout, d int32, dx, dw, cy int) {
	g := p.g
	dev := &g.Devices[d]
	type end struct {
		j    int // PSU position in the device
		head int // PDU position in the rack, or -1
	}
	var left, right []end
	for j, ps := range dev.PSUs {
		h := slices.Index(rb.power, g.PSUs[ps].PDU)
		if h >= 0 && h < rb.nl {
			left = append(left, end{j, h})
		} else {
			right = append(right, end{j, h})
		}
	}
	for side, ends := range [][]end{left, right} {
		for k, e := range ends {
			dy := 0
			if m := len(ends); m > 1 {
				step := min(psuSize, (devH-psuSize)/(m-1))
				dy = k*step - (m-1)*step/2
			}
			y := cy + dy
			ps := dev.PSUs[e.j]
			psu := &g.PSUs[ps]
			pdu := &g.Power[psu.PDU]
			x := dx - psuSize/2
			if side == 1 {
				x = dx + dw - psuSize/2
			}
			cls := "cord"
			if g.Failed[psu.Comp] || g.Failed[pdu.Comp] {
				cls += " dead"
			}
			switch {
			case e.head >= 0 && side == 0:
				l.out.Wires = append(l.out.Wires, wire{Class: cls, D: path('M', rb.railX(e.head), y, 'H', x)})
			case e.head >= 0:
				l.out.Wires = append(l.out.Wires, wire{Class: cls, D: path('M', x+psuSize, y, 'H', rb.railX(e.head))})
			case l.at[psu.PDU].placed:
				at := l.at[psu.PDU]
				l.out.Wires = append(l.out.Wires, wire{Class: cls + " far", D: curve(x+psuSize, y, at.x, at.bottom)})
			}
			outlet := ""
			if o := declaredOutlet(g.Inv.Devices[d].PSUs, psu.ID); o != "" {
				outlet = ", outlet " + string(o)
			}
			l.out.Dots = append(l.out.Dots, dot{
				ID: ComponentID(psu.ID), Class: p.classOf("psu", psu.Comp), Href: p.href(psu.Comp),
				Title: title(psu.ID+" → "+pdu.ID+outlet, p.involvement(psu.Comp)),
				X:     x, Y: y - psuSize/2, W: psuSize, H: psuSize,
			})
		}
	}
}

// drawAggregate draws the box that stands for a site's racks not drawn.
func (p *Picture) drawAggregate(rb *rackBox, out *panel) {
	g, sel := p.g, p.sel
	var names []string
	for r := range g.Racks {
		if g.Racks[r].Site == rb.site && !sel.rack[r] {
			if len(names) == 12 {
				names = append(names, "…")
				break
			}
			names = append(names, g.Racks[r].ID)
		}
	}
	site := g.Sites[rb.site].ID
	racks, devs := sel.hiddenRacks[rb.site], sel.hiddenDevs[rb.site]
	out.Frames = append(out.Frames, frame{
		ID: aggregateID(site), Class: "agg", X: rb.x, Y: rb.y, W: rb.w, H: rb.h,
		Caption: plural(racks, "more rack", "more racks"), CX: rb.x + rb.w/2, CY: rb.y + 16, Middle: true,
		Title: title("racks of "+site+" not drawn one by one:", strings.Join(names, ", ")),
	})
	cx := rb.x + rb.w/2
	out.Labels = append(out.Labels,
		label{Class: "more", X: cx, Y: rb.y + rackHead + 14, Middle: true, Text: plural(devs, "device", "devices")},
		label{Class: "more", X: cx, Y: rb.y + rackHead + 32, Middle: true, Text: "not drawn one by one"})
}

// declaredOutlet is the outlet the inventory declares for a PSU of the
// fault graph ("device/PSU"): found by id, since the graph leaves out PSUs
// with no known source.
func declaredOutlet(psus []inventory.PSU, id string) inventory.Outlet {
	_, part, _ := strings.Cut(id, "/")
	for i := range psus {
		if psus[i].ID == part {
			return psus[i].Outlet
		}
	}
	return ""
}
