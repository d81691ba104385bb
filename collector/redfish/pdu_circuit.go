package redfish

// Normalizing what a PDU reports: outlets, circuits (mains and branches)
// and their poly-phase readings.

import (
	"strings"

	"github.com/faultline/faultline/observation"
)

// outletOf normalizes an outlet. Its id is the PDU's own (A1, 7); Index
// is that id's number when it is one, else 0: A1, B1 and C1 are three
// outlets, never outlet 1.
func outletOf(d outletDoc, seg string) observation.Outlet {
	id := firstNonEmpty(string(d.ID), seg)
	o := observation.Outlet{ID: id, Name: d.Name, Condition: Condition(d.Status.State, d.Status.Health),
		Watts: d.PowerWatts.Reading, Amps: d.CurrentAmps.Reading, Volts: d.Voltage.Reading}
	if n, ok := wholeNumber(id); ok {
		o.Index = n
	}
	switch strings.ToLower(strings.TrimSpace(d.PowerState)) {
	case "on", "poweringoff":
		o.On = ptr(true)
	case "off", "poweringon":
		o.On = ptr(false)
	}
	if l := d.Links.BranchCircuit.ID; l != "" {
		o.Branch = lastSegment(l)
	}
	return o
}

func wholeNumber(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Poly-phase readings: power is the sum over the lines (line to neutral
// where reported, else line to line); current is the most loaded line (the
// one a breaker trips on); voltage is line 1 to neutral, else line 1 to
// line 2.
func circuitWatts(c circuitDoc) *float64 {
	if c.PowerWatts.Reading != nil {
		return c.PowerWatts.Reading
	}
	var ln, ll *float64
	for k, r := range c.PolyPhasePowerWatts {
		if r.Reading == nil {
			continue
		}
		dst := &ll
		if strings.HasSuffix(k, "ToNeutral") {
			dst = &ln
		}
		if *dst == nil {
			*dst = ptr(0.0)
		}
		**dst += *r.Reading
	}
	if ln != nil {
		return ln
	}
	return ll
}

func circuitAmps(c circuitDoc) *float64 {
	if c.CurrentAmps.Reading != nil {
		return c.CurrentAmps.Reading
	}
	var most *float64
	for k, r := range c.PolyPhaseCurrentAmps {
		if r.Reading != nil && strings.HasPrefix(k, "Line") && (most == nil || *r.Reading > *most) {
			most = ptr(*r.Reading)
		}
	}
	return most
}

func circuitVolts(c circuitDoc) *float64 {
	if c.Voltage.Reading != nil {
		return c.Voltage.Reading
	}
	for _, k := range []string{"Line1ToNeutral", "Line1ToLine2"} {
		if r := c.PolyPhaseVoltage[k]; r.Reading != nil {
			return r.Reading
		}
	}
	return nil
}

// breaker normalizes a BreakerState.
func breaker(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "normal":
		return observation.BreakerNormal
	case "tripped":
		return observation.BreakerTripped
	case "off":
		return observation.BreakerOff
	}
	return ""
}

// inputOf normalizes a mains circuit (an inlet). An inlet whose breaker is
// tripped or off, or that reads under 10 V, is lost: failed, whatever its
// Status says.
func inputOf(c circuitDoc) observation.PowerInput {
	in := observation.PowerInput{Name: string(c.ID), Condition: Condition(c.Status.State, c.Status.Health),
		Voltage: circuitVolts(c), Amps: circuitAmps(c), Watts: circuitWatts(c)}
	if b := breaker(c.BreakerState); b == observation.BreakerTripped || b == observation.BreakerOff {
		in.Condition = observation.Failed
	}
	if in.Voltage != nil && *in.Voltage < 10 {
		in.Condition = observation.Failed
	}
	return in
}

func branchOf(c circuitDoc) observation.Branch {
	b := observation.Branch{ID: string(c.ID), Name: c.Name, Condition: Condition(c.Status.State, c.Status.Health),
		Breaker: breaker(c.BreakerState), Amps: circuitAmps(c), RatedAmps: c.RatedCurrentAmps,
		Watts: circuitWatts(c), Volts: circuitVolts(c)}
	for _, o := range c.Links.Outlets {
		if o.ID != "" {
			b.Outlets = append(b.Outlets, lastSegment(o.ID))
		}
	}
	return b
}

func sumWatts(ins []observation.PowerInput) *float64 {
	var sum *float64
	for _, in := range ins {
		if in.Watts != nil {
			if sum == nil {
				sum = ptr(0.0)
			}
			*sum += *in.Watts
		}
	}
	return sum
}
