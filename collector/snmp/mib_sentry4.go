package snmp

import (
	"github.com/faultline/faultline/observation"
)

// Sentry4-MIB (Server Technology PRO1/PRO2 PDUs): input cords, indexed by
// unit.cord, with their state, status and active power in watts.
var (
	st4InputCordConfigEntry  = MustOID("1.3.6.1.4.1.1718.4.1.3.2.1")
	st4InputCordMonitorEntry = MustOID("1.3.6.1.4.1.1718.4.1.3.3.1")
)

// st4Status normalizes the Sentry4 DeviceStatus of a cord.
var st4Status = enumState{
	0:  {"normal", observation.OK},
	1:  {"disabled", observation.Unknown},
	2:  {"purged", observation.Unknown},
	5:  {"reading", observation.Unknown},
	6:  {"settle", observation.Unknown},
	7:  {"notFound", observation.Absent},
	8:  {"lost", observation.Failed},
	9:  {"readError", observation.Unknown},
	10: {"noComm", observation.Unknown},
	11: {"pwrError", observation.Failed},
	12: {"breakerTripped", observation.Failed},
	13: {"fuseBlown", observation.Failed},
	14: {"lowAlarm", observation.Failed},
	15: {"lowWarning", observation.Degraded},
	16: {"highWarning", observation.Degraded},
	17: {"highAlarm", observation.Failed},
	18: {"alarm", observation.Failed},
	19: {"underLimit", observation.Degraded},
	20: {"overLimit", observation.Degraded},
}

var sentry4MIB = &module{
	name: "Sentry4-MIB",
	// st4InputCordName; st4InputCordState, Status, ActivePower.
	columns: append(cols("1.3.6.1.4.1.1718.4.1.3.2.1", 3), cols("1.3.6.1.4.1.1718.4.1.3.3.1", 1, 2, 3)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		names, err := r.table(st4InputCordConfigEntry, 3)
		p.addTable(err)
		name := map[string]string{}
		for _, rw := range names {
			name[rw.index.String()] = p.text(rw, 0)
		}
		rows, err := r.table(st4InputCordMonitorEntry, 1, 2, 3)
		p.addTable(err)
		for _, rw := range rows {
			in := observation.PowerInput{Name: name[rw.index.String()], Condition: observation.Unknown}
			if in.Name == "" {
				in.Name = "Cord " + rw.index.String()
			}
			if v, ok := rw.cell(1); ok {
				in.Condition = st4Status.read(&p, "st4InputCordStatus", v).cond
			}
			if st, ok := p.integer(rw, 0); ok && st == 2 {
				// st4InputCordState off(2): the cord carries nothing.
				in.Condition = observation.Failed
			}
			if n, ok := p.number(rw, 2); ok && n >= 0 {
				in.Watts = scaled(n, 1)
			}
			b.dev.Inputs = append(b.dev.Inputs, in)
		}
		return p.err()
	},
}
