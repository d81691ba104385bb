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
	rPDUIdentDevicePower   = MustOID("1.3.6.1.4.1.318.1.1.12.1.16.0")
	rPDUIdentDeviceVoltage = MustOID("1.3.6.1.4.1.318.1.1.12.1.15.0")
)

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
	columns: append(cols("1.3.6.1.4.1.318.1.1.4.4.2.1", 3, 4), cols("1.3.6.1.4.1.318.1.1.12.2.3.1.1", 2, 3)...),
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
		watts, hasW := p.scalarNumber(r, rPDUIdentDevicePower, "rPDUIdentDevicePowerWatts")
		volts, hasV := p.scalarNumber(r, rPDUIdentDeviceVoltage, "rPDUIdentDeviceLinetoLineVoltage")
		for _, rw := range phases {
			in := observation.PowerInput{Name: "Phase " + rw.index.String(), Condition: observation.Unknown}
			if n, ok := p.number(rw, 0); ok && n >= 0 {
				in.Amps = scaled(n, 10)
			}
			if v, ok := rw.cell(1); ok {
				in.Condition = rPDULoadState.read(&p, "rPDULoadStatusLoadState", v).cond
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
