package snmp

import (
	"github.com/faultline/faultline/observation"
)

// Sentry3-MIB (Server Technology Sentry3 PDUs): infeeds and outlets,
// indexed by tower.infeed and tower.infeed.outlet. Loads are in
// hundredths of an ampere, voltages in tenths of a volt.
var (
	sentry3InfeedEntry = MustOID("1.3.6.1.4.1.1718.3.2.2.1")
	sentry3OutletEntry = MustOID("1.3.6.1.4.1.1718.3.2.3.1")
)

// sentry3Status normalizes infeedStatus and outletStatus.
var sentry3Status = enumState{
	0: {"off", observation.OK},
	1: {"on", observation.OK},
	2: {"offWait", observation.OK},
	3: {"onWait", observation.OK},
	4: {"offError", observation.Failed},
	5: {"onError", observation.Failed},
	6: {"noComm", observation.Unknown},
	7: {"reading", observation.Unknown},
	8: {"offFuse", observation.Failed},
	9: {"onFuse", observation.Degraded},
}

var sentry3MIB = &module{
	name: "Sentry3-MIB",
	// infeedName, infeedStatus, infeedLoadValue, infeedVoltage, infeedPower;
	// outletID, outletName, outletStatus, outletLoadValue.
	columns: append(cols("1.3.6.1.4.1.1718.3.2.2.1", 3, 5, 7, 11, 12), cols("1.3.6.1.4.1.1718.3.2.3.1", 2, 3, 5, 7)...),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		feeds, err := r.table(sentry3InfeedEntry, 3, 5, 7, 11, 12)
		p.addTable(err)
		for _, rw := range feeds {
			in := observation.PowerInput{Name: p.text(rw, 0), Condition: observation.Unknown}
			if v, ok := rw.cell(1); ok {
				in.Condition = sentry3Status.read(&p, "infeedStatus", v).cond
			}
			if n, ok := p.number(rw, 2); ok && n >= 0 {
				in.Amps = scaled(n, 100)
			}
			if n, ok := p.number(rw, 3); ok && n >= 0 {
				in.Voltage = scaled(n, 10)
			}
			if n, ok := p.number(rw, 4); ok && n >= 0 {
				in.Watts = scaled(n, 1)
			}
			b.dev.Inputs = append(b.dev.Inputs, in)
		}
		outlets, err := r.table(sentry3OutletEntry, 2, 3, 5, 7)
		p.addTable(err)
		for i, rw := range outlets {
			o := observation.Outlet{ID: p.text(rw, 0), Name: p.text(rw, 1), Index: i + 1, Condition: observation.Unknown}
			if v, ok := rw.cell(2); ok {
				rd := sentry3Status.read(&p, "outletStatus", v)
				o.Condition = rd.cond
				if n, _ := v.Integer(); rd.cond != observation.Unknown {
					o.On = ptr(n%2 == 1)
				}
			}
			if n, ok := p.number(rw, 3); ok && n >= 0 {
				o.Amps = scaled(n, 100)
			}
			b.dev.Outlets = append(b.dev.Outlets, o)
		}
		return p.err()
	},
}
