package snmp

import (
	"github.com/faultline/faultline/observation"
)

// DELL-NETWORKING-CHASSIS-MIB (Dell S-series on DNOS/FTOS 9):
// dellNetPowerSupplyTable and dellNetFanTrayTable, indexed by
// type.unit.index (the S4048 also lists its "PS Unit" entities in
// ENTITY-MIB; they pair in order).
var (
	dellNetPowerSupplyEntry = MustOID("1.3.6.1.4.1.6027.3.26.1.4.6.1")
	dellNetFanTrayEntry     = MustOID("1.3.6.1.4.1.6027.3.26.1.4.7.1")
)

// dellNetOperStatus normalizes dellNetPowerSupplyOperStatus and
// dellNetFanTrayOperStatus.
var dellNetOperStatus = enumState{
	1: {"up", observation.OK},
	2: {"down", observation.Failed},
	3: {"absent", observation.Absent},
}

var dellNetMIB = &module{
	name: "DELL-NETWORKING-CHASSIS-MIB",
	// dellNetPowerSupplyOperStatus; dellNetFanTrayOperStatus.
	columns: append(cols("1.3.6.1.4.1.6027.3.26.1.4.6.1", 4), cols("1.3.6.1.4.1.6027.3.26.1.4.7.1", 4)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		for _, t := range []struct {
			entry  OID
			set    *partSet
			source string
			name   string
		}{
			{dellNetPowerSupplyEntry, &b.psus, "dellNetPowerSupplyOperStatus", "PSU "},
			{dellNetFanTrayEntry, &b.fans, "dellNetFanTrayOperStatus", "Fantray "},
		} {
			rows, err := r.table(t.entry, 4)
			p.addTable(err)
			var vr []vendorRow
			for _, rw := range rows {
				if v, ok := rw.cell(0); ok {
					vr = append(vr, vendorRow{id: rw.index.String(), name: t.name + itoa(last(rw.index)), reading: dellNetOperStatus.read(&p, t.source, v)})
				}
			}
			t.set.attachVendor(vr)
		}
		return p.err()
	},
}
