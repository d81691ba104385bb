// Package fleet generates synthetic inventories of any size, deterministic
// by seed, for benchmarks and demos (`faultline gen`). The estate is a
// conventional one — sites with two power paths, racks with A+B PDUs and a
// pair of top-of-rack switches uplinked to a pair of spines (the network
// roots), servers dual-corded and dual-homed — with a sprinkling of the
// mistakes real inventories hold: single-homed servers, both PSUs on one
// PDU, striped disks, services crammed into one rack.
package fleet

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// Spec sizes a fleet.
type Spec struct {
	Seed           uint64
	Sites          int
	RacksPerSite   int
	ServersPerRack int
	// Tolerate2 is the share of services that must survive two failures.
	Tolerate2 float64
	// Flaws is the share of servers with a cabling or disk mistake.
	Flaws float64
}

// Defaults fills zero fields.
func (s Spec) Defaults() Spec {
	if s.Sites <= 0 {
		s.Sites = 2
	}
	if s.RacksPerSite <= 0 {
		s.RacksPerSite = 10
	}
	if s.ServersPerRack <= 0 {
		s.ServersPerRack = 20
	}
	if s.Tolerate2 == 0 {
		s.Tolerate2 = 0.02
	}
	if s.Flaws == 0 {
		s.Flaws = 0.03
	}
	return s
}

// Per-element component counts, for sizing (drives average 3 per server).
const (
	perSite   = 1 + 8 + 2*(1+2) + 2 + 4 + 2 // site, power chain, spines with PSUs, network racks and their PDUs, links (approx.)
	perRack   = 1 + 2 + 2*(1+2+2) + 1       // rack, PDUs, ToRs with PSUs and uplinks, ToR peer link
	perServer = 1 + 2 + 2 + 3               // device, PSUs, links, drives
)

// Components estimates how many components (sites, racks, power nodes,
// devices, PSUs, links, drives) a spec makes.
func (s Spec) Components() int {
	s = s.Defaults()
	racks := s.Sites * s.RacksPerSite
	return s.Sites*perSite + racks*(perRack+s.ServersPerRack*perServer)
}

// ForComponents sizes a spec to about n components with the defaults.
func ForComponents(n int, seed uint64) Spec {
	s := Spec{Seed: seed}.Defaults()
	perSiteRack := perRack + s.ServersPerRack*perServer
	racks := max(1, (n-s.Sites*perSite)/perSiteRack)
	s.RacksPerSite = max(1, racks/s.Sites)
	return s
}

