package inventory

import "strings"

// Kind of an inventory entry with a global id.
type entryKind int

const (
	kindSite entryKind = iota + 1
	kindRack
	kindPower
	kindDevice
	kindService
)

func (k entryKind) String() string {
	return [...]string{"", "site", "rack", "power node", "device", "service"}[k]
}

type index struct {
	kinds    map[string]entryKind
	sites    map[string]*Site
	racks    map[string]*Rack
	power    map[string]*PowerNode
	devices  map[string]*Device
	services map[string]*Service
}

func buildIndex(inv *Inventory) *index {
	x := &index{
		kinds:    make(map[string]entryKind, len(inv.Sites)+len(inv.Racks)+len(inv.Power)+len(inv.Devices)+len(inv.Services)),
		sites:    make(map[string]*Site, len(inv.Sites)),
		racks:    make(map[string]*Rack, len(inv.Racks)),
		power:    make(map[string]*PowerNode, len(inv.Power)),
		devices:  make(map[string]*Device, len(inv.Devices)),
		services: make(map[string]*Service, len(inv.Services)),
	}
	add := func(id string, k entryKind) bool {
		if _, dup := x.kinds[id]; dup || id == "" {
			return false
		}
		x.kinds[id] = k
		return true
	}
	for i := range inv.Sites {
		if s := &inv.Sites[i]; add(s.ID, kindSite) {
			x.sites[s.ID] = s
		}
	}
	for i := range inv.Racks {
		if r := &inv.Racks[i]; add(r.ID, kindRack) {
			x.racks[r.ID] = r
		}
	}
	for i := range inv.Power {
		if p := &inv.Power[i]; add(p.ID, kindPower) {
			x.power[p.ID] = p
		}
	}
	for i := range inv.Devices {
		if d := &inv.Devices[i]; add(d.ID, kindDevice) {
			x.devices[d.ID] = d
		}
	}
	for i := range inv.Services {
		if s := &inv.Services[i]; add(s.ID, kindService) {
			x.services[s.ID] = s
		}
	}
	return x
}

func (inv *Inventory) index() *index {
	if inv.idx == nil {
		inv.idx = buildIndex(inv)
	}
	return inv.idx
}

// Reindex rebuilds the lookup tables; call it after changing an inventory
// built or loaded earlier (the generator and tests do).
func (inv *Inventory) Reindex() { inv.idx = buildIndex(inv) }

// Site returns the site with the id, or nil.
func (inv *Inventory) Site(id string) *Site { return inv.index().sites[id] }

// Rack returns the rack with the id, or nil.
func (inv *Inventory) Rack(id string) *Rack { return inv.index().racks[id] }

// PowerNode returns the power node with the id, or nil.
func (inv *Inventory) PowerNode(id string) *PowerNode { return inv.index().power[id] }

// Device returns the device with the id, or nil.
func (inv *Inventory) Device(id string) *Device { return inv.index().devices[id] }

// Service returns the service with the id, or nil.
func (inv *Inventory) Service(id string) *Service { return inv.index().services[id] }

// SiteOf returns the site a device, rack or power node is in ("" if none).
func (inv *Inventory) SiteOf(id string) string {
	x := inv.index()
	if d := x.devices[id]; d != nil {
		id = d.Rack
	}
	if p := x.power[id]; p != nil {
		if p.Site != "" {
			return p.Site
		}
		id = p.Rack
	}
	if r := x.racks[id]; r != nil {
		return r.Site
	}
	if _, ok := x.sites[id]; ok {
		return id
	}
	return ""
}

// SplitEnd splits a link end "device:port" at its first colon.
func SplitEnd(end string) (device, port string, ok bool) {
	device, port, ok = strings.Cut(end, ":")
	return device, port, ok && device != "" && port != ""
}

// LinkID is the id of a link in findings and what-if: "a~b" as written.
func (l *Link) ID() string { return l.A + "~" + l.B }

// Managed lists every device and power node with management, in file order.
type Managed struct {
	ID         string
	Kind       string // device kind or power kind
	Management *Management
}

// ManagedTargets returns every entry the collectors poll.
func (inv *Inventory) ManagedTargets() []Managed {
	var out []Managed
	for i := range inv.Power {
		if p := &inv.Power[i]; p.Management != nil {
			out = append(out, Managed{ID: p.ID, Kind: string(p.Kind), Management: p.Management})
		}
	}
	for i := range inv.Devices {
		if d := &inv.Devices[i]; d.Management != nil {
			out = append(out, Managed{ID: d.ID, Kind: string(d.Kind), Management: d.Management})
		}
	}
	return out
}
