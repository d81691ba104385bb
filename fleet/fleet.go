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

// Write writes the fleet as an inventory file (format v1). It streams the
// inventory's sections in order; only the list of server ids is held, to
// cable the servers and draw the services from them, so a fleet of any
// size costs a few bytes per server.
func Write(w io.Writer, spec Spec) error {
	s := spec.Defaults()
	g := &gen{
		s:  s,
		r:  rand.New(rand.NewPCG(s.Seed, 0x6661756c746c696e)),
		bw: bufio.NewWriterSize(w, 1<<16),
	}
	g.p("# synthetic fleet: %d sites x %d racks x %d servers (seed %d)\n", s.Sites, s.RacksPerSite, s.ServersPerRack, s.Seed)
	g.p("version: 1\n")
	// The order of the sections is the order of the random draws: changing
	// it changes every fleet a seed makes.
	g.sites()
	g.racks()
	g.power()
	servers := g.devices()
	g.links(servers)
	g.roots()
	g.services(servers)
	return g.bw.Flush()
}

// gen is one fleet being written: its spec, its random source and the
// buffered output. Write errors are sticky in the bufio.Writer and
// reported by the final Flush.
type gen struct {
	s  Spec
	r  *rand.Rand
	bw *bufio.Writer
}

// server is where a server was placed, kept to cable it and to make it a
// service member.
type server struct {
	id   string
	site int
	rack int
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(g.bw, format, args...) }

func (g *gen) sites() {
	g.p("sites:\n")
	for i := 0; i < g.s.Sites; i++ {
		g.p("  - {id: s%d, name: Site %d}\n", i, i)
	}
}

// racks writes each site's two network racks (for the spines) and its
// server racks.
func (g *gen) racks() {
	g.p("racks:\n")
	for i := 0; i < g.s.Sites; i++ {
		g.p("  - {id: s%[1]d-net1, site: s%[1]d}\n  - {id: s%[1]d-net2, site: s%[1]d}\n", i)
		for k := 0; k < g.s.RacksPerSite; k++ {
			g.p("  - {id: s%d-r%d, site: s%d}\n", i, k, i)
		}
	}
}

// power writes each site's two power paths: grid and generator into an
// ATS, UPS and feed per side, and an A and a B PDU in every rack.
func (g *gen) power() {
	s := g.s
	g.p("power:\n")
	for i := 0; i < s.Sites; i++ {
		g.p("  - {id: s%d-grid, kind: utility, site: s%d}\n", i, i)
		g.p("  - {id: s%d-gen, kind: generator, site: s%d}\n", i, i)
		for _, side := range []string{"a", "b"} {
			g.p("  - {id: s%[1]d-ats-%[2]s, kind: ats, site: s%[1]d, inputs: [s%[1]d-grid, s%[1]d-gen]}\n", i, side)
			g.p("  - {id: s%[1]d-ups-%[2]s, kind: ups, site: s%[1]d, inputs: [s%[1]d-ats-%[2]s], capacity_w: %[3]d}\n", i, side, 400*s.RacksPerSite*s.ServersPerRack+20000)
			g.p("  - {id: s%[1]d-feed-%[2]s, kind: feed, site: s%[1]d, inputs: [s%[1]d-ups-%[2]s]}\n", i, side)
			for net := 1; net <= 2; net++ {
				g.p("  - {id: s%[1]d-net%[3]d-pdu-%[2]s, kind: pdu, rack: s%[1]d-net%[3]d, inputs: [s%[1]d-feed-%[2]s], capacity_w: 7400, outlets: 24}\n", i, side, net)
			}
		}
		for k := 0; k < s.RacksPerSite; k++ {
			for _, side := range []string{"a", "b"} {
				g.p("  - {id: s%[1]d-r%[2]d-pdu-%[3]s, kind: pdu, rack: s%[1]d-r%[2]d, inputs: [s%[1]d-feed-%[3]s], capacity_w: 7400, outlets: 48}\n", i, k, side)
			}
		}
	}
}

// devices writes the spines, the top-of-rack pairs and the servers, and
// returns the servers in the order written.
func (g *gen) devices() []server {
	s := g.s
	g.p("devices:\n")
	var servers []server
	for i := 0; i < s.Sites; i++ {
		for sp := 1; sp <= 2; sp++ {
			g.p("  - {id: s%[1]d-spine-%[2]d, kind: switch, rack: s%[1]d-net%[2]d, draw_w: 400, psus: [{id: PSU1, pdu: s%[1]d-net%[2]d-pdu-a, outlet: 1}, {id: PSU2, pdu: s%[1]d-net%[2]d-pdu-b, outlet: 1}]}\n", i, sp)
		}
		for k := 0; k < s.RacksPerSite; k++ {
			for t, side := range []string{"a", "b"} {
				g.p("  - {id: s%[1]d-r%[2]d-tor-%[3]s, kind: switch, rack: s%[1]d-r%[2]d, draw_w: 200, psus: [{id: PSU1, pdu: s%[1]d-r%[2]d-pdu-a, outlet: %[4]d}, {id: PSU2, pdu: s%[1]d-r%[2]d-pdu-b, outlet: %[4]d}]}\n", i, k, side, t+1)
			}
			for n := 0; n < s.ServersPerRack; n++ {
				servers = append(servers, g.server(i, k, n))
			}
		}
	}
	return servers
}

