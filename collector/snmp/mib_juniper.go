package snmp

import (
	"github.com/faultline/faultline/observation"
)

// JUNIPER-MIB jnxOperatingTable, indexed by
// jnxOperatingContentsIndex.L1.L2.L3: container 2 holds the power
// supplies and 4 the fans (jnxContentsContainerIndex). Junos has no
// ENTITY-MIB: these are the parts.
var jnxOperatingEntry = MustOID("1.3.6.1.4.1.2636.3.1.13.1")

const (
	jnxContainerPower = 2
	jnxContainerFan   = 4
)

// jnxOperatingState normalizes jnxOperatingState.
var jnxOperatingState = enumState{
	1: {"unknown", observation.Unknown},
	2: {"running", observation.OK},
	3: {"ready", observation.OK},
	4: {"reset", observation.Degraded},
	5: {"runningAtFullSpeed", observation.Degraded},
	6: {"down", observation.Failed},
	7: {"standby", observation.OK},
}

var juniperMIB = &module{
	name: "JUNIPER-MIB",
	// jnxOperatingDescr, jnxOperatingState.
	columns: cols("1.3.6.1.4.1.2636.3.1.13.1", 5, 6),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(jnxOperatingEntry, 5, 6)
		p.addTable(err)
		var psus, fans []vendorRow
		for _, rw := range rows {
			v, ok := rw.cell(1)
			if !ok || len(rw.index) != 4 {
				continue
			}
			vr := vendorRow{id: rw.index.String(), name: p.text(rw, 0), reading: jnxOperatingState.read(&p, "jnxOperatingState", v)}
			switch firstArc(rw.index) {
			case jnxContainerPower:
				psus = append(psus, vr)
			case jnxContainerFan:
				fans = append(fans, vr)
			}
		}
		b.psus.attachVendor(psus)
		b.fans.attachVendor(fans)
		return p.err()
	},
}
