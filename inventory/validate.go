package inventory

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// idPattern is what an id may look like: ids appear in "device/psu" names,
// "device:port" link ends and comma-separated what-if lists. It matches
// ^[A-Za-z0-9][A-Za-z0-9._-]*$, by a scan of the bytes: a load checks an
// id for every device, part and cable, and the regexp was about 6% of
// its CPU in a profile.
var idPattern idSyntax

// idSyntax checks ids; see idPattern.
type idSyntax struct{}

// MatchString reports whether s is a well-formed id.
func (idSyntax) MatchString(s string) bool {
	if s == "" || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

type validator struct {
	*reporter
	inv *Inventory
	x   *index

	// listedBefore's index of its current long list.
	listOf  []string
	firstAt map[string]int
}

// validate runs the second pass: everything about the inventory that needs
// the whole file (ids, references, cycles, counts).
func validate(inv *Inventory, r *reporter) {
	checkVersion(inv, r)
	validateEntries(inv, r)
}

// checkVersion checks one file's version key.
func checkVersion(inv *Inventory, r *reporter) {
	if inv.Version != Version {
		if inv.VersionPos.Line == 0 {
			r.errorf(Pos{Line: 1, Col: 1}, "add \"version: 1\" at the top", "missing version")
		} else {
			r.errorf(inv.VersionPos, "this build reads version 1", "unsupported inventory version %d", inv.Version)
		}
	}
	if inv.NetBox != "" {
		checkNetBoxURL(inv.NetBox, inv.NetBoxPos, r)
	}
}

// validateEntries checks everything but the version: of one file, or of
// the union of several.
func validateEntries(inv *Inventory, r *reporter) {
	v := &validator{reporter: r, inv: inv, x: inv.index()}
	v.ids()
	v.netboxIDs()
	v.racks()
	v.power()
	v.devices()
	v.links()
	v.network()
	v.services()
	v.policy()
	v.reliability()
}

// ids checks id syntax and uniqueness across every kind.
func (v *validator) ids() {
	inv := v.inv
	first := make(map[string]Pos, len(inv.Sites)+len(inv.Racks)+len(inv.Power)+len(inv.Devices)+len(inv.Services))
	check := func(id string, p Pos, what string) {
		if p.Line == 0 {
			return // not a mapping: the decoder has said so
		}
		if id == "" {
			v.errorf(p, "give it an id: a short unique name", "%s without an id", what)
			return
		}
		if !idPattern.MatchString(id) {
			v.errorf(p, "use letters, digits, '.', '_' and '-' only, starting with a letter or digit", "invalid id %q", id)
		}
		if at, dup := first[id]; dup {
			v.errorf(p, fmt.Sprintf("ids are unique across sites, racks, power, devices and services; the first is at %s", v.at(at, p)), "duplicate id %q", id)
			return
		}
		first[id] = p
	}
	for i := range inv.Sites {
		s := &inv.Sites[i]
		check(s.ID, or(s.IDPos, s.Pos), "site")
	}
	for i := range inv.Racks {
		r := &inv.Racks[i]
		check(r.ID, or(r.IDPos, r.Pos), "rack")
	}
	for i := range inv.Power {
		p := &inv.Power[i]
		check(p.ID, or(p.IDPos, p.Pos), "power node")
	}
	for i := range inv.Devices {
		d := &inv.Devices[i]
		check(d.ID, or(d.IDPos, d.Pos), "device")
	}
	for i := range inv.Services {
		s := &inv.Services[i]
		check(s.ID, or(s.IDPos, s.Pos), "service")
	}
}

func or(a, b Pos) Pos {
	if a.Line != 0 {
		return a
	}
	return b
}

// ref checks that id names an entry of one of the wanted kinds.
func (v *validator) ref(id string, p Pos, what string, want ...entryKind) bool {
	if id == "" {
		v.errorf(p, "", "empty %s reference", what)
		return false
	}
	k, ok := v.x.kinds[id]
	if ok && slices.Contains(want, k) {
		return true
	}
	if ok {
		v.errorf(p, "", "%q is a %s, not a %s", id, k, what)
		return false
	}
	var cands []string
	for cid, ck := range v.x.kinds {
		if slices.Contains(want, ck) {
			cands = append(cands, cid)
		}
	}
	hint := suggest(id, cands)
	if hint == "" {
		hint = fmt.Sprintf("declare it, or name an existing %s", want[0])
	}
	v.errorf(p, hint, "unknown %s %q", what, id)
	return false
}

func (v *validator) racks() {
	for i := range v.inv.Racks {
		r := &v.inv.Racks[i]
		if r.Pos.Line == 0 {
			continue // not a mapping: the decoder has said so
		}
		if r.Site == "" {
			v.errorf(r.Pos, "add \"site: ID\"", "rack %q has no site", r.ID)
			continue
		}
		v.ref(r.Site, r.SitePos, "site", kindSite)
	}
}

func (v *validator) power() {
	for i := range v.inv.Power {
		p := &v.inv.Power[i]
		if p.Pos.Line == 0 {
			continue
		}
		if p.Kind == "" && p.KindPos.Line == 0 {
			v.errorf(p.Pos, oneOf(PowerKind("").choices()), "power node %q has no kind", p.ID)
		}
		if p.Site != "" && p.Rack != "" {
			v.errorf(p.RackPos, "a rack already names its site; keep only rack", "power node %q has both site and rack", p.ID)
		}
		if p.Site != "" {
			v.ref(p.Site, p.SitePos, "site", kindSite)
		}
		if p.Rack != "" {
			v.ref(p.Rack, p.RackPos, "rack", kindRack)
		}
		if (p.Kind == Utility || p.Kind == Generator) && len(p.Inputs) > 0 {
			v.errorf(p.InputsPos[0], "remove inputs: a "+string(p.Kind)+" is a source", "%s %q has inputs", p.Kind, p.ID)
		}
		for j, in := range p.Inputs {
			pos := posAt(p.InputsPos, j)
			if v.listedBefore(p.Inputs, j) {
				v.errorf(pos, "list each input once", "input %q listed twice", in)
				continue
			}
			if in == p.ID {
				v.errorf(pos, "", "power node %q feeds itself", p.ID)
				continue
			}
			v.ref(in, pos, "power input", kindPower)
		}
		if p.CapacityW < 0 {
			v.errorf(p.CapacityWPos, "", "capacity_w must not be negative")
		}
		if p.Outlets < 0 {
			v.errorf(p.OutletsPos, "", "outlets must not be negative")
		}
		if p.Outlets > 0 && p.Kind != PDU {
			v.errorf(p.OutletsPos, "only a pdu has outlets", "outlets on a %s", p.Kind)
		}
		v.management(p.Management, p.ID)
	}
	v.powerCycles()
}

// listedBefore reports whether ids[j] is among ids[:j]. Short lists (the
// usual inputs, members and requires) are scanned; a long one is indexed
// once, so a list of thousands stays linear.
func (v *validator) listedBefore(ids []string, j int) bool {
	if len(ids) <= 16 {
		return slices.Contains(ids[:j], ids[j])
	}
	if v.listOf == nil || &v.listOf[0] != &ids[0] || len(v.listOf) != len(ids) {
		v.listOf = ids
		v.firstAt = make(map[string]int, len(ids))
		for k := len(ids) - 1; k >= 0; k-- {
			v.firstAt[ids[k]] = k
		}
	}
	return v.firstAt[ids[j]] < j
}

func posAt(ps []Pos, i int) Pos {
	if i < len(ps) {
		return ps[i]
	}
	return Pos{}
}

// powerCycles reports every cycle in the power chain once, at the node
// where a depth-first search first closes it.
func (v *validator) powerCycles() {
	const (
		unseen = iota
		onStack
		done
	)
	state := make(map[string]int, len(v.inv.Power))
	var stack []string
	var visit func(id string)
	visit = func(id string) {
		p := v.x.power[id]
		if p == nil {
			return
		}
		state[id] = onStack
		stack = append(stack, id)
		for j, in := range p.Inputs {
			switch state[in] {
			case unseen:
				if v.x.power[in] != nil {
					visit(in)
				}
			case onStack:
				if in == id {
					continue // reported as "feeds itself"
				}
				k := slices.Index(stack, in)
				cycle := append(append([]string(nil), stack[k:]...), in)
				v.errorf(posAt(p.InputsPos, j), "power must flow one way: remove one of these inputs", "cycle in the power chain: %s", chain(cycle))
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
	}
	for _, p := range v.inv.Power {
		if state[p.ID] == unseen {
			visit(p.ID)
		}
	}
}

// outletKey names an outlet by PDU and outlet (a numbered outlet by its
// number: 07 is 7); no key is built from strings.
type outletKey struct {
	pdu  string
	num  int
	name string
}

// plug is the device and psu, by index, that use an outlet.
type plug struct{ dev, psu int32 }

// partIDs holds a device's part ids when it has too many parts for a scan
// of the ones before (nil maps otherwise).
type partIDs struct{ psus, vols map[string]bool }

func (v *validator) devices() {
	psus := 0
	for i := range v.inv.Devices {
		psus += len(v.inv.Devices[i].PSUs)
	}
	outletUser := make(map[outletKey]plug, psus) // who uses each outlet
	for i := range v.inv.Devices {
		if v.inv.Devices[i].Pos.Line != 0 {
			v.device(i, outletUser)
		}
	}
}

// device checks the device at index i of the inventory and its parts.
func (v *validator) device(i int, outletUser map[outletKey]plug) {
	d := &v.inv.Devices[i]
	if d.Kind == "" && d.KindPos.Line == 0 {
		v.errorf(d.Pos, oneOf(DeviceKind("").choices()), "device %q has no kind", d.ID)
	}
	if d.Rack == "" {
		v.errorf(d.Pos, "add \"rack: ID\"", "device %q has no rack", d.ID)
	} else {
		v.ref(d.Rack, d.RackPos, "rack", kindRack)
	}
	if d.Position < 0 {
		v.errorf(d.PositionPos, "", "position must not be negative")
	}
	if d.DrawW < 0 {
		v.errorf(d.DrawWPos, "", "draw_w must not be negative")
	}
	// A device's part ids are checked by a scan of the parts before;
	// one with more than a few dozen parts gets a map instead.
	var ids partIDs
	if len(d.PSUs)+len(d.Storage) > 32 {
		ids = partIDs{make(map[string]bool, len(d.PSUs)), make(map[string]bool, len(d.Storage))}
	}
	for j := range d.PSUs {
		if d.PSUs[j].Pos.Line != 0 {
			v.psu(i, j, ids, outletUser)
		}
	}
	if len(d.PSUs) == 0 && d.PSUs == nil {
		v.warnf(or(d.IDPos, d.Pos), "declare its psus to model its power", "device %q declares no psus: its power is not modelled and it counts as powered", d.ID)
	}
	switch {
	case d.MinPSUs < 0:
		v.errorf(d.MinPSUsPos, "", "min_psus must not be negative")
	case d.MinPSUs > 0 && len(d.PSUs) == 0:
		v.errorf(d.MinPSUsPos, "declare its psus, or remove min_psus", "min_psus %d but %q declares no psus", d.MinPSUs, d.ID)
	case d.MinPSUs > len(d.PSUs):
		v.errorf(d.MinPSUsPos, plural(len(d.PSUs), "psu"), "min_psus %d is more than the psus of %q", d.MinPSUs, d.ID)
	}
	for j := range d.Storage {
		if d.Storage[j].Pos.Line != 0 {
			v.volume(d, j, ids)
		}
	}
	v.management(d.Management, d.ID)
}

// psu checks psu j of device i: its id, its pdu and its outlet.
func (v *validator) psu(i, j int, ids partIDs, outletUser map[outletKey]plug) {
	d := &v.inv.Devices[i]
	p := &d.PSUs[j]
	ppos := or(p.IDPos, p.Pos)
	switch {
	case p.ID == "":
		v.errorf(p.Pos, "give it an id such as PSU1", "psu of %q without an id", d.ID)
	case !idPattern.MatchString(p.ID):
		v.errorf(ppos, "use letters, digits, '.', '_' and '-' only; put the device's own name in match", "invalid psu id %q", p.ID)
	case ids.psus != nil && ids.psus[p.ID] || ids.psus == nil && psuBefore(d.PSUs, j, p.ID):
		v.errorf(ppos, "psu ids are unique within a device", "duplicate psu %q in %q", p.ID, d.ID)
	}
	if ids.psus != nil {
		ids.psus[p.ID] = true
	}
	v.psuInput(d, p)
	if p.PDU == "" {
		if p.PDUPos.Line != 0 {
			v.errorf(p.PDUPos, "name the power node it is plugged into, or leave pdu out when it is not known", "empty pdu of psu %s/%s", d.ID, p.ID)
		} else if p.Outlet != "" {
			v.errorf(p.OutletPos, "add \"pdu: ID\": the power node the outlet is on", "psu %s/%s has an outlet but no pdu", d.ID, p.ID)
		}
		return // no source known: an unknown PSU (see PSU.Unsourced)
	}
	if !v.ref(p.PDU, p.PDUPos, "pdu", kindPower) || p.Outlet == "" {
		return // an unknown pdu, or no outlet declared (or the decoder has said why)
	}
	key, ok := v.outlet(p)
	if !ok {
		return
	}
	if other, used := outletUser[key]; used {
		od := &v.inv.Devices[other.dev]
		v.errorf(p.OutletPos, "one plug per outlet", "outlet %s of %q is already used by %s/%s", p.Outlet, p.PDU, od.ID, od.PSUs[other.psu].ID)
		return
	}
	outletUser[key] = plug{int32(i), int32(j)}
}

// outlet checks the outlet of a psu plugged into a known pdu and returns
// its key; false when it is not a valid outlet of that pdu.
func (v *validator) outlet(p *PSU) (outletKey, bool) {
	n, ok := p.Outlet.Number()
	if !ok {
		if rest, neg := strings.CutPrefix(string(p.Outlet), "-"); neg && Outlet(rest).IsNumber() {
			v.errorf(p.OutletPos, "outlets are numbered from 1", "outlet %s", p.Outlet)
			return outletKey{}, false
		}
		if !idPattern.MatchString(string(p.Outlet)) {
			v.errorf(p.OutletPos, "write a number (7) or the PDU's outlet id (A4): letters, digits, '.', '_' and '-'", "invalid outlet %q", p.Outlet)
			return outletKey{}, false
		}
		return outletKey{pdu: p.PDU, num: -1, name: string(p.Outlet)}, true
	}
	if n == 0 {
		v.errorf(p.OutletPos, "outlets are numbered from 1", "outlet %s", p.Outlet)
		return outletKey{}, false
	}
	if pdu := v.x.power[p.PDU]; pdu.Outlets > 0 && n > pdu.Outlets {
		v.errorf(p.OutletPos, fmt.Sprintf("pdu %s has outlets 1..%d", quote(p.PDU), pdu.Outlets), "outlet %d is beyond pdu %q's %d outlets", n, p.PDU, pdu.Outlets)
		return outletKey{}, false
	}
	return outletKey{pdu: p.PDU, num: n}, true
}

// volume checks storage volume j of device d.
func (v *validator) volume(d *Device, j int, ids partIDs) {
	vol := &d.Storage[j]
	vpos := or(vol.IDPos, vol.Pos)
	switch {
	case vol.ID == "":
		v.errorf(vol.Pos, "give it an id such as os or data", "volume of %q without an id", d.ID)
	case !idPattern.MatchString(vol.ID):
		v.errorf(vpos, "use letters, digits, '.', '_' and '-' only", "invalid volume id %q", vol.ID)
	case ids.vols != nil && (ids.vols[vol.ID] || ids.psus[vol.ID]),
		ids.vols == nil && (volumeBefore(d.Storage, j, vol.ID) || psuBefore(d.PSUs, len(d.PSUs), vol.ID)):
		v.errorf(vpos, "volume and psu ids are unique within a device", "duplicate part id %q in %q", vol.ID, d.ID)
	}
	if ids.vols != nil {
		ids.vols[vol.ID] = true
	}
	if vol.RAID == "" {
		if vol.RAIDPos.Line == 0 {
			v.errorf(vol.Pos, oneOf(RAID("").choices()), "volume %s/%s has no raid level", d.ID, vol.ID)
		}
		return
	}
	n := vol.Drives
	switch {
	case n <= 0:
		v.errorf(or(vol.DrivesPos, vol.Pos), "give the number of drives", "volume %s/%s needs drives: 1 or more", d.ID, vol.ID)
	case vol.RAID == Single && n != 1:
		v.errorf(vol.DrivesPos, "use raid0 to stripe several drives", "a single volume has exactly 1 drive, not %d", n)
	case n < vol.RAID.MinDrives():
		v.errorf(vol.DrivesPos, "", "%s needs at least %d drives, not %d", vol.RAID, vol.RAID.MinDrives(), n)
	case vol.RAID == RAID10 && n%2 != 0:
		v.errorf(vol.DrivesPos, "raid10 mirrors drives in pairs", "raid10 needs an even number of drives, not %d", n)
	}
}

// psuBefore reports whether a psu among psus[:j] written as a mapping has
// the id; volumeBefore likewise for volumes. A device has a handful of
// each, so a scan beats a map.
func psuBefore(psus []PSU, j int, id string) bool {
	for k := range psus[:j] {
		if psus[k].Pos.Line != 0 && psus[k].ID == id {
			return true
		}
	}
	return false
}

func volumeBefore(vols []Volume, j int, id string) bool {
	for k := range vols[:j] {
		if vols[k].Pos.Line != 0 && vols[k].ID == id {
			return true
		}
	}
	return false
}

func (v *validator) management(m *Management, id string) {
	if m == nil || m.Pos.Line == 0 {
		return
	}
	if m.SNMP == nil && m.Redfish == nil && m.Pos.Line != 0 {
		v.errorf(m.Pos, "add snmp or redfish, or remove management", "management of %q says nothing", id)
	}
	if s := m.SNMP; s != nil && s.Pos.Line != 0 {
		v.snmp(s, id)
	}
	if r := m.Redfish; r != nil && r.Pos.Line != 0 {
		v.redfish(r, id)
	}
}

var snmpAuth = []string{"MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"}
var snmpPriv = []string{"DES", "AES", "AES192", "AES256", "AES192C", "AES256C"}

func (v *validator) snmp(s *SNMP, id string) {
	if s.Address == "" {
		v.errorf(s.Pos, "add \"address: HOST\" or HOST:PORT", "snmp of %q has no address", id)
	} else if err := checkHostPort(s.Address); err != nil {
		v.errorf(s.AddressPos, "write HOST or HOST:PORT, e.g. 10.1.0.21 or [::1]:161", "bad snmp address %q: %v", s.Address, err)
	}
	switch s.SNMPVersion() {
	case "2c":
		if s.Community == "" {
			v.errorf(s.Pos, "add community: \"${env:SNMP_COMMUNITY}\"", "snmp v2c of %q has no community", id)
		}
		v.secret(s.Community, s.CommunityPos, "community")
		if s.Username != "" {
			v.errorf(s.UsernamePos, "set version: 3 to use a user", "username given for snmp v2c")
		}
	case "3":
		if s.Username == "" {
			v.errorf(s.Pos, "add username", "snmp v3 of %q has no username", id)
		}
		if s.Community != "" {
			v.errorf(s.CommunityPos, "v3 authenticates with username and passwords", "community given for snmp v3")
		}
		v.protocol(s.AuthProtocol, s.AuthProtocolPos, "auth_protocol", snmpAuth)
		v.protocol(s.PrivProtocol, s.PrivProtocolPos, "priv_protocol", snmpPriv)
		if s.AuthProtocol != "" && s.AuthPassword == "" {
			v.errorf(s.AuthProtocolPos, "add auth_password", "auth_protocol without auth_password")
		}
		if s.PrivProtocol != "" && s.AuthProtocol == "" {
			v.errorf(s.PrivProtocolPos, "add auth_protocol: privacy needs authentication", "priv_protocol without auth_protocol")
		}
		if s.PrivProtocol != "" && s.PrivPassword == "" {
			v.errorf(s.PrivProtocolPos, "add priv_password", "priv_protocol without priv_password")
		}
		v.secret(s.AuthPassword, s.AuthPasswordPos, "auth_password")
		v.secret(s.PrivPassword, s.PrivPasswordPos, "priv_password")
	default:
		v.errorf(s.VersionPos, "expected 2c or 3", "unsupported snmp version %q", s.Version)
	}
}

func (v *validator) protocol(p string, pos Pos, what string, choices []string) {
	if p == "" || slices.Contains(choices, p) {
		return
	}
	hint := suggest(p, choices)
	if hint == "" {
		hint = oneOf(choices)
	}
	v.errorf(pos, hint, "unknown %s %q", what, p)
}

func checkHostPort(addr string) error {
	host, port := addr, ""
	if h, p, err := net.SplitHostPort(addr); err == nil {
		host, port = h, p
	} else if strings.Count(addr, ":") == 1 {
		return err
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %s is not 1-65535", quote(port))
		}
	}
	if host == "" {
		return fmt.Errorf("no host")
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || strings.ContainsAny(label, " /@?#[]") {
			return fmt.Errorf("%s is not an IP address or host name", quote(host))
		}
	}
	return nil
}

func (v *validator) redfish(r *Redfish, id string) {
	if r.Endpoint == "" {
		v.errorf(r.Pos, "add endpoint: \"https://BMC-ADDRESS\"", "redfish of %q has no endpoint", id)
	} else {
		u, err := url.Parse(r.Endpoint)
		switch {
		case err != nil:
			v.errorf(r.EndpointPos, "write https://HOST[:PORT]", "bad redfish endpoint %q", r.Endpoint)
		case u.Scheme != "https" && u.Scheme != "http":
			v.errorf(r.EndpointPos, "write https://HOST[:PORT] (http:// for labs)", "redfish endpoint %q must start with https://", r.Endpoint)
		case u.Host == "" || checkHostPort(u.Host) != nil:
			v.errorf(r.EndpointPos, "write https://HOST[:PORT]", "redfish endpoint %q has no valid host", r.Endpoint)
		case u.User != nil:
			v.errorf(r.EndpointPos, "use username and password", "credentials in the redfish endpoint URL")
		}
	}
	if r.Username == "" {
		v.errorf(r.Pos, "add username", "redfish of %q has no username", id)
	}
	if r.Password == "" {
		v.errorf(r.Pos, "add password: \"${env:BMC_PASSWORD}\"", "redfish of %q has no password", id)
	}
	v.secret(r.Password, r.PasswordPos, "password")
	switch r.Auth {
	case "", "basic", "session":
	default:
		v.errorf(r.AuthPos, "expected basic or session", "unknown redfish auth %q", r.Auth)
	}
	if r.Insecure {
		v.warnf(r.InsecurePos, "give the BMC's CA with ca: FILE instead", "TLS verification is off for %q", id)
	}
}

func (v *validator) secret(s Secret, p Pos, what string) {
	switch {
	case s == "":
	case s.IsRef():
	case s.looksLikeRef():
		v.errorf(p, "write ${env:NAME} or ${file:PATH}", "malformed secret reference in %s", what)
	default:
		v.warnf(p, "write it as ${env:NAME} or ${file:PATH}", "plaintext %s in the inventory", what)
	}
}

func (v *validator) links() {
	ends := make(map[string]linkEnd, 2*len(v.inv.Links))
	for i := range v.inv.Links {
		l := &v.inv.Links[i]
		if l.Pos.Line == 0 {
			continue
		}
		if l.Cable != "" && !idPattern.MatchString(l.Cable) {
			v.errorf(l.CablePos, "use letters, digits, '.', '_' and '-' only", "invalid cable id %q", l.Cable)
		} else if l.Cable != "" {
			v.cableID(l)
		}
		a, aok := v.end(l.A, or(l.APos, l.Pos), "a", l.Cable, ends)
		b, bok := v.end(l.B, or(l.BPos, l.Pos), "b", l.Cable, ends)
		if aok && bok && a == b {
			v.errorf(l.BPos, "", "link from %q to itself", a)
		}
	}
}

// linkEnd is where a port was first used, and by which cable.
type linkEnd struct {
	pos   Pos
	cable string
}

func (v *validator) end(e string, p Pos, side, cable string, ends map[string]linkEnd) (string, bool) {
	if e == "" {
		v.errorf(p, "write \"device:port\"", "link without end %s", side)
		return "", false
	}
	dev, _, ok := SplitEnd(e)
	if !ok {
		v.errorf(p, "write \"device:port\", e.g. \"db-1:eno1\"", "bad link end %q", e)
		return "", false
	}
	if at, dup := ends[e]; dup {
		if cable != "" && at.cable == cable {
			// one end of a breakout cable: the port is shared by the
			// links the cable carries, not used twice.
			return dev, v.ref(dev, p, "device", kindDevice)
		}
		v.errorf(p, fmt.Sprintf("a port takes one cable; the other is at %s", v.at(at.pos, p)), "link end %q used twice", e)
		return dev, false
	}
	ends[e] = linkEnd{pos: p, cable: cable}
	return dev, v.ref(dev, p, "device", kindDevice)
}

func (v *validator) network() {
	seen := map[string]bool{}
	for i, r := range v.inv.Network.Roots {
		p := posAt(v.inv.Network.RootsPos, i)
		if seen[r] {
			v.errorf(p, "", "network root %q listed twice", r)
			continue
		}
		seen[r] = true
		v.ref(r, p, "device", kindDevice)
	}
}

func (v *validator) services() {
	for i := range v.inv.Services {
		s := &v.inv.Services[i]
		if s.Pos.Line == 0 {
			continue
		}
		if len(s.Members) == 0 {
			v.errorf(s.Pos, "add members: [device or service ids]", "service %q has no members", s.ID)
		}
		for j, m := range s.Members {
			p := posAt(s.MembersPos, j)
			if v.listedBefore(s.Members, j) {
				v.errorf(p, "", "member %q listed twice", m)
				continue
			}
			if m == s.ID {
				v.errorf(p, "", "service %q is a member of itself", s.ID)
				continue
			}
			v.ref(m, p, "member", kindDevice, kindService)
		}
		for j, r := range s.Requires {
			p := posAt(s.RequiresPos, j)
			if v.listedBefore(s.Requires, j) {
				v.errorf(p, "", "required service %q listed twice", r)
				continue
			}
			if r == s.ID {
				v.errorf(p, "", "service %q requires itself", s.ID)
				continue
			}
			v.ref(r, p, "service", kindService)
		}
		switch {
		case s.MinUp < 0:
			v.errorf(s.MinUpPos, "", "min_up must not be negative")
		case s.MinUp > len(s.Members) && len(s.Members) > 0:
			v.errorf(s.MinUpPos, plural(len(s.Members), "member"), "min_up %d is more than the members of %q", s.MinUp, s.ID)
		}
		if t := s.Tolerate; t != nil && (*t < 0 || *t > 2) {
			v.errorf(s.ToleratePos, "0 (not analysed), 1 (single failures) or 2 (pairs)", "tolerate %d is not supported", *t)
		}
	}
	v.serviceCycles()
}

// serviceCycles reports cycles through members and requires.
func (v *validator) serviceCycles() {
	const (
		unseen = iota
		onStack
		done
	)
	state := make(map[string]int, len(v.inv.Services))
	var stack []string
	var visit func(s *Service)
	visit = func(s *Service) {
		state[s.ID] = onStack
		stack = append(stack, s.ID)
		next := func(ids []string, ps []Pos, how string) {
			for j, id := range ids {
				t := v.x.services[id]
				if t == nil || t == s {
					continue
				}
				switch state[id] {
				case unseen:
					visit(t)
				case onStack:
					k := slices.Index(stack, id)
					cycle := append(append([]string(nil), stack[k:]...), id)
					v.errorf(posAt(ps, j), "a service cannot depend on itself through others", "cycle in services (%s): %s", how, chain(cycle))
				}
			}
		}
		next(s.Members, s.MembersPos, "members")
		next(s.Requires, s.RequiresPos, "requires")
		stack = stack[:len(stack)-1]
		state[s.ID] = done
	}
	for i := range v.inv.Services {
		if s := &v.inv.Services[i]; state[s.ID] == unseen && v.x.services[s.ID] == s {
			visit(s)
		}
	}
}

func (v *validator) policy() {
	p := v.inv.Policy
	if p.MaxLoadPct < 0 || p.MaxLoadPct > 100 {
		v.errorf(p.MaxLoadPctPos, "a percentage, e.g. 80", "max_load_pct %g is out of range", p.MaxLoadPct)
	}
	if p.InletMaxC < 0 || p.InletMaxC > 80 {
		v.errorf(p.InletMaxCPos, "degrees Celsius, e.g. 27", "inlet_max_c %g is out of range", p.InletMaxC)
	}
	if p.MaxPairs < 0 {
		v.errorf(p.MaxPairsPos, "", "max_pairs must not be negative")
	}
}

// netboxIDs checks the netbox identity keys: "<app>.<model>/<id>", each
// naming one NetBox object at most once.
func (v *validator) netboxIDs() {
	seen := map[string]Pos{}
	check := func(ref string, p Pos) {
		if ref == "" {
			return
		}
		m := netboxRef.FindStringSubmatch(ref)
		if m == nil {
			v.errorf(p, "write \"<app>.<model>/<id>\", e.g. \"dcim.device/27\"", "bad netbox identity %q", ref)
			return
		}
		if _, ok := netboxPaths[m[1]]; !ok {
			v.errorf(p, oneOf(NetBoxModels()), "unknown netbox model %q", m[1])
			return
		}
		if at, dup := seen[ref]; dup {
			v.errorf(p, fmt.Sprintf("one NetBox object is one entry; the first is at %s", v.at(at, p)), "netbox identity %q used twice", ref)
			return
		}
		seen[ref] = p
	}
	for i := range v.inv.Sites {
		check(v.inv.Sites[i].NetBox, v.inv.Sites[i].NetBoxPos)
	}
	for i := range v.inv.Racks {
		check(v.inv.Racks[i].NetBox, v.inv.Racks[i].NetBoxPos)
	}
	for i := range v.inv.Power {
		check(v.inv.Power[i].NetBox, v.inv.Power[i].NetBoxPos)
	}
	for i := range v.inv.Devices {
		d := &v.inv.Devices[i]
		check(d.NetBox, d.NetBoxPos)
		for j := range d.PSUs {
			check(d.PSUs[j].NetBox, d.PSUs[j].NetBoxPos)
		}
	}
	for i := range v.inv.Services {
		check(v.inv.Services[i].NetBox, v.inv.Services[i].NetBoxPos)
	}
	cables := map[string]string{} // netbox cable -> the cable key it goes with
	for i := range v.inv.Links {
		l := &v.inv.Links[i]
		if l.NetBox == "" {
			continue
		}
		// the links of one breakout cable share its identity
		if c, ok := cables[l.NetBox]; ok && c == l.Cable && c != "" {
			continue
		}
		cables[l.NetBox] = l.Cable
		check(l.NetBox, l.NetBoxPos)
	}
}

var netboxRef = regexp.MustCompile(`^([a-z]+\.[a-z]+)/([1-9][0-9]{0,18})$`)

func checkNetBoxURL(s string, p Pos, r *reporter) {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		r.errorf(p, "write the NetBox's base URL, e.g. https://netbox.example.com", "bad netbox URL %q", s)
	case u.User != nil:
		r.errorf(p, "remove the credentials from the URL", "credentials in the netbox URL")
	case u.RawQuery != "" || u.Fragment != "":
		r.errorf(p, "write the NetBox's base URL, e.g. https://netbox.example.com", "netbox URL %q has a query or fragment", s)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("it has %d %s", n, noun)
	}
	return fmt.Sprintf("it has %d %ss", n, noun)
}
