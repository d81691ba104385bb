package model

import "github.com/faultline/faultline/inventory"

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
