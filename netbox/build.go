package netbox

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The inventory the import writes, before it is rendered.

type outSite struct{ id, name, nb string }
type outRack struct{ id, site, room, nb string }
type outPower struct {
	id, kind, site, rack, supply, nb string
	model, serial                    string
	inputs                           []string
	capacityW                        float64
}
type outPSU struct{ id, pdu, outlet, input, nb string }
type outDevice struct {
	id, kind, rack, model, serial, nb string
	position                          int
	psus                              []outPSU
	minPSUs                           int
	drawW                             float64
	mgmt                              *mgmt
}
type mgmt struct {
	proto  string
	fields [][2]string
}
type outLink struct{ a, b, cable, nb string }
type outService struct {
	id, nb  string
	members []string
}

// Result is an import: the file's content and the report.
type Result struct {
	File   []byte
	Report Report
}

type mapper struct {
	d      *Data
	cfg    *Config
	ids    ids
	issues []Issue

	sites    []outSite
	racks    []outRack
	power    []outPower
	devices  []outDevice
	links    []outLink
	roots    []string
	services []outService

	siteID   map[int]string // netbox site id -> inventory id
	rackID   map[int]string
	rackSite map[int]int
	pduDev   map[int]bool   // devices that are PDUs
	devOut   map[int]string // imported devices (not PDUs) -> id
	feedID   map[int]string
	cables   map[int]string // cable id -> status
	// bank maps an outlet of a PDU with several inputs to the input its
	// power port is cabled to (NetBox: power_outlet.power_port).
	bank map[int]string
}

func (m *mapper) issue(model string, id int, name, format string, a ...any) {
	m.issues = append(m.issues, Issue{NetBox: fmt.Sprintf("%s/%d", model, id), Name: name, Why: fmt.Sprintf(format, a...)})
}

// Map turns what was read into an inventory file and a report.
func Map(d *Data, cfg *Config) (*Result, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	m := &mapper{d: d, cfg: cfg, siteID: map[int]string{}, rackID: map[int]string{}, rackSite: map[int]int{},
		pduDev: map[int]bool{}, devOut: map[int]string{}, feedID: map[int]string{}, cables: map[int]string{},
		bank: map[int]string{}}
	for _, c := range d.Cables {
		m.cables[c.ID] = c.Status.Value
	}
	m.askIDs()
	m.mapSites()
	m.mapPower()
	m.mapDevices()
	m.mapLinks()
	m.mapServices()
	rep := Report{URL: d.URL, Version: d.Version, Stats: d.Stats, Issues: m.issues, Counts: map[string]int{
		"sites": len(m.sites), "racks": len(m.racks), "power_nodes": len(m.power), "devices": len(m.devices),
		"links": len(m.links), "services": len(m.services), "issues": len(m.issues)}}
	sort.Slice(rep.Issues, func(i, j int) bool {
		a, b := rep.Issues[i], rep.Issues[j]
		if a.NetBox != b.NetBox {
			return nbLess(a.NetBox, b.NetBox)
		}
		return a.Why < b.Why
	})
	return &Result{File: m.render(), Report: rep}, nil
}

// nbLess orders "model/id" by model, then id as a number.
func nbLess(a, b string) bool {
	am, ai, _ := strings.Cut(a, "/")
	bm, bi, _ := strings.Cut(b, "/")
	if am != bm {
		return am < bm
	}
	x, _ := strconv.Atoi(ai)
	y, _ := strconv.Atoi(bi)
	return x < y
}

func (m *mapper) isPDU(dev *Device) bool { return dev.PowerOutlets > 0 }

func (m *mapper) roleOf(dev *Device) *Ref {
	if dev.Role != nil {
		return dev.Role
	}
	return dev.DeviceRole // NetBox 3.x
}

func devName(dev *Device) string {
	if dev.Name != nil && *dev.Name != "" {
		return *dev.Name
	}
	if dev.VirtualChassis != nil && dev.VCPosition != nil {
		return fmt.Sprintf("%s.%d", dev.VirtualChassis.Name, *dev.VCPosition)
	}
	return fmt.Sprintf("device-%d", dev.ID)
}

