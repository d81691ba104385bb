package snmpsim

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/faultline/faultline/inventory"
)

// GenOptions shape a table generated from the inventory.
type GenOptions struct {
	// Ports is how many EthernetN ports a switch, router or firewall has
	// besides those its links name (default 48).
	Ports int
}

// FromInventory generates the OID table of inventory entry id: a switch,
// router or firewall with its declared PSUs in ENTITY-MIB and
// ENTITY-STATE-MIB, ports named exactly as the links name them, and LLDP
// neighbours matching the declared links (remote sysName = the other end's
// device id, remote port id = its port name); a PDU (PDU2-MIB) with one
// outlet per declared outlet, the PSUs plugged in drawing their device's
// draw_w; a UPS with UPS-MIB.
func FromInventory(inv *inventory.Inventory, id string, opts GenOptions) (*Table, error) {
	if opts.Ports <= 0 {
		opts.Ports = 48
	}
	g := &gen{}
	if d := inv.Device(id); d != nil {
		g.system(id, fmt.Sprintf("faultline simulated %s %s", d.Kind, d.Model))
		switch d.Kind {
		case inventory.Switch, inventory.Router, inventory.Firewall:
			g.network(inv, d, opts)
		default:
			return nil, fmt.Errorf("snmpsim: %s is a %s: only switches, routers, firewalls, PDUs and UPSes are simulated over SNMP", id, d.Kind)
		}
	} else if p := inv.PowerNode(id); p != nil {
		g.system(id, fmt.Sprintf("faultline simulated %s %s", p.Kind, p.Model))
		switch p.Kind {
		case inventory.PDU:
			g.pdu(inv, p)
		case inventory.UPS:
			g.ups(inv, p)
		default:
			return nil, fmt.Errorf("snmpsim: %s is a %s power node: only PDUs and UPSes are simulated", id, p.Kind)
		}
	} else {
		return nil, fmt.Errorf("snmpsim: no device or power node %q in the inventory", id)
	}
	return NewTable(g.entries)
}

type gen struct{ entries []Entry }

func (g *gen) add(oid string, arcs []uint32, v Value) {
	g.entries = append(g.entries, Entry{OID: appendOID(mustOID(oid), arcs...), Value: v})
}

func (g *gen) system(name, descr string) {
	g.add("1.3.6.1.2.1.1.1.0", nil, String(descr))
	g.add("1.3.6.1.2.1.1.2.0", nil, mustObjectID("1.3.6.1.4.1.8072.3.2.10"))
	g.add("1.3.6.1.2.1.1.3.0", nil, TimeTicks(0))
	g.add("1.3.6.1.2.1.1.5.0", nil, String(name))
}

// peer is the far end of a link from one of the device's ports.
type peer struct{ device, port string }

func (g *gen) network(inv *inventory.Inventory, d *inventory.Device, opts GenOptions) {
	peers := map[string]peer{}
	var names []string
	for i := 1; i <= opts.Ports; i++ {
		names = append(names, "Ethernet"+strconv.Itoa(i))
	}
	for _, l := range inv.Links {
		for _, ends := range [][2]string{{l.A, l.B}, {l.B, l.A}} {
			dev, port, ok := inventory.SplitEnd(ends[0])
			if !ok || dev != d.ID {
				continue
			}
			pd, pp, _ := inventory.SplitEnd(ends[1])
			peers[port] = peer{pd, pp}
			if !slices.Contains(names, port) {
				names = append(names, port)
			}
		}
	}
	for i, name := range names {
		idx := []uint32{uint32(i + 1)}
		p, linked := peers[name]
		oper := int64(2)
		if linked {
			oper = 1
		}
		g.add("1.3.6.1.2.1.2.2.1.2", idx, String(name))
		g.add("1.3.6.1.2.1.2.2.1.7", idx, Integer(1))
		g.add("1.3.6.1.2.1.2.2.1.8", idx, Integer(oper))
		g.add("1.3.6.1.2.1.31.1.1.1.1", idx, String(name))
		g.add("1.3.6.1.2.1.31.1.1.1.15", idx, Gauge(10000))
		g.add("1.3.6.1.2.1.31.1.1.1.18", idx, String(""))
		g.add("1.0.8802.1.1.2.1.3.7.1.2", idx, Integer(5))
		g.add("1.0.8802.1.1.2.1.3.7.1.3", idx, String(name))
		g.add("1.0.8802.1.1.2.1.3.7.1.4", idx, String(name))
		if linked {
			rem := []uint32{0, uint32(i + 1), 1}
			g.add("1.0.8802.1.1.2.1.4.1.1.4", rem, Integer(7))
			g.add("1.0.8802.1.1.2.1.4.1.1.5", rem, String(p.device))
			g.add("1.0.8802.1.1.2.1.4.1.1.6", rem, Integer(5))
			g.add("1.0.8802.1.1.2.1.4.1.1.7", rem, String(p.port))
			g.add("1.0.8802.1.1.2.1.4.1.1.8", rem, String(p.port))
			g.add("1.0.8802.1.1.2.1.4.1.1.9", rem, String(p.device))
		}
	}
	// ENTITY-MIB: the chassis (1), its PSUs (100+) and fans (200+).
	entity := func(idx uint32, class int64, name, model string) {
		i := []uint32{idx}
		g.add("1.3.6.1.2.1.47.1.1.1.1.2", i, String(name))
		parent := int64(1) // everything sits in the chassis, which sits in nothing
		if idx == 1 {
			parent = 0
		}
		g.add("1.3.6.1.2.1.47.1.1.1.1.4", i, Integer(parent))
		g.add("1.3.6.1.2.1.47.1.1.1.1.5", i, Integer(class))
		g.add("1.3.6.1.2.1.47.1.1.1.1.7", i, String(name))
		g.add("1.3.6.1.2.1.47.1.1.1.1.11", i, String(fmt.Sprintf("SIM%06d", idx)))
		g.add("1.3.6.1.2.1.47.1.1.1.1.13", i, String(model))
		if class == 6 || class == 7 {
			g.add("1.3.6.1.2.1.131.1.1.1.3", i, Integer(3))
		}
	}
	entity(1, 3, d.ID, d.Model)
	for i, p := range d.PSUs {
		entity(uint32(100+i), 6, p.ID, "PSU")
	}
	for i := range 2 {
		entity(uint32(200+i), 7, "Fan "+strconv.Itoa(i+1), "")
	}
}

