package snmp

import (
	"slices"

	"github.com/faultline/faultline/observation"
)

// ENTITY-SENSOR-MIB (RFC 3433) entPhySensorTable, indexed by
// entPhysicalIndex. Arista EOS and Aruba CX report a PSU's health only
// through the sensors inside it: a PSU whose sensors are all
// nonoperational has failed, one with some is degraded. Fan speed
// sensors (type rpm(10)) inside a fan give its RPM.
var entPhySensorEntry = MustOID("1.3.6.1.2.1.99.1.1.1")

// entPhySensorOper normalizes entPhySensorOperStatus.
var entPhySensorOper = enumState{
	1: {"ok", observation.OK},
	2: {"unavailable", observation.Unknown},
	3: {"nonoperational", observation.Failed},
}

var entitySensorMIB = &module{
	name: "ENTITY-SENSOR-MIB",
	// entPhySensorType, entPhySensorValue, entPhySensorOperStatus.
	columns: cols("1.3.6.1.2.1.99.1.1.1", 1, 4, 5),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		rows, err := r.table(entPhySensorEntry, 1, 4, 5)
		p.addTable(err)
		type tally struct{ ok, failed int }
		counts := map[*part]*tally{}
		for i, rw := range rows {
			if i%checkEvery == 0 && b.psus.stopped() {
				break
			}
			idx := last(rw.index)
			typ, _ := p.integer(rw, 0)
			v, ok := rw.cell(2)
			if !ok {
				continue
			}
			rd := entPhySensorOper.read(&p, "entPhySensorOperStatus", v)
			// The parts the sensor sits in: its own entry and a few
			// levels of containers above it, each part counted once
			// (the views of a nested unit are one part).
			var seen [2 * (maxSensorDepth + 1)]*part
			n := 0
			b.ancestors(idx, maxSensorDepth, func(anc int64) {
				for _, set := range []*partSet{&b.psus, &b.fans} {
					pt := set.entity(anc)
					if pt == nil || slices.Contains(seen[:n], pt) {
						continue
					}
					seen[n] = pt
					n++
					t := counts[pt]
					if t == nil {
						t = &tally{}
						counts[pt] = t
					}
					switch rd.cond {
					case observation.OK:
						t.ok++
					case observation.Failed:
						t.failed++
					}
					if typ == 10 && set == &b.fans {
						if rpm, ok := p.number(rw, 1); ok {
							pt.rpm = ptr(rpm)
						}
					}
				}
			})
		}
		for pt, t := range counts {
			switch {
			case t.failed > 0 && t.ok == 0:
				pt.add(reading{"entPhySensorOperStatus", observation.Failed, "all sensors nonoperational"})
			case t.failed > 0:
				pt.add(reading{"entPhySensorOperStatus", observation.Degraded, "some sensors nonoperational"})
			case t.ok > 0:
				pt.add(reading{"entPhySensorOperStatus", observation.OK, "sensors ok"})
			}
		}
		return p.err()
	},
}
