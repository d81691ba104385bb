package model

import (
	"strings"

	"github.com/faultline/faultline/inventory"
)

// sourcedPSUs counts a device's PSUs with a known source of power: one
// declared, and not a power node whose supply is unknown or off.
func sourcedPSUs(d *inventory.Device, unknown map[string]bool) int {
	n := 0
	for i := range d.PSUs {
		if !unsourced(&d.PSUs[i], unknown) {
			n++
		}
	}
	return n
}

// unknownWhy says why a PSU plugged into node has no known source: the
// path up to the node whose supply is declared unknown or off.
func unknownWhy(inv *inventory.Inventory, node string) string {
	if node == "" {
		return "no source declared"
	}
	path := []string{node}
	for i := 0; i < 64; i++ {
		p := inv.PowerNode(node)
		if p == nil {
			break
		}
		if p.NoSupply() {
			path[len(path)-1] += " (supply " + string(p.Supply) + ")"
			break
		}
		if len(p.Inputs) == 0 {
			break
		}
		node = p.Inputs[0]
		path = append(path, node)
	}
	return strings.Join(path, " -> ")
}

// unsourced reports whether a PSU has no known source: none declared, a
// power node that supplies nothing known, or an outlet bound to an input
// of its PDU that supplies nothing known.
func unsourced(p *inventory.PSU, unknown map[string]bool) bool {
	return p.Unsourced() || unknown[p.PDU] || (p.Input != "" && unknown[p.Input])
}

// psuUnknownWhy says why a PSU has no known source.
func psuUnknownWhy(inv *inventory.Inventory, p *inventory.PSU, unknown map[string]bool) string {
	if p.PDU != "" && p.Input != "" && !unknown[p.PDU] {
		return p.PDU + " -> " + unknownWhy(inv, p.Input)
	}
	return unknownWhy(inv, p.PDU)
}

// inputOf is the position of input in power node p's inputs, or -1 (no
// binding, or not one of its inputs: the inventory rejects that).
func inputOf(p *inventory.PowerNode, input string) int32 {
	if p == nil || input == "" {
		return -1
	}
	for j, in := range p.Inputs {
		if in == input {
			return int32(j)
		}
	}
	return -1
}
