package inventory

import "strings"

// DeclaredAt returns where an id of a finding or a what-if is declared in
// the file: a site, rack, power node, device or service (its id key); a
// part "device/PSU" or "device/volume[/N]" (the part's id key); a link
// "a~b" or one of its ends "device:port" (the link entry). A part or end
// the file does not spell out falls back to its device. The zero Pos
// means the id is not declared here.
func (inv *Inventory) DeclaredAt(id string) Pos {
	x := inv.index()
	switch x.kinds[id] {
	case kindSite:
		s := x.sites[id]
		return or(s.IDPos, s.Pos)
	case kindRack:
		r := x.racks[id]
		return or(r.IDPos, r.Pos)
	case kindPower:
		p := x.power[id]
		return or(p.IDPos, p.Pos)
	case kindDevice:
		d := x.devices[id]
		return or(d.IDPos, d.Pos)
	case kindService:
		s := x.services[id]
		return or(s.IDPos, s.Pos)
	}
	if a, b, ok := strings.Cut(id, "~"); ok {
		for i := range inv.Links {
			if l := &inv.Links[i]; (l.A == a && l.B == b) || (l.A == b && l.B == a) {
				return l.Pos
			}
		}
		return inv.DeclaredAt(a)
	}
	if dev, part, ok := strings.Cut(id, "/"); ok {
		d := x.devices[dev]
		if d == nil {
			return Pos{}
		}
		first, _, _ := strings.Cut(part, "/")
		for i := range d.PSUs {
			if d.PSUs[i].ID == first {
				return or(d.PSUs[i].IDPos, d.PSUs[i].Pos)
			}
		}
		for i := range d.Storage {
			if d.Storage[i].ID == first {
				return or(d.Storage[i].IDPos, d.Storage[i].Pos)
			}
		}
		return or(d.IDPos, d.Pos)
	}
	if dev, _, ok := SplitEnd(id); ok {
		for i := range inv.Links {
			if l := &inv.Links[i]; l.A == id {
				return or(l.APos, l.Pos)
			} else if l.B == id {
				return or(l.BPos, l.Pos)
			}
		}
		if d := x.devices[dev]; d != nil {
			return or(d.IDPos, d.Pos)
		}
	}
	return Pos{}
}
