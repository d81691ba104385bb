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
	psuRefs    []string // the link each PSU was read from (memberRef form)
	redundancy []observation.Redundancy
	redRefs    [][]string // each group's members, as links
	watts      *float64
}

// readPowerSubsystem reads the modern PowerSubsystem: each power supply
// (with its metrics) and the redundancy groups.
func (pl *poll) readPowerSubsystem(ctx context.Context, r ref) (powerPart, []error) {
	var out powerPart
	b, err := pl.get(ctx, r, 3)
	var ps powerSubsystemDoc
	if err == nil {
		err = pl.decode(b, &ps)
	}
	if err != nil {
		return out, []error{err}
	}
	ids, err := pl.members(ctx, ps.PowerSupplies, 2)
	if err != nil {
		return out, []error{partErr("power supplies", err)}
	}
	psus := make([]*observation.PSU, len(ids))
	selfIDs := make([]string, len(ids))
	var (
		mu   sync.Mutex
		errs []error
	)
	pl.each(ctx, len(ids), func(i int) {
		var d powerSupplyDoc
		b, err := pl.get(ctx, ids[i], 1)
		if err == nil {
			err = pl.decode(b, &d)
		}
		if err != nil {
			mu.Lock()
			errs = append(errs, partErr("power supply "+lastSegment(ids[i].ID), err))
			mu.Unlock()
			return
		}
		p := pl.psuOf(d, i)
		selfIDs[i] = d.ODataID
		if d.Metrics.ID != "" && p.Condition != observation.Absent {
			var m powerSupplyMetricsDoc
			b, err := pl.get(ctx, d.Metrics, 0)
			if err == nil {
				err = pl.decode(b, &m)
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
	})
	for i, p := range psus {
		if p != nil {
			out.psus = append(out.psus, *p)
			out.psuRefs = append(out.psuRefs, memberRef(pl.base, firstNonEmpty(selfIDs[i], ids[i].ID)))
		}
	}
	for _, g := range ps.PowerSupplyRedundancy {
		r, refs := pl.groupOf(g)
		out.redundancy, out.redRefs = append(out.redundancy, r), append(out.redRefs, refs)
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

// groupOf converts a modern redundancy group; its members are returned as
// links, named by part ids once every id is settled (assemble).
func (pl *poll) groupOf(g redundantGroupDoc) (observation.Redundancy, []string) {
	var refs []string
	for _, r := range g.RedundancyGroup {
		refs = append(refs, memberRef(pl.base, r.ID))
	}
	return observation.Redundancy{
		Name: g.GroupName, Mode: g.RedundancyType, MinNeeded: intOf(g.MinNeededInGroup),
		Condition: g.Status.condition(),
	}, refs
}

// legacyGroup converts a legacy Redundancy entry the same way.
func (pl *poll) legacyGroup(r legacyRedundancyDoc) (observation.Redundancy, []string) {
	var refs []string
	for _, m := range r.RedundancySet {
		refs = append(refs, memberRef(pl.base, m.ID))
	}
	return observation.Redundancy{
		Name: r.Name, Mode: r.Mode, MinNeeded: intOf(r.MinNumNeeded), Condition: r.Status.condition(),
	}, refs
}

// readLegacyPower reads the legacy Power resource: PowerSupplies,
// Redundancy and PowerControl in one document.
func (pl *poll) readLegacyPower(ctx context.Context, r ref) (powerPart, []error) {
	var out powerPart
	b, err := pl.get(ctx, r, 0)
	var doc legacyPowerDoc
	if err == nil {
		err = pl.decode(b, &doc)
	}
	if err != nil {
		return out, []error{err}
	}
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
		self := d.ODataID
		if self == "" {
			self = r.ID + "#/PowerSupplies/" + itoa(i)
		}
		out.psuRefs = append(out.psuRefs, memberRef(pl.base, self))
	}
	for _, r := range doc.Redundancy {
		g, refs := pl.legacyGroup(r)
		out.redundancy, out.redRefs = append(out.redundancy, g), append(out.redRefs, refs)
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
