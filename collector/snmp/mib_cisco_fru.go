package snmp

import (
	"github.com/faultline/faultline/observation"
)

// CISCO-ENTITY-FRU-CONTROL-MIB, indexed by entPhysicalIndex:
// cefcFRUPowerOperStatus for power supplies and cefcFanTrayOperStatus for
// fans. Rows for entities that are not PSUs or fans (line cards) are
// ignored.
var (
	cefcFRUPowerStatusEntry = MustOID("1.3.6.1.4.1.9.9.117.1.1.2.1")
	cefcFanTrayStatusEntry  = MustOID("1.3.6.1.4.1.9.9.117.1.4.1.1")
)

// cefcPowerOper normalizes cefcFRUPowerOperStatus (PowerOperType).
var cefcPowerOper = enumState{
	1:  {"offEnvOther", observation.Failed},
	2:  {"on", observation.OK},
	3:  {"offAdmin", observation.Failed},
	4:  {"offDenied", observation.Failed},
	5:  {"offEnvPower", observation.Failed},
	6:  {"offEnvTemp", observation.Failed},
	7:  {"offEnvFan", observation.Failed},
	8:  {"failed", observation.Failed},
	9:  {"onButFanFail", observation.Degraded},
	10: {"offCooling", observation.Failed},
	11: {"offConnectorRating", observation.Failed},
	12: {"onButInlinePowerFail", observation.Degraded},
}

// cefcFanTrayOper normalizes cefcFanTrayOperStatus.
var cefcFanTrayOper = enumState{
	1: {"unknown", observation.Unknown},
	2: {"up", observation.OK},
	3: {"down", observation.Failed},
	4: {"warning", observation.Degraded},
}

var ciscoFRUMIB = &module{
	name: "CISCO-ENTITY-FRU-CONTROL-MIB",
	// cefcFRUPowerOperStatus; cefcFanTrayOperStatus.
	columns: append(cols("1.3.6.1.4.1.9.9.117.1.1.2.1", 2), cols("1.3.6.1.4.1.9.9.117.1.4.1.1", 1)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		for _, t := range []struct {
			entry  OID
			col    uint32
			set    *partSet
			states enumState
			source string
		}{
			{cefcFRUPowerStatusEntry, 2, &b.psus, cefcPowerOper, "cefcFRUPowerOperStatus"},
			{cefcFanTrayStatusEntry, 1, &b.fans, cefcFanTrayOper, "cefcFanTrayOperStatus"},
		} {
			rows, err := r.table(t.entry, t.col)
			p.addTable(err)
			for _, rw := range rows {
				pt := t.set.entity(last(rw.index))
				v, ok := rw.cell(0)
				if pt == nil || !ok {
					continue
				}
				pt.add(t.states.read(&p, t.source, v))
			}
		}
		return p.err()
	},
}
