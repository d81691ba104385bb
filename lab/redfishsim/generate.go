package redfishsim

import (
	"fmt"
	"hash/fnv"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/inventory"
)

// state is everything a generated tree says, kept small (a few hundred
// bytes per BMC) so a lab of 10,000 BMCs fits in memory: resources are
// rendered from it per request.
type state struct {
	schema       Schema
	model        string
	serial       string
	lastReset    time.Time
	drawW        float64
	minPSUs      int
	inletC       float64
	psus         []psuState
	volumes      []volumeState
	drives       []driveState
	nics         []nicState
	fans         []fanState
	managerReset time.Time
}

type psuState struct {
	id, state, health, line string
	slot                    int
	capacityW               float64
	outlet                  string
}

type volumeState struct {
	id, raid string
	drives   []int // indexes into state.drives
	degraded bool
}

type driveState struct {
	id, volume    string
	slot          int
	state, health string
	predicted     bool
}

type nicState struct {
	name, mac string
	speedMbps int
	up        bool
	neighbor  *lldpPeer
}

type lldpPeer struct{ chassisID, portID, sysName string }

type fanState struct {
	id, health string
	rpm        float64
}

func (st *state) clone() *state {
	c := *st
	c.psus = slices.Clone(st.psus)
	c.volumes = slices.Clone(st.volumes)
	c.drives = slices.Clone(st.drives)
	c.nics = slices.Clone(st.nics)
	c.fans = slices.Clone(st.fans)
	return &c
}

// generated is a source rendering a tree from a state; faults make a new
// state (copy-on-write), so a render never races a fault.
type generated struct {
	id     string
	feat   features
	base   *state // changed only by reset, under the Sim's lock
	cur    atomic.Pointer[state]
	ver    atomic.Uint64
	faults []Fault
}

func (g *generated) version() uint64    { return g.ver.Load() }
func (g *generated) features() features { return g.feat }

func (g *generated) setFaults(faults []Fault) error {
	st := g.base.clone()
	for _, f := range faults {
		if err := st.apply(f); err != nil {
			return err
		}
	}
	g.faults = faults
	g.cur.Store(st)
	g.ver.Add(1)
	return nil
}

func (g *generated) reset(now time.Time) error {
	g.base.lastReset = now.UTC().Truncate(time.Second)
	return g.setFaults(g.faults)
}

// apply changes the state as one hardware fault would.
func (st *state) apply(f Fault) error {
	switch f.Fault {
	case PSUFail, PSURemove, PSUInputLost:
		i := slices.IndexFunc(st.psus, func(p psuState) bool { return strings.EqualFold(p.id, f.Part) })
		if i < 0 {
			return fmt.Errorf("%w: PSU %q", ErrNoSuchPart, f.Part)
		}
		p := &st.psus[i]
		switch f.Fault {
		case PSUFail:
			p.state, p.health = "Enabled", "Critical"
		case PSURemove:
			p.state, p.health, p.line = "Absent", "", ""
		case PSUInputLost:
			p.health, p.line = "Warning", "LossOfInput"
		}
	case DriveFail, DrivePredict:
		id := strings.ReplaceAll(f.Part, "/", "-")
		i := slices.IndexFunc(st.drives, func(d driveState) bool { return d.id == id })
		if i < 0 {
			return fmt.Errorf("%w: drive %q", ErrNoSuchPart, f.Part)
		}
		if f.Fault == DriveFail {
			st.drives[i].state, st.drives[i].health = "UnavailableOffline", "Critical"
		} else {
			st.drives[i].health, st.drives[i].predicted = "Warning", true
		}
	case VolumeDegrade:
		i := slices.IndexFunc(st.volumes, func(v volumeState) bool { return v.id == f.Part })
		if i < 0 {
			return fmt.Errorf("%w: volume %q", ErrNoSuchPart, f.Part)
		}
		st.volumes[i].degraded = true
	case LinkDown:
		i := slices.IndexFunc(st.nics, func(n nicState) bool { return n.name == f.Part })
		if i < 0 {
			return fmt.Errorf("%w: port %q", ErrNoSuchPart, f.Part)
		}
		st.nics[i].up = false
	case FanFail:
		i := slices.IndexFunc(st.fans, func(n fanState) bool { return strings.EqualFold(n.id, f.Part) })
		if i < 0 {
			return fmt.Errorf("%w: fan %q", ErrNoSuchPart, f.Part)
		}
		st.fans[i].health, st.fans[i].rpm = "Critical", 0
	case HotInlet:
		st.inletC = 38
		if f.Value != 0 {
			st.inletC = f.Value
		}
	default:
		return fmt.Errorf("%w %q for a server (a PDU's faults are served by FromPowerNode)", ErrUnknownFault, f.Fault)
	}
	return nil
}

