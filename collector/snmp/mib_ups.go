package snmp

import (
	"github.com/faultline/faultline/observation"
)

// UPS-MIB (RFC 1628): where the output comes from, the battery's status
// and minutes remaining, and the output load (the highest line's percent).
var (
	upsBatteryStatus             = MustOID("1.3.6.1.2.1.33.1.2.1.0")
	upsEstimatedMinutesRemaining = MustOID("1.3.6.1.2.1.33.1.2.3.0")
	upsOutputSource              = MustOID("1.3.6.1.2.1.33.1.4.1.0")
	upsOutputEntry               = MustOID("1.3.6.1.2.1.33.1.4.4.1")
	upsBatteryStatusNames        = map[int64]string{1: "unknown", 2: "normal", 3: "low", 4: "depleted"}
	upsOutputSourceNames         = map[int64]string{1: "other", 2: "none", 3: "normal", 4: "bypass", 5: "battery", 6: "booster", 7: "reducer"}
)

var upsMIB = &module{
	name:    "UPS-MIB",
	scalars: []OID{upsBatteryStatus, upsEstimatedMinutesRemaining, upsOutputSource},
	// upsOutputPercentLoad.
	columns: cols("1.3.6.1.2.1.33.1.4.4.1", 5),
	decode: func(b *builder, r *walkResult) error {
		var p problems
		u := &observation.UPS{}
		if n, ok := p.scalarInt(r, upsOutputSource, "upsOutputSource"); ok {
			u.OutputSource = nameOr(upsOutputSourceNames, n)
		}
		if n, ok := p.scalarInt(r, upsBatteryStatus, "upsBatteryStatus"); ok {
			u.BatteryStatus = nameOr(upsBatteryStatusNames, n)
		}
		if n, ok := p.scalarNumber(r, upsEstimatedMinutesRemaining, "upsEstimatedMinutesRemaining"); ok && n >= 0 {
			u.MinutesRemaining = ptr(n)
		}
		rows, err := r.table(upsOutputEntry, 5)
		p.addTable(err)
		for _, rw := range rows {
			if n, ok := p.number(rw, 0); ok && n >= 0 && (u.LoadPercent == nil || n > *u.LoadPercent) {
				u.LoadPercent = ptr(n)
			}
		}
		if *u != (observation.UPS{}) {
			b.setUPS(u)
		}
		return p.err()
	},
}

// setUPS merges a UPS reading: fields already read by an earlier MIB win.
func (b *builder) setUPS(u *observation.UPS) {
	if b.dev.UPS == nil {
		b.dev.UPS = &observation.UPS{}
	}
	d := b.dev.UPS
	if d.OutputSource == "" {
		d.OutputSource = u.OutputSource
	}
	if d.BatteryStatus == "" {
		d.BatteryStatus = u.BatteryStatus
	}
	if d.MinutesRemaining == nil {
		d.MinutesRemaining = u.MinutesRemaining
	}
	if d.LoadPercent == nil {
		d.LoadPercent = u.LoadPercent
	}
	d.Condition = upsCondition(d)
}

// upsCondition: on mains (normal, or the booster/reducer that condition
// it) with a sound battery is ok; on battery or bypass the UPS is no longer
// protecting its load (degraded); no output, or a depleted battery while on
// battery, is a failure.
func upsCondition(u *observation.UPS) observation.Condition {
	c := observation.Unknown
	switch u.OutputSource {
	case "normal", "booster", "reducer":
		c = observation.OK
	case "battery", "bypass":
		c = observation.Degraded
	case "none", "off":
		c = observation.Failed
	}
	switch u.BatteryStatus {
	case "low":
		if c == observation.OK || c == observation.Unknown {
			c = observation.Degraded
		}
	case "depleted":
		if u.OutputSource == "battery" {
			c = observation.Failed
		} else if c == observation.OK || c == observation.Unknown {
			c = observation.Degraded
		}
	}
	return c
}

func nameOr(names map[int64]string, n int64) string {
	if s, ok := names[n]; ok {
		return s
	}
	return "value " + itoa(n)
}
