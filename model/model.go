// Package model is the fault graph: the inventory's declared structure,
// numbered into flat arrays, with the observed state laid over it (parts
// already failed, devices not seen, volumes as the hardware reports them).
// It does no I/O and no analysis; package audit reasons over it.
package model

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/faultline/faultline/inventory"
)

// Kind is what a component is.
type Kind uint8

// The component kinds: everything that can fail on its own.
const (
	KindSite Kind = iota + 1
	KindRack
	KindPower
	KindDevice
	KindPSU
	KindDrive
	KindLink
	// KindInlet is one input of a power node with several: the node's
	// inlet from that input. It fails only as observed (its inlet reads no
	// voltage); it is never a cause on the design, so it has no cut set of
	// its own.
	KindInlet
	// KindCable is a cable that carries several links (a breakout, a
	// bundle: links naming one `cable`). Its failure cuts every link it
	// carries; each link stays a component of its own too.
	KindCable
)

func (k Kind) String() string {
	return [...]string{"", "site", "rack", "power", "device", "psu", "drive", "link", "inlet", "cable"}[k]
}

// Component is one thing that can fail: its id as findings name it, its
// kind, and its index in the slice of that kind (for drives, the device).
type Component struct {
	ID     string
	Kind   Kind
	Entity int32
}

// Graph is the fault graph. Every slice is indexed by entity number; Comp
// fields are component numbers (indexes into Comps). Power is in
// topological order (a node's inputs come before it), and so is Services
// (members and requirements before the service).
type Graph struct {
	Inv   *inventory.Inventory
	Comps []Component
	// Kinds and Entities repeat Comps' fields in compact arrays for the
	// analysis' hot loops.
	Kinds    []Kind
	Entities []int32

	Sites    []Site
	Racks    []Rack
	Power    []Power
	Devices  []Device
	PSUs     []PSU
	Links    []Link
	Cables   []Cable
	Services []Service

	// NetworkModelled is false when the inventory names no network roots:
	// then every device has network.
	NetworkModelled bool

	// Failed marks components observed failed; Unknown marks devices that
	// could not be collected (treated as declared, reported as unverified).
	Failed  []bool
	Unknown []bool // by device index
	// Failures says, for each failed component, why, since when and on
	// whose word.
	Failures map[int32]Failure
	// Meters are the power nodes' own measurements, by power index (nil
	// when nothing measures).
	Meters map[int32]*Meter

	idx *lazyIndex
}

// Site is a site.
type Site struct {
	Comp int32
	ID   string
}

// Rack is a rack in a site.
type Rack struct {
	Comp int32
	ID   string
	Site int32 // site index
}

// Power is a power node.
type Power struct {
	Comp   int32
	ID     string
	Kind   inventory.PowerKind
	Rack   int32   // rack index or -1
	Site   int32   // site index or -1 (set only when the node names a site)
	Inputs []int32 // power indexes, in the order listed
	// Inlets are, for a node with two or more inputs, the component of
	// each input's inlet on this node ("pdu-x/inlet/feed-a"), parallel to
	// Inputs; nil for a node with fewer inputs.
	Inlets    []int32
	CapacityW float64
	// Depth is the shortest distance, in power hops, from the node to a PSU
	// it feeds (a PDU is 1); nodes feeding nothing have Depth 0.
	Depth int32
}

// Device is a device.
type Device struct {
	Comp     int32
	ID       string
	Kind     inventory.DeviceKind
	Rack     int32
	PSUs     []int32 // PSU indexes
	MinPSUs  int
	Volumes  []Volume
	Forwards bool // switch, router, firewall
	Root     bool // a network root
	DrawW    float64
	Adj      []Adj // links at this device
	// PSUsRedundant and LinksRedundant say whether the device has redundant
	// hardware of each kind (the device-spof rule's condition).
	PSUsRedundant, LinksRedundant bool
	// UnknownPSUs are the device's PSUs with no declared source
	// (device/psu): not in the fault graph, so never a live source of
	// power and never a cause; PSUs and MinPSUs count only the others.
	UnknownPSUs []string
	// UnknownWhy says, for each of UnknownPSUs, why its source is unknown
	// ("no source declared", "pdu-b -> feed-b (supply off)").
	UnknownWhy []string
}

