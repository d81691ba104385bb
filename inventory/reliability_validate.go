package inventory

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxAFR bounds an annual failure rate: more than one failure a day is
// no hardware's rate (likely a rate per day or a percentage written as a
// number of failures).
const maxAFR = 365

// reliability checks the reliability section: every figure in range, and
// every component key naming a component of the inventory.
func (v *validator) reliability() {
	rel := &v.inv.Reliability
	for _, kind := range RateKinds {
		if r := rel.Defaults.Of(kind); r != nil {
			v.rate(r, kind, "defaults."+kind, rel.KindFigure(kind))
		}
	}
	keys := &rateKeys{inv: v.inv}
	for i := range rel.Components {
		r := &rel.Components[i]
		kind, ok := v.rateKind(r, keys)
		if ok {
			v.rate(r, kind, r.ID, rel.Figure(kind, r))
		}
	}
}

// rateKeys indexes, when a key first needs them, the inventory's links
// by id and its cables by id (each with the links that name it).
type rateKeys struct {
	inv    *Inventory
	links  map[string]bool
	cables map[string][]string
}

func (k *rateKeys) link(id string) bool {
	if k.links == nil {
		k.links = make(map[string]bool, len(k.inv.Links))
		for j := range k.inv.Links {
			k.links[k.inv.Links[j].ID()] = true
		}
	}
	return k.links[id]
}

// cable lists the links that name cable id (none: no such cable).
func (k *rateKeys) cable(id string) []string {
	if k.cables == nil {
		k.cables = map[string][]string{}
		for j := range k.inv.Links {
			if l := &k.inv.Links[j]; l.Cable != "" {
				k.cables[l.Cable] = append(k.cables[l.Cable], l.ID())
			}
		}
	}
	return k.cables[id]
}

// rate checks one rate's values and the unavailability they make with
// what the rate leaves to its kind (eff).
func (v *validator) rate(r *Rate, kind, name string, eff Figure) {
	if r.AFR != nil && (*r.AFR < 0 || *r.AFR > maxAFR || math.IsNaN(*r.AFR)) {
		v.errorf(r.AFRPos, "afr is expected failures a year, from 0 to 365: 0.02 is one in fifty a year", "afr %s of %s is out of range", text(strconv.FormatFloat(*r.AFR, 'g', -1, 64)), name)
		return
	}
	if eff.AFR*eff.Repair.Hours() >= YearHours {
		at := or(r.AFRPos, or(r.RepairPos, or(r.IDPos, r.Pos)))
		v.errorf(at, "afr × repair must be well under a year; check the figures' units", "%s would be down all year: %s failures a year × %s repair", name, text(strconv.FormatFloat(eff.AFR, 'g', -1, 64)), text(strconv.FormatFloat(eff.Repair.Hours(), 'g', 4, 64)+"h"))
	}
}

// rateKind resolves a per-component key to the component's kind (a key
// of BuiltinRates), or reports why it names no component.
func (v *validator) rateKind(r *Rate, keys *rateKeys) (string, bool) {
	id := r.ID
	switch {
	case strings.Contains(id, "~"):
		if keys.link(id) {
			return "link", true
		}
		a, b, _ := strings.Cut(id, "~")
		hint := "a link is named \"a~b\" with its ends as the links section writes them, e.g. \"db-1:eno1~tor-1:Ethernet1\""
		if keys.link(b + "~" + a) {
			hint = fmt.Sprintf("the link is written the other way round: %s", quote(b+"~"+a))
		}
		v.errorf(r.IDPos, hint, "unknown link %q in reliability components", id)
		return "", false
	case strings.Contains(id, "/"):
		return v.partKind(r)
	}
	switch v.x.kinds[id] {
	case kindSite:
		return "site", true
	case kindRack:
		return "rack", true
	case kindPower:
		return string(v.x.power[id].Kind), true
	case kindDevice:
		return string(v.x.devices[id].Kind), true
	case kindService:
		v.errorf(r.IDPos, "a service fails through its members: give their figures", "%q is a service, not a component", id)
		return "", false
	}
	if links := keys.cable(id); len(links) > 0 {
		return v.cableKind(r, links)
	}
	hint := suggest(id, append(v.componentIDs(), keys.cableIDs()...))
	if hint == "" {
		hint = "keys are component ids as findings name them: a site, rack, power node or device id, device/psu, device/volume/N, a:port~b:port or a cable that carries several links"
	}
	v.errorf(r.IDPos, hint, "unknown component %q in reliability components", id)
	return "", false
}

// cableKind resolves a cable id: a component of its own when it carries
// several links; a cable named by one link alone is that link.
func (v *validator) cableKind(r *Rate, links []string) (string, bool) {
	if len(links) >= 2 {
		return "cable", true
	}
	v.errorf(r.IDPos, fmt.Sprintf("give the link's figure under its key %s", quote(links[0])),
		"cable %q in reliability components carries one link only: it is that link, not a component of its own", r.ID)
	return "", false
}

// cableIDs lists the cables that are components (for a suggestion; only
// on error).
func (k *rateKeys) cableIDs() []string {
	k.cable("")
	var ids []string
	for id, links := range k.cables {
		if len(links) >= 2 {
			ids = append(ids, id)
		}
	}
	return ids
}

// partKind resolves "device/psu" and "device/volume/N".
func (v *validator) partKind(r *Rate) (string, bool) {
	devID, part, _ := strings.Cut(r.ID, "/")
	d := v.x.devices[devID]
	if d == nil {
		v.errorf(r.IDPos, suggest(devID, v.componentIDs()), "unknown device %q in reliability components", devID)
		return "", false
	}
	var parts []string
	for _, p := range d.PSUs {
		if p.ID == part {
			return "psu", true
		}
		parts = append(parts, devID+"/"+p.ID)
	}
	vol, n, isDrive := strings.Cut(part, "/")
	for _, s := range d.Storage {
		if isDrive && s.ID == vol {
			if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < s.Drives && strconv.Itoa(i) == n {
				return "drive", true
			}
			v.errorf(r.IDPos, fmt.Sprintf("drives of %s are numbered 0 to %d", quote(devID+"/"+vol), s.Drives-1), "unknown drive %q in reliability components", r.ID)
			return "", false
		}
		for i := 0; i < s.Drives && i < 4; i++ {
			parts = append(parts, fmt.Sprintf("%s/%s/%d", devID, s.ID, i))
		}
	}
	hint := suggest(r.ID, parts)
	if hint == "" {
		hint = "a device's parts are named device/psu and device/volume/N"
	}
	v.errorf(r.IDPos, hint, "unknown part %q in reliability components", r.ID)
	return "", false
}

// componentIDs lists every global id (for a suggestion; only on error).
func (v *validator) componentIDs() []string {
	ids := make([]string, 0, len(v.x.kinds))
	for id, k := range v.x.kinds {
		if k != kindService {
			ids = append(ids, id)
		}
	}
	return ids
}
