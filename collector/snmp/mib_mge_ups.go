package snmp

import (
	"github.com/faultline/faultline/observation"
)

// MG-SNMP-UPS-MIB (Eaton/MGE UPSes, e.g. the 93PS): yes(1)/no(2) flags for
// on battery and on bypass, the low-battery flag, and remaining time in
// seconds; used for what UPS-MIB did not say.
var (
	upsmgBatteryRemainingTime = MustOID("1.3.6.1.4.1.705.1.5.1.0")
	upsmgBatteryLowBattery    = MustOID("1.3.6.1.4.1.705.1.5.14.0")
	upsmgOutputOnBattery      = MustOID("1.3.6.1.4.1.705.1.7.3.0")
	upsmgOutputOnByPass       = MustOID("1.3.6.1.4.1.705.1.7.4.0")
)

var mgeUPSMIB = &module{
	name:    "MG-SNMP-UPS-MIB",
	scalars: []OID{upsmgBatteryRemainingTime, upsmgBatteryLowBattery, upsmgOutputOnBattery, upsmgOutputOnByPass},
	decode: func(b *builder, r *walkResult) error {
		var p problems
		u := &observation.UPS{}
		onBatt, hasBatt := p.scalarInt(r, upsmgOutputOnBattery, "upsmgOutputOnBattery")
		onBypass, hasBypass := p.scalarInt(r, upsmgOutputOnByPass, "upsmgOutputOnByPass")
		switch {
		case hasBatt && onBatt == 1:
			u.OutputSource = "battery"
		case hasBypass && onBypass == 1:
			u.OutputSource = "bypass"
		case hasBatt && hasBypass && onBatt == 2 && onBypass == 2:
			u.OutputSource = "normal"
		}
		if n, ok := p.scalarInt(r, upsmgBatteryLowBattery, "upsmgBatteryLowBattery"); ok {
			u.BatteryStatus = map[int64]string{1: "low", 2: "normal"}[n]
		}
		if n, ok := p.scalarNumber(r, upsmgBatteryRemainingTime, "upsmgBatteryRemainingTime"); ok && n >= 0 {
			u.MinutesRemaining = ptr(n / 60)
		}
		if *u != (observation.UPS{}) {
			b.setUPS(u)
		}
		return p.err()
	},
}
