package oracle

import (
	"fmt"
	"math/rand/v2"

	"gopkg.in/yaml.v3"

	"github.com/faultline/faultline/inventory"
)

// RandomInventory makes a small, messy, valid inventory: shared PDUs,
// PDUs fed from several places, ATSes, devices without PSUs, single-homed
// and double-cabled servers, server roots, odd RAID, services over
// services, several sites. It goes through YAML and the real loader, so
// every generated inventory is one a user could write.
func RandomInventory(r *rand.Rand) *inventory.Inventory {
	g := &generator{r: r, inv: &inventory.Inventory{Version: 1}, pdusByRack: map[string][]string{}}
	nSites := 1 + r.IntN(3)
	for s := 0; s < nSites; s++ {
		g.site(s)
	}
	g.addDevices()
	fwd := g.addLinks()
	inv := g.inv
	if r.IntN(5) != 0 {
		src := fwd
		if len(src) == 0 || r.IntN(5) == 0 {
			src = g.devices
		}
		inv.Network.Roots = Pick(r, src, 1+r.IntN(3))
	}
	g.addServices()
	data, err := yaml.Marshal(inv)
	if err != nil {
		panic(err)
	}
	loaded, err := inventory.Parse("random.yaml", data, inventory.Options{})
	if err != nil {
		panic(fmt.Sprintf("generated an invalid inventory: %v\n%s", err, data))
	}
	return loaded
}

// generator holds what RandomInventory has made so far; its steps draw
// from r in a fixed order, so a seed always makes the same inventory.
type generator struct {
	r          *rand.Rand
	inv        *inventory.Inventory
	pdusByRack map[string][]string
	racks      []string
	devices    []string
}

// site adds site s: its power chain, its racks and their PDUs.
func (g *generator) site(s int) {
	r, inv := g.r, g.inv
	site := fmt.Sprintf("s%d", s)
	inv.Sites = append(inv.Sites, inventory.Site{ID: site})
	var nodes []string
	addPower := func(id string, kind inventory.PowerKind, inputs []string) {
		p := inventory.PowerNode{ID: id, Kind: kind, Site: site, Inputs: inputs}
		if r.IntN(3) == 0 {
			p.CapacityW = float64(200 * (1 + r.IntN(20)))
		}
		inv.Power = append(inv.Power, p)
		nodes = append(nodes, id)
	}
	addPower(site+"-grid", inventory.Utility, nil)
	if r.IntN(2) == 0 {
		addPower(site+"-gen", inventory.Generator, nil)
		addPower(site+"-ats", inventory.ATS, []string{site + "-grid", site + "-gen"})
	}
	for u := 0; u < 1+r.IntN(3); u++ {
		addPower(fmt.Sprintf("%s-ups%d", site, u), inventory.UPS, Pick(r, nodes, 1+r.IntN(2)))
	}
	for f := 0; f < r.IntN(3); f++ {
		addPower(fmt.Sprintf("%s-feed%d", site, f), inventory.Feed, Pick(r, nodes, 1))
		if r.IntN(8) == 0 {
			inv.Power[len(inv.Power)-1].Supply = inventory.SupplyOff // a feed that is off: what is bound to it has no known source
		}
	}
	for k := 0; k < 1+r.IntN(3); k++ {
		rack := fmt.Sprintf("s%dr%d", s, k)
		inv.Racks = append(inv.Racks, inventory.Rack{ID: rack, Site: site})
		g.racks = append(g.racks, rack)
		for q := 0; q < 1+r.IntN(3); q++ {
			id := fmt.Sprintf("%s-pdu%d", rack, q)
			p := inventory.PowerNode{ID: id, Kind: inventory.PDU, Rack: rack}
			if r.IntN(8) != 0 {
				p.Inputs = Pick(r, nodes, 1+r.IntN(2))
			}
			if r.IntN(12) == 0 {
				p.Supply = inventory.SupplyUnknown // no source of power: its PSUs are unknown
			}
			if r.IntN(2) == 0 {
				p.CapacityW = float64(100 * (1 + r.IntN(30)))
			}
			inv.Power = append(inv.Power, p)
			g.pdusByRack[rack] = append(g.pdusByRack[rack], id)
		}
	}
}

