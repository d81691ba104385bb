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
	// entStateOper, entStateAlarm.
	columns: cols("1.3.6.1.2.1.131.1.1.1", 3, 5),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(entStateEntry, 3, 5)
		p.addTable(err)
		for _, rw := range rows {
			idx := last(rw.index)
			for _, set := range []*partSet{&b.psus, &b.fans} {
				pt := set.entity(idx)
				if pt == nil {
					continue
				}
				if v, ok := rw.cell(0); ok {
					pt.readings = append(pt.readings, entStateOper.read(&p, "entStateOper", v))
				}
				if v, ok := rw.cell(1); ok {
					if rd, alarmed := entStateAlarm(v); alarmed {
						pt.readings = append(pt.readings, rd)
					}
				}
			}
		}
		return p.err()
	},
}

// entStateAlarm reads the EntityAlarmStatus BITS: critical(2) is a
// failure; major(3), minor(4) and warning(5) a degradation.
func entStateAlarm(v Var) (reading, bool) {
	if v.Kind != KindOctetString || len(v.Bytes) == 0 {
		return reading{}, false
	}
	bit := func(n int) bool { return v.Bytes[n/8]&(0x80>>(n%8)) != 0 }
	switch {
	case bit(2):
		return reading{"entStateAlarm", observation.Failed, "critical"}, true
	case bit(3):
		return reading{"entStateAlarm", observation.Degraded, "major"}, true
	case bit(4):
		return reading{"entStateAlarm", observation.Degraded, "minor"}, true
	case bit(5):
		return reading{"entStateAlarm", observation.Degraded, "warning"}, true
	}
	return reading{}, false
}