func (m *mapper) skipped(dev *Device) string {
	r := m.roleOf(dev)
	for _, s := range m.cfg.SkipRoles {
		if r != nil && r.Slug == s {
			return "role " + s + " is in skip_roles"
		}
	}
	return ""
}

// askIDs requests an id for every object that becomes an entry.
func (m *mapper) askIDs() {
	for _, s := range m.d.Sites {
		m.ids.ask("dcim.site", s.ID, s.Slug, "")
	}
	for _, r := range m.d.Racks {
		scope := ""
		if r.Site != nil {
			scope = Escape(r.Site.Slug)
		}
		m.ids.ask("dcim.rack", r.ID, r.Name, scope)
	}
	for _, p := range m.d.PowerPanels {
		scope := ""
		if p.Site != nil {
			scope = Escape(p.Site.Slug)
		}
		m.ids.ask("dcim.powerpanel", p.ID, p.Name, scope)
	}
	for _, f := range m.d.PowerFeeds {
		scope := ""
		if f.PowerPanel != nil {
			scope = Escape(f.PowerPanel.Name)
		}
		m.ids.ask("dcim.powerfeed", f.ID, f.Name, scope)
	}
	for i := range m.d.Devices {
		dev := &m.d.Devices[i]
		scope := ""
		if dev.Site != nil {
			scope = Escape(dev.Site.Slug)
		}
		m.ids.ask("dcim.device", dev.ID, devName(dev), scope)
	}
	if m.cfg.Services.IPAM {
		seen := map[string]bool{}
		for _, s := range m.d.Services {
			if !seen[s.Name] {
				seen[s.Name] = true
				m.ids.ask("ipam.service", s.ID, s.Name, "")
			}
		}
	}
	if m.cfg.Services.Clusters {
		for _, c := range m.d.Clusters {
			m.ids.ask("virtualization.cluster", c.ID, c.Name, "")
		}
	}
	for i, t := range m.cfg.Services.Tags {
		m.ids.ask("extras.tag", i+1, t, "")
	}
	m.ids.assign()
}

func (m *mapper) mapSites() {
	locs := map[int]string{}
	for _, l := range m.d.Locations {
		locs[l.ID] = l.Name
	}
	for _, s := range m.d.Sites {
		id := m.ids.of("dcim.site", s.ID)
		m.siteID[s.ID] = id
		m.sites = append(m.sites, outSite{id: id, name: s.Name, nb: fmt.Sprintf("dcim.site/%d", s.ID)})
	}
	for _, r := range m.d.Racks {
		if r.Site == nil || m.siteID[r.Site.ID] == "" {
			m.issue("dcim.rack", r.ID, r.Name, "its site is not imported")
			continue
		}
		id := m.ids.of("dcim.rack", r.ID)
		m.rackID[r.ID] = id
		m.rackSite[r.ID] = r.Site.ID
		room := ""
		if r.Location != nil {
			room = Escape(r.Location.Name)
		}
		m.racks = append(m.racks, outRack{id: id, site: m.siteID[r.Site.ID], room: room, nb: fmt.Sprintf("dcim.rack/%d", r.ID)})
	}
}

func (m *mapper) upstream(p *PowerPanel) []string {
	if p.Site != nil {
		if in, ok := m.cfg.Upstream[p.Site.Slug+"/"+p.Name]; ok {
			return in
		}
	}
	return m.cfg.Upstream[p.Name]
}

// mapPower maps panels, feeds and PDUs.
func (m *mapper) mapPower() {
	panels := m.mapPanels()
	m.mapFeeds(panels)
	m.mapPDUs()
}

