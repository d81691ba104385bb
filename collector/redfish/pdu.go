package redfish

// Power equipment: a power node managed over Redfish is read from the
// service's PowerEquipment (DMTF PowerDistribution schema): the unit's
// identity, its mains (inlets), branch circuits, outlets and total power.
// The same machinery as for servers carries it: the request budget, the
// origin rule for every link, $expand where the service does it well, and
// ETag revalidation on later polls.

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/observation"
)

type powerEquipmentDoc struct {
	RackPDUs, FloorPDUs, TransferSwitches, Switchgear ref
}

type powerDistributionDoc struct {
	resource
	EquipmentType                     string
	Manufacturer, Model, SerialNumber string
	FirmwareVersion                   string
	Mains, Branches, Outlets, Metrics ref
}

// circuitDoc is a Circuit: a mains (inlet) or a branch.
type circuitDoc struct {
	resource
	CircuitType, BreakerState             string
	RatedCurrentAmps                      *float64
	CurrentAmps, PowerWatts, Voltage      reading
	PolyPhaseCurrentAmps                  map[string]reading
	PolyPhasePowerWatts, PolyPhaseVoltage map[string]reading
	Links                                 struct{ Outlets []ref }
}

type outletDoc struct {
	resource
	PowerState                       string
	CurrentAmps, PowerWatts, Voltage reading
	Links                            struct{ BranchCircuit ref }
}

type pduMetricsDoc struct {
	PowerWatts reading
}

// isPowerTarget reports whether a target is a power node (read from
// PowerEquipment) rather than a server (read from Systems and Chassis).
func isPowerTarget(t collector.Target) bool {
	switch t.Kind {
	case "pdu", "ats", "ups", "feed", "utility", "generator":
		return true
	}
	return false
}

// equipmentOrder is where a power node of kind is looked for, first match
// first: a transfer switch for an ats, else a rack PDU, a floor PDU, a
// transfer switch, switchgear.
func equipmentOrder(kind string) []string {
	if kind == "ats" {
		return []string{"TransferSwitches", "RackPDUs", "FloorPDUs", "Switchgear"}
	}
	return []string{"RackPDUs", "FloorPDUs", "TransferSwitches", "Switchgear"}
}

// pduResult is one unit as read.
type pduResult struct {
	doc      powerDistributionDoc
	inputs   []observation.PowerInput
	branches []observation.Branch
	outlets  []observation.Outlet
	watts    *float64
	partErrs []observation.PartError
}

// runPDU reads a power node: discovery (the service root, PowerEquipment,
// its collections) when due, then the unit.
func (pl *poll) runPDU(ctx context.Context, kind string, session bool, user, pass string) (*pduResult, error) {
	done, err := pl.open(ctx, pl.dev.unitDiscovered(pl.now, pl.p.opts.Rediscover), session, user, pass)
	if err != nil {
		return nil, err
	}
	defer done()
	for attempt := 0; ; attempt++ {
		if !pl.dev.unitDiscovered(pl.now, pl.p.opts.Rediscover) {
			if err := pl.discoverUnit(ctx, kind); err != nil {
				return nil, err
			}
		}
		res, err := pl.readUnit(ctx, pl.dev.unit)
		if err != nil && statusOf(err) == http.StatusNotFound && attempt == 0 && ctx.Err() == nil {
			pl.log.Info("the remembered power unit is gone; rediscovering")
			pl.dev.unitAt = time.Time{}
			continue
		}
		return res, err
	}
}

// discoverUnit finds the unit the inventory's power node is: the first
// member of the first collection PowerEquipment offers, in equipmentOrder.
// A service offering several units is read for the first, with a warning
// naming the others' count.
func (pl *poll) discoverUnit(ctx context.Context, kind string) error {
	if pl.dev.equipment == "" {
		if err := pl.readRoot(ctx); err != nil {
			return fmt.Errorf("service root: %w", err)
		}
		if pl.dev.equipment == "" {
			return fmt.Errorf("the service root has no PowerEquipment: not a Redfish power distribution service")
		}
	}
	b, err := pl.getPath(ctx, pl.dev.equipment, 1)
	if err != nil {
		return fmt.Errorf("power equipment: %w", err)
	}
	var pe powerEquipmentDoc
	if err := pl.decode(b, &pe); err != nil {
		return fmt.Errorf("power equipment: %w", err)
	}
	colls := map[string]ref{"RackPDUs": pe.RackPDUs, "FloorPDUs": pe.FloorPDUs, "TransferSwitches": pe.TransferSwitches, "Switchgear": pe.Switchgear}
	var units []string
	for _, name := range equipmentOrder(kind) {
		c := colls[name]
		if c.ID == "" {
			continue
		}
		ms, err := pl.members(ctx, c, 0)
		if err != nil {
			return fmt.Errorf("power equipment: %s: %w", name, err)
		}
		for _, m := range ms {
			if p, _ := canonicalRef(pl.base, m.ID); p != "" {
				units = append(units, p)
			}
		}
	}
	if len(units) == 0 {
		return fmt.Errorf("power equipment lists no rack PDU, floor PDU, transfer switch or switchgear")
	}
	if len(units) > 1 {
		pl.warn(fmt.Sprintf("the service offers %d power units; reading %s only (one inventory power node is one unit)", len(units), units[0]))
	}
	pl.dev.unit, pl.dev.unitAt = units[0], pl.now
	return nil
}

