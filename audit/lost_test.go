package audit

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/model"
)

const lostInv = `version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: feed-a, kind: feed, site: s1, inputs: [grid]}
  - {id: feed-b, kind: feed, site: s1, inputs: [grid]}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [feed-a]}
  - {id: pdu-b, kind: pdu, rack: r1, inputs: [feed-b]}
devices:
  - id: core-1
    kind: switch
    rack: r1
    min_psus: 2
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-a}, {id: PSU3, pdu: pdu-b}, {id: PSU4, pdu: pdu-b}]
  - id: stack-1
    kind: switch
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-a}, {id: PSU3, pdu: pdu-b}]
  - {id: sw-1, kind: switch, rack: r1, psus: [{id: PSU1, pdu: pdu-a}]}
  - {id: sw-2, kind: switch, rack: r1, psus: [{id: PSU1, pdu: pdu-b}]}
  - id: srv-1
    kind: server
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
links:
  - {a: "srv-1:eno1", b: "sw-1:Ethernet1"}
  - {a: "srv-1:eno2", b: "sw-2:Ethernet1"}
  - {a: "sw-1:Ethernet48", b: "core-1:Ethernet1"}
  - {a: "sw-2:Ethernet48", b: "core-1:Ethernet2"}
  - {a: "stack-1:Ethernet1", b: "core-1:Ethernet3"}
network:
  roots: [core-1]
`

// TestDeviceRedundancyLost: a device whose own redundancy is spent by
// observed failures gets redundancy-lost, in no service, with the new
// single points nearest first and the failed parts named; it clears with
// the repair.
func TestDeviceRedundancyLost(t *testing.T) {
	inv, err := inventory.Parse("lost.yaml", []byte(lostInv), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		failed  []string
		id      string
		causes  []string
		message string
		absent  []string // causes that must not be named
	}{
		{"4 PSUs needing 2, one dead on each PDU: both PDUs", []string{"core-1/PSU1", "core-1/PSU3"},
			"redundancy-lost/core-1/power/pdu-a", []string{"pdu-a", "pdu-b", "feed-a", "feed-b"},
			"core-1 now hangs on each of pdu-a and pdu-b: its PSU1 on pdu-a failed and its PSU3 on pdu-b failed; losing pdu-a, pdu-b, feed-a or feed-b alone now cuts its power (2 of its 4 PSUs are needed)", nil},
		{"3 PSUs, survivors share a PDU: that PDU only", []string{"stack-1/PSU3"},
			"redundancy-lost/stack-1/power/pdu-a", []string{"pdu-a", "feed-a"},
			"stack-1 now hangs on pdu-a: its PSU3 on pdu-b failed; losing pdu-a or feed-a alone now cuts its power (1 of its 3 PSUs are needed)", []string{"pdu-b", "feed-b"}},
		{"server with one of two uplinks down: the remaining switch", []string{"srv-1:eno2~sw-2:Ethernet1"},
			"redundancy-lost/srv-1/network/srv-1:eno1~sw-1:Ethernet1", []string{"srv-1:eno1~sw-1:Ethernet1", "sw-1", "sw-1/PSU1", "sw-1:Ethernet48~core-1:Ethernet1", "pdu-a", "feed-a"},
			"srv-1 now reaches the network only through sw-1: link srv-1:eno2~sw-2:Ethernet1 is down; losing srv-1:eno1~sw-1:Ethernet1, sw-1, sw-1/PSU1 or 3 others alone now cuts it off from the network roots", []string{"sw-2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ov := &model.Overlay{Failed: map[string]model.Failure{}}
			for _, c := range tc.failed {
				ov.Failed[c] = model.Failure{Why: "observed failed", At: at}
			}
			g, err := model.Build(inv, ov)
			if err != nil {
				t.Fatal(err)
			}
			f, ok := byID(Analyze(g, Options{}).Findings())[tc.id]
			if !ok {
				t.Fatalf("no %s", tc.id)
			}
			if !slices.Equal(sortedCopy(f.Causes), sortedCopy(tc.causes)) {
				t.Errorf("causes %v, want %v", f.Causes, tc.causes)
			}
			if f.Causes[0] != tc.causes[0] {
				t.Errorf("nearest cause %s, want %s", f.Causes[0], tc.causes[0])
			}
			for _, c := range tc.absent {
				if slices.Contains(f.Causes, c) {
					t.Errorf("%s named, but it is no single point of failure", c)
				}
			}
			if f.Message != tc.message {
				t.Errorf("message\n got %s\nwant %s", f.Message, tc.message)
			}
			if f.ObservedAt == nil || !f.ObservedAt.Equal(at) {
				t.Errorf("observed_at %v, want %v", f.ObservedAt, at)
			}
			g, _ = model.Build(inv, nil)
			for id := range byID(Analyze(g, Options{}).Findings()) {
				if strings.HasPrefix(id, "redundancy-lost/") {
					t.Errorf("%s on the design", id)
				}
			}
		})
	}
}