// FromDevice builds a simulated BMC for inventory device id: its declared
// PSUs (same ids, Links.Outlet at the declared PDU outlet), volumes with
// the declared RAID level and drive count, one NIC per port the inventory's
// links use for it (named as in the links, with the far end as its LLDP
// neighbour), fans, an inlet sensor and an identity, in opts.Schema.
//
// Credentials default to the device's redfish username and password (the
// secret resolved against the inventory's directory).
func FromDevice(inv *inventory.Inventory, id string, opts Options) (*Sim, error) {
	dev := inv.Device(id)
	if dev == nil {
		return nil, fmt.Errorf("redfishsim: no device %q in the inventory", id)
	}
	opts.defaults()
	if opts.Username == "" && dev.Management != nil && dev.Management.Redfish != nil {
		rf := dev.Management.Redfish
		pw, err := rf.Password.Resolve(inv.Dir())
		if err != nil {
			return nil, fmt.Errorf("redfishsim: %s: password: %w", id, err)
		}
		opts.Username, opts.Password = rf.Username, pw
	}
	if opts.Schema != Modern && opts.Schema != Legacy {
		return nil, fmt.Errorf("redfishsim: %s: unknown schema %q", id, opts.Schema)
	}
	st := newState(inv, dev, opts)
	g := &generated{id: id, feat: features{expand: opts.Expand != ExpandOff, maxLevels: opts.MaxLevels, sel: !opts.NoSelect}, base: st}
	if err := g.setFaults(nil); err != nil {
		return nil, err
	}
	return newSim(id, g, opts), nil
}

func newState(inv *inventory.Inventory, dev *inventory.Device, opts Options) *state {
	now := opts.Now().UTC().Truncate(time.Second)
	st := &state{
		schema:       opts.Schema,
		model:        dev.Model,
		serial:       dev.Serial,
		lastReset:    now.Add(-9 * 24 * time.Hour),
		managerReset: now.Add(-40 * 24 * time.Hour),
		drawW:        dev.DrawW,
		minPSUs:      dev.NeededPSUs(),
		inletC:       22,
	}
	if st.model == "" {
		st.model = "Lab Server " + strings.ToUpper(string(dev.Kind[:1])) + string(dev.Kind[1:])
	}
	if st.serial == "" {
		st.serial = fmt.Sprintf("FL%08X", hash32(dev.ID))
	}
	if st.drawW <= 0 {
		st.drawW = 300
	}
	capW := 550.0
	for _, c := range []float64{550, 800, 1100, 1400, 1600, 2000, 2400, 3000} {
		capW = c
		if c >= 1.25*st.drawW {
			break
		}
	}
	for i, p := range dev.PSUs {
		st.psus = append(st.psus, psuState{
			id: p.ID, slot: i, state: "Enabled", health: "OK", line: "Normal",
			capacityW: capW, outlet: OutletURI(inv, p.PDU, p.Outlet),
		})
	}
	for _, v := range dev.Storage {
		vs := volumeState{id: v.ID, raid: string(v.RAID)}
		for n := range v.Drives {
			vs.drives = append(vs.drives, len(st.drives))
			st.drives = append(st.drives, driveState{
				id: fmt.Sprintf("%s-%d", v.ID, n), volume: v.ID, slot: len(st.drives),
				state: "Enabled", health: "OK",
			})
		}
		st.volumes = append(st.volumes, vs)
	}
	for _, l := range inv.Links {
		for _, pair := range [][2]string{{l.A, l.B}, {l.B, l.A}} {
			d, port, ok := inventory.SplitEnd(pair[0])
			if !ok || d != dev.ID || slices.ContainsFunc(st.nics, func(n nicState) bool { return n.name == port }) {
				continue
			}
			nic := nicState{name: port, mac: mac(dev.ID + ":" + port), speedMbps: 25000, up: true}
			if pd, pp, ok := inventory.SplitEnd(pair[1]); ok {
				nic.neighbor = &lldpPeer{chassisID: mac(pd), portID: pp, sysName: pd}
			}
			st.nics = append(st.nics, nic)
		}
	}
	for i := range 4 {
		st.fans = append(st.fans, fanState{id: fmt.Sprintf("Fan%d", i+1), health: "OK", rpm: 7200 + float64(120*i)})
	}
	return st
}

// OutletURI is the Links.Outlet a generated PSU reports for PDU pdu, outlet
// n: https://HOST/redfish/v1/PowerEquipment/RackPDUs/UNIT/Outlets/N,
// where HOST is the PDU's management address when it has one, else the
// PDU's id; UNIT is 1 for a PDU managed over Redfish (where FromPowerNode
// serves it), else the PDU's id; and N the outlet as the inventory names
// it (7, A4). Empty when the inventory gives no outlet.
func OutletURI(inv *inventory.Inventory, pdu string, n inventory.Outlet) string {
	if pdu == "" || n == "" {
		return ""
	}
	host, unit := pdu, url.PathEscape(pdu)
	if p := inv.PowerNode(pdu); p != nil && p.Management != nil {
		switch m := p.Management; {
		case m.Redfish != nil:
			if u, err := url.Parse(m.Redfish.Endpoint); err == nil && u.Host != "" {
				host = u.Host
			}
			unit = "1" // where FromPowerNode serves the PDU
		case m.SNMP != nil:
			if h, _, err := net.SplitHostPort(m.SNMP.Address); err == nil {
				host = h
			} else {
				host = m.SNMP.Address
			}
		}
	}
	return fmt.Sprintf("https://%s/redfish/v1/PowerEquipment/RackPDUs/%s/Outlets/%s", host, unit, url.PathEscape(string(n)))
}

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// mac derives a stable, locally administered MAC address from a name.
func mac(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	b := h.Sum64()
	return fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", byte(b>>32), byte(b>>24), byte(b>>16), byte(b>>8), byte(b))
}