// mapPanels maps power panels (kind: panel, inputs from the config) and
// returns their ids by NetBox id.
func (m *mapper) mapPanels() map[int]outPower {
	panels := map[int]outPower{}
	for i := range m.d.PowerPanels {
		p := &m.d.PowerPanels[i]
		if p.Site == nil || m.siteID[p.Site.ID] == "" {
			m.issue("dcim.powerpanel", p.ID, p.Name, "its site is not imported")
			continue
		}
		node := outPower{id: m.ids.of("dcim.powerpanel", p.ID), kind: "panel", site: m.siteID[p.Site.ID], nb: fmt.Sprintf("dcim.powerpanel/%d", p.ID)}
		node.inputs = m.upstream(p)
		if len(node.inputs) == 0 {
			m.issue("dcim.powerpanel", p.ID, p.Name, "no upstream configured: the panel is a source of power (give its inputs under upstream in the config)")
		}
		m.power = append(m.power, node)
		panels[p.ID] = node
	}
	return panels
}

// mapFeeds maps power feeds: fed by their panel, at its site, with the
// capacity NetBox gives; a feed that is not active supplies nothing.
func (m *mapper) mapFeeds(panels map[int]outPower) {
	for i := range m.d.PowerFeeds {
		f := &m.d.PowerFeeds[i]
		var panel outPower
		if f.PowerPanel != nil {
			panel = panels[f.PowerPanel.ID]
		}
		if panel.id == "" {
			m.issue("dcim.powerfeed", f.ID, f.Name, "its power panel is not imported")
			continue
		}
		id := m.ids.of("dcim.powerfeed", f.ID)
		m.feedID[f.ID] = id
		node := outPower{id: id, kind: "feed", site: panel.site, nb: fmt.Sprintf("dcim.powerfeed/%d", f.ID), inputs: []string{panel.id}, capacityW: FeedCapacityW(f)}
		if f.Status.Value != "active" {
			node.supply = "off"
			m.issue("dcim.powerfeed", f.ID, f.Name, "status %s: kept with supply off, it feeds nothing downstream", f.Status.Value)
		}
		m.power = append(m.power, node)
	}
}

// portsByDevice groups power ports by their device's NetBox id.
func (m *mapper) portsByDevice() map[int][]*PowerPort {
	ports := map[int][]*PowerPort{}
	for i := range m.d.PowerPorts {
		pp := &m.d.PowerPorts[i]
		if pp.Device != nil {
			ports[pp.Device.ID] = append(ports[pp.Device.ID], pp)
		}
	}
	return ports
}

// mapPDUs maps the devices with power outlets to PDUs in their racks, fed
// by what their power ports are cabled to.
func (m *mapper) mapPDUs() {
	ports := m.portsByDevice()
	for i := range m.d.Devices {
		if dev := &m.d.Devices[i]; m.isPDU(dev) {
			m.pduDev[dev.ID] = true
		}
	}
	portInput := map[int]string{} // PDU power port -> the node it is cabled to
	for i := range m.d.Devices {
		dev := &m.d.Devices[i]
		if !m.pduDev[dev.ID] {
			continue
		}
		node, ok := m.pduNode(dev)
		if !ok {
			delete(m.pduDev, dev.ID)
			continue
		}
		for _, pp := range ports[dev.ID] {
			src, why := m.source(pp) // a PDU input on another PDU's outlet is fed by that PDU
			if src == nil {
				m.issue("dcim.powerport", pp.ID, devName(dev)+" "+pp.Name, "PDU input: %s", why)
				continue
			}
			node.inputs = append(node.inputs, src[0])
			portInput[pp.ID] = src[0]
		}
		sort.Strings(node.inputs)
		node.inputs = uniq(node.inputs)
		if len(node.inputs) == 0 {
			node.supply = "unknown"
		}
		m.power = append(m.power, node)
	}
	m.mapBanks(portInput)
}

// pduNode is a PDU's node without its inputs: in its rack, else at its
// site; false (reported) when it is not imported.
func (m *mapper) pduNode(dev *Device) (outPower, bool) {
	name := devName(dev)
	if why := m.skipped(dev); why != "" {
		m.issue("dcim.device", dev.ID, name, "%s", why)
		return outPower{}, false
	}
	node := outPower{id: m.ids.of("dcim.device", dev.ID), kind: "pdu", nb: fmt.Sprintf("dcim.device/%d", dev.ID), serial: dev.Serial}
	if dev.DeviceType != nil {
		node.model = dev.DeviceType.Model
	}
	switch {
	case dev.Rack != nil && m.rackID[dev.Rack.ID] != "":
		node.rack = m.rackID[dev.Rack.ID]
	case dev.Site != nil && m.siteID[dev.Site.ID] != "":
		node.site = m.siteID[dev.Site.ID]
		m.issue("dcim.device", dev.ID, name, "a PDU without a rack: placed at its site")
	default:
		m.issue("dcim.device", dev.ID, name, "a PDU whose site is not imported")
		return outPower{}, false
	}
	return node, true
}

