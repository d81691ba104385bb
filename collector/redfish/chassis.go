package redfish

import (
	"context"
	"errors"
	"sync"

	"github.com/faultline/faultline/observation"
)

// chassisPart is one chassis as read.
type chassisPart struct {
	label    string
	err      error
	doc      chassisDoc
	power    powerPart
	thermal  thermalPart
	ports    map[string]portDoc // canonical URI → port
	partErrs []observation.PartError
	cover    coverage // of power, thermal and network adapters
}

// readChassis reads a chassis' power (PowerSubsystem, else legacy Power),
// consumed power, thermal (ThermalSubsystem, else legacy Thermal) and the
// ports of its network adapters, at once.
func (pl *poll) readChassis(ctx context.Context, uri string) chassisPart {
	out := chassisPart{label: "chassis " + lastSegment(uri)}
	a, reused, err := pl.readTop(ctx, uri, chassisSelect, chassisLevels, &out.doc)
	if reused != nil {
		return reused.(chassisPart)
	}
	if err != nil {
		out.err = err
		return out
	}
	f := &fetches{}
	ctx = context.WithValue(ctx, fetchesKey{}, f)
	defer func() { pl.remember(uri, a, out.slim(), f, len(out.partErrs) == 0) }()
	if out.doc.ID != "" {
		out.label = "chassis " + string(out.doc.ID)
	}
	var mu sync.Mutex
	fail := func(part string, errs ...error) {
		mu.Lock()
		defer mu.Unlock()
		for _, err := range errs {
			var le *labelled
			if errors.As(err, &le) {
				out.partErrs = append(out.partErrs, observation.PartError{Part: out.label + ": " + part + ": " + le.label, Error: le.err.Error()})
			} else {
				out.partErrs = append(out.partErrs, observation.PartError{Part: out.label + ": " + part, Error: err.Error()})
			}
		}
	}
	d := out.doc
	var envWatts *float64
	var powerRead, thermalRead, portsRead bool
	parallel(4, func(i int) {
		switch i {
		case 0:
			out.power, powerRead = pl.readPower(ctx, d, fail)
		case 1:
			if d.EnvironmentMetrics.ID != "" {
				var em environmentMetricsDoc
				b, err := pl.get(ctx, d.EnvironmentMetrics, 0)
				if err == nil {
					err = pl.decode(b, &em)
				}
				if err != nil {
					fail("environment metrics", err)
					return
				}
				envWatts = em.PowerWatts.Reading
			}
		case 2:
			var errs []error
			switch {
			case d.ThermalSubsystem.ID != "":
				out.thermal, errs = pl.readThermalSubsystem(ctx, d.ThermalSubsystem)
			case d.Thermal.ID != "":
				out.thermal, errs = pl.readLegacyThermal(ctx, d.Thermal)
			}
			if len(errs) > 0 {
				fail("thermal", errs...)
			}
			thermalRead = len(errs) == 0 || len(out.thermal.fans)+len(out.thermal.temps) > 0
		case 3:
			if d.NetworkAdapters.ID != "" {
				ports, errs := pl.readAdapters(ctx, d.NetworkAdapters)
				out.ports = ports
				if len(errs) > 0 {
					fail("network adapters", errs...)
				}
				portsRead = len(errs) == 0 || len(ports) > 0
			}
		}
	})
	if envWatts != nil {
		out.power.watts = envWatts
	}
	out.cover.add(d.PowerSubsystem.ID != "" || d.Power.ID != "", powerRead)
	out.cover.add(d.ThermalSubsystem.ID != "" || d.Thermal.ID != "", thermalRead)
	out.cover.add(d.NetworkAdapters.ID != "", portsRead)
	return out
}

// slim drops the resources that came inline under the chassis' links
// (their contents are in the part).
func (c chassisPart) slim() chassisPart {
	d := &c.doc
	d.PowerSubsystem.inline, d.ThermalSubsystem.inline, d.Power.inline = nil, nil, nil
	d.Thermal.inline, d.EnvironmentMetrics.inline, d.NetworkAdapters.inline = nil, nil, nil
	c.intern()
	return c
}

// readPower prefers PowerSubsystem and falls back to legacy Power when the
// former fails and the latter exists. Consumed watts come from
// EnvironmentMetrics (set by the caller), else legacy PowerControl, else
// the sum of the PSUs' input. ok says the power was read: without an
// error, or with at least one PSU.
func (pl *poll) readPower(ctx context.Context, d chassisDoc, fail func(string, ...error)) (pp powerPart, ok bool) {
	var errs []error
	switch {
	case d.PowerSubsystem.ID != "":
		pp, errs = pl.readPowerSubsystem(ctx, d.PowerSubsystem)
		if len(pp.psus) == 0 && len(errs) > 0 && d.Power.ID != "" {
			fail("power subsystem", errs...)
			pp, errs = pl.readLegacyPower(ctx, d.Power)
			if len(errs) > 0 {
				fail("power", errs...)
			}
			return pp, len(errs) == 0 || len(pp.psus) > 0
		}
		if len(errs) > 0 {
			fail("power subsystem", errs...)
		}
	case d.Power.ID != "":
		pp, errs = pl.readLegacyPower(ctx, d.Power)
		if len(errs) > 0 {
			fail("power", errs...)
		}
	}
	if pp.watts == nil {
		sum, all := 0.0, false
		for _, p := range pp.psus {
			if p.Condition == observation.Absent {
				continue
			}
			if p.InputWatts == nil {
				all = false
				break
			}
			sum, all = sum+*p.InputWatts, true
		}
		if all {
			pp.watts = &sum
		}
	}
	return pp, len(errs) == 0 || len(pp.psus) > 0
}

// readAdapters reads the ports of every network adapter (Ports, or the
// older NetworkPorts), for their link state and LLDP neighbours.
func (pl *poll) readAdapters(ctx context.Context, coll ref) (map[string]portDoc, []error) {
	ids, err := pl.members(ctx, coll, 3)
	if err != nil {
		return nil, []error{err}
	}
	var (
		mu   sync.Mutex
		errs []error
	)
	out := map[string]portDoc{}
	pl.each(ctx, len(ids), func(i int) {
		var ad networkAdapterDoc
		b, err := pl.get(ctx, ids[i], 2)
		if err == nil {
			err = pl.decode(b, &ad)
		}
		ports := ad.Ports
		if ports.ID == "" {
			ports = ad.NetworkPorts
		}
		var pids []ref
		if err == nil && ports.ID != "" {
			pids, err = pl.members(ctx, ports, 1)
		}
		if err != nil {
			mu.Lock()
			errs = append(errs, partErr("adapter "+lastSegment(ids[i].ID), err))
			mu.Unlock()
			return
		}
		pl.each(ctx, len(pids), func(j int) {
			var p portDoc
			b, err := pl.get(ctx, pids[j], 0)
			if err == nil {
				err = pl.decode(b, &p)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, partErr("port "+lastSegment(pids[j].ID), err))
				return
			}
			u, _ := canonicalRef(pl.base, pids[j].ID)
			out[u] = p
		})
	})
	return out, errs
}