// Adj is one link at a device and the device at its other end.
type Adj struct {
	Link int32 // link index
	Peer int32 // device index
	Port string
}

// Volume is a volume: declared, or as observed.
type Volume struct {
	ID     string
	RAID   inventory.RAID
	Drives []int32 // component numbers of its drives, in order
}

// Needed is how many drives must be up (not used for raid10).
func (v *Volume) Needed() int { return v.RAID.Needed(len(v.Drives)) }

// PSU is a power supply.
type PSU struct {
	Comp   int32
	ID     string // as in findings: device/psu
	Device int32
	PDU    int32 // power index
	// Input is, for a PSU on an outlet bound to one input of its PDU (a
	// bank-split PDU), that input's position in the PDU's Inputs; -1 when
	// the outlet is up while the PDU is (any input).
	Input int32
}

// Link is a cable between two ports, or one of the links of a cable that
// carries several (Cable).
type Link struct {
	Comp         int32
	A, B         int32 // device indexes
	APort, BPort string
	// Cable is the index in Graph.Cables of the cable carrying this link
	// with others, or -1.
	Cable int32
}

// Cable is a cable carrying several links: one component whose failure
// cuts them all.
type Cable struct {
	Comp  int32
	ID    string
	Links []int32 // link indexes
}

// Member is a service member: a device or another service.
type Member struct {
	Device  int32 // device index, or -1
	Service int32 // service index, or -1
}

// Service is a service.
type Service struct {
	ID       string
	Members  []Member
	MinUp    int
	Requires []int32 // service indexes
	Tolerate int
	DR       bool
	Manual   bool
	Site     []int32 // sites of its members (recursively), sorted
}

// Lookup returns the component number of a component id, or -1. Links are
// found by their "a~b" id or by either end "device:port".
func (g *Graph) Lookup(id string) int32 {
	g.idx.once.Do(g.buildIndex)
	if c, ok := g.idx.m[id]; ok {
		return c
	}
	return -1
}

// lazyIndex is shared by copies of a graph (see WithFailed).
type lazyIndex struct {
	once sync.Once
	m    map[string]int32
}

// WithFailed returns a graph sharing g's structure with another set of
// failed components and their failures.
func (g *Graph) WithFailed(failed []bool, failures map[int32]Failure) *Graph {
	h := *g
	h.Failed = failed
	h.Failures = failures
	return &h
}

// Failure is what is known of one failed component.
type Failure struct {
	// Why says why it is considered failed (for evidence).
	Why string
	// At is when the failure was read (zero: not observed, or undated);
	// Reporter is the managed device or power node whose observation says
	// so (a PSU's outlet reported off by its PDU is the PDU's).
	At       time.Time
	Reporter string
	// LastAttempt is the last poll of the observation that reports it. A
	// failure read before it is last known state: the device did not
	// answer that poll, or answered without that section.
	LastAttempt time.Time
}

// buildIndex maps ids to components. It is built on first use: an audit
// that looks nothing up (the common case) does not pay for a map of a
// million strings.
func (g *Graph) buildIndex() {
	m := make(map[string]int32, len(g.Comps)+2*len(g.Links))
	for c, comp := range g.Comps {
		m[comp.ID] = int32(c)
	}
	for _, l := range g.Inv.Links {
		c := m[l.ID()]
		// Either end alone also names the link (ends are unique).
		m[l.A] = c
		m[l.B] = c
	}
	g.idx.m = m
}

// ID returns a component's id.
func (g *Graph) ID(c int32) string { return g.Comps[c].ID }

// DeviceOf returns the device index a component belongs to (a device, its
// PSU or drive), or -1.
func (g *Graph) DeviceOf(c int32) int32 {
	switch g.Kinds[c] {
	case KindDevice, KindDrive:
		return g.Entities[c]
	case KindPSU:
		return g.PSUs[g.Entities[c]].Device
	}
	return -1
}

