package snmp

import (
	"github.com/faultline/faultline/observation"
)

// DELLEMC-OS10-CHASSIS-MIB (Dell OS10): os10PowerSupplyTable and
// os10FanTrayTable, indexed by unit number; OS10 has no ENTITY-MIB PSUs.
var (
	os10PowerSupplyEntry = MustOID("1.3.6.1.4.1.674.11000.5000.100.4.1.2.1.1")
	os10FanTrayEntry     = MustOID("1.3.6.1.4.1.674.11000.5000.100.4.1.2.2.1")
)

// os10OperStatus normalizes Os10CmnOperStatus.
var os10OperStatus = enumState{
	1: {"up", observation.OK},
	2: {"down", observation.Failed},
	3: {"testing", observation.Degraded},
	4: {"unknown", observation.Unknown},
	5: {"dormant", observation.Degraded},
	6: {"notPresent", observation.Absent},
	7: {"lowerLayerDown", observation.Failed},
	8: {"failed", observation.Failed},
}

var dellOS10MIB = &module{
	name: "DELLEMC-OS10-CHASSIS-MIB",
	// os10PowerSupplyOperStatus; os10FanTrayOperStatus.
	columns: append(cols("1.3.6.1.4.1.674.11000.5000.100.4.1.2.1.1", 4), cols("1.3.6.1.4.1.674.11000.5000.100.4.1.2.2.1", 4)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		for _, t := range []struct {
			entry  OID
			set    *partSet
			source string
			name   string
		}{
			{os10PowerSupplyEntry, &b.psus, "os10PowerSupplyOperStatus", "PSU "},
			{os10FanTrayEntry, &b.fans, "os10FanTrayOperStatus", "Fan Tray "},
		} {
			rows, err := r.table(t.entry, 4)
			p.addTable(err)
			var vr []vendorRow
			for _, rw := range rows {
				if v, ok := rw.cell(0); ok {
					vr = append(vr, vendorRow{id: rw.index.String(), name: t.name + rw.index.String(), reading: os10OperStatus.read(&p, t.source, v)})
				}
			}
			t.set.attachVendor(vr)
		}
		return p.err()
	},
}