// Write writes the fleet as an inventory file (format v1). It streams: the
// fleet is never held in memory, so any size can be written.
func Write(w io.Writer, spec Spec) error {
	s := spec.Defaults()
	r := rand.New(rand.NewPCG(s.Seed, 0x6661756c746c696e))
	bw := bufio.NewWriterSize(w, 1<<16)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# synthetic fleet: %d sites x %d racks x %d servers (seed %d)\n", s.Sites, s.RacksPerSite, s.ServersPerRack, s.Seed)
	p("version: 1\nsites:\n")
	for i := 0; i < s.Sites; i++ {
		p("  - {id: s%d, name: Site %d}\n", i, i)
	}
	p("racks:\n")
	for i := 0; i < s.Sites; i++ {
		p("  - {id: s%[1]d-net1, site: s%[1]d}\n  - {id: s%[1]d-net2, site: s%[1]d}\n", i)
		for k := 0; k < s.RacksPerSite; k++ {
			p("  - {id: s%d-r%d, site: s%d}\n", i, k, i)
		}
	}
	p("power:\n")
	for i := 0; i < s.Sites; i++ {
		p("  - {id: s%d-grid, kind: utility, site: s%d}\n", i, i)
		p("  - {id: s%d-gen, kind: generator, site: s%d}\n", i, i)
		for _, side := range []string{"a", "b"} {
			p("  - {id: s%[1]d-ats-%[2]s, kind: ats, site: s%[1]d, inputs: [s%[1]d-grid, s%[1]d-gen]}\n", i, side)
			p("  - {id: s%[1]d-ups-%[2]s, kind: ups, site: s%[1]d, inputs: [s%[1]d-ats-%[2]s], capacity_w: %[3]d}\n", i, side, 400*s.RacksPerSite*s.ServersPerRack+20000)
			p("  - {id: s%[1]d-feed-%[2]s, kind: feed, site: s%[1]d, inputs: [s%[1]d-ups-%[2]s]}\n", i, side)
			for net := 1; net <= 2; net++ {
				p("  - {id: s%[1]d-net%[3]d-pdu-%[2]s, kind: pdu, rack: s%[1]d-net%[3]d, inputs: [s%[1]d-feed-%[2]s], capacity_w: 7400, outlets: 24}\n", i, side, net)
			}
		}
		for k := 0; k < s.RacksPerSite; k++ {
			for _, side := range []string{"a", "b"} {
				p("  - {id: s%[1]d-r%[2]d-pdu-%[3]s, kind: pdu, rack: s%[1]d-r%[2]d, inputs: [s%[1]d-feed-%[3]s], capacity_w: 7400, outlets: 48}\n", i, k, side)
			}
		}
	}
	p("devices:\n")
	type server struct {
		id   string
		site int
		rack int
	}
	var servers []server
	for i := 0; i < s.Sites; i++ {
		for sp := 1; sp <= 2; sp++ {
			p("  - {id: s%[1]d-spine-%[2]d, kind: switch, rack: s%[1]d-net%[2]d, draw_w: 400, psus: [{id: PSU1, pdu: s%[1]d-net%[2]d-pdu-a, outlet: 1}, {id: PSU2, pdu: s%[1]d-net%[2]d-pdu-b, outlet: 1}]}\n", i, sp)
		}
		for k := 0; k < s.RacksPerSite; k++ {
			for t, side := range []string{"a", "b"} {
				p("  - {id: s%[1]d-r%[2]d-tor-%[3]s, kind: switch, rack: s%[1]d-r%[2]d, draw_w: 200, psus: [{id: PSU1, pdu: s%[1]d-r%[2]d-pdu-a, outlet: %[4]d}, {id: PSU2, pdu: s%[1]d-r%[2]d-pdu-b, outlet: %[4]d}]}\n", i, k, side, t+1)
			}
			for n := 0; n < s.ServersPerRack; n++ {
				id := fmt.Sprintf("s%d-r%d-srv%d", i, k, n)
				servers = append(servers, server{id, i, k})
				pduB := "b"
				if r.Float64() < s.Flaws {
					pduB = "a" // both PSUs on one PDU
				}
				outletB := n + 3
				if pduB == "a" {
					outletB = n + 3 + s.ServersPerRack
				}
				vol := "{id: os, raid: raid1, drives: 2}"
				switch x := r.Float64(); {
				case x < s.Flaws:
					vol += ", {id: scratch, raid: raid0, drives: 2}"
				case x < 0.25:
					vol += ", {id: data, raid: raid10, drives: 4}"
				}
				p("  - {id: %s, kind: server, rack: s%d-r%d, draw_w: %d, psus: [{id: PSU1, pdu: s%d-r%d-pdu-a, outlet: %d}, {id: PSU2, pdu: s%d-r%d-pdu-%s, outlet: %d}], storage: [%s]}\n",
					id, i, k, 150+10*r.IntN(20), i, k, n+3, i, k, pduB, outletB, vol)
			}
		}
	}
	p("links:\n")
	for i := 0; i < s.Sites; i++ {
		p("  - {a: \"s%[1]d-spine-1:peer\", b: \"s%[1]d-spine-2:peer\"}\n", i)
		if i > 0 {
			p("  - {a: \"s%[1]d-spine-1:wan\", b: \"s%[2]d-spine-2:wan%[1]d\"}\n", i, i-1)
		}
		for k := 0; k < s.RacksPerSite; k++ {
			p("  - {a: \"s%[1]d-r%[2]d-tor-a:peer\", b: \"s%[1]d-r%[2]d-tor-b:peer\"}\n", i, k)
			for _, side := range []string{"a", "b"} {
				for sp := 1; sp <= 2; sp++ {
					p("  - {a: \"s%[1]d-r%[2]d-tor-%[3]s:up%[4]d\", b: \"s%[1]d-spine-%[4]d:r%[2]d%[3]s\"}\n", i, k, side, sp)
				}
			}
		}
	}
	for _, sv := range servers {
		torB := "b"
		if r.Float64() < s.Flaws {
			torB = "a" // both uplinks on one switch
		}
		p("  - {a: \"%s:eno1\", b: \"s%d-r%d-tor-a:%s\"}\n", sv.id, sv.site, sv.rack, sv.id)
		p("  - {a: \"%s:eno2\", b: \"s%d-r%d-tor-%s:%s-2\"}\n", sv.id, sv.site, sv.rack, torB, sv.id)
	}
	p("network:\n  roots: [")
	for i := 0; i < s.Sites; i++ {
		if i > 0 {
			p(", ")
		}
		p("s%[1]d-spine-1, s%[1]d-spine-2", i)
	}
	p("]\nservices:\n")
	// Services of 2-4 members drawn from different racks of one site
	// (sometimes, as a flaw, from one rack); some require an earlier service.
	perm := r.Perm(len(servers))
	svc := 0
	for i := 0; i+4 <= len(perm); svc++ {
		n := 2 + r.IntN(3)
		t2 := r.Float64() < s.Tolerate2
		if t2 {
			n = 4
		}
		members := make([]string, 0, n)
		for j := 0; j < n; j++ {
			members = append(members, servers[perm[i+j]].id)
		}
		i += n
		p("  - {id: svc%d, members: [", svc)
		for j, m := range members {
			if j > 0 {
				p(", ")
			}
			p("%s", m)
		}
		p("]")
		if t2 {
			p(", tolerate: 2")
		}
		if svc > 0 && r.IntN(4) == 0 {
			p(", requires: [svc%d]", r.IntN(svc))
		}
		p("}\n")
	}
	return bw.Flush()
}
