package snmpsim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Fault is a fault to inject: what (Kind), on which part (a PSU's or
// port's name as the inventory or the device names it; an OID for
// gen-err), and an optional value (the new neighbour's name for
// neighbor-changed).
type Fault struct {
	Kind  string `json:"fault"`
	Part  string `json:"part,omitempty"`
	Value string `json:"value,omitempty"`
}

// The fault kinds. The first four change what the device reports; the
// others break the protocol, for tests.
const (
	PSUFail         = "psu-fail"         // the PSU named Part fails
	PortDown        = "port-down"        // the port named Part goes down
	NeighborChanged = "neighbor-changed" // Part's LLDP neighbour becomes Value
	Reboot          = "reboot"           // sysUpTime restarts from zero, snmpEngineBoots goes up
	Timeout         = "timeout"          // no answer at all
	Malformed       = "malformed"        // answers no decoder can read
	EndlessTable    = "endless-table"    // ifTable never ends
	Loop            = "loop"             // ifTable OIDs go backwards
	WrongTypes      = "wrong-types"      // every value has the wrong type
	GenErr          = "gen-err"          // requests for OIDs under Part get genErr (a failed subagent)
)

// FaultKinds lists every kind Inject accepts.
var FaultKinds = append([]string{PSUFail, PortDown, NeighborChanged, Reboot, OutletOff, InletLost, Timeout, Malformed, EndlessTable, Loop, WrongTypes, GenErr}, hostileKinds...)

// Standard OIDs the semantic faults change.
var (
	oidEntPhysicalDescr = mustOID("1.3.6.1.2.1.47.1.1.1.1.2")
	oidEntPhysicalClass = mustOID("1.3.6.1.2.1.47.1.1.1.1.5")
	oidEntPhysicalName  = mustOID("1.3.6.1.2.1.47.1.1.1.1.7")
	oidEntStateOper     = mustOID("1.3.6.1.2.1.131.1.1.1.3")
	oidCefcPowerOper    = mustOID("1.3.6.1.4.1.9.9.117.1.1.2.1.2")
	oidEnvMonSupply     = mustOID("1.3.6.1.4.1.9.9.13.1.5.1.3")
	oidIfDescr          = mustOID("1.3.6.1.2.1.2.2.1.2")
	oidIfOperStatus     = mustOID("1.3.6.1.2.1.2.2.1.8")
	oidIfName           = mustOID("1.3.6.1.2.1.31.1.1.1.1")
	oidLldpLocPortID    = mustOID("1.0.8802.1.1.2.1.3.7.1.3")
	oidLldpRemEntry     = mustOID("1.0.8802.1.1.2.1.4.1.1")
)

// Inject applies a fault until Clear. A fault on a part the device does
// not have is an error.
func (a *Agent) Inject(f Fault) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ok, err := a.injectHostile(f); ok {
		if err != nil {
			return err
		}
		a.faults = append(a.faults, f)
		return nil
	}
	switch f.Kind {
	case Timeout:
		a.behavior.silent = true
	case Malformed:
		a.behavior.malformed = true
	case EndlessTable:
		a.behavior.endless = true
	case Loop:
		a.behavior.loop = true
	case WrongTypes:
		a.behavior.wrongTypes = true
	case GenErr:
		o, err := parseOID(f.Part)
		if err != nil {
			return fmt.Errorf("snmpsim: gen-err: part must be an OID: %w", err)
		}
		a.behavior.genErrUnder = append(a.behavior.genErrUnder, o)
	case Reboot:
		a.bootedAt, a.liveUp = time.Now(), true
		if a.usm != nil {
			a.usm.reboot()
		}
	case PSUFail:
		if err := a.failPSU(f.Part); err != nil {
			return err
		}
	case OutletOff:
		if err := a.outletOff(f.Part); err != nil {
			return err
		}
	case InletLost:
		if err := a.inletLost(); err != nil {
			return err
		}
	case PortDown:
		idx, ok := a.ifIndex(f.Part)
		if !ok {
			return fmt.Errorf("snmpsim: port-down: no port %q", f.Part)
		}
		a.overlay[oidString(appendOID(oidIfOperStatus, idx))] = Integer(2)
	case NeighborChanged:
		if err := a.changeNeighbor(f.Part, f.Value); err != nil {
			return err
		}
	default:
		return fmt.Errorf("snmpsim: unknown fault %q (one of %s)", f.Kind, strings.Join(FaultKinds, ", "))
	}
	a.faults = append(a.faults, f)
	return nil
}

