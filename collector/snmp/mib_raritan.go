package snmp

import (
	"math"

	"github.com/faultline/faultline/observation"
)

// PDU2-MIB (Raritan PX2/PX3): outlets and inlets with their sensors, each
// measurement indexed by pdu.outlet(or inlet).sensorType and scaled by the
// sensor's configured decimal digits.
var (
	raritanOutletConfigEntry  = MustOID("1.3.6.1.4.1.13742.6.3.5.3.1")
	raritanOutletSensorConfig = MustOID("1.3.6.1.4.1.13742.6.3.5.4.1")
	raritanOutletMeasurement  = MustOID("1.3.6.1.4.1.13742.6.5.4.3.1")
	raritanInletSensorConfig  = MustOID("1.3.6.1.4.1.13742.6.3.3.4.1")
	raritanInletMeasurement   = MustOID("1.3.6.1.4.1.13742.6.5.2.3.1")
)

// Raritan SensorTypeEnumeration values read here.
const (
	raritanRMSCurrent  = 1
	raritanRMSVoltage  = 4
	raritanActivePower = 5
	raritanOnOff       = 14
)

// raritanState normalizes SensorStateEnumeration for measured values;
// on(7)/off(8) are the switched state of an onOff sensor.
var raritanState = enumState{
	-1: {"unavailable", observation.Unknown},
	2:  {"belowLowerCritical", observation.Failed},
	3:  {"belowLowerWarning", observation.Degraded},
	4:  {"normal", observation.OK},
	5:  {"aboveUpperWarning", observation.Degraded},
	6:  {"aboveUpperCritical", observation.Failed},
	7:  {"on", observation.OK},
	8:  {"off", observation.OK},
	12: {"ok", observation.OK},
	13: {"marginal", observation.Degraded},
	14: {"fail", observation.Failed},
}

var raritanMIB = &module{
	name: "PDU2-MIB",
	columns: append(append(append(append(
		cols("1.3.6.1.4.1.13742.6.3.5.3.1", 2, 3),  // outletLabel, outletName
		cols("1.3.6.1.4.1.13742.6.3.5.4.1", 7)...), // outletSensorDecimalDigits
		cols("1.3.6.1.4.1.13742.6.5.4.3.1", 3, 4)...), // measurementsOutletSensorState, Value
		cols("1.3.6.1.4.1.13742.6.3.3.4.1", 7)...), // inletSensorDecimalDigits
		cols("1.3.6.1.4.1.13742.6.5.2.3.1", 3, 4)...), // measurementsInletSensorState, Value
	decode: func(b *builder, r *walkResult) error {
		var p problems
		outlets, err := r.table(raritanOutletConfigEntry, 2, 3)
		p.addTable(err)
		om := raritanSensors(&p, r, raritanOutletSensorConfig, raritanOutletMeasurement)
		for _, rw := range outlets {
			if len(rw.index) != 2 {
				continue
			}
			key := rw.index.String()
			o := observation.Outlet{ID: p.text(rw, 0), Name: p.text(rw, 1), Index: int(last(rw.index)), Condition: observation.Unknown}
			if o.ID == "" {
				o.ID = itoa(last(rw.index))
			}
			s := om[key]
			if m, ok := s[raritanOnOff]; ok && m.state != nil {
				o.On = ptr(*m.state == 7)
			}
			if m, ok := s[raritanActivePower]; ok {
				o.Watts = m.value
			}
			if m, ok := s[raritanRMSCurrent]; ok {
				o.Amps = m.value
				if m.state != nil {
					o.Condition = raritanState.read(&p, "measurementsOutletSensorState", Var{Kind: KindInteger, Int: *m.state}).cond
				}
			}
			b.dev.Outlets = append(b.dev.Outlets, o)
		}
		im := raritanSensors(&p, r, raritanInletSensorConfig, raritanInletMeasurement)
		for _, key := range sortedKeys(im) {
			s := im[key]
			in := observation.PowerInput{Name: "Inlet " + key, Condition: observation.Unknown}
			if m, ok := s[raritanRMSVoltage]; ok {
				in.Voltage = m.value
			}
			if m, ok := s[raritanActivePower]; ok {
				in.Watts = m.value
			}
			if m, ok := s[raritanRMSCurrent]; ok {
				in.Amps = m.value
				if m.state != nil {
					in.Condition = raritanState.read(&p, "measurementsInletSensorState", Var{Kind: KindInteger, Int: *m.state}).cond
				}
			}
			b.dev.Inputs = append(b.dev.Inputs, in)
		}
		return p.err()
	},
}

// raritanMeasure is one sensor's state and scaled value.
type raritanMeasure struct {
	state *int64
	value *float64
}

// raritanSensors reads a measurement table into pdu.unit → sensorType →
// measure, scaling each value by its decimal digits.
func raritanSensors(p *problems, r *walkResult, config, measure OID) map[string]map[int64]raritanMeasure {
	digits := map[string]float64{}
	cfg, err := r.table(config, 7)
	p.addTable(err)
	for _, rw := range cfg {
		if n, ok := p.number(rw, 0); ok && n >= 0 && n <= 9 {
			digits[rw.index.String()] = n
		}
	}
	rows, err := r.table(measure, 3, 4)
	p.addTable(err)
	out := map[string]map[int64]raritanMeasure{}
	for _, rw := range rows {
		if len(rw.index) != 3 {
			continue
		}
		unit := rw.index[:2].String()
		m := raritanMeasure{}
		if n, ok := p.integer(rw, 0); ok {
			m.state = ptr(n)
		}
		if n, ok := p.number(rw, 1); ok {
			m.value = scaled(n, math.Pow(10, digits[rw.index.String()]))
		}
		if out[unit] == nil {
			out[unit] = map[int64]raritanMeasure{}
		}
		out[unit][last(rw.index)] = m
	}
	return out
}
