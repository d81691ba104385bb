package picture

import (
	"strconv"
	"strings"
)

// kindTags are the short kind names written in a device's box.
var kindTags = map[string]string{
	"server": "srv", "switch": "sw", "router": "rtr", "firewall": "fw", "storage": "stor", "appliance": "appl",
}

// deviceNode draws a device as a one-line box; in the network picture
// (net) it is centred text without the power details.
func (p *Picture) deviceNode(d int32, id string, x, y, w, h int, net bool) node {
	g := p.g
	dev := &g.Devices[d]
	kind := string(dev.Kind)
	base := "dev " + kind
	if dev.Root {
		base += " root"
	}
	cls := p.classOf(base, dev.Comp)
	if g.Unknown[d] {
		cls += " unknown"
	}
	tag := kindTags[kind]
	n := node{ID: id, Class: cls, Href: p.href(dev.Comp), X: x, Y: y, W: w, H: h,
		Title: p.deviceTitle(d), Tag: tag, TX: x + w - 6, LY: y + h/2 + 4}
	room := w - 12 - textW(tag, monoCharW) - 6
	n.Label, n.LX = fit(dev.ID, room, monoCharW), x+6
	if net {
		n.Tag = ""
		n.Label, n.LX, n.Middle = fit(dev.ID, w-10, monoCharW), x+w/2, true
	}
	return n
}

func (p *Picture) deviceTitle(d int32) string {
	g := p.g
	dev := &g.Devices[d]
	inv := &g.Inv.Devices[d]
	head := dev.ID + " · " + string(dev.Kind)
	if inv.Model != "" {
		head += " · " + inv.Model
	}
	where := "rack " + inv.Rack
	if inv.Position > 0 {
		where += ", U" + strconv.Itoa(inv.Position)
	}
	var notes []string
	if dev.Root {
		notes = append(notes, "network root")
	}
	if len(dev.PSUs) == 0 {
		notes = append(notes, "no PSUs declared: power not modelled")
	}
	if g.Unknown[d] {
		notes = append(notes, "not collected: state unknown")
	}
	for _, ps := range dev.PSUs {
		if c := g.PSUs[ps].Comp; g.Failed[c] {
			notes = append(notes, p.involvement(c))
		}
	}
	for _, v := range dev.Volumes {
		for _, c := range v.Drives {
			if g.Failed[c] {
				notes = append(notes, p.involvement(c))
			}
		}
	}
	return title(head, where, strings.Join(notes, "\n"), p.involvement(dev.Comp))
}
