package snmp

import (
	"github.com/faultline/faultline/observation"
)

// SNMPv2-MIB system group: what the device says it is, and sysUpTime
// (hundredths of a second since its agent started: a reset is a restart).
var (
	sysDescr    = MustOID("1.3.6.1.2.1.1.1.0")
	sysObjectID = MustOID("1.3.6.1.2.1.1.2.0")
	sysUpTime   = MustOID("1.3.6.1.2.1.1.3.0")
	sysName     = MustOID("1.3.6.1.2.1.1.5.0")
)

var systemMIB = &module{
	name:    "SNMPv2-MIB",
	scalars: []OID{sysDescr, sysObjectID, sysUpTime, sysName},
	decode: func(b *builder, r *walkResult) error {
		var p problems
		id := &observation.Identity{}
		if v, ok := r.scalar(sysDescr); ok {
			s, err := v.Text()
			p.add("sysDescr", err)
			id.SysDescr = s
		}
		if v, ok := r.scalar(sysName); ok {
			s, err := v.Text()
			p.add("sysName", err)
			id.SysName = s
		}
		if v, ok := r.scalar(sysObjectID); ok {
			o, err := v.ObjectID()
			p.add("sysObjectID", err)
			if err == nil {
				id.SysObjectID = o.String()
			}
		}
		if v, ok := r.scalar(sysUpTime); ok {
			if v.Kind != KindTimeTicks {
				p.add("sysUpTime", v.typeError("TimeTicks"))
			} else {
				b.dev.UptimeSeconds = ptr(float64(v.Uint) / 100)
			}
		}
		if *id != (observation.Identity{}) {
			b.dev.Identity = id
		}
		return p.err()
	},
}
