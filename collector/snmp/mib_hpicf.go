package snmp

import (
	"github.com/faultline/faultline/observation"
)

// HP-ICF-CHASSIS-MIB (HP ProCurve / Aruba OS-Switch): hpicfPsTable and
// hpicfFanTable, indexed by bay number.
var (
	hpicfPsEntry  = MustOID("1.3.6.1.4.1.11.2.14.11.5.1.55.1.1.1")
	hpicfFanEntry = MustOID("1.3.6.1.4.1.11.2.14.11.5.1.54.2.1.1")
)

// hpicfPsState normalizes hpicfPsState.
var hpicfPsState = enumState{
	1: {"psNotPresent", observation.Absent},
	2: {"psNotPlugged", observation.Failed},
	3: {"psPowered", observation.OK},
	4: {"psFailed", observation.Failed},
	5: {"psPermFailure", observation.Failed},
	6: {"psMax", observation.Unknown},
	7: {"psAuxFailure", observation.Degraded},
	8: {"psNotPowered", observation.Failed},
	9: {"psAuxNotPowered", observation.Degraded},
}

// hpicfFanState normalizes hpicfFanState.
var hpicfFanState = enumState{
	0: {"failed", observation.Failed},
	1: {"removed", observation.Absent},
	2: {"off", observation.Failed},
	3: {"underspeed", observation.Degraded},
	4: {"overspeed", observation.Degraded},
	5: {"ok", observation.OK},
	6: {"maxstate", observation.Unknown},
}

var hpicfMIB = &module{
	name: "HP-ICF-CHASSIS-MIB",
	// hpicfPsState, hpicfPsWattageCur; hpicfFanState.
	columns: append(cols("1.3.6.1.4.1.11.2.14.11.5.1.55.1.1.1", 2, 6), cols("1.3.6.1.4.1.11.2.14.11.5.1.54.2.1.1", 4)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(hpicfPsEntry, 2, 6)
		p.addTable(err)
		var psus []vendorRow
		for _, rw := range rows {
			v, ok := rw.cell(0)
			if !ok {
				continue
			}
			row := vendorRow{id: rw.index.String(), name: "Power Supply #" + rw.index.String(), reading: hpicfPsState.read(&p, "hpicfPsState", v)}
			if w, ok := p.number(rw, 1); ok {
				row.watts = ptr(w)
			}
			psus = append(psus, row)
		}
		b.psus.attachVendor(psus)
		rows, err = r.table(hpicfFanEntry, 4)
		p.addTable(err)
		var fans []vendorRow
		for _, rw := range rows {
			if v, ok := rw.cell(0); ok {
				fans = append(fans, vendorRow{id: rw.index.String(), name: "Fan #" + rw.index.String(), reading: hpicfFanState.read(&p, "hpicfFanState", v)})
			}
		}
		b.fans.attachVendor(fans)
		return p.err()
	},
}