// server writes server n of rack k in site i: dual-corded (or, as a flaw,
// both PSUs on PDU A), a mirrored OS volume and sometimes a data volume
// (or, as a flaw, a striped scratch volume).
func (g *gen) server(i, k, n int) server {
	s := g.s
	id := fmt.Sprintf("s%d-r%d-srv%d", i, k, n)
	pduB := "b"
	if g.r.Float64() < s.Flaws {
		pduB = "a" // both PSUs on one PDU
	}
	outletB := n + 3
	if pduB == "a" {
		outletB = n + 3 + s.ServersPerRack
	}
	vol := "{id: os, raid: raid1, drives: 2}"
	switch x := g.r.Float64(); {
	case x < s.Flaws:
		vol += ", {id: scratch, raid: raid0, drives: 2}"
	case x < 0.25:
		vol += ", {id: data, raid: raid10, drives: 4}"
	}
	g.p("  - {id: %s, kind: server, rack: s%d-r%d, draw_w: %d, psus: [{id: PSU1, pdu: s%d-r%d-pdu-a, outlet: %d}, {id: PSU2, pdu: s%d-r%d-pdu-%s, outlet: %d}], storage: [%s]}\n",
		id, i, k, 150+10*g.r.IntN(20), i, k, n+3, i, k, pduB, outletB, vol)
	return server{id, i, k}
}

// links writes the spine peer links and the WAN chain between sites, each
// ToR pair's peer link and uplinks to both spines, and two uplinks per
// server (or, as a flaw, both to ToR A).
func (g *gen) links(servers []server) {
	s := g.s
	g.p("links:\n")
	for i := 0; i < s.Sites; i++ {
		g.p("  - {a: \"s%[1]d-spine-1:peer\", b: \"s%[1]d-spine-2:peer\"}\n", i)
		if i > 0 {
			g.p("  - {a: \"s%[1]d-spine-1:wan\", b: \"s%[2]d-spine-2:wan%[1]d\"}\n", i, i-1)
		}
		for k := 0; k < s.RacksPerSite; k++ {
			g.p("  - {a: \"s%[1]d-r%[2]d-tor-a:peer\", b: \"s%[1]d-r%[2]d-tor-b:peer\"}\n", i, k)
			for _, side := range []string{"a", "b"} {
				for sp := 1; sp <= 2; sp++ {
					g.p("  - {a: \"s%[1]d-r%[2]d-tor-%[3]s:up%[4]d\", b: \"s%[1]d-spine-%[4]d:r%[2]d%[3]s\"}\n", i, k, side, sp)
				}
			}
		}
	}
	for _, sv := range servers {
		torB := "b"
		if g.r.Float64() < s.Flaws {
			torB = "a" // both uplinks on one switch
		}
		g.p("  - {a: \"%s:eno1\", b: \"s%d-r%d-tor-a:%s\"}\n", sv.id, sv.site, sv.rack, sv.id)
		g.p("  - {a: \"%s:eno2\", b: \"s%d-r%d-tor-%s:%s-2\"}\n", sv.id, sv.site, sv.rack, torB, sv.id)
	}
}

// roots names every site's spines as the network roots.
func (g *gen) roots() {
	g.p("network:\n  roots: [")
	for i := 0; i < g.s.Sites; i++ {
		if i > 0 {
			g.p(", ")
		}
		g.p("s%[1]d-spine-1, s%[1]d-spine-2", i)
	}
	g.p("]\n")
}

// services writes services of 2-4 members drawn at random from all
// servers, without reuse (a share of them needing 4 members and
// tolerate: 2); some require an earlier service.
func (g *gen) services(servers []server) {
	g.p("services:\n")
	perm := g.r.Perm(len(servers))
	svc := 0
	for i := 0; i+4 <= len(perm); svc++ {
		n := 2 + g.r.IntN(3)
		t2 := g.r.Float64() < g.s.Tolerate2
		if t2 {
			n = 4
		}
		g.p("  - {id: svc%d, members: [", svc)
		for j := 0; j < n; j++ {
			if j > 0 {
				g.p(", ")
			}
			g.p("%s", servers[perm[i+j]].id)
		}
		i += n
		g.p("]")
		if t2 {
			g.p(", tolerate: 2")
		}
		if svc > 0 && g.r.IntN(4) == 0 {
			g.p(", requires: [svc%d]", g.r.IntN(svc))
		}
		g.p("}\n")
	}
}