// addDevices adds each rack's devices, with PSUs (mostly on the rack's
// PDUs) and volumes.
func (g *generator) addDevices() {
	r := g.r
	var allPDUs []string
	for _, rk := range g.racks {
		allPDUs = append(allPDUs, g.pdusByRack[rk]...)
	}
	inputsOf := map[string][]string{}
	for _, p := range g.inv.Power {
		inputsOf[p.ID] = p.Inputs
	}
	kinds := []inventory.DeviceKind{inventory.Server, inventory.Server, inventory.Switch, inventory.Switch, inventory.Router, inventory.Storage, inventory.Firewall}
	raids := []inventory.RAID{inventory.RAID0, inventory.RAID1, inventory.RAID5, inventory.RAID6, inventory.RAID10, inventory.Single}
	for _, rk := range g.racks {
		for i := 0; i < 1+r.IntN(4); i++ {
			d := inventory.Device{ID: fmt.Sprintf("%s-d%d", rk, i), Kind: kinds[r.IntN(len(kinds))], Rack: rk, DrawW: float64(50 * r.IntN(12))}
			nPSU := r.IntN(4)
			for p := 0; p < nPSU; p++ {
				pdus := g.pdusByRack[rk]
				if r.IntN(6) == 0 {
					pdus = allPDUs
				}
				psu := inventory.PSU{ID: fmt.Sprintf("P%d", p), PDU: pdus[r.IntN(len(pdus))]}
				if ins := inputsOf[psu.PDU]; len(ins) > 0 && r.IntN(2) == 0 {
					psu.Input = ins[r.IntN(len(ins))] // an outlet bound to one input: a bank-split PDU
				}
				if r.IntN(10) == 0 {
					psu.PDU, psu.Input = "", "" // no source known: never a live source, never a cause
				}
				d.PSUs = append(d.PSUs, psu)
			}
			if nPSU > 0 && r.IntN(3) == 0 {
				d.MinPSUs = 1 + r.IntN(nPSU)
			}
			for v := 0; v < r.IntN(3); v++ {
				raid := raids[r.IntN(len(raids))]
				n := raid.MinDrives()
				if raid != inventory.Single {
					n += r.IntN(3)
				}
				if raid == inventory.RAID10 && n%2 == 1 {
					n++
				}
				d.Storage = append(d.Storage, inventory.Volume{ID: fmt.Sprintf("v%d", v), RAID: raid, Drives: n})
			}
			g.inv.Devices = append(g.inv.Devices, d)
			g.devices = append(g.devices, d.ID)
		}
	}
}

// addLinks adds links, mostly to forwarding devices, sometimes anywhere,
// and returns the forwarding devices.
func (g *generator) addLinks() []string {
	r, devices := g.r, g.devices
	var fwd []string
	for _, d := range g.inv.Devices {
		if d.Kind.Forwards() {
			fwd = append(fwd, d.ID)
		}
	}
	port := map[string]int{}
	end := func(d string) string { port[d]++; return fmt.Sprintf("%s:p%d", d, port[d]) }
	for i := 0; i < len(devices)*3/2; i++ {
		a := devices[r.IntN(len(devices))]
		var b string
		if len(fwd) > 0 && r.IntN(4) != 0 {
			b = fwd[r.IntN(len(fwd))]
		} else {
			b = devices[r.IntN(len(devices))]
		}
		if a == b {
			continue
		}
		g.inv.Links = append(g.inv.Links, inventory.Link{A: end(a), B: end(b)})
	}
	g.inv.Links = append(g.inv.Links, randomCables(r, devices, fwd, end)...)
	return fwd
}

// addServices adds services over devices and earlier services, some
// requiring earlier ones.
func (g *generator) addServices() {
	r := g.r
	var services []string
	for s := 0; s < 1+r.IntN(5); s++ {
		svc := inventory.Service{ID: fmt.Sprintf("svc%d", s), DR: r.IntN(3) == 0}
		pool := append([]string(nil), g.devices...)
		if len(services) > 0 && r.IntN(3) == 0 {
			pool = append(pool, services...)
		}
		svc.Members = Pick(r, pool, 1+r.IntN(4))
		if r.IntN(3) == 0 {
			svc.MinUp = 1 + r.IntN(len(svc.Members))
		}
		t := r.IntN(3)
		if r.IntN(2) == 0 {
			t = 2
		}
		svc.Tolerate = &t
		if len(services) > 0 && r.IntN(3) == 0 {
			var reqs []string
			for _, x := range Pick(r, services, 1+r.IntN(2)) {
				if !Contains(svc.Members, x) {
					reqs = append(reqs, x)
				}
			}
			svc.Requires = reqs
		}
		if r.IntN(4) == 0 {
			svc.Failover = inventory.Manual
		}
		g.inv.Services = append(g.inv.Services, svc)
		services = append(services, svc.ID)
	}
}

// Pick returns n of from (all of them when fewer), in random order.
func Pick(r *rand.Rand, from []string, n int) []string {
	if n > len(from) {
		n = len(from)
	}
	idx := r.Perm(len(from))[:n]
	out := make([]string, n)
	for i, j := range idx {
		out[i] = from[j]
	}
	return out
}

// Contains says whether list holds s.
func Contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// randomCables makes cables that carry several links: breakouts (one port
// at one end, a port on each of several devices at the other, often two
// switches) and bundles (several links side by side in one cable).
func randomCables(r *rand.Rand, devices, fwd []string, end func(d string) string) []inventory.Link {
	var out []inventory.Link
	for k := 0; k < r.IntN(3); k++ {
		cable := fmt.Sprintf("cbl%d", k)
		from := devices[r.IntN(len(devices))]
		if len(fwd) > 0 && r.IntN(2) == 0 {
			from = fwd[r.IntN(len(fwd))]
		}
		shared := end(from)
		for n := 0; n < 2+r.IntN(3); n++ {
			to := devices[r.IntN(len(devices))]
			if len(fwd) > 0 && r.IntN(3) != 0 {
				to = fwd[r.IntN(len(fwd))]
			}
			if to == from {
				continue
			}
			a := shared
			if r.IntN(3) == 0 {
				a = end(from) // a bundle: links side by side, each on its own port
			}
			out = append(out, inventory.Link{A: a, B: end(to), Cable: cable})
		}
	}
	return out
}
