package snmp

import (
	"github.com/faultline/faultline/observation"
)

// ENTITY-STATE-MIB (RFC 4268) entStateTable, indexed by entPhysicalIndex:
// the operational state of PSUs and fans (HP ProCurve/Aruba, others).
var entStateEntry = MustOID("1.3.6.1.2.1.131.1.1.1")

// entStateOper normalizes entStateOper.
var entStateOper = enumState{
	1: {"unknown", observation.Unknown},
	2: {"disabled", observation.Failed},
	3: {"enabled", observation.OK},
	4: {"testing", observation.Degraded},
}

var entityStateMIB = &module{
	name: "ENTITY-STATE-MIB",
	// entStateOper. (entStateAlarm is not read: agents and recordings
	// disagree on its BITS encoding, HP's reads as critical when clear.)
	columns: cols("1.3.6.1.2.1.131.1.1.1", 3),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(entStateEntry, 3)
		p.addTable(err)
		for _, rw := range rows {
			idx := last(rw.index)
			for _, set := range []*partSet{&b.psus, &b.fans} {
				pt := set.entity(idx)
				if pt == nil {
					continue
				}
				if v, ok := rw.cell(0); ok {
					pt.add(entStateOper.read(&p, "entStateOper", v))
				}
			}
		}
		return p.err()
	},
}