// SiteOfDevice returns a device's site index.
func (g *Graph) SiteOfDevice(d int32) int32 { return g.Racks[g.Devices[d].Rack].Site }

// Overlay is what the collectors saw, laid over the declared inventory.
// The zero Overlay is the design as declared.
type Overlay struct {
	// Failed maps component ids ("db-1/PSU2", "db-1/data/1", a link id, a
	// device id) to what is known of their failure.
	Failed map[string]Failure
	// Unknown lists device ids that were never collected.
	Unknown map[string]bool
	// Volumes replaces a device's declared volumes with what it reports.
	// Drives of each are named device/volume/N.
	Volumes map[string][]ObservedVolume
	// DrawW replaces a device's declared draw with what it reports.
	DrawW map[string]float64
	// Meters are power nodes' own measurements, by power node id.
	Meters map[string]*Meter
}

// ObservedVolume is a volume as the hardware reports it.
type ObservedVolume struct {
	ID     string
	RAID   inventory.RAID
	Drives int
}

// Build numbers an inventory into a fault graph, with an optional overlay
// of observed state. The inventory must be valid (inventory.Load checks).
func Build(inv *inventory.Inventory, ov *Overlay) (*Graph, error) {
	if ov == nil {
		ov = &Overlay{}
	}
	n := len(inv.Sites) + len(inv.Racks) + len(inv.Power) + len(inv.Devices) + 3*len(inv.Links)
	for i := range inv.Devices {
		n += len(inv.Devices[i].PSUs)
		for _, v := range inv.Devices[i].Storage {
			n += v.Drives
		}
	}
	g := &Graph{Inv: inv, Failures: map[int32]Failure{}, idx: &lazyIndex{},
		Comps: make([]Component, 0, n), Kinds: make([]Kind, 0, n), Entities: make([]int32, 0, n)}
	b := &builder{inv: inv, g: g, meters: ov.Meters}
	if err := b.build(ov); err != nil {
		return nil, err
	}
	return b.g, nil
}

type builder struct {
	inv    *inventory.Inventory
	g      *Graph
	meters map[string]*Meter // the overlay's

	// Pools back the per-device slices, so that a device's parts sit next
	// to its neighbours' in memory: at a million components the analysis
	// is bound by cache misses, not arithmetic.
	psuPool   []int32
	drivePool []int32
	volPool   []Volume

	siteIdx, rackIdx, powerIdx, devIdx, svcIdx map[string]int32
}

func (b *builder) comp(id string, k Kind, entity int32) int32 {
	c := int32(len(b.g.Comps))
	b.g.Comps = append(b.g.Comps, Component{ID: id, Kind: k, Entity: entity})
	b.g.Kinds = append(b.g.Kinds, k)
	b.g.Entities = append(b.g.Entities, entity)
	return c
}

func (b *builder) build(ov *Overlay) error {
	inv, g := b.inv, b.g
	b.siteIdx = make(map[string]int32, len(inv.Sites))
	for i, s := range inv.Sites {
		b.siteIdx[s.ID] = int32(i)
		g.Sites = append(g.Sites, Site{Comp: b.comp(s.ID, KindSite, int32(i)), ID: s.ID})
	}
	b.rackIdx = make(map[string]int32, len(inv.Racks))
	for i, r := range inv.Racks {
		b.rackIdx[r.ID] = int32(i)
		g.Racks = append(g.Racks, Rack{Comp: b.comp(r.ID, KindRack, int32(i)), ID: r.ID, Site: b.siteIdx[r.Site]})
	}
	if err := b.power(); err != nil {
		return err
	}
	b.devices(ov)
	b.links()
	if err := b.services(); err != nil {
		return err
	}
	b.inlets()
	b.cables()
	b.overlay(ov)
	return nil
}