// plugged lists, for a PDU, the PSUs plugged into each outlet and the
// watts each draws (its device's draw_w split over its PSUs).
func plugged(inv *inventory.Inventory, pdu string) map[int][]float64 {
	out := map[int][]float64{}
	for _, d := range inv.Devices {
		for _, p := range d.PSUs {
			if n, ok := p.Outlet.Number(); ok && p.PDU == pdu && n > 0 {
				out[n] = append(out[n], d.DrawW/float64(len(d.PSUs)))
			}
		}
	}
	return out
}

// pdu generates PDU2-MIB (Raritan): outlets with an on/off sensor, current
// (milliamps, 3 decimals) and active power; one inlet with voltage,
// current and power.
func (g *gen) pdu(inv *inventory.Inventory, p *inventory.PowerNode) {
	load := plugged(inv, p.ID)
	n := p.Outlets
	for o := range load {
		n = max(n, o)
	}
	const volts = 230.0
	total := 0.0
	for o := 1; o <= n; o++ {
		idx := []uint32{1, uint32(o)}
		w := 0.0
		for _, x := range load[o] {
			w += x
		}
		total += w
		g.add("1.3.6.1.4.1.13742.6.3.5.3.1.2", idx, String(strconv.Itoa(o)))
		g.add("1.3.6.1.4.1.13742.6.3.5.3.1.3", idx, String(""))
		sensor := func(typ uint32, digits int64, state int64, value uint32) {
			i := []uint32{1, uint32(o), typ}
			g.add("1.3.6.1.4.1.13742.6.3.5.4.1.7", i, Gauge(uint32(digits)))
			g.add("1.3.6.1.4.1.13742.6.5.4.3.1.3", i, Integer(state))
			g.add("1.3.6.1.4.1.13742.6.5.4.3.1.4", i, Gauge(value))
		}
		sensor(1, 3, 4, uint32(w/volts*1000))
		sensor(5, 0, 4, uint32(w))
		sensor(14, 0, 7, 0)
	}
	in := func(typ uint32, digits int64, value uint32) {
		i := []uint32{1, 1, typ}
		g.add("1.3.6.1.4.1.13742.6.3.3.4.1.7", i, Gauge(uint32(digits)))
		g.add("1.3.6.1.4.1.13742.6.5.2.3.1.3", i, Integer(4))
		g.add("1.3.6.1.4.1.13742.6.5.2.3.1.4", i, Gauge(value))
	}
	in(1, 3, uint32(total/volts*1000))
	in(4, 0, uint32(volts))
	in(5, 0, uint32(total))
}

// ups generates UPS-MIB: on mains, battery normal, an hour left, the load
// the declared devices put on it as a share of capacity_w.
func (g *gen) ups(inv *inventory.Inventory, p *inventory.PowerNode) {
	g.add("1.3.6.1.2.1.33.1.2.1.0", nil, Integer(2))
	g.add("1.3.6.1.2.1.33.1.2.3.0", nil, Integer(60))
	g.add("1.3.6.1.2.1.33.1.2.4.0", nil, Integer(100))
	g.add("1.3.6.1.2.1.33.1.4.1.0", nil, Integer(3))
	load := 0.0
	if p.CapacityW > 0 {
		load = 100 * downstreamDraw(inv, p.ID) / p.CapacityW
	}
	g.add("1.3.6.1.2.1.33.1.4.4.1.5", []uint32{1}, Integer(int64(load)))
}

// downstreamDraw sums draw_w of devices whose PSUs hang (through PDUs and
// feeds) off node, split over their PSUs.
func downstreamDraw(inv *inventory.Inventory, node string) float64 {
	below := map[string]bool{node: true}
	for changed := true; changed; {
		changed = false
		for _, p := range inv.Power {
			if below[p.ID] {
				continue
			}
			for _, in := range p.Inputs {
				if below[in] {
					below[p.ID], changed = true, true
					break
				}
			}
		}
	}
	total := 0.0
	for _, d := range inv.Devices {
		for _, p := range d.PSUs {
			if below[p.PDU] {
				total += d.DrawW / float64(len(d.PSUs))
			}
		}
	}
	return total
}
