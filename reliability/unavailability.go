package reliability

import (
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

// YearHours is the year the figures use (365 days).
const YearHours = inventory.YearHours

// Unavailability returns every component's steady-state unavailability,
// indexed like g.Comps (component numbers): q = afr × repair / 8760 h,
// the long-run share of the year the component is down, with afr and
// repair taken per key from, in order, the component's own entry under
// reliability.components, its kind's under reliability.defaults, and the
// built-in figure of its kind (inventory.BuiltinRates). The kind is the
// power node's kind for a power node (utility, ups, pdu, …), the device's
// kind for a device (server, switch, …), and site, rack, psu, drive, link
// or cable (a cable that carries several links) otherwise.
//
// Components fail independently with these probabilities; every q is in
// [0, 1) (validation rejects figures down all year). Inlets (the input of
// a power node with several, which fails only as observed) have q = 0.
// Sites have their figure even though only services with dr: true count
// them: which services count what is the cut sets' business, not q's.
//
// The inventory must be valid (inventory.Load checks); the result is a
// new slice the caller owns.
func Unavailability(g *model.Graph) []float64 {
	rel := &g.Inv.Reliability
	own := make(map[string]*inventory.Rate, len(rel.Components))
	for i := range rel.Components {
		own[rel.Components[i].ID] = &rel.Components[i]
	}
	byKind := map[string]float64{}
	for _, k := range inventory.RateKinds {
		byKind[k] = rel.KindFigure(k).Unavailability()
	}
	q := make([]float64, len(g.Comps))
	for c := range g.Comps {
		kind := kindOf(g, int32(c))
		if kind == "" {
			continue
		}
		if r := own[g.Comps[c].ID]; r != nil {
			q[c] = rel.Figure(kind, r).Unavailability()
		} else {
			q[c] = byKind[kind]
		}
	}
	return q
}

// kindOf is the key of a component's kind in the reliability section, ""
// for an inlet.
func kindOf(g *model.Graph, c int32) string {
	switch g.Kinds[c] {
	case model.KindSite:
		return "site"
	case model.KindRack:
		return "rack"
	case model.KindPower:
		return string(g.Power[g.Entities[c]].Kind)
	case model.KindDevice:
		return string(g.Devices[g.Entities[c]].Kind)
	case model.KindPSU:
		return "psu"
	case model.KindDrive:
		return "drive"
	case model.KindLink:
		return "link"
	case model.KindCable:
		return "cable"
	}
	return ""
}
