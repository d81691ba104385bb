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
	pl.identify(res, obs)
	var l partLinks
	l.addChassis(res.chassis, obs)
	l.addSystems(res.systems, obs)
	obs.PartErrors = append(obs.PartErrors, res.partErrs...)
	l.name(obs)
	obs.Ports = pl.ports(res)
}

// identify sets the device's identity, power state and uptime from the
// first system that was read, filling what it leaves empty from the
// chassis, and the BMC's firmware from the manager. An uptime from a
// reset time in the future is left out.
func (pl *poll) identify(res *result, obs *observation.Device) {
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
}

// partLinks is, for the parts gathered into an observation (in its
// order), the link each was read from, and the member links of each
// redundancy group and volume: what settles their ids and then names the
// members.
type partLinks struct {
	power, cooling, ctrls, vols, drives   []partKey
	powerGroups, coolingGroups, volDrives [][]string
}

// addChassis gathers every chassis' PSUs, fans, temperatures, redundancy
// groups, power draw (summed) and inlet temperature (the first
// reported), and its part errors.
func (l *partLinks) addChassis(chassis []chassisPart, obs *observation.Device) {
	for _, c := range chassis {
		if c.err != nil {
			continue
		}
		cid := firstNonEmpty(string(c.doc.ID), lastSegment(c.label))
		obs.PSUs = append(obs.PSUs, c.power.psus...)
		for _, r := range c.power.psuRefs {
			l.power = append(l.power, partKey{r, cid})
		}
		obs.PowerRedundancy = append(obs.PowerRedundancy, c.power.redundancy...)
		l.powerGroups = append(l.powerGroups, c.power.redRefs...)
		if c.power.watts != nil {
			w := *c.power.watts
			if obs.PowerWatts != nil {
				w += *obs.PowerWatts
			}
			obs.PowerWatts = &w
		}
		obs.Fans = append(obs.Fans, c.thermal.fans...)
		for _, r := range c.thermal.fanRefs {
			l.cooling = append(l.cooling, partKey{r, cid})
		}
		obs.FanRedundancy = append(obs.FanRedundancy, c.thermal.redundancy...)
		l.coolingGroups = append(l.coolingGroups, c.thermal.redRefs...)
		obs.Temperatures = append(obs.Temperatures, c.thermal.temps...)
		if obs.InletCelsius == nil {
			obs.InletCelsius = c.thermal.inlet
		}
		obs.PartErrors = append(obs.PartErrors, c.partErrs...)
	}
}

// addSystems gathers every system's storage (controllers, volumes,
// drives) and part errors.
func (l *partLinks) addSystems(systems []systemPart, obs *observation.Device) {
	for _, s := range systems {
		if s.err != nil {
			continue
		}
		st := s.storage
		obs.Controllers, l.ctrls = append(obs.Controllers, st.controllers...), append(l.ctrls, st.ctrls...)
		obs.Volumes, l.vols, l.volDrives = append(obs.Volumes, st.volumes...), append(l.vols, st.vols...), append(l.volDrives, st.volDrives...)
		obs.Drives, l.drives = append(obs.Drives, st.drives...), append(l.drives, st.drvs...)
		obs.PartErrors = append(obs.PartErrors, st.partErrs...)
		obs.PartErrors = append(obs.PartErrors, s.partErrs...)
	}
}

// name settles the parts' ids, then names redundancy group members and
// volume drives by them.
func (l *partLinks) name(obs *observation.Device) {
	psuID := settle(len(obs.PSUs), func(i int) *string { return &obs.PSUs[i].ID }, l.power)
	fanID := settle(len(obs.Fans), func(i int) *string { return &obs.Fans[i].ID }, l.cooling)
	settle(len(obs.Controllers), func(i int) *string { return &obs.Controllers[i].ID }, l.ctrls)
	settle(len(obs.Volumes), func(i int) *string { return &obs.Volumes[i].ID }, l.vols)
	driveID := settle(len(obs.Drives), func(i int) *string { return &obs.Drives[i].ID }, l.drives)
	for i := range obs.PowerRedundancy {
		obs.PowerRedundancy[i].Members = names(l.powerGroups[i], psuID)
	}
	for i := range obs.FanRedundancy {
		obs.FanRedundancy[i].Members = names(l.coolingGroups[i], fanID)
	}
	for i := range obs.Volumes {
		obs.Volumes[i].Drives = names(l.volDrives[i], driveID)
	}
}