// mapBanks binds each outlet of a PDU whose power ports are cabled to
// different nodes to the input its own power port is cabled to: such a
// PDU is not a transfer switch. An outlet without a power port keeps the
// PDU's meaning (up while any input is).
func (m *mapper) mapBanks(portInput map[int]string) {
	inputs := map[int]map[string]bool{} // PDU device -> its distinct inputs
	for i := range m.d.PowerPorts {
		pp := &m.d.PowerPorts[i]
		if in := portInput[pp.ID]; in != "" {
			if inputs[pp.Device.ID] == nil {
				inputs[pp.Device.ID] = map[string]bool{}
			}
			inputs[pp.Device.ID][in] = true
		}
	}
	for _, o := range m.d.PowerOutlets {
		if o.Device == nil || o.PowerPort == nil || len(inputs[o.Device.ID]) < 2 {
			continue
		}
		if in := portInput[o.PowerPort.ID]; in != "" {
			m.bank[o.ID] = in
		}
	}
}

// source is what a power port is plugged into: [node] or [node, outlet],
// or nil and why not.
func (m *mapper) source(pp *PowerPort) ([]string, string) {
	if pp.Cable == nil {
		if pp.MarkConnected {
			return nil, "marked connected but no cable: its source is unknown"
		}
		return nil, "no cable: its source is unknown"
	}
	if st := m.cables[pp.Cable.ID]; st != "connected" {
		if st == "" {
			st = "not read"
		}
		return nil, fmt.Sprintf("cable #%d is %s, not connected: its source is unknown", pp.Cable.ID, st)
	}
	if len(pp.LinkPeers) != 1 {
		return nil, fmt.Sprintf("cable #%d has %d far ends", pp.Cable.ID, len(pp.LinkPeers))
	}
	peer := pp.LinkPeers[0]
	switch pp.LinkPeersType {
	case "dcim.powerfeed":
		if id := m.feedID[peer.ID]; id != "" {
			return []string{id}, ""
		}
		return nil, fmt.Sprintf("cabled to feed %s, which is not imported", peer.Name)
	case "dcim.poweroutlet":
		if peer.Device == nil || !m.pduDev[peer.Device.ID] {
			return nil, fmt.Sprintf("cabled to outlet %s of a device that is not imported", peer.Name)
		}
		return []string{m.ids.of("dcim.device", peer.Device.ID), outletName(peer.Name)}, ""
	}
	return nil, fmt.Sprintf("cabled to a %s, not an outlet or feed", pp.LinkPeersType)
}

