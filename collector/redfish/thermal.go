package redfish

import (
	"context"
	"strings"
	"sync"

	"github.com/faultline/faultline/observation"
)

// thermalPart is what one chassis says about cooling.
type thermalPart struct {
	fans       []observation.Fan
	fanRefs    []string
	redundancy []observation.Redundancy
	redRefs    [][]string
	temps      []observation.Temperature
	inlet      *float64
}

// readThermalSubsystem reads the modern ThermalSubsystem: fans, fan
// redundancy, and ThermalMetrics for temperatures and the inlet.
func (pl *poll) readThermalSubsystem(ctx context.Context, r ref) (thermalPart, []error) {
	var out thermalPart
	b, err := pl.get(ctx, r, 2)
	var ts thermalSubsystemDoc
	if err == nil {
		err = pl.decode(b, &ts)
	}
	if err != nil {
		return out, []error{err}
	}
	var (
		mu   sync.Mutex
		errs []error
	)
	parallel(2, func(i int) {
		switch {
		case i == 0 && ts.Fans.ID != "":
			ids, err := pl.members(ctx, ts.Fans, 1)
			if err != nil {
				mu.Lock()
				errs = append(errs, partErr("fans", err))
				mu.Unlock()
				return
			}
			fans := make([]*observation.Fan, len(ids))
			selfIDs := make([]string, len(ids))
			pl.each(ctx, len(ids), func(j int) {
				var f fanDoc
				b, err := pl.get(ctx, ids[j], 0)
				if err == nil {
					err = pl.decode(b, &f)
				}
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, partErr("fan "+lastSegment(ids[j].ID), err))
					return
				}
				id := string(f.ID)
				if id == "" {
					id = lastSegment(ids[j].ID)
				}
				fans[j] = &observation.Fan{ID: id, Name: f.Name, Condition: bayCondition(f.Status, false), RPM: f.SpeedPercent.SpeedRPM}
				selfIDs[j] = f.ODataID
			})
			for j, f := range fans {
				if f != nil {
					out.fans = append(out.fans, *f)
					out.fanRefs = append(out.fanRefs, memberRef(pl.base, firstNonEmpty(selfIDs[j], ids[j].ID)))
				}
			}
		case i == 1 && ts.ThermalMetrics.ID != "":
			var tm thermalMetricsDoc
			b, err := pl.get(ctx, ts.ThermalMetrics, 0)
			if err == nil {
				err = pl.decode(b, &tm)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, partErr("thermal metrics", err))
				mu.Unlock()
				return
			}
			var ss []sensor
			for _, r := range tm.TemperatureReadingsCelsius {
				if r.Reading == nil {
					continue
				}
				ss = append(ss, sensor{name: r.DeviceName, context: r.PhysicalContext, celsius: *r.Reading})
			}
			out.temps, out.inlet = temperatures(ss, firstOf(tm.TemperatureSummaryCelsius.Intake.Reading, tm.TemperatureSummaryCelsius.Ambient.Reading))
		}
	})
	for _, g := range ts.FanRedundancy {
		r, refs := pl.groupOf(g)
		out.redundancy, out.redRefs = append(out.redundancy, r), append(out.redRefs, refs)
	}
	return out, errs
}

// readLegacyThermal reads the legacy Thermal resource (fans, temperatures
// and redundancy in one document).
func (pl *poll) readLegacyThermal(ctx context.Context, r ref) (thermalPart, []error) {
	var out thermalPart
	b, err := pl.get(ctx, r, 0)
	var doc legacyThermalDoc
	if err == nil {
		err = pl.decode(b, &doc)
	}
	if err != nil {
		return out, []error{err}
	}
	for i, f := range doc.Fans {
		id := string(f.MemberID)
		if id == "" {
			id = itoa(i)
		}
		var rpm *float64
		if u := strings.ToUpper(f.ReadingUnits); u == "RPM" || u == "" && f.Reading != nil && *f.Reading > 100 {
			rpm = f.Reading
		}
		out.fans = append(out.fans, observation.Fan{ID: id, Name: firstNonEmpty(f.Name, f.FanName), Condition: bayCondition(f.Status, false), RPM: rpm})
		self := f.ODataID
		if self == "" {
			self = r.ID + "#/Fans/" + itoa(i)
		}
		out.fanRefs = append(out.fanRefs, memberRef(pl.base, self))
	}
	var ss []sensor
	for _, t := range doc.Temperatures {
		if t.ReadingCelsius == nil || Condition(t.Status.State, "") == observation.Absent {
			continue
		}
		ss = append(ss, sensor{name: t.Name, context: t.PhysicalContext, celsius: *t.ReadingCelsius})
	}
	out.temps, out.inlet = temperatures(ss, nil)
	for _, r := range doc.Redundancy {
		g, refs := pl.legacyGroup(r)
		out.redundancy, out.redRefs = append(out.redundancy, g), append(out.redRefs, refs)
	}
	return out, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// temperatures converts a chassis' sensors, marking the inlet
// (chooseInlet); the BMC's own summary of the intake, when it gives one,
// is the inlet reading.
func temperatures(ss []sensor, summary *float64) ([]observation.Temperature, *float64) {
	in := chooseInlet(ss)
	var out []observation.Temperature
	inlet := summary
	for i, s := range ss {
		out = append(out, observation.Temperature{Name: firstNonEmpty(s.name, s.context), Celsius: s.celsius, Inlet: i == in})
		if i == in && inlet == nil {
			v := s.celsius
			inlet = &v
		}
	}
	return out, inlet
}
