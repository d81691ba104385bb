package model

import "github.com/faultline/faultline/inventory"

// sourcedPSUs counts a device's PSUs that declare a source of power.
func sourcedPSUs(d *inventory.Device) int {
	n := 0
	for i := range d.PSUs {
		if !d.PSUs[i].Unsourced() {
			n++
		}
	}
	return n
}
