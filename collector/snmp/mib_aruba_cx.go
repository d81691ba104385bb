package snmp

import (
	"github.com/faultline/faultline/observation"
)

// ARUBAWIRED-POWERSUPPLY-MIB (Aruba CX): arubaWiredPowerSupplyTable,
// indexed by member.slot, with the state as text and the power drawn.
// Names ("1/1") are those of the ENTITY-MIB entries.
var arubaPSUEntry = MustOID("1.3.6.1.4.1.47196.4.1.1.3.11.2.1.1")

// arubaPSUState normalizes arubaWiredPSUState, a string.
var arubaPSUState = map[string]observation.Condition{
	"ok":             observation.OK,
	"fault_absent":   observation.Absent,
	"fault_input":    observation.Failed,
	"fault_output":   observation.Failed,
	"fault_poe":      observation.Degraded,
	"fault_no_recov": observation.Failed,
	"fault_airflow":  observation.Degraded,
	"alert":          observation.Degraded,
	"warning":        observation.Degraded,
	"unknown":        observation.Unknown,
	"unsupported":    observation.Unknown,
	"init":           observation.Unknown,
}

var arubaCXMIB = &module{
	name: "ARUBAWIRED-POWERSUPPLY-MIB",
	// arubaWiredPSUName, arubaWiredPSUState, arubaWiredPSUProductName,
	// arubaWiredPSUSerialNumber, arubaWiredPSUInstantaneousPower.
	columns: cols("1.3.6.1.4.1.47196.4.1.1.3.11.2.1.1", 3, 4, 5, 6, 7),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(arubaPSUEntry, 3, 4, 5, 6, 7)
		p.addTable(err)
		var vr []vendorRow
		for _, rw := range rows {
			state := p.text(rw, 1)
			cond, ok := arubaPSUState[state]
			if !ok {
				cond = observation.Unknown
			}
			row := vendorRow{id: rw.index.String(), name: p.text(rw, 0), model: p.text(rw, 2), serial: p.text(rw, 3),
				reading: reading{"arubaWiredPSUState", cond, state}}
			if w, ok := p.number(rw, 4); ok {
				row.watts = ptr(w)
			}
			vr = append(vr, row)
		}
		b.psus.attachVendor(vr)
		return p.err()
	},
}
