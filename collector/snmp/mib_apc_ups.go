package snmp

import (
	"github.com/faultline/faultline/observation"
)

// PowerNet-MIB, UPSes (APC Smart-UPS): used where UPS-MIB is absent.
// Run time is in TimeTicks; the high-precision load in tenths of a percent.
var (
	upsBasicOutputStatus          = MustOID("1.3.6.1.4.1.318.1.1.1.4.1.1.0")
	upsBasicBatteryStatus         = MustOID("1.3.6.1.4.1.318.1.1.1.2.1.1.0")
	upsAdvBatteryRunTimeRemaining = MustOID("1.3.6.1.4.1.318.1.1.1.2.2.3.0")
	upsHighPrecOutputLoad         = MustOID("1.3.6.1.4.1.318.1.1.1.4.3.3.0")
	upsAdvOutputLoad              = MustOID("1.3.6.1.4.1.318.1.1.1.4.2.3.0")
)

// apcOutputSource maps upsBasicOutputStatus to UPS-MIB's output sources.
var apcOutputSource = map[int64]string{
	1: "other", 2: "normal", 3: "battery", 4: "booster", 5: "off", 6: "bypass", 7: "off",
	8: "other", 9: "bypass", 10: "bypass", 11: "off", 12: "reducer", 13: "normal", 14: "normal",
	15: "normal", 16: "battery", 19: "normal", 20: "normal",
}

// apcBatteryStatus maps upsBasicBatteryStatus to UPS-MIB's names.
var apcBatteryStatus = map[int64]string{1: "unknown", 2: "normal", 3: "low", 4: "depleted"}

var apcUPSMIB = &module{
	name:    "PowerNet-MIB ups",
	scalars: []OID{upsBasicOutputStatus, upsBasicBatteryStatus, upsAdvBatteryRunTimeRemaining, upsHighPrecOutputLoad, upsAdvOutputLoad},
	decode: func(b *builder, r *walkResult) error {
		var p problems
		u := &observation.UPS{}
		if n, ok := p.scalarInt(r, upsBasicOutputStatus, "upsBasicOutputStatus"); ok {
			u.OutputSource = nameOr(apcOutputSource, n)
		}
		if n, ok := p.scalarInt(r, upsBasicBatteryStatus, "upsBasicBatteryStatus"); ok {
			u.BatteryStatus = nameOr(apcBatteryStatus, n)
		}
		if v, ok := r.scalar(upsAdvBatteryRunTimeRemaining); ok {
			if v.Kind != KindTimeTicks {
				p.add("upsAdvBatteryRunTimeRemaining", v.typeError("TimeTicks"))
			} else {
				u.MinutesRemaining = ptr(float64(v.Uint) / 6000)
			}
		}
		if n, ok := p.scalarNumber(r, upsHighPrecOutputLoad, "upsHighPrecOutputLoad"); ok {
			u.LoadPercent = scaled(n, 10)
		} else if n, ok := p.scalarNumber(r, upsAdvOutputLoad, "upsAdvOutputLoad"); ok {
			u.LoadPercent = ptr(n)
		}
		if *u != (observation.UPS{}) {
			b.setUPS(u)
		}
		return p.err()
	},
}
