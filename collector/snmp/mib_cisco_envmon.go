package snmp

import (
	"github.com/faultline/faultline/observation"
)

// CISCO-ENVMON-MIB: Cisco's supply and fan status tables. On current IOS
// and IOS-XE the table index is the entPhysicalIndex of the same part.
var (
	ciscoEnvMonFanEntry    = MustOID("1.3.6.1.4.1.9.9.13.1.4.1")
	ciscoEnvMonSupplyEntry = MustOID("1.3.6.1.4.1.9.9.13.1.5.1")
)

// ciscoEnvMonState normalizes CiscoEnvMonState (supplies and fans).
var ciscoEnvMonState = enumState{
	1: {"normal", observation.OK},
	2: {"warning", observation.Degraded},
	3: {"critical", observation.Failed},
	4: {"shutdown", observation.Failed},
	5: {"notPresent", observation.Absent},
	6: {"notFunctioning", observation.Failed},
}

var ciscoEnvMonMIB = &module{
	name: "CISCO-ENVMON-MIB",
	// descr, state of fans and of supplies.
	columns: append(cols("1.3.6.1.4.1.9.9.13.1.4.1", 2, 3), cols("1.3.6.1.4.1.9.9.13.1.5.1", 2, 3)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		for _, t := range []struct {
			entry  OID
			set    *partSet
			source string
		}{
			{ciscoEnvMonSupplyEntry, &b.psus, "ciscoEnvMonSupplyState"},
			{ciscoEnvMonFanEntry, &b.fans, "ciscoEnvMonFanState"},
		} {
			rows, err := r.table(t.entry, 2, 3)
			p.addTable(err)
			var vr []vendorRow
			for _, rw := range rows {
				v, ok := rw.cell(1)
				if !ok {
					continue
				}
				idx := last(rw.index)
				vr = append(vr, vendorRow{id: itoa(idx), entHint: idx, name: p.text(rw, 0), reading: ciscoEnvMonState.read(&p, t.source, v)})
			}
			t.set.attachVendor(vr)
		}
		return p.err()
	},
}
