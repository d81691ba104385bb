package picture

import (
	"strings"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/model"
)

// resolve maps an id from a finding to components: a component id, a
// service (its member devices, through member services), or a part of a
// device not numbered as a component (a volume "db-1/data": the device).
func (p *Picture) resolve(id string) []int32 {
	g := p.g
	if c := g.Lookup(id); c >= 0 {
		return []int32{c}
	}
	if s := g.ServiceIndex(id); s >= 0 {
		var out []int32
		seen := map[int32]bool{}
		var walk func(s int32)
		walk = func(s int32) {
			if seen[-1-s] {
				return
			}
			seen[-1-s] = true
			for _, m := range g.Services[s].Members {
				switch {
				case m.Device >= 0 && !seen[m.Device]:
					seen[m.Device] = true
					out = append(out, g.Devices[m.Device].Comp)
				case m.Service >= 0:
					walk(m.Service)
				}
			}
		}
		walk(s)
		return out
	}
	if i := strings.IndexByte(id, '/'); i > 0 {
		if c := g.Lookup(id[:i]); c >= 0 && g.Kinds[c] == model.KindDevice {
			return []int32{c}
		}
	}
	return nil
}

// Targets returns the element ids a finding points at, nearest first: its
// causes' places, or, for a finding without causes, its subject's (a
// service's members). The page highlights them together.
func (p *Picture) Targets(f audit.Finding) []string {
	ids := f.Causes
	if len(ids) == 0 {
		ids = []string{f.Subject}
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		for _, c := range p.resolve(id) {
			for _, e := range p.elements(c) {
				if !seen[e] {
					seen[e] = true
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// Anchor returns the element id of an id's place in the picture (its first
// element), or "" when it has none.
func (p *Picture) Anchor(id string) string {
	for _, c := range p.resolve(id) {
		if es := p.elements(c); len(es) > 0 {
			return es[0]
		}
	}
	return ""
}

// elements returns the ids of the elements that stand for a component:
// its own when drawn, else its nearest drawn container.
func (p *Picture) elements(c int32) []string {
	g, sel := p.g, p.sel
	e := g.Entities[c]
	switch g.Kinds[c] {
	case model.KindSite:
		if sel.site[e] {
			return []string{ComponentID(g.Sites[e].ID)}
		}
	case model.KindRack:
		return p.rackElements(e)
	case model.KindPower:
		if sel.power[e] {
			return []string{ComponentID(g.Power[e].ID)}
		}
		if r := g.Power[e].Rack; r >= 0 {
			return p.rackElements(r)
		}
		if s := p.siteOfPower[e]; s >= 0 && sel.site[s] {
			return []string{ComponentID(g.Sites[s].ID)}
		}
	case model.KindDevice, model.KindDrive:
		return p.deviceElements(e)
	case model.KindPSU:
		d := g.PSUs[e].Device
		if sel.dev[d] {
			return append([]string{ComponentID(g.PSUs[e].ID)}, p.deviceElements(d)...)
		}
		return p.deviceElements(d)
	case model.KindLink:
		l := g.Links[e]
		if l.A != l.B && p.netRow[l.A] && p.netRow[l.B] {
			return []string{ComponentID(g.ID(c))}
		}
		out := p.deviceElements(l.A)
		return append(out, p.deviceElements(l.B)...)
	case model.KindCable: // the places of the links it carries
		var out []string
		for _, li := range g.Cables[e].Links {
			out = append(out, p.elements(g.Links[li].Comp)...)
		}
		return out
	}
	return nil
}

func (p *Picture) deviceElements(d int32) []string {
	if !p.sel.dev[d] {
		return p.rackElements(p.g.Devices[d].Rack)
	}
	id := p.g.Devices[d].ID
	if p.netRow[d] {
		return []string{ComponentID(id), NetworkID(id)}
	}
	return []string{ComponentID(id)}
}

func (p *Picture) rackElements(r int32) []string {
	g := p.g
	if p.sel.rack[r] {
		return []string{ComponentID(g.Racks[r].ID)}
	}
	s := g.Racks[r].Site
	if p.sel.aggregated[s] {
		return []string{aggregateID(g.Sites[s].ID)}
	}
	if p.sel.site[s] {
		return []string{ComponentID(g.Sites[s].ID)}
	}
	return nil
}
