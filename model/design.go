package model

import "slices"

// SameDesign reports whether h is the same design as g: built from the
// same inventory (the same value, not an equal one) with the same
// volumes, the one part of an overlay that changes the components
// (observed volumes replace declared ones). Failures, unknown devices,
// draws and meters do not count: they change what is up now, not the
// design. Two graphs of the same design number their components alike,
// so whatever is computed from one's design holds for the other.
func (g *Graph) SameDesign(h *Graph) bool {
	if g == h {
		return true
	}
	if g.Inv != h.Inv || len(g.Comps) != len(h.Comps) || len(g.Devices) != len(h.Devices) {
		return false
	}
	for d := range g.Devices {
		if !slices.EqualFunc(g.Devices[d].Volumes, h.Devices[d].Volumes, func(a, b Volume) bool {
			return a.ID == b.ID && a.RAID == b.RAID && slices.Equal(a.Drives, b.Drives)
		}) {
			return false
		}
	}
	return true
}