// power numbers power nodes in topological order, inputs first.
func (b *builder) power() error {
	inv, g := b.inv, b.g
	byID := make(map[string]*inventory.PowerNode, len(inv.Power))
	for i := range inv.Power {
		byID[inv.Power[i].ID] = &inv.Power[i]
	}
	b.powerIdx = make(map[string]int32, len(inv.Power))
	state := make(map[string]uint8, len(inv.Power))
	var visit func(p *inventory.PowerNode) error
	visit = func(p *inventory.PowerNode) error {
		switch state[p.ID] {
		case 1:
			return fmt.Errorf("model: cycle in the power chain at %q", p.ID)
		case 2:
			return nil
		}
		state[p.ID] = 1
		for _, in := range p.Inputs {
			q := byID[in]
			if q == nil {
				return fmt.Errorf("model: power node %q: unknown input %q", p.ID, in)
			}
			if err := visit(q); err != nil {
				return err
			}
		}
		state[p.ID] = 2
		i := int32(len(g.Power))
		n := Power{ID: p.ID, Kind: p.Kind, Rack: -1, Site: -1, CapacityW: p.CapacityW}
		if p.Rack != "" {
			n.Rack = b.rackIdx[p.Rack]
		}
		if p.Site != "" {
			n.Site = b.siteIdx[p.Site]
		}
		for _, in := range p.Inputs {
			n.Inputs = append(n.Inputs, b.powerIdx[in])
		}
		n.Comp = b.comp(p.ID, KindPower, i)
		b.powerIdx[p.ID] = i
		g.Power = append(g.Power, n)
		if m := b.meters[p.ID]; m != nil {
			if g.Meters == nil {
				g.Meters = map[int32]*Meter{}
			}
			g.Meters[i] = m
		}
		return nil
	}
	for i := range inv.Power {
		if err := visit(&inv.Power[i]); err != nil {
			return err
		}
	}
	return nil
}

// carve returns the next n elements of a pool as a slice of its own.
func carve[T any](pool *[]T, n int) []T {
	s := (*pool)[:n:n]
	*pool = (*pool)[n:]
	return s
}

func (b *builder) devices(ov *Overlay) {
	inv, g := b.inv, b.g
	var nPSU, nVol, nDrive int
	for i := range inv.Devices {
		d := &inv.Devices[i]
		nPSU += len(d.PSUs)
		if obs, ok := ov.Volumes[d.ID]; ok {
			nVol += len(obs)
			for _, v := range obs {
				nDrive += v.Drives
			}
		} else {
			nVol += len(d.Storage)
			for _, v := range d.Storage {
				nDrive += v.Drives
			}
		}
	}
	b.psuPool = make([]int32, nPSU)
	b.volPool = make([]Volume, nVol)
	b.drivePool = make([]int32, nDrive)
	g.Devices = make([]Device, 0, len(inv.Devices))
	g.PSUs = make([]PSU, 0, nPSU)
	b.devIdx = make(map[string]int32, len(inv.Devices))
	roots := make(map[string]bool, len(inv.Network.Roots))
	for _, r := range inv.Network.Roots {
		roots[r] = true
	}
	g.NetworkModelled = len(roots) > 0
	unknown := inv.UnknownPower()
	for i := range inv.Devices {
		d := &inv.Devices[i]
		di := int32(i)
		b.devIdx[d.ID] = di
		dev := Device{ID: d.ID, Kind: d.Kind, Rack: b.rackIdx[d.Rack], MinPSUs: d.NeededPSUs(),
			Forwards: d.Kind.Forwards(), Root: roots[d.ID], DrawW: d.DrawW}
		dev.Comp = b.comp(d.ID, KindDevice, di)
		sourced := sourcedPSUs(d, unknown)
		dev.PSUs = carve(&b.psuPool, sourced)
		j := 0
		for _, p := range d.PSUs {
			id := d.ID + "/" + p.ID
			if unsourced(&p, unknown) {
				dev.UnknownPSUs = append(dev.UnknownPSUs, id)
				dev.UnknownWhy = append(dev.UnknownWhy, psuUnknownWhy(inv, &p, unknown))
				continue
			}
			pi := int32(len(g.PSUs))
			g.PSUs = append(g.PSUs, PSU{Comp: b.comp(id, KindPSU, pi), ID: id, Device: di, PDU: b.powerIdx[p.PDU],
				Input: inputOf(inv.PowerNode(p.PDU), p.Input)})
			dev.PSUs[j] = pi
			j++
		}
		if dev.MinPSUs > sourced {
			// The known PSUs are all the power the model can see: it
			// needs what it needs of them, and the device's power
			// redundancy is unknown (the power-unknown finding).
			dev.MinPSUs = sourced
		}
		dev.PSUsRedundant = len(dev.PSUs) > dev.MinPSUs
		if w, ok := ov.DrawW[d.ID]; ok {
			dev.DrawW = w
		}
		if obs, ok := ov.Volumes[d.ID]; ok {
			dev.Volumes = carve(&b.volPool, len(obs))
			for j, v := range obs {
				dev.Volumes[j] = b.volume(d.ID, di, v.ID, v.RAID, v.Drives)
			}
		} else {
			dev.Volumes = carve(&b.volPool, len(d.Storage))
			for j, v := range d.Storage {
				dev.Volumes[j] = b.volume(d.ID, di, v.ID, v.RAID, v.Drives)
			}
		}
		g.Devices = append(g.Devices, dev)
	}
}

