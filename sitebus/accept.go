package sitebus

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/redfish"
	"github.com/faultline/faultline/collector/snmp"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

// What an auditor accepts from the observations bucket (docs/operations.md,
// "NATS: what an auditor accepts, and least privilege"). Whoever can write
// to the bucket is trusted no further than the inventory: an entry is used
// only when
//
//   - its key names a device (or power node) of the inventory, a source
//     the inventory polls it over (snmp only with snmp management,
//     redfish only with redfish), and the device's site;
//   - its value is at most MaxValueBytes, an observation of exactly that
//     device and source, with no list of parts longer than the
//     collectors' default budget for one table or collection;
//   - none of its times (attempted_at, collected_at, a kept section's
//     collected_at) is later than the moment the NATS server stored the
//     entry plus MaxSkew.
//
// Everything else is counted by reason and dropped before it takes any
// memory beyond the entry being read.

// Defaults of a Policy.
const (
	DefaultMaxSkew       = 2 * time.Minute
	DefaultMaxValueBytes = 1 << 20
)

// Policy bounds what an auditor accepts.
type Policy struct {
	// MaxSkew is how far an observation's times may run ahead of the
	// time the NATS server stored it (default 2 minutes).
	MaxSkew time.Duration
	// MaxValueBytes bounds one entry (default 1 MiB, the largest value
	// the buckets faultline creates hold).
	MaxValueBytes int
}

func (p Policy) withDefaults() Policy {
	if p.MaxSkew <= 0 {
		p.MaxSkew = DefaultMaxSkew
	}
	if p.MaxValueBytes <= 0 {
		p.MaxValueBytes = DefaultMaxValueBytes
	}
	return p
}

// The reasons an entry is rejected: the label values of
// faultline_nats_observations_rejected_total, a fixed set.
const (
	ReasonMalformed      = "malformed"       // not a key or value faultline writes
	ReasonUnknownDevice  = "unknown_device"  // a device the inventory does not hold
	ReasonUnpolledSource = "unpolled_source" // a source the inventory does not poll it over
	ReasonWrongSite      = "wrong_site"      // the key's site is not the device's
	ReasonFuture         = "future"          // dated after it was stored, beyond the skew
	ReasonTooLarge       = "too_large"       // over the value size or a part budget
)

// Reasons lists the rejection reasons, in the order metrics show them.
var Reasons = []string{ReasonMalformed, ReasonUnknownDevice, ReasonUnpolledSource, ReasonWrongSite, ReasonFuture, ReasonTooLarge}

func reasonIndex(r string) int {
	for i, x := range Reasons {
		if x == r {
			return i
		}
	}
	return 0
}

// expectation is what one inventory lets into an auditor.
type expectation struct {
	inv *inventory.Inventory
	// site of each (device, source) the inventory polls, by collector.Key.
	polled map[string]string
}

func expect(inv *inventory.Inventory) *expectation {
	x := &expectation{inv: inv, polled: map[string]string{}}
	if inv == nil {
		return x
	}
	for _, t := range collector.Targets(inv) {
		site := inv.SiteOf(t.ID)
		if t.Management.SNMP != nil {
			x.polled[collector.Key(t.ID, observation.SourceSNMP)] = site
		}
		if t.Management.Redfish != nil {
			x.polled[collector.Key(t.ID, observation.SourceRedfish)] = site
		}
	}
	return x
}

// key judges a key: "" when the inventory expects it, else the reason.
func (x *expectation) key(k Key) string {
	site, ok := x.polled[collector.Key(k.Device, k.Source)]
	switch {
	case ok && (k.Legacy || k.Site == site):
		return ""
	case ok:
		return ReasonWrongSite
	case x.inv != nil && (x.inv.Device(k.Device) != nil || x.inv.PowerNode(k.Device) != nil):
		return ReasonUnpolledSource
	default:
		return ReasonUnknownDevice
	}
}

// maxParts is the longest list of parts an observation from source may
// hold: the collectors' default budget for one table (SNMP) or one
// collection (Redfish).
func maxParts(source string) int {
	if source == observation.SourceSNMP {
		return snmp.DefaultMaxRows
	}
	return redfish.DefaultMaxMembers
}

// rejection is why a value is refused, with the detail for the log.
type rejection struct {
	reason, detail string
}

// checkValue judges an observation decoded from an entry the NATS server
// stored at created (zero: unknown), when the auditor's clock reads now.
func (p Policy) checkValue(o *observation.Device, created, now time.Time) *rejection {
	bound := now
	if !created.IsZero() && created.Before(now) {
		bound = created
	}
	bound = bound.Add(p.MaxSkew)
	if o.AttemptedAt.IsZero() {
		return &rejection{ReasonMalformed, "no attempted_at"}
	}
	times := []struct {
		name string
		t    time.Time
	}{{"attempted_at", o.AttemptedAt}, {"collected_at", o.CollectedAt}}
	for _, k := range o.Kept {
		times = append(times, struct {
			name string
			t    time.Time
		}{"kept " + k.Section + " collected_at", k.CollectedAt})
	}
	for _, t := range times {
		if t.t.After(bound) {
			return &rejection{ReasonFuture, fmt.Sprintf("%s %s is after the entry was stored (%s) plus %s",
				t.name, t.t.UTC().Format(time.RFC3339), created.UTC().Format(time.RFC3339), p.MaxSkew)}
		}
	}
	limit := maxParts(o.Source)
	lists := []struct {
		name string
		n    int
	}{
		{"psus", len(o.PSUs)}, {"power_redundancy", len(o.PowerRedundancy)}, {"controllers", len(o.Controllers)},
		{"volumes", len(o.Volumes)}, {"drives", len(o.Drives)}, {"ports", len(o.Ports)}, {"fans", len(o.Fans)},
		{"fan_redundancy", len(o.FanRedundancy)}, {"temperatures", len(o.Temperatures)}, {"outlets", len(o.Outlets)},
		{"inputs", len(o.Inputs)}, {"branches", len(o.Branches)}, {"part_errors", len(o.PartErrors)},
		{"warnings", len(o.Warnings)}, {"kept", len(o.Kept)},
	}
	for i := range o.Volumes {
		lists = append(lists, struct {
			name string
			n    int
		}{"a volume's drives", len(o.Volumes[i].Drives)})
	}
	for i := range o.Ports {
		lists = append(lists, struct {
			name string
			n    int
		}{"a port's neighbors", len(o.Ports[i].Neighbors)})
	}
	for _, l := range lists {
		if l.n > limit {
			return &rejection{ReasonTooLarge, fmt.Sprintf("%d %s, over the %s collector's budget of %d", l.n, l.name, o.Source, limit)}
		}
	}
	return nil
}
