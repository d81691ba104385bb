package redfish

import (
	"context"
	"strings"
	"sync"

	"github.com/faultline/faultline/observation"
)

// powerPart is what one chassis says about its power.
type powerPart struct {
	psus       []observation.PSU
	redundancy []observation.Redundancy
	watts      *float64
}

// readPowerSubsystem reads the modern PowerSubsystem: each power supply
// (with its metrics) and the redundancy groups.
func (pl *poll) readPowerSubsystem(ctx context.Context, ref string) (powerPart, []error) {
	var out powerPart
	b, err := pl.get(ctx, ref, 3)
	var ps powerSubsystemDoc
	if err == nil {
		err = decodeJSON(b, &ps)
	}
	if err != nil {
		return out, []error{err}
	}
	ids, err := pl.members(ctx, ps.PowerSupplies.ID, 2)
	if err != nil {
		return out, []error{partErr("power supplies", err)}
	}
	psus := make([]*observation.PSU, len(ids))
	var (
		mu   sync.Mutex
		errs []error
	)
	idOf := map[string]string{}
	parallel(len(ids), func(i int) {
		var d powerSupplyDoc
		b, err := pl.get(ctx, ids[i], 1)
		if err == nil {
			err = decodeJSON(b, &d)
		}
		if err != nil {
			mu.Lock()
			errs = append(errs, partErr("power supply "+lastSegment(ids[i]), err))
			mu.Unlock()
			return
		}
		p := pl.psuOf(d, i)
		if d.Metrics.ID != "" && p.Condition != observation.Absent {
			var m powerSupplyMetricsDoc
			b, err := pl.get(ctx, d.Metrics.ID, 0)
			if err == nil {
				err = decodeJSON(b, &m)
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, partErr("power supply "+p.ID+": metrics", err))
				mu.Unlock()
			} else {
				p.InputVoltage, p.InputWatts, p.OutputWatts = m.InputVoltage.Reading, m.InputPowerWatts.Reading, m.OutputPowerWatts.Reading
			}
		}
		psus[i] = &p
		mu.Lock()
		idOf[ids[i]] = p.ID
		mu.Unlock()
	})
	for _, p := range psus {
		if p != nil {
			out.psus = append(out.psus, *p)
		}
	}
	for _, g := range ps.PowerSupplyRedundancy {
		out.redundancy = append(out.redundancy, pl.groupOf(g, idOf))
	}
	return out, errs
}

func (pl *poll) psuOf(d powerSupplyDoc, i int) observation.PSU {
	predicted := predictsFailure(d.Status)
	cond := bayCondition(d.Status, predicted)
	var inputOK *bool
	switch strings.ToLower(d.LineInputStatus) {
	case "normal":
		inputOK = ptr(true)
	case "lossofinput":
		inputOK = ptr(false)
		if cond != observation.Absent {
			cond = observation.Failed // present, but supplying nothing: its feed is down or unplugged
		}
	case "outofrange":
		inputOK = ptr(false)
		if cond == observation.OK {
			cond = observation.Degraded
		}
	}
	slot := i
	if o := intOf(d.Location.PartLocation.LocationOrdinalValue); o != nil {
		slot = *o
	}
	id := string(d.ID)
	if id == "" {
		id = lastSegment(d.ODataID)
	}
	return observation.PSU{
		ID: id, Name: d.Name, Slot: slot, Condition: cond,
		State: d.Status.State, Health: d.Status.Health, PredictedFailure: predicted,
		InputOK: inputOK, CapacityWatts: d.PowerCapacityWatts,
		Outlet: outletRef(pl.base, d.Links.Outlet.ID), Model: d.Model, Serial: d.SerialNumber,
	}
}

// groupOf converts a modern redundancy group, naming members by PSU id.
func (pl *poll) groupOf(g redundantGroupDoc, idOf map[string]string) observation.Redundancy {
	var members []string
	for _, r := range g.RedundancyGroup {
		p, _ := canonicalRef(pl.base, r.ID)
		if id, ok := idOf[p]; ok {
			members = append(members, id)
		} else {
			members = append(members, lastSegment(p))
		}
	}
	return observation.Redundancy{
		Name: g.GroupName, Mode: g.RedundancyType, MinNeeded: intOf(g.MinNeededInGroup),
		Condition: g.Status.condition(), Members: members,
	}
}

// readLegacyPower reads the legacy Power resource: PowerSupplies,
// Redundancy and PowerControl in one document.
func (pl *poll) readLegacyPower(ctx context.Context, ref string) (powerPart, []error) {
	var out powerPart
	b, err := pl.get(ctx, ref, 0)
	var doc legacyPowerDoc
	if err == nil {
		err = decodeJSON(b, &doc)
	}
	if err != nil {
		return out, []error{err}
	}
	idOf := map[string]string{}
	for i, d := range doc.PowerSupplies {
		id := string(d.MemberID)
		if id == "" {
			id = itoa(i)
		}
		slot := i
		if o := intOf(d.Location.PartLocation.LocationOrdinalValue); o != nil {
			slot = *o
		} else if bay, ok := hpeBayNumber(d.Oem); ok {
			slot = bay
		}
		predicted := predictsFailure(d.Status)
		out.psus = append(out.psus, observation.PSU{
			ID: id, Name: d.Name, Slot: slot, Condition: bayCondition(d.Status, predicted),
			State: d.Status.State, Health: d.Status.Health, PredictedFailure: predicted,
			InputVoltage: d.LineInputVoltage, CapacityWatts: d.PowerCapacityWatts,
			InputWatts: d.PowerInputWatts, OutputWatts: firstOf(d.PowerOutputWatts, d.LastPowerOutputWatts),
			Model: d.Model, Serial: d.SerialNumber,
		})
		if f := memberFragment(d.ODataID); f != "" {
			idOf[f] = id
		}
	}
	for _, r := range doc.Redundancy {
		var members []string
		for _, m := range r.RedundancySet {
			if id, ok := idOf[memberFragment(m.ID)]; ok {
				members = append(members, id)
			} else {
				members = append(members, lastSegment(m.ID))
			}
		}
		out.redundancy = append(out.redundancy, observation.Redundancy{
			Name: r.Name, Mode: r.Mode, MinNeeded: intOf(r.MinNumNeeded),
			Condition: r.Status.condition(), Members: members,
		})
	}
	for _, pc := range doc.PowerControl {
		if pc.PowerConsumedWatts != nil {
			out.watts = pc.PowerConsumedWatts
			break
		}
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

func firstOf(vs ...*float64) *float64 {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