func uniq(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

func (m *mapper) kindOf(dev *Device) string {
	r := m.roleOf(dev)
	if r != nil {
		if k, ok := m.cfg.Roles[r.Slug]; ok {
			return k
		}
		slug := strings.ToLower(r.Slug)
		for _, k := range []string{"firewall", "router", "switch", "storage", "server"} {
			if strings.Contains(slug, k) {
				return k
			}
		}
	}
	if m.cfg.DefaultKind != "" {
		return m.cfg.DefaultKind
	}
	return "appliance"
}

// mapDevices maps every device that is not a PDU: kind by role, model,
// serial, rack, position, PSUs from its power ports, management, and
// whether it is a network root.
func (m *mapper) mapDevices() {
	ports := m.portsByDevice()
	ifaces := map[int]int{}
	for _, it := range m.d.Interfaces {
		if it.Device != nil {
			ifaces[it.Device.ID]++
		}
	}
	roots := map[string]bool{}
	for i := range m.d.Devices {
		dev := &m.d.Devices[i]
		if m.pduDev[dev.ID] || m.isPDU(dev) || !m.imported(dev, len(ports[dev.ID])+ifaces[dev.ID]) {
			continue
		}
		od := m.device(dev)
		m.devOut[dev.ID] = od.id
		m.devicePSUs(&od, dev, ports[dev.ID])
		m.devices = append(m.devices, od)
		if m.isRoot(dev) {
			roots[od.id] = true
		}
	}
	for r := range roots {
		m.roots = append(m.roots, r)
	}
	sort.Strings(m.roots)
}

// imported says whether a device is imported; when not, the report says
// why. parts counts its power ports and interfaces.
func (m *mapper) imported(dev *Device, parts int) bool {
	name := devName(dev)
	if why := m.skipped(dev); why != "" {
		m.issue("dcim.device", dev.ID, name, "%s", why)
		return false
	}
	if dev.Rack == nil || m.rackID[dev.Rack.ID] == "" {
		if dev.ParentDevice != nil {
			m.issue("dcim.device", dev.ID, name, "a child device in a device bay of %s: not imported", dev.ParentDevice.Name)
		} else {
			m.issue("dcim.device", dev.ID, name, "no rack (or its rack is not imported): not imported")
		}
		return false
	}
	if parts == 0 {
		m.issue("dcim.device", dev.ID, name, "no power ports and no interfaces (a patch panel?): not imported")
		return false
	}
	return true
}

// device is an imported device without its PSUs.
func (m *mapper) device(dev *Device) outDevice {
	name := devName(dev)
	id := m.ids.of("dcim.device", dev.ID)
	if st := dev.Status.Value; st != "" && st != "active" {
		m.issue("dcim.device", dev.ID, name, "status %s: imported as installed and running", st)
	}
	od := outDevice{id: id, kind: m.kindOf(dev), rack: m.rackID[dev.Rack.ID], serial: dev.Serial, nb: fmt.Sprintf("dcim.device/%d", dev.ID)}
	if dev.DeviceType != nil {
		od.model = dev.DeviceType.Model
		od.minPSUs = m.cfg.MinPSUs[dev.DeviceType.Model]
	}
	if dev.Position != nil {
		od.position = int(*dev.Position)
	}
	if dev.Name == nil || *dev.Name == "" {
		m.issue("dcim.device", dev.ID, name, "unnamed: id %s made from %s", id, map[bool]string{true: "its virtual chassis", false: "its NetBox id"}[dev.VirtualChassis != nil])
	}
	od.mgmt = m.management(dev, name)
	return od
}

// devicePSUs maps a device's power ports to PSUs and its draw.
func (m *mapper) devicePSUs(od *outDevice, dev *Device, ports []*PowerPort) {
	name := devName(dev)
	for _, pp := range ports {
		psu := outPSU{id: Escape(pp.Name), nb: fmt.Sprintf("dcim.powerport/%d", pp.ID)}
		src, why := m.source(pp)
		switch {
		case src == nil:
			m.issue("dcim.powerport", pp.ID, name+" "+pp.Name, "%s", why)
		default:
			psu.pdu = src[0]
			if len(src) > 1 {
				psu.outlet = src[1]
				psu.input = m.bank[pp.LinkPeers[0].ID] // source checked there is one peer
			}
		}
		if pp.AllocatedDraw != nil {
			od.drawW += float64(*pp.AllocatedDraw)
		}
		od.psus = append(od.psus, psu)
	}
	sort.Slice(od.psus, func(i, j int) bool { return od.psus[i].id < od.psus[j].id })
	if od.minPSUs > len(od.psus) {
		m.issue("dcim.device", dev.ID, name, "min_psus %d for %s is more than its %d power ports: not applied", od.minPSUs, od.model, len(od.psus))
		od.minPSUs = 0
	}
}

// isRoot says whether the config makes a device a network root, by role
// or by name.
func (m *mapper) isRoot(dev *Device) bool {
	r := m.roleOf(dev)
	for _, rr := range m.cfg.Network.RootRoles {
		if r != nil && r.Slug == rr {
			return true
		}
	}
	return slices.Contains(m.cfg.Network.RootNames, devName(dev))
}

// mapLinks maps interfaces to links, the far end as NetBox traces it
// through patch panels; a cable with several far ends (a breakout) is
// named on each link it carries.
func (m *mapper) mapLinks() {
	seen := map[[2]int]bool{}
	byCable := map[int]int{} // interface cable -> endpoints on it
	for _, it := range m.d.Interfaces {
		if it.Cable != nil && it.EndpointsType == "dcim.interface" {
			byCable[it.Cable.ID] = max(byCable[it.Cable.ID], len(it.Endpoints))
		}
	}
	for i := range m.d.Interfaces {
		it := &m.d.Interfaces[i]
		if it.Device == nil || it.Cable == nil {
			continue
		}
		dev, ok := m.devOut[it.Device.ID]
		if !ok || !m.linkable(it) {
			continue
		}
		for _, ep := range it.Endpoints {
			if l, ok := m.link(it, dev, ep, seen); ok {
				if byCable[it.Cable.ID] > 1 {
					l.cable = fmt.Sprintf("cable-%d", it.Cable.ID)
					l.nb = fmt.Sprintf("dcim.cable/%d", it.Cable.ID)
				}
				m.links = append(m.links, l)
			}
		}
	}
	sort.Slice(m.links, func(i, j int) bool {
		if m.links[i].a != m.links[j].a {
			return m.links[i].a < m.links[j].a
		}
		return m.links[i].b < m.links[j].b
	})
	// Through patch panels the two ends' cables differ: each link is one
	// NetBox identity, so a later link reusing a cable identity drops it.
	used := map[string]string{}
	for i := range m.links {
		l := &m.links[i]
		if prev, ok := used[l.nb]; ok && !(l.cable != "" && prev == l.cable) {
			l.nb = ""
			continue
		}
		used[l.nb] = l.cable
	}
}

// linkable says whether a cabled interface of an imported device makes
// links; when not, the report says why.
func (m *mapper) linkable(it *Interface) bool {
	name := it.Device.Name + " " + it.Name
	if st := m.cables[it.Cable.ID]; st != "connected" {
		m.issue("dcim.interface", it.ID, name, "cable #%d is %s, not connected: not a link", it.Cable.ID, st)
		return false
	}
	switch {
	case !it.Enabled:
		m.issue("dcim.interface", it.ID, name, "disabled: not a link")
	case it.MgmtOnly:
		m.issue("dcim.interface", it.ID, name, "management only: not a link of the data network")
	case it.EndpointsType == "" || len(it.Endpoints) == 0:
		m.issue("dcim.interface", it.ID, name, "cable #%d leads to no interface (an incomplete path)", it.Cable.ID)
	case it.EndpointsType != "dcim.interface":
		m.issue("dcim.interface", it.ID, name, "ends on a %s (a circuit or provider network): not a link", it.EndpointsType)
	case it.EndpointsReachable != nil && !*it.EndpointsReachable:
		m.issue("dcim.interface", it.ID, name, "its path is not complete or not active: not a link")
	default:
		return true
	}
	return false
}

// link is the link from interface it (of device dev) to its far end ep,
// once per pair of interfaces, written from the lower NetBox id.
func (m *mapper) link(it *Interface, dev string, ep Peer, seen map[[2]int]bool) (outLink, bool) {
	if ep.Device == nil {
		return outLink{}, false
	}
	peer, ok := m.devOut[ep.Device.ID]
	if !ok {
		m.issue("dcim.interface", it.ID, it.Device.Name+" "+it.Name, "its far end %s %s is not imported", ep.Device.Name, ep.Name)
		return outLink{}, false
	}
	key := [2]int{min(it.ID, ep.ID), max(it.ID, ep.ID)}
	if seen[key] {
		return outLink{}, false
	}
	seen[key] = true
	l := outLink{a: dev + ":" + it.Name, b: peer + ":" + ep.Name}
	cable := it.Cable.ID
	if it.ID > ep.ID && ep.Cable != nil {
		l.a, l.b = l.b, l.a
		cable = ep.Cable.ID
	}
	l.nb = fmt.Sprintf("dcim.cable/%d", cable)
	return l, true
}

func (m *mapper) mapServices() {
	add := func(model string, id int, members map[string]bool, nb string) {
		if len(members) == 0 {
			return
		}
		s := outService{id: m.ids.of(model, id), nb: nb}
		for d := range members {
			s.members = append(s.members, d)
		}
		sort.Strings(s.members)
		m.services = append(m.services, s)
	}
	if m.cfg.Services.IPAM {
		groups := map[string]map[string]bool{}
		first := map[string]int{}
		for _, s := range m.d.Services {
			if _, ok := first[s.Name]; !ok {
				first[s.Name] = s.ID
				groups[s.Name] = map[string]bool{}
			}
			if s.Device == nil {
				m.issue("ipam.service", s.ID, s.Name, "on a virtual machine: not a member faultline models")
				continue
			}
			if d, ok := m.devOut[s.Device.ID]; ok {
				groups[s.Name][d] = true
			} else {
				m.issue("ipam.service", s.ID, s.Name, "its device %s is not imported", s.Device.Name)
			}
		}
		for name, members := range groups {
			add("ipam.service", first[name], members, "")
			if len(members) == 0 {
				m.issue("ipam.service", first[name], name, "no imported device runs it: no service")
			}
		}
	}
	if m.cfg.Services.Clusters {
		members := map[int]map[string]bool{}
		for i := range m.d.Devices {
			dev := &m.d.Devices[i]
			if dev.Cluster == nil {
				continue
			}
			if d, ok := m.devOut[dev.ID]; ok {
				if members[dev.Cluster.ID] == nil {
					members[dev.Cluster.ID] = map[string]bool{}
				}
				members[dev.Cluster.ID][d] = true
			}
		}
		for _, c := range m.d.Clusters {
			add("virtualization.cluster", c.ID, members[c.ID], fmt.Sprintf("virtualization.cluster/%d", c.ID))
		}
	}
	for i, t := range m.cfg.Services.Tags {
		members := map[string]bool{}
		for j := range m.d.Devices {
			dev := &m.d.Devices[j]
			for _, tag := range dev.Tags {
				if tag.Slug == t {
					if d, ok := m.devOut[dev.ID]; ok {
						members[d] = true
					}
				}
			}
		}
		add("extras.tag", i+1, members, "")
	}
	sort.Slice(m.services, func(i, j int) bool { return m.services[i].id < m.services[j].id })
}

// management applies the first template matching the device's role or
// platform.
func (m *mapper) management(dev *Device, name string) *mgmt {
	r := m.roleOf(dev)
	for _, t := range m.cfg.Management {
		if (t.Role != "" && (r == nil || r.Slug != t.Role)) || (t.Platform != "" && (dev.Platform == nil || dev.Platform.Slug != t.Platform)) {
			continue
		}
		proto, tmpl := "redfish", t.Redfish
		if t.SNMP != nil {
			proto, tmpl = "snmp", t.SNMP
		}
		vars := map[string]string{"{name}": name}
		if dev.OOBIP != nil {
			vars["{oob_ip}"] = hostOf(dev.OOBIP.Address)
		}
		if dev.PrimaryIP != nil {
			vars["{primary_ip}"] = hostOf(dev.PrimaryIP.Address)
		}
		out := &mgmt{proto: proto}
		keys := make([]string, 0, len(tmpl))
		for k := range tmpl {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := fmt.Sprint(tmpl[k])
			for _, ph := range []string{"{oob_ip}", "{primary_ip}", "{name}"} {
				if strings.Contains(v, ph) {
					val, ok := vars[ph]
					if !ok {
						m.issue("dcim.device", dev.ID, name, "management template for %s needs %s, which the device does not have: no management", proto, strings.Trim(ph, "{}"))
						return nil
					}
					v = strings.ReplaceAll(v, ph, val)
				}
			}
			out.fields = append(out.fields, [2]string{k, v})
		}
		return out
	}
	return nil
}

// hostOf strips the prefix length of a NetBox address ("10.0.0.5/24").
func hostOf(addr string) string {
	h, _, _ := strings.Cut(addr, "/")
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}