// settle makes the ids of one kind of part unique on the device, changing
// them only when they collide, and all the same way: a part's own Id;
// else the last segment of its link (DMTF public-tower has two PSUs with
// Id "Bay1"); else the Id qualified by its holder's (two blades with a
// drive "0"); else both; else a sequence number. It returns each part's
// link mapped to its id.
func settle(n int, id func(int) *string, keys []partKey) map[string]string {
	cands := []func(i int) string{
		func(i int) string { return *id(i) },
		func(i int) string { return refSegment(keys[i].ref) },
		func(i int) string { return keys[i].parent + "/" + *id(i) },
		func(i int) string { return keys[i].parent + "/" + refSegment(keys[i].ref) },
		func(i int) string { return *id(i) + "#" + itoa(i) },
	}
	for _, c := range cands {
		seen := make(map[string]bool, n)
		unique := true
		for i := range n {
			v := c(i)
			unique = unique && !seen[v] && v != ""
			seen[v] = true
		}
		if unique || n == 0 {
			out := make(map[string]string, n)
			for i := range n {
				*id(i) = c(i)
				out[keys[i].ref] = *id(i)
			}
			return out
		}
	}
	return nil // unreachable: the last candidate is unique
}

// refSegment names a part by its link: the member's index for an array
// member ("...Power#/PowerSupplies/1" is "1"), else the last path segment.
func refSegment(ref string) string {
	if _, frag, ok := strings.Cut(ref, "#"); ok {
		return frag[strings.LastIndexByte(frag, '/')+1:]
	}
	return lastSegment(ref)
}

// names maps member links to part ids; a member that was not read is
// named by its link.
func names(refs []string, id map[string]string) []string {
	var out []string
	for _, r := range refs {
		if v, ok := id[r]; ok {
			out = append(out, v)
		} else {
			out = append(out, refSegment(r))
		}
	}
	return out
}

// ports names each physical host interface by its Id (what an inventory
// link end would use: eno1, NIC.Integrated.1-1), with its link state and the LLDP
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
	var owners []string
	for _, s := range res.systems {
		sysID := firstNonEmpty(string(s.doc.ID), lastSegment(strings.TrimPrefix(s.label, "system ")))
		for _, r := range s.ifaces {
			e := r.doc
			if strings.EqualFold(e.EthernetInterfaceType, "Virtual") || e.Links.HostInterface.ID != "" {
				continue // a VLAN, bond or team, or the host's channel to its BMC: no cable
			}
			port := observation.Port{
				Name: firstNonEmpty(string(e.ID), lastSegment(r.uri), e.Name), Description: e.Description,
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
			owners = append(owners, sysID)
		}
	}
	if len(out) == 0 {
		uris := make([]string, 0, len(res.ports))
		for u := range res.ports {
			uris = append(uris, u)
		}
		sort.Strings(uris)
		for _, u := range uris {
			p := res.ports[u]
			port := observation.Port{Name: firstNonEmpty(string(p.ID), string(p.PortID), lastSegment(u), p.Name), Oper: linkState(p.LinkStatus)}
			pl.enrich(&port, p)
			out = append(out, port)
			owners = append(owners, ownerOf(u))
		}
		qualifyPorts(out, owners)
		sortPorts(out)
		return out
	}
	qualifyPorts(out, owners)
	return out
}

func sortPorts(ps []observation.Port) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
}

// qualifyPorts makes port names unique on the device, as an inventory
// link names them (model compares them without regard to case).
//
// Quirk (multi-node BMCs: Supermicro, Gigabyte and Dell C6420-style
// chassis, two or four systems behind one manager): each node has an
// "eno1", and a link in the inventory could name neither. A name that two
// ports share is qualified by the system (for adapter ports, the
// network adapter) holding each: "2/eno1" is system 2's eno1. A name that is
// unique stays plain. Should a qualified name still collide (two systems
// with one Id, or a port already named so), it gets "#2", "#3", … in the
// BMC's order.
func qualifyPorts(ps []observation.Port, owners []string) {
	key := strings.ToLower
	count := map[string]int{}
	for _, p := range ps {
		count[key(p.Name)]++
	}
	used := map[string]bool{}
	next := map[string]int{} // per qualified name: suffixes handed out
	for _, p := range ps {
		if count[key(p.Name)] == 1 {
			used[key(p.Name)] = true // unique names stay as they are
		}
	}
	for i := range ps {
		if count[key(ps[i].Name)] == 1 {
			continue
		}
		name := ps[i].Name
		if i < len(owners) && owners[i] != "" {
			name = owners[i] + "/" + name
		}
		cand := name
		for used[key(cand)] {
			// Count on from where the last port of this name stopped:
			// a BMC with thousands of one name costs linear time.
			next[key(name)]++
			cand = name + "#" + itoa(next[key(name)]+1)
		}
		used[key(cand)] = true
		ps[i].Name = cand
	}
}

// ownerOf is what holds an adapter port: its network adapter
// ("/redfish/v1/Chassis/1/NetworkAdapters/slot-2/Ports/1" is "slot-2"),
// else its chassis or system.
func ownerOf(uri string) string {
	segs := strings.Split(strings.Trim(uri, "/"), "/")
	owner := ""
	for i := 0; i+1 < len(segs); i++ {
		switch segs[i] {
		case "NetworkAdapters":
			return lastSegment(segs[i+1])
		case "Systems", "Chassis":
			if owner == "" {
				owner = lastSegment(segs[i+1])
			}
		}
	}
	return owner
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