// TestDeviceSPOFSidesHaveTheirOwnIDs: the power and the network side of
// one device with the same nearest cause are two findings, two ids.
func TestDeviceSPOFSidesHaveTheirOwnIDs(t *testing.T) {
	src := strings.Replace(lostInv, "psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]\nlinks", "psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-a}]\nlinks", 1)
	src = strings.Replace(src, "{id: sw-2, kind: switch, rack: r1, psus: [{id: PSU1, pdu: pdu-b}]}", "{id: sw-2, kind: switch, rack: r1, psus: [{id: PSU1, pdu: pdu-a}]}", 1)
	inv, err := inventory.Parse("sides.yaml", []byte(src), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := model.Build(inv, nil)
	if err != nil {
		t.Fatal(err)
	}
	fs := byID(Analyze(g, Options{}).Findings())
	for _, id := range []string{"device-spof/srv-1/power/pdu-a", "device-spof/srv-1/network/pdu-a"} {
		if _, ok := fs[id]; !ok {
			t.Errorf("no %s; have %v", id, sortedKeys(fs))
		}
	}
}

func byID(fs []Finding) map[string]Finding {
	m := map[string]Finding{}
	for _, f := range fs {
		m[f.ID] = f
	}
	return m
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

func sortedKeys(m map[string]Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestServiceRedundancyLostText pins the service-level finding: the new
// single point of failure, the failed part that spent the redundancy,
// why it is failed and when that was read.
func TestServiceRedundancyLostText(t *testing.T) {
	inv, err := inventory.Parse("svc.yaml", []byte(lostInv+"services:\n  - {id: web, members: [srv-1]}\n"), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)
	ov := &model.Overlay{Failed: map[string]model.Failure{"srv-1/PSU2": {Why: "observed failed (Enabled, Critical)", At: at,
		Reporter: "srv-1", LastAttempt: at.Add(time.Minute)}}}
	g, err := model.Build(inv, ov)
	if err != nil {
		t.Fatal(err)
	}
	got := byID(Analyze(g, Options{Now: at.Add(90 * time.Second)}).Findings())
	want := []Finding{{ID: "redundancy-lost/web/srv-1/PSU1", Rule: "redundancy-lost", Severity: Critical, Subject: "web", Causes: []string{"srv-1/PSU1", "pdu-a", "feed-a"},
		Message: "service web lost its redundancy: srv-1/PSU2 has failed, so srv-1/PSU1 is now a single point of failure (srv-1/PSU1, pdu-a or feed-a fails: srv-1 runs on srv-1/PSU1 alone)",
		Evidence: []string{"srv-1/PSU1 -> pdu-a", "srv-1/PSU2 failed: observed failed (Enabled, Critical)",
			"last known state: read from srv-1 at 2026-11-21T11:00:00Z (1m30s ago), not read again since (last attempt 2026-11-21T11:01:00Z)"},
		Remediation: "replace or repair srv-1/PSU2; until then do no maintenance on srv-1/PSU1", ObservedAt: &at}}
	f, ok := got[want[0].ID]
	if !ok {
		t.Fatalf("no %s; have %v", want[0].ID, sortedKeys(got))
	}
	if d := cmpFindings(want, []Finding{f}); d != "" {
		t.Error(d)
	}
}