// readUnit reads a PowerDistribution and everything below it: with
// $expand, the unit, its collections and their members come in one
// request; without, one request each.
func (pl *poll) readUnit(ctx context.Context, uri string) (*pduResult, error) {
	b, err := pl.getPath(ctx, uri, 2)
	if err != nil {
		return nil, err
	}
	res := &pduResult{}
	if err := pl.decode(b, &res.doc); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	fail := func(part string, err error) {
		mu.Lock()
		res.partErrs = append(res.partErrs, observation.PartError{Part: part, Error: err.Error()})
		mu.Unlock()
	}
	d := res.doc
	parallel(4, func(i int) {
		switch i {
		case 0:
			for _, c := range pl.circuits(ctx, d.Mains, "mains", fail) {
				res.inputs = append(res.inputs, inputOf(c))
			}
		case 1:
			for _, c := range pl.circuits(ctx, d.Branches, "branches", fail) {
				res.branches = append(res.branches, branchOf(c))
			}
		case 2:
			res.outlets = pl.outlets(ctx, d.Outlets, fail)
		case 3:
			if d.Metrics.ID == "" {
				return
			}
			var m pduMetricsDoc
			b, err := pl.get(ctx, d.Metrics, 0)
			if err == nil {
				err = pl.decode(b, &m)
			}
			if err != nil {
				fail("metrics", err)
				return
			}
			res.watts = m.PowerWatts.Reading
		}
	})
	// Outlets that do not name their branch are on the branch that lists them.
	on := map[string]string{}
	for _, br := range res.branches {
		for _, o := range br.Outlets {
			on[o] = br.ID
		}
	}
	for i := range res.outlets {
		if res.outlets[i].Branch == "" {
			res.outlets[i].Branch = on[res.outlets[i].ID]
		}
	}
	if res.watts == nil {
		res.watts = sumWatts(res.inputs)
	}
	return res, nil
}

// circuits reads a collection of circuits, members in order.
func (pl *poll) circuits(ctx context.Context, coll ref, part string, fail func(string, error)) []circuitDoc {
	if coll.ID == "" {
		return nil
	}
	ms, err := pl.members(ctx, coll, 1)
	if err != nil {
		fail(part, err)
		return nil
	}
	docs := make([]*circuitDoc, len(ms))
	pl.each(ctx, len(ms), func(i int) {
		var c circuitDoc
		b, err := pl.get(ctx, ms[i], 0)
		if err == nil {
			err = pl.decode(b, &c)
		}
		if err != nil {
			fail(part+": "+lastSegment(ms[i].ID), err)
			return
		}
		if c.ID == "" {
			c.ID = str(lastSegment(ms[i].ID))
		}
		docs[i] = &c
	})
	var out []circuitDoc
	for _, c := range docs {
		if c != nil {
			out = append(out, *c)
		}
	}
	return out
}

func (pl *poll) outlets(ctx context.Context, coll ref, fail func(string, error)) []observation.Outlet {
	if coll.ID == "" {
		return nil
	}
	ms, err := pl.members(ctx, coll, 1)
	if err != nil {
		fail("outlets", err)
		return nil
	}
	outs := make([]*observation.Outlet, len(ms))
	pl.each(ctx, len(ms), func(i int) {
		var d outletDoc
		b, err := pl.get(ctx, ms[i], 0)
		if err == nil {
			err = pl.decode(b, &d)
		}
		if err != nil {
			fail("outlets: "+lastSegment(ms[i].ID), err)
			return
		}
		o := outletOf(d, lastSegment(ms[i].ID))
		outs[i] = &o
	})
	var out []observation.Outlet
	for _, o := range outs {
		if o != nil {
			out = append(out, *o)
		}
	}
	return out
}

// assemblePDU writes a unit into the observation.
func (pl *poll) assemblePDU(res *pduResult, obs *observation.Device) {
	d := res.doc
	if d.Model != "" || d.SerialNumber != "" || d.Manufacturer != "" || d.FirmwareVersion != "" {
		obs.Identity = &observation.Identity{Manufacturer: d.Manufacturer, Model: d.Model, Serial: d.SerialNumber, Firmware: d.FirmwareVersion}
	}
	obs.Inputs, obs.Branches, obs.Outlets = res.inputs, res.branches, res.outlets
	obs.PowerWatts = res.watts
	obs.PartErrors = append(obs.PartErrors, res.partErrs...)
}