func (b *builder) volume(dev string, di int32, id string, raid inventory.RAID, drives int) Volume {
	v := Volume{ID: dev + "/" + id, RAID: raid, Drives: carve(&b.drivePool, drives)}
	prefix := dev + "/" + id + "/"
	for n := 0; n < drives; n++ {
		v.Drives[n] = b.comp(prefix+strconv.Itoa(n), KindDrive, di)
	}
	return v
}

func (b *builder) links() {
	g := b.g
	g.Links = make([]Link, 0, len(b.inv.Links))
	for i := range b.inv.Links {
		l := &b.inv.Links[i]
		ad, ap, _ := inventory.SplitEnd(l.A)
		bd, bp, _ := inventory.SplitEnd(l.B)
		li := int32(len(g.Links))
		link := Link{A: b.devIdx[ad], B: b.devIdx[bd], APort: ap, BPort: bp, Cable: -1}
		link.Comp = b.comp(l.ID(), KindLink, li)
		g.Links = append(g.Links, link)
	}
	// Adjacency from one pool, in device order.
	deg := make([]int32, len(g.Devices))
	for _, l := range g.Links {
		deg[l.A]++
		deg[l.B]++
	}
	pool := make([]Adj, 2*len(g.Links))
	for d := range g.Devices {
		g.Devices[d].Adj = carve(&pool, int(deg[d]))[:0]
	}
	for li, l := range g.Links {
		g.Devices[l.A].Adj = append(g.Devices[l.A].Adj, Adj{Link: int32(li), Peer: l.B, Port: l.APort})
		g.Devices[l.B].Adj = append(g.Devices[l.B].Adj, Adj{Link: int32(li), Peer: l.A, Port: l.BPort})
	}
	// Links count as redundancy when they lead somewhere the network can
	// continue: to a forwarding device or a root.
	roots := map[int32]bool{}
	for i := range g.Devices {
		if g.Devices[i].Root {
			roots[int32(i)] = true
		}
	}
	for i := range g.Devices {
		n := 0
		for _, a := range g.Devices[i].Adj {
			if g.Devices[a.Peer].Forwards || roots[a.Peer] {
				n++
			}
		}
		g.Devices[i].LinksRedundant = n >= 2
	}
}