// Clear removes every fault (a reboot's new uptime stays).
func (a *Agent) Clear() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.overlay = map[string]Value{}
	a.behavior = behavior{}
	a.faults = nil
}

// Faults lists the faults in force.
func (a *Agent) Faults() []Fault {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.faults)
}

// column returns the rows of a table column as index → value.
func (a *Agent) column(col []uint32) []Entry {
	var out []Entry
	for i := a.table.next(col); i < len(a.table.entries) && hasPrefix(a.table.entries[i].OID, col); i++ {
		out = append(out, a.table.entries[i])
	}
	return out
}

// failPSU marks the power supply named part failed in every table that
// reports it: ENTITY-STATE-MIB, CISCO-ENTITY-FRU-CONTROL-MIB and
// CISCO-ENVMON-MIB.
func (a *Agent) failPSU(part string) error {
	for _, e := range a.column(oidEntPhysicalClass) {
		if e.Value.Tag != TagInteger || e.Value.Int != 6 {
			continue
		}
		idx := e.OID[len(oidEntPhysicalClass):]
		if !a.named(part, appendOID(oidEntPhysicalName, idx...), appendOID(oidEntPhysicalDescr, idx...)) {
			continue
		}
		set := 0
		for _, s := range []struct {
			col []uint32
			v   Value
		}{{oidEntStateOper, Integer(2)}, {oidCefcPowerOper, Integer(8)}, {oidEnvMonSupply, Integer(3)}} {
			o := appendOID(s.col, idx...)
			if _, ok := a.table.get(o); ok {
				a.overlay[oidString(o)] = s.v
				set++
			}
		}
		if set == 0 {
			return fmt.Errorf("snmpsim: psu-fail: %q has no state to change", part)
		}
		return nil
	}
	return fmt.Errorf("snmpsim: psu-fail: no power supply %q", part)
}

func (a *Agent) named(part string, oids ...[]uint32) bool {
	for _, o := range oids {
		if i, ok := a.table.get(o); ok && string(a.table.entries[i].Value.Bytes) == part {
			return true
		}
	}
	return false
}

// ifIndex finds a port by ifName, else ifDescr.
func (a *Agent) ifIndex(port string) (uint32, bool) {
	for _, col := range [][]uint32{oidIfName, oidIfDescr} {
		for _, e := range a.column(col) {
			if string(e.Value.Bytes) == port && len(e.OID) == len(col)+1 {
				return e.OID[len(col)], true
			}
		}
	}
	return 0, false
}

// changeNeighbor renames the LLDP neighbour seen on port (lldpRemSysName,
// lldpRemPortId).
func (a *Agent) changeNeighbor(port, name string) error {
	if name == "" {
		name = "unexpected-neighbor"
	}
	num, ok := uint32(0), false
	for _, e := range a.column(oidLldpLocPortID) {
		if string(e.Value.Bytes) == port {
			num, ok = e.OID[len(oidLldpLocPortID)], true
		}
	}
	if !ok {
		if num, ok = a.ifIndex(port); !ok {
			return fmt.Errorf("snmpsim: neighbor-changed: no port %q", port)
		}
	}
	found := false
	sysName := appendOID(oidLldpRemEntry, 9)
	for _, e := range a.column(sysName) {
		if idx := e.OID[len(sysName):]; len(idx) == 3 && idx[1] == num {
			a.overlay[oidString(e.OID)] = String(name)
			a.overlay[oidString(appendOID(oidLldpRemEntry, append([]uint32{7}, idx...)...))] = String("unknown")
			found = true
		}
	}
	if !found {
		return fmt.Errorf("snmpsim: neighbor-changed: port %q has no LLDP neighbour", port)
	}
	return nil
}
