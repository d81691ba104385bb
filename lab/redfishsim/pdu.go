package redfishsim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/faultline/faultline/inventory"
)

// PDU faults (trees generated from an inventory power node, FromPowerNode).
const (
	OutletOff     = "outlet-off"   // outlet Part switched off: no power, no draw
	InletLost     = "inlet-lost"   // mains Part (AC1, AC2; default the first) reads no voltage
	BreakerTrip   = "breaker-trip" // branch Part's breaker tripped: its outlets lose power
	LoadSet       = "load-set"     // outlet Part draws Value W; without Part, the unit measures Value W in all
	pduVolts      = 230.0          // every generated circuit's voltage
	branchAmps    = 16.0           // every generated branch's rating
	outletsPerBr  = 8              // numbered outlets per generated branch
	pduUnitPath   = rootPath + "/PowerEquipment/RackPDUs/1"
	pduEquipment  = rootPath + "/PowerEquipment"
	pduCollection = pduEquipment + "/RackPDUs"
)

var pduFaults = []string{OutletOff, InletLost, BreakerTrip, LoadSet}

// pduState is what a generated PDU says.
type pduState struct {
	model, serial string
	inlets        []inletState
	branches      []branchState
	outlets       []outletState
	totalW        *float64 // set by load-set without a part
}

type inletState struct {
	id   string
	lost bool
}

type branchState struct {
	id      string
	tripped bool
}

type outletState struct {
	id, branch string
	on         bool
	watts      float64
}

func (st *pduState) clone() *pduState {
	c := *st
	c.inlets = slices.Clone(st.inlets)
	c.branches = slices.Clone(st.branches)
	c.outlets = slices.Clone(st.outlets)
	return &c
}

// generatedPDU is a source rendering a PDU's PowerEquipment tree.
type generatedPDU struct {
	id     string
	feat   features
	base   *pduState
	cur    atomic.Pointer[pduState]
	ver    atomic.Uint64
	faults []Fault
}

func (g *generatedPDU) version() uint64       { return g.ver.Load() }
func (g *generatedPDU) features() features    { return g.feat }
func (g *generatedPDU) reset(time.Time) error { return nil }
func (g *generatedPDU) setFaults(fs []Fault) error {
	st := g.base.clone()
	for _, f := range fs {
		if err := st.apply(f); err != nil {
			return err
		}
	}
	g.faults = fs
	g.cur.Store(st)
	g.ver.Add(1)
	return nil
}

func (st *pduState) apply(f Fault) error {
	outlet := func() (*outletState, error) {
		i := slices.IndexFunc(st.outlets, func(o outletState) bool { return o.id == f.Part })
		if i < 0 {
			return nil, fmt.Errorf("%w: outlet %q", ErrNoSuchPart, f.Part)
		}
		return &st.outlets[i], nil
	}
	switch f.Fault {
	case OutletOff:
		o, err := outlet()
		if err != nil {
			return err
		}
		o.on = false
	case LoadSet:
		if f.Value < 0 || math.IsNaN(f.Value) || math.IsInf(f.Value, 0) {
			return fmt.Errorf("load-set: %v W is not a load", f.Value)
		}
		if f.Part == "" {
			st.totalW = &f.Value
			return nil
		}
		o, err := outlet()
		if err != nil {
			return err
		}
		o.watts = f.Value
	case InletLost:
		i := 0
		if f.Part != "" {
			i = slices.IndexFunc(st.inlets, func(in inletState) bool { return in.id == f.Part })
		}
		if i < 0 {
			return fmt.Errorf("%w: inlet %q", ErrNoSuchPart, f.Part)
		}
		st.inlets[i].lost = true
	case BreakerTrip:
		i := slices.IndexFunc(st.branches, func(b branchState) bool { return b.id == f.Part })
		if i < 0 {
			return fmt.Errorf("%w: branch %q", ErrNoSuchPart, f.Part)
		}
		st.branches[i].tripped = true
	default:
		return fmt.Errorf("%w %q for a PDU (PDU faults: %s)", ErrUnknownFault, f.Fault, strings.Join(pduFaults, ", "))
	}
	return nil
}

