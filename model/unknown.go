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
		if p := &d.PSUs[i]; !p.Unsourced() && !unknown[p.PDU] {
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
