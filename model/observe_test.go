package model

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/observation"
)

const observeInv = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - id: pdu-a
    kind: pdu
    rack: r1
    inputs: [grid]
    outlets: 24
    management: {snmp: {address: 127.0.0.1, community: "${env:C}"}}
  - id: ups-1
    kind: ups
    site: s1
    inputs: [grid]
    management: {snmp: {address: 127.0.0.2, community: "${env:C}"}}
devices:
  - id: db-1
    kind: server
    rack: r1
    model: PowerEdge R650
    psus:
      - {id: PSU1, pdu: pdu-a, outlet: 3}
      - {id: PSU2, pdu: pdu-a, outlet: 4, match: "Power Supply Bay 2"}
    storage:
      - {id: data, raid: raid10, drives: 4}
    management: {redfish: {endpoint: "https://127.0.0.3", username: u, password: "${env:P}"}}
  - id: sw-1
    kind: switch
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a, outlet: 1}, {id: PSU2, pdu: pdu-a, outlet: 2}]
    management: {snmp: {address: 127.0.0.4, community: "${env:C}"}}
links:
  - {a: "db-1:eno1", b: "sw-1:Ethernet1"}
  - {a: "db-1:eno2", b: "sw-1:Ethernet2"}
`

var now = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

func yes(b bool) *bool { return &b }

func healthy() []observation.Device {
	return []observation.Device{
		{ID: "db-1", Source: "redfish", CollectedAt: now, AttemptedAt: now,
			Identity: &observation.Identity{Model: "Dell PowerEdge R650"},
			PSUs: []observation.PSU{
				{ID: "0", Name: "PSU 1", Slot: 0, Condition: observation.OK, Outlet: "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/3"},
				{ID: "1", Name: "Power Supply Bay 2", Slot: 1, Condition: observation.OK},
				{ID: "2", Name: "Bay 3", Slot: 2, Condition: observation.Absent},
			},
			Volumes: []observation.Volume{{ID: "1", Name: "data", RAID: "raid10", Condition: observation.OK, Drives: []string{"d0", "d1", "d2", "d3"}}},
			Drives:  []observation.Drive{{ID: "d0", Condition: observation.OK}, {ID: "d1", Condition: observation.OK}, {ID: "d2", Condition: observation.OK}, {ID: "d3", Condition: observation.OK}},
		},
		{ID: "sw-1", Source: "snmp", CollectedAt: now, AttemptedAt: now,
			PSUs: []observation.PSU{{ID: "11", Name: "PSU1", Slot: 0, Condition: observation.OK}, {ID: "12", Name: "PSU2", Slot: 1, Condition: observation.OK}},
			Ports: []observation.Port{
				{Name: "Ethernet1", Oper: "up", Neighbors: []observation.Neighbor{{Protocol: "lldp", SysName: "db-1.example.net", PortID: "eno1"}}},
				{Name: "Ethernet2", Oper: "up"},
			}},
		{ID: "pdu-a", Source: "snmp", CollectedAt: now, AttemptedAt: now, Outlets: []observation.Outlet{{Index: 3, On: yes(true)}, {Index: 4, On: yes(true)}}},
		{ID: "ups-1", Source: "snmp", CollectedAt: now, AttemptedAt: now, UPS: &observation.UPS{OutputSource: "normal", Condition: observation.OK}},
	}
}

func TestObserve(t *testing.T) {
	inv, err := inventory.Parse("x.yaml", []byte(observeInv), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		change  func(obs []observation.Device) []observation.Device
		failed  []string // component ids failed in the overlay
		facts   []string // "kind part what" of each fact
		unknown []string
		// lastKnown are failures read before their reporter's last attempt:
		// last known state, not confirmed since.
		lastKnown []string
		// reporter is whose observation the failures come from, when not
		// the device's own.
		reporter string
	}{
		{name: "healthy", change: func(o []observation.Device) []observation.Device { return o }},
		{name: "failed PSU matched by name", change: func(o []observation.Device) []observation.Device {
			o[0].PSUs[1].Condition = observation.Failed
			o[0].PSUs[1].State = "UnavailableOffline"
			return o
		}, failed: []string{"db-1/PSU2"}, facts: []string{"failed db-1/PSU2 "}},
		{name: "PSU matched by normalized id", change: func(o []observation.Device) []observation.Device {
			o[0].PSUs[0].Condition = observation.Failed
			return o
		}, failed: []string{"db-1/PSU1"}, facts: []string{"failed db-1/PSU1 "}},
		{name: "predicted failure is a warning, not a failure", change: func(o []observation.Device) []observation.Device {
			o[1].PSUs[0].PredictedFailure = true
			return o
		}, facts: []string{"failed sw-1/PSU1 "}},
		{name: "input power lost", change: func(o []observation.Device) []observation.Device {
			o[1].PSUs[1].InputOK = yes(false)
			return o
		}, failed: []string{"sw-1/PSU2"}, facts: []string{"failed sw-1/PSU2 "}},
		{name: "PSU removed", change: func(o []observation.Device) []observation.Device {
			o[1].PSUs = o[1].PSUs[:1]
			return o
		}, failed: []string{"sw-1/PSU2"}, facts: []string{"drift sw-1 psu-count", "failed sw-1/PSU2 "}},
		{name: "outlet differs", change: func(o []observation.Device) []observation.Device {
			o[0].PSUs[0].Outlet = "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/7"
			return o
		}, facts: []string{"drift db-1/PSU1 outlet"}},
		{name: "PDU outlet off", change: func(o []observation.Device) []observation.Device {
			o[2].Outlets[1].On = yes(false)
			return o
		}, failed: []string{"db-1/PSU2"}, facts: []string{"failed db-1/PSU2 "}, reporter: "pdu-a"},
		{name: "failed drive in a degraded raid10", change: func(o []observation.Device) []observation.Device {
			o[0].Drives[2].Condition = observation.Failed
			o[0].Volumes[0].Condition = observation.Degraded
			return o
		}, failed: []string{"db-1/data/2"}, facts: []string{"failed db-1/data/2 ", "raid db-1/data "}},
		{name: "raid level differs", change: func(o []observation.Device) []observation.Device {
			o[0].Volumes[0].RAID = "raid5"
			return o
		}, facts: []string{"drift db-1/data raid"}},
		{name: "link down", change: func(o []observation.Device) []observation.Device {
			o[1].Ports[1].Oper = "down"
			return o
		}, failed: []string{"db-1:eno2~sw-1:Ethernet2"}, facts: []string{"failed db-1:eno2~sw-1:Ethernet2 "}, reporter: "sw-1"},
		{name: "cable moved", change: func(o []observation.Device) []observation.Device {
			o[1].Ports[0].Neighbors[0].SysName = "db-9"
			return o
		}, facts: []string{"drift db-1:eno1~sw-1:Ethernet1 lldp"}},
		{name: "model differs", change: func(o []observation.Device) []observation.Device {
			o[0].Identity.Model = "ProLiant DL380"
			return o
		}, facts: []string{"drift db-1 model"}},
		{name: "UPS on battery, UPS with no output", change: func(o []observation.Device) []observation.Device {
			o[3].UPS.OutputSource = "none"
			return o
		}, failed: []string{"ups-1"}, facts: []string{"failed ups-1 "}},
		{name: "never collected", change: func(o []observation.Device) []observation.Device {
			return o[1:]
		}, unknown: []string{"db-1"}},
		{name: "last good data stand however old", change: func(o []observation.Device) []observation.Device {
			o[1].CollectedAt = now.Add(-time.Hour)
			o[1].Error = "timeout"
			o[1].PSUs[1].Condition = observation.Failed
			return o
		}, failed: []string{"sw-1/PSU2"}, facts: []string{"failed sw-1/PSU2 "}, lastKnown: []string{"sw-1/PSU2"}},
		{name: "a kept section dates its failures by its own read", change: func(o []observation.Device) []observation.Device {
			o[1].PSUs[0].Condition = observation.Failed
			o[1].Kept = []observation.KeptSection{{Section: observation.SectionPSUs, CollectedAt: now.Add(-time.Hour)}}
			o[1].CollectedAt, o[1].AttemptedAt = now.Add(time.Minute), now
			return o
		}, failed: []string{"sw-1/PSU1"}, facts: []string{"failed sw-1/PSU1 "}, lastKnown: []string{"sw-1/PSU1"}},
		{name: "a second source polled later does not age the first one's data", change: func(o []observation.Device) []observation.Device {
			o[0].PSUs[1].Condition = observation.Failed
			o[0].AttemptedAt = now.Add(-time.Second)
			return append(o, observation.Device{ID: "db-1", Source: "snmp", AttemptedAt: now.Add(time.Minute), CollectedAt: now.Add(2 * time.Minute)})
		}, failed: []string{"db-1/PSU2"}, facts: []string{"failed db-1/PSU2 "}},
		{name: "inlet temperature is a reading, not a verdict", change: func(o []observation.Device) []observation.Device {
			c := 19.5
			o[0].InletCelsius = &c
			return o
		}, facts: []string{"inlet db-1 "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obs := tc.change(healthy())
			got := Observe(inv, obs)
			var failed, facts, unknown, lastKnown []string
			for id := range got.Overlay.Failed {
				failed = append(failed, id)
			}
			collections := map[string]Fact{}
			for _, f := range got.Facts {
				if f.Kind == FactCollection {
					collections[f.Device] = f
					continue
				}
				facts = append(facts, string(f.Kind)+" "+f.Part+" "+f.What)
			}
			for id := range got.Overlay.Unknown {
				unknown = append(unknown, id)
			}
			for id, f := range got.Overlay.Failed {
				if f.At.Before(f.LastAttempt) {
					lastKnown = append(lastKnown, id)
				}
			}
			for _, l := range [][]string{failed, facts, unknown, lastKnown, tc.failed, tc.facts, tc.unknown, tc.lastKnown} {
				slices.Sort(l)
			}
			if !slices.Equal(failed, tc.failed) {
				t.Errorf("failed %v, want %v", failed, tc.failed)
			}
			if !slices.Equal(facts, tc.facts) {
				t.Errorf("facts %q, want %q", facts, tc.facts)
			}
			if !slices.Equal(unknown, tc.unknown) {
				t.Errorf("unknown %v, want %v", unknown, tc.unknown)
			}
			if !slices.Equal(lastKnown, tc.lastKnown) {
				t.Errorf("last known %v, want %v", lastKnown, tc.lastKnown)
			}
			// Every managed entry has one collection fact, dated by its
			// newest data; every failure is dated by the data it rests on.
			if len(collections) != len(inv.ManagedTargets()) {
				t.Errorf("%d collection facts for %d managed entries", len(collections), len(inv.ManagedTargets()))
			}
			newest := map[string]observation.Device{}
			for _, o := range obs {
				if n, ok := newest[o.ID]; !ok || o.CollectedAt.After(n.CollectedAt) {
					newest[o.ID] = o
				}
			}
			for id, o := range newest {
				if c := collections[id]; !c.ObservedAt.Equal(o.CollectedAt) || c.Error != errorOf(o) {
					t.Errorf("collection fact of %s: observed at %v error %q; the newest observation says %v %q", id, c.ObservedAt, c.Error, o.CollectedAt, errorOf(o))
				}
			}
			for id, f := range got.Overlay.Failed {
				if f.At.IsZero() {
					t.Errorf("failure of %s has no time", id)
				}
				want := tc.reporter
				if want == "" {
					want, _, _ = strings.Cut(id, "/")
				}
				if r := f.Reporter; r != want {
					t.Errorf("failure of %s reported by %q, want %q", id, r, want)
				}
			}
			for _, f := range got.Facts {
				if f.Reporter == "" {
					t.Errorf("fact %s %s has no reporter", f.Kind, f.Part)
				}
			}
			if vols := got.Overlay.Volumes["db-1"]; len(vols) != 1 || vols[0].ID != "data" {
				if !strings.Contains(tc.name, "never") {
					t.Errorf("observed volume not named after the declared one: %+v", vols)
				}
			}
		})
	}
}

func errorOf(o observation.Device) string {
	if o.Error == "" {
		return ""
	}
	return o.Source + ": " + o.Error
}
