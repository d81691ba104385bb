package snmp

import (
	"github.com/faultline/faultline/observation"
)

// PowerNet-MIB, rack PDUs (APC AP7900 and kin): sPDUOutletControlTable for
// outlet names and switched state, rPDULoadStatusTable for each phase's
// load (tenths of an ampere) and load state, and the device's power and
// voltage.
var (
	sPDUOutletControlEntry = MustOID("1.3.6.1.4.1.318.1.1.4.4.2.1")
	rPDULoadStatusEntry    = MustOID("1.3.6.1.4.1.318.1.1.12.2.3.1.1")
	rPDU2PhaseStatusEntry  = MustOID("1.3.6.1.4.1.318.1.1.26.6.3.1")
	rPDUIdentDevicePower   = MustOID("1.3.6.1.4.1.318.1.1.12.1.16.0")
	rPDUIdentDeviceVoltage = MustOID("1.3.6.1.4.1.318.1.1.12.1.15.0")
)

// rPDU2PhaseLoadState normalizes rPDU2PhaseStatusLoadState (newer
// firmware; the AP7900B fills it, not rPDULoadStatusLoadState).
var rPDU2PhaseLoadState = enumState{
	1: {"lowLoad", observation.OK},
	2: {"normal", observation.OK},
	3: {"nearOverload", observation.Degraded},
	4: {"overload", observation.Failed},
}

// sPDUOutletCtl names the outlet control states; 1 and 5 mean on.
var sPDUOutletCtl = enumState{
	1: {"outletOn", observation.OK},
	2: {"outletOff", observation.OK},
	3: {"outletReboot", observation.Degraded},
	4: {"outletUnknown", observation.Unknown},
	5: {"outletOnWithDelay", observation.OK},
	6: {"outletOffWithDelay", observation.OK},
	7: {"outletRebootWithDelay", observation.Degraded},
}

// rPDULoadState normalizes rPDULoadStatusLoadState.
var rPDULoadState = enumState{
	1: {"phaseLoadNormal", observation.OK},
	2: {"phaseLoadLow", observation.OK},
	3: {"phaseLoadNearOverload", observation.Degraded},
	4: {"phaseLoadOverload", observation.Failed},
}

var apcPDUMIB = &module{
	name:    "PowerNet-MIB rPDU",
	scalars: []OID{rPDUIdentDevicePower, rPDUIdentDeviceVoltage},
	// sPDUOutletCtl, sPDUOutletCtlName; rPDULoadStatusLoad, LoadState.
	// rPDU2PhaseStatusLoadState.
	columns: append(append(cols("1.3.6.1.4.1.318.1.1.4.4.2.1", 3, 4), cols("1.3.6.1.4.1.318.1.1.12.2.3.1.1", 2, 3)...),
		cols("1.3.6.1.4.1.318.1.1.26.6.3.1", 4)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		outlets, err := r.table(sPDUOutletControlEntry, 3, 4)
		p.addTable(err)
		for _, rw := range outlets {
			idx := last(rw.index)
			o := observation.Outlet{ID: itoa(idx), Name: p.text(rw, 1), Index: int(idx), Condition: observation.Unknown}
			if v, ok := rw.cell(0); ok {
				rd := sPDUOutletCtl.read(&p, "sPDUOutletCtl", v)
				o.Condition = rd.cond
				if n, _ := v.Integer(); rd.cond != observation.Unknown {
					o.On = ptr(n == 1 || n == 5)
				}
			}
			b.dev.Outlets = append(b.dev.Outlets, o)
		}
		phases, err := r.table(rPDULoadStatusEntry, 2, 3)
		p.addTable(err)
		p2, err := r.table(rPDU2PhaseStatusEntry, 4)
		p.addTable(err)
		phase2 := map[string]Var{}
		for _, rw := range p2 {
			if v, ok := rw.cell(0); ok {
				phase2[rw.index.String()] = v
			}
		}
		watts, hasW := p.scalarNumber(r, rPDUIdentDevicePower, "rPDUIdentDevicePowerWatts")
		volts, hasV := p.scalarNumber(r, rPDUIdentDeviceVoltage, "rPDUIdentDeviceLinetoLineVoltage")
		for _, rw := range phases {
			in := observation.PowerInput{Name: "Phase " + rw.index.String(), Condition: observation.Unknown}
			if n, ok := p.number(rw, 0); ok && n >= 0 {
				in.Amps = scaled(n, 10)
			}
			if v, ok := rw.cell(1); ok {
				in.Condition = rPDULoadState.read(&p, "rPDULoadStatusLoadState", v).cond
			} else if v, ok := phase2[rw.index.String()]; ok {
				in.Condition = rPDU2PhaseLoadState.read(&p, "rPDU2PhaseStatusLoadState", v).cond
			}
			if hasV && volts > 0 {
				in.Voltage = ptr(volts)
			}
			if hasW && watts >= 0 && len(phases) == 1 {
				in.Watts = ptr(watts)
			}
			b.dev.Inputs = append(b.dev.Inputs, in)
		}
		if hasW && watts >= 0 && len(phases) != 1 {
			b.dev.PowerWatts = ptr(watts)
		}
		return p.err()
	},
}
