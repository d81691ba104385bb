package redfish

import (
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/observation"
)

// assemble turns what was read into the observation: identity from the
// first system (the chassis when it says nothing), parts from every
// system and chassis in order, ports from the host's Ethernet interfaces
// with the LLDP neighbours of the ports they are linked to.
func (pl *poll) assemble(res *result, obs *observation.Device) {
	id := &observation.Identity{}
	for _, s := range res.systems {
		if s.err != nil {
			continue
		}
		d := s.doc
		id.Manufacturer, id.Model, id.Serial, id.BIOS = d.Manufacturer, d.Model, d.SerialNumber, d.BiosVersion
		obs.PowerState = d.PowerState
		if t, err := time.Parse(time.RFC3339, d.LastResetTime); err == nil && !t.After(pl.now) {
			up := pl.now.Sub(t).Seconds()
			obs.UptimeSeconds = &up
		}
		break
	}
	for _, c := range res.chassis {
		if c.err == nil {
			id.Manufacturer = firstNonEmpty(id.Manufacturer, c.doc.Manufacturer)
			id.Model = firstNonEmpty(id.Model, c.doc.Model)
			id.Serial = firstNonEmpty(id.Serial, c.doc.SerialNumber)
		}
	}
	if res.manager != nil && res.manager.err == nil {
		id.BMCFirmware = res.manager.doc.FirmwareVersion
	}
	if *id != (observation.Identity{}) {
		obs.Identity = id
	}

	var psuParents, fanParents, driveParents, volParents, ctrlParents []string
	for _, c := range res.chassis {
		if c.err != nil {
			continue
		}
		cid := string(c.doc.ID)
		obs.PSUs = append(obs.PSUs, c.power.psus...)
		psuParents = append(psuParents, repeat(cid, len(c.power.psus))...)
		obs.PowerRedundancy = append(obs.PowerRedundancy, c.power.redundancy...)
		if c.power.watts != nil {
			w := *c.power.watts
			if obs.PowerWatts != nil {
				w += *obs.PowerWatts
			}
			obs.PowerWatts = &w
		}
		obs.Fans = append(obs.Fans, c.thermal.fans...)
		fanParents = append(fanParents, repeat(cid, len(c.thermal.fans))...)
		obs.FanRedundancy = append(obs.FanRedundancy, c.thermal.redundancy...)
		obs.Temperatures = append(obs.Temperatures, c.thermal.temps...)
		if obs.InletCelsius == nil {
			obs.InletCelsius = c.thermal.inlet
		}
		obs.PartErrors = append(obs.PartErrors, c.partErrs...)
	}
	for _, s := range res.systems {
		if s.err != nil {
			continue
		}
		sid := string(s.doc.ID)
		obs.Controllers = append(obs.Controllers, s.storage.controllers...)
		ctrlParents = append(ctrlParents, repeat(sid, len(s.storage.controllers))...)
		obs.Volumes = append(obs.Volumes, s.storage.volumes...)
		volParents = append(volParents, repeat(sid, len(s.storage.volumes))...)
		obs.Drives = append(obs.Drives, s.storage.drives...)
		driveParents = append(driveParents, repeat(sid, len(s.storage.drives))...)
		obs.PartErrors = append(obs.PartErrors, s.storage.partErrs...)
		obs.PartErrors = append(obs.PartErrors, s.partErrs...)
	}
	obs.PartErrors = append(obs.PartErrors, res.partErrs...)

	// Ids are unique per BMC in practice; where a multi-node BMC repeats
	// them (two blades each with a drive "0"), they are qualified with the
	// system or chassis id, and volumes' member lists follow.
	qualify(len(obs.PSUs), func(i int) *string { return &obs.PSUs[i].ID }, psuParents)
	qualify(len(obs.Fans), func(i int) *string { return &obs.Fans[i].ID }, fanParents)
	qualify(len(obs.Controllers), func(i int) *string { return &obs.Controllers[i].ID }, ctrlParents)
	qualify(len(obs.Volumes), func(i int) *string { return &obs.Volumes[i].ID }, volParents)
	if qualify(len(obs.Drives), func(i int) *string { return &obs.Drives[i].ID }, driveParents) {
		for i := range obs.Volumes {
			for j, d := range obs.Volumes[i].Drives {
				obs.Volumes[i].Drives[j] = volParents[i] + "/" + d
			}
		}
	}

	obs.Ports = pl.ports(res)
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// qualify prefixes every id with its parent's when any id repeats, and
// reports whether it did.
func qualify(n int, id func(int) *string, parents []string) bool {
	seen := map[string]bool{}
	dup := false
	for i := range n {
		dup = dup || seen[*id(i)]
		seen[*id(i)] = true
	}
	if !dup {
		return false
	}
	for i := range n {
		*id(i) = parents[i] + "/" + *id(i)
	}
	return true
}

// ports names each host interface by its Id (what an inventory link end
// would use: eno1, NIC.Integrated.1-1), with its link state and the LLDP
// neighbour of the network port it is linked to. A BMC with no host
// interfaces reports its adapters' ports instead, by port Id.
func (pl *poll) ports(res *result) []observation.Port {
	byIface := map[string]portDoc{}
	for _, p := range res.ports {
		for _, e := range p.Links.EthernetInterfaces {
			if u, foreign := canonicalRef(pl.base, e.ID); !foreign {
				byIface[u] = p
			}
		}
	}
	var out []observation.Port
	for _, s := range res.systems {
		for _, r := range s.ifaces {
			e := r.doc
			port := observation.Port{
				Name: firstNonEmpty(string(e.ID), e.Name, lastSegment(r.uri)), Description: e.Description,
				MAC:       strings.ToLower(firstNonEmpty(e.MACAddress, e.PermanentMACAddress)),
				SpeedMbps: int64Of(e.SpeedMbps), Oper: linkState(e.LinkStatus),
			}
			if e.InterfaceEnabled != nil && !*e.InterfaceEnabled || Condition(e.Status.State, "") == observation.Failed {
				port.Admin = "down"
			} else if e.Status.State != "" || e.InterfaceEnabled != nil {
				port.Admin = "up"
			}
			p, ok := byIface[r.uri]
			for _, l := range e.Links.Ports {
				if ok {
					break
				}
				u, foreign := canonicalRef(pl.base, l.ID)
				if foreign {
					continue
				}
				p, ok = res.ports[u]
			}
			if ok {
				pl.enrich(&port, p)
			}
			out = append(out, port)
		}
	}
	if len(out) == 0 {
		for _, p := range res.ports {
			port := observation.Port{Name: firstNonEmpty(string(p.ID), string(p.PortID), p.Name), Oper: linkState(p.LinkStatus)}
			pl.enrich(&port, p)
			out = append(out, port)
		}
		sortPorts(out)
	}
	return out
}

func sortPorts(ps []observation.Port) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
}

func (pl *poll) enrich(port *observation.Port, p portDoc) {
	if port.SpeedMbps == nil && p.CurrentSpeedGbps != nil {
		v := int64(*p.CurrentSpeedGbps * 1000)
		port.SpeedMbps = &v
	}
	if port.Oper == "" {
		port.Oper = linkState(p.LinkStatus)
	}
	if l := p.Ethernet.LLDPReceive; l != nil && (l.ChassisID != "" || l.PortID != "" || l.SystemName != "") {
		port.Neighbors = append(port.Neighbors, observation.Neighbor{
			Protocol: "lldp", ChassisID: l.ChassisID, PortID: l.PortID, SysName: l.SystemName,
		})
	}
}

func linkState(s string) string {
	switch strings.ToLower(s) {
	case "linkup", "up":
		return "up"
	case "linkdown", "nolink", "down":
		return "down"
	}
	return ""
}

func int64Of(f *float64) *int64 {
	if f == nil || *f < 0 || *f > 1e12 {
		return nil
	}
	v := int64(*f)
	return &v
}