// FromPowerNode builds a simulated Redfish PDU for inventory power node
// id: one rack PDU (PowerEquipment/RackPDUs/1) with a mains circuit per
// declared input (AC1, AC2), outlets as the inventory names them (the
// PSUs' outlets, and 1..outlets where the node declares a count), branch
// circuits (outlets named A1… are on branch A; numbered outlets eight to a
// branch, A, B, …), each outlet drawing the declared draw_w of the devices
// plugged into it split over their PSUs. Faults: outlet-off, inlet-lost,
// breaker-trip, load-set.
func FromPowerNode(inv *inventory.Inventory, id string, opts Options) (*Sim, error) {
	p := inv.PowerNode(id)
	if p == nil {
		return nil, fmt.Errorf("redfishsim: no power node %q in the inventory", id)
	}
	opts.defaults()
	if opts.Username == "" && p.Management != nil && p.Management.Redfish != nil {
		rf := p.Management.Redfish
		pw, err := rf.Password.Resolve(inv.Dir())
		if err != nil {
			return nil, fmt.Errorf("redfishsim: %s: password: %w", id, err)
		}
		opts.Username, opts.Password = rf.Username, pw
	}
	g := &generatedPDU{id: id, feat: features{expand: opts.Expand != ExpandOff, maxLevels: opts.MaxLevels, sel: !opts.NoSelect}, base: newPDUState(inv, p)}
	if err := g.setFaults(nil); err != nil {
		return nil, err
	}
	return newSim(id, g, opts), nil
}

// FromInventory builds the simulated BMC of a device or power node.
func FromInventory(inv *inventory.Inventory, id string, opts Options) (*Sim, error) {
	if inv.PowerNode(id) != nil {
		return FromPowerNode(inv, id, opts)
	}
	return FromDevice(inv, id, opts)
}

func newPDUState(inv *inventory.Inventory, p *inventory.PowerNode) *pduState {
	st := &pduState{model: p.Model, serial: p.Serial}
	if st.model == "" {
		st.model = "Lab PDU"
	}
	if st.serial == "" {
		st.serial = fmt.Sprintf("FP%08X", hash32(p.ID))
	}
	for i := range max(1, len(p.Inputs)) {
		st.inlets = append(st.inlets, inletState{id: "AC" + strconv.Itoa(i+1)})
	}
	draw := map[string]float64{}
	var ids []string
	add := func(id string) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for n := 1; n <= p.Outlets; n++ {
		add(strconv.Itoa(n))
	}
	for _, d := range inv.Devices {
		for _, ps := range d.PSUs {
			if ps.PDU != p.ID || ps.Outlet == "" {
				continue
			}
			id := string(ps.Outlet)
			if n, ok := ps.Outlet.Number(); ok {
				id = strconv.Itoa(n)
			}
			add(id)
			draw[id] += d.DrawW / float64(len(d.PSUs))
		}
	}
	slices.SortStableFunc(ids, func(a, b string) int {
		na, errA := strconv.Atoi(a)
		nb, errB := strconv.Atoi(b)
		switch {
		case errA == nil && errB == nil:
			return na - nb
		case errA == nil:
			return -1
		case errB == nil:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, id := range ids {
		br := branchOfOutlet(id)
		if !slices.ContainsFunc(st.branches, func(b branchState) bool { return b.id == br }) {
			st.branches = append(st.branches, branchState{id: br})
		}
		st.outlets = append(st.outlets, outletState{id: id, branch: br, on: true, watts: draw[id]})
	}
	return st
}

// branchOfOutlet is the generated branch an outlet is on: the letters an
// id like A4 starts with, else eight numbered outlets a branch (1-8 on A).
func branchOfOutlet(id string) string {
	if n, err := strconv.Atoi(id); err == nil {
		return string(rune('A' + min((n-1)/outletsPerBr, 25)))
	}
	i := strings.IndexFunc(id, func(r rune) bool { return r >= '0' && r <= '9' })
	if i <= 0 {
		return "A"
	}
	return id[:i]
}

func (st *pduState) live(o outletState) bool {
	if !o.on || !st.powered() {
		return false
	}
	i := slices.IndexFunc(st.branches, func(b branchState) bool { return b.id == o.branch })
	return i < 0 || !st.branches[i].tripped
}

func (st *pduState) outletWatts(o outletState) float64 {
	if !st.live(o) {
		return 0
	}
	return o.watts
}

func (st *pduState) total() float64 {
	if !st.powered() {
		return 0
	}
	if st.totalW != nil {
		return *st.totalW
	}
	sum := 0.0
	for _, o := range st.outlets {
		sum += st.outletWatts(o)
	}
	return sum
}