// services numbers services in topological order (dependencies first).
func (b *builder) services() error {
	inv, g := b.inv, b.g
	pos := make(map[string]int32, len(inv.Services))
	for i := range inv.Services {
		pos[inv.Services[i].ID] = int32(i)
	}
	b.svcIdx = make(map[string]int32, len(inv.Services))
	state := make([]uint8, len(inv.Services))
	g.Services = make([]Service, 0, len(inv.Services))
	var sites []int32
	var visit func(i int32) error
	visit = func(i int32) error {
		s := &inv.Services[i]
		switch state[i] {
		case 1:
			return fmt.Errorf("model: cycle in services at %q", s.ID)
		case 2:
			return nil
		}
		state[i] = 1
		for _, deps := range [][]string{s.Members, s.Requires} {
			for _, dep := range deps {
				if j, ok := pos[dep]; ok {
					if err := visit(j); err != nil {
						return err
					}
				}
			}
		}
		state[i] = 2
		svc := Service{ID: s.ID, MinUp: s.NeededUp(), Tolerate: s.Tolerance(), DR: s.DR, Manual: s.FailoverMode() == inventory.Manual,
			Members: make([]Member, 0, len(s.Members))}
		sites = sites[:0]
		for _, m := range s.Members {
			if di, ok := b.devIdx[m]; ok {
				svc.Members = append(svc.Members, Member{Device: di, Service: -1})
				sites = append(sites, g.SiteOfDevice(di))
			} else {
				si := b.svcIdx[m]
				svc.Members = append(svc.Members, Member{Device: -1, Service: si})
				sites = append(sites, g.Services[si].Site...)
			}
		}
		for _, r := range s.Requires {
			svc.Requires = append(svc.Requires, b.svcIdx[r])
		}
		slices.Sort(sites)
		svc.Site = slices.Clone(slices.Compact(sites))
		b.svcIdx[s.ID] = int32(len(g.Services))
		g.Services = append(g.Services, svc)
		return nil
	}
	for i := range inv.Services {
		if err := visit(int32(i)); err != nil {
			return err
		}
	}
	return nil
}

// InletID is the component id of power node p's inlet from input in.
func InletID(p, in string) string { return p + "/inlet/" + in }

// inlets numbers the inlets of nodes with several inputs, after every
// other component (so that they leave the others' numbers as they were).
func (b *builder) inlets() {
	g := b.g
	for i := range g.Power {
		P := &g.Power[i]
		if len(P.Inputs) < 2 {
			continue
		}
		P.Inlets = make([]int32, len(P.Inputs))
		for j, in := range P.Inputs {
			P.Inlets[j] = b.comp(InletID(P.ID, g.Power[in].ID), KindInlet, int32(i))
		}
	}
}

// InputLive reports whether power node p's j-th input reaches it under
// failed, as far as the edge goes: false when its inlet is failed.
func (p *Power) InputLive(j int, failed []bool) bool {
	return p.Inlets == nil || !failed[p.Inlets[j]]
}

// FedBy reports whether power node p takes power from input in under
// failed: in is one of its inputs and that inlet is not failed.
func (p *Power) FedBy(in int32, failed []bool) bool {
	for j, x := range p.Inputs {
		if x == in && p.InputLive(j, failed) {
			return true
		}
	}
	return false
}

// overlay marks observed failures and computes power depths.
func (b *builder) overlay(ov *Overlay) {
	g := b.g
	g.Failed = make([]bool, len(g.Comps))
	g.Unknown = make([]bool, len(g.Devices))
	for id, f := range ov.Failed {
		if c := g.Lookup(id); c >= 0 {
			g.Failed[c] = true
			g.Failures[c] = f
		}
	}
	for id := range ov.Unknown {
		if di, ok := b.devIdx[id]; ok {
			g.Unknown[di] = true
		}
	}
	// Depth: PDUs feeding PSUs are 1; a node is one more than the nearest
	// node it feeds. Power is topologically ordered, so walk it backwards.
	for i := range g.PSUs {
		g.Power[g.PSUs[i].PDU].Depth = 1
	}
	for i := len(g.Power) - 1; i >= 0; i-- {
		p := &g.Power[i]
		if p.Depth == 0 {
			continue
		}
		for _, in := range p.Inputs {
			if q := &g.Power[in]; q.Depth == 0 || q.Depth > p.Depth+1 {
				q.Depth = p.Depth + 1
			}
		}
	}
}

// ServiceIndex returns the index of a service id, or -1.
func (g *Graph) ServiceIndex(id string) int32 {
	for i := range g.Services {
		if g.Services[i].ID == id {
			return int32(i)
		}
	}
	return -1
}
