package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/snmp"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
)

// TestLastKnownState, through the real Redfish protocol: a failed PSU is
// seen; then the BMC hangs; the component-failed and redundancy-lost
// findings are still served, dated by the last good data (older than the
// last attempt) and with their first_seen; a new engine on the same data
// directory serves the same at once; when the BMC answers healthy again
// they clear.
func TestLastKnownState(t *testing.T) {
	dir := t.TempDir()
	f := newRedfishFixture(t, Config{DataDir: dir, Collect: collector.Options{Timeout: time.Second}})
	if err := f.lab.Inject("srv-1", lab.Fault{Kind: "psu-fail", Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	want := []string{"component-failed/srv-1/PSU2", "redundancy-lost/srv-1/power/pdu-a"}
	seen := pick(t, f.collect(t), want)
	read := *seen[want[0]].ObservedAt
	for _, id := range want {
		if slices.ContainsFunc(seen[id].Evidence, func(e string) bool { return strings.HasPrefix(e, "last known state") }) {
			t.Errorf("%s read just now calls itself last known state: %q", id, seen[id].Evidence)
		}
	}
	lost := seen[want[1]]
	if !strings.HasPrefix(lost.Message, "srv-1 now hangs on pdu-a: its PSU2 on pdu-b failed") {
		t.Errorf("redundancy-lost message: %s", lost.Message)
	}

	if err := f.lab.Inject("srv-1", lab.Fault{Kind: "hang"}); err != nil {
		t.Fatal(err)
	}
	s := f.collect(t)
	attempt := s.Collection.Started
	check := func(when string, s *Snapshot) {
		t.Helper()
		got := pick(t, s, append(want, "stale/srv-1"))
		for _, id := range want {
			g, b := got[id], seen[id]
			if g.ObservedAt == nil || !g.ObservedAt.Equal(read) || !g.ObservedAt.Before(attempt) {
				t.Errorf("%s: %s observed_at %v, want the last good read %v (before the attempt at %v)", when, id, g.ObservedAt, read, attempt)
			}
			if g.FirstSeen == nil || !g.FirstSeen.Equal(*b.FirstSeen) {
				t.Errorf("%s: %s first_seen %v, want %v", when, id, g.FirstSeen, b.FirstSeen)
			}
			if !slices.ContainsFunc(g.Evidence, func(e string) bool {
				return strings.HasPrefix(e, "last known state: read from srv-1 at "+read.Format(time.RFC3339))
			}) {
				t.Errorf("%s: %s does not say how old its evidence is: %q", when, id, g.Evidence)
			}
		}
		st := got["stale/srv-1"]
		if !strings.Contains(st.Message, "since "+read.Format(time.RFC3339)) || !strings.Contains(st.Message, "PSUs") || !strings.Contains(st.Message, "last error") {
			t.Errorf("%s: stale message does not say what is unverified since when: %s", when, st.Message)
		}
	}
	check("BMC hung", s)

	// A new engine on the same data directory (kill -9 itself is tested
	// with the binary, in cmd/faultline).
	if err := f.eng.Close(); err != nil {
		t.Fatal(err)
	}
	eng, err := New(context.Background(), Config{InventoryFile: f.eng.cfg.InventoryFile, DataDir: dir, WatchInterval: -1,
		Pollers: f.eng.cfg.Pollers, Collect: f.eng.cfg.Collect})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	check("restarted", eng.Snapshot())

	if err := f.lab.Clear("srv-1"); err != nil {
		t.Fatal(err)
	}
	if j := eng.Collect(context.Background()); j.State != "done" {
		t.Fatalf("collection %s: %s", j.State, j.Error)
	}
	got := findingIDs(eng.Snapshot())
	for _, id := range append(want, "stale/srv-1") {
		if _, ok := got[id]; ok {
			t.Errorf("%s still served after the BMC answered healthy", id)
		}
	}
}

// TestServerUplinkLost, through Redfish: a server with one of its two
// uplinks down now reaches the network only through the other switch.
func TestServerUplinkLost(t *testing.T) {
	f := newRedfishFixture(t, Config{})
	if err := f.lab.Inject("srv-1", lab.Fault{Kind: "link-down", Part: "eno2"}); err != nil {
		t.Fatal(err)
	}
	got := pick(t, f.collect(t), []string{"redundancy-lost/srv-1/network/srv-1:eno1~sw-1:Ethernet1"})
	lost := got["redundancy-lost/srv-1/network/srv-1:eno1~sw-1:Ethernet1"]
	if !slices.Contains(lost.Causes, "sw-1") || slices.Contains(lost.Causes, "sw-2") {
		t.Errorf("causes %v: want the remaining switch sw-1, not sw-2", lost.Causes)
	}
	if !strings.HasPrefix(lost.Message, "srv-1 now reaches the network only through sw-1: link srv-1:eno2~sw-2:Ethernet1 is down") {
		t.Errorf("message: %s", lost.Message)
	}
	if err := f.lab.Clear("srv-1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := findingIDs(f.collect(t))[lost.ID]; ok {
		t.Error("still served after the link came back")
	}
}

// TestSwitchPowerLost, through SNMP: a 4-PSU switch needing 2 with one
// dead on each PDU now hangs on both PDUs; a 3-PSU switch whose surviving
// PSUs share a PDU hangs on that PDU and not the other.
func TestSwitchPowerLost(t *testing.T) {
	t.Setenv("FAULTLINE_TEST_COMMUNITY", "engine-test")
	src := fmt.Sprintf(`version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid]}
  - {id: pdu-b, kind: pdu, rack: r1, inputs: [grid]}
devices:
  - id: core-1
    kind: switch
    rack: r1
    min_psus: 2
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-a}, {id: PSU3, pdu: pdu-b}, {id: PSU4, pdu: pdu-b}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:FAULTLINE_TEST_COMMUNITY}"}}
  - id: stack-1
    kind: switch
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-a}, {id: PSU3, pdu: pdu-b}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:FAULTLINE_TEST_COMMUNITY}"}}
`, freePort(t), freePort(t))
	path := filepath.Join(t.TempDir(), "inventory.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := lab.Start(inv, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	eng, err := New(context.Background(), Config{InventoryFile: path, WatchInterval: -1,
		Pollers: []collector.Poller{snmp.New(snmp.Options{RequestTimeout: 200 * time.Millisecond, Retries: 1})},
		Collect: collector.Options{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	f := &fixture{eng: eng, lab: l}
	for _, fault := range []struct{ device, psu string }{{"core-1", "PSU1"}, {"core-1", "PSU3"}, {"stack-1", "PSU3"}} {
		if err := l.Inject(fault.device, lab.Fault{Kind: "psu-fail", Part: fault.psu}); err != nil {
			t.Fatal(err)
		}
	}
	// pdu-b is nearer core-1 than pdu-a: it feeds nothing else that is
	// still up on it.
	core, stack := "redundancy-lost/core-1/power/pdu-b", "redundancy-lost/stack-1/power/pdu-a"
	got := pick(t, f.collect(t), []string{core, stack})
	if c := got[core].Causes; !slices.Equal(c, []string{"pdu-b", "pdu-a"}) {
		t.Errorf("core-1 causes %v, want both PDUs", c)
	}
	if m := got[core].Message; !strings.HasPrefix(m, "core-1 now hangs on each of pdu-b and pdu-a: its PSU1 on pdu-a failed and its PSU3 on pdu-b failed; losing pdu-b or pdu-a alone now cuts its power") {
		t.Errorf("core-1 message: %s", m)
	}
	if c := got[stack].Causes; !slices.Equal(c, []string{"pdu-a"}) {
		t.Errorf("stack-1 causes %v, want pdu-a alone", c)
	}
	for _, id := range []string{"core-1", "stack-1"} {
		if err := l.Clear(id); err != nil {
			t.Fatal(err)
		}
	}
	after := findingIDs(f.collect(t))
	for _, id := range []string{core, stack} {
		if _, ok := after[id]; ok {
			t.Errorf("%s still served after the PSUs were repaired", id)
		}
	}
}

// pick returns the findings with the ids given, failing the test for any
// that is missing.
func pick(t *testing.T, s *Snapshot, ids []string) map[string]audit.Finding {
	t.Helper()
	all := findingIDs(s)
	out := map[string]audit.Finding{}
	for _, id := range ids {
		f, ok := all[id]
		if !ok {
			t.Fatalf("no %s; have %v", id, keys(all))
		}
		out[id] = f
	}
	return out
}

// TestKeptSection, through Redfish: the BMC answers, but its power
// collection fails; the failed PSU it reported before stays failed, dated
// by that read, and the evidence says it has not been read again.
func TestKeptSection(t *testing.T) {
	f := newRedfishFixture(t, Config{})
	if err := f.lab.Inject("srv-1", lab.Fault{Kind: "psu-fail", Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	id := "component-failed/srv-1/PSU2"
	read := *pick(t, f.collect(t), []string{id})[id].ObservedAt
	if err := f.lab.Inject("srv-1", lab.Fault{Kind: "http-500", Part: "/redfish/v1/Chassis/1/PowerSubsystem"}); err != nil {
		t.Fatal(err)
	}
	s := f.collect(t)
	var kept bool
	for _, o := range s.Observations {
		if o.ID == "srv-1" {
			kept = len(o.Kept) == 1 && o.Kept[0].Section == "psus" && o.Kept[0].CollectedAt.Equal(read) && o.Error == "" && len(o.PartErrors) > 0
		}
	}
	if !kept {
		t.Fatalf("the PSUs were not kept from the last read: %+v", s.Observations)
	}
	got := pick(t, s, []string{id, "redundancy-lost/srv-1/power/pdu-a"})
	for id, g := range got {
		if g.ObservedAt == nil || !g.ObservedAt.Equal(read) {
			t.Errorf("%s observed_at %v, want %v", id, g.ObservedAt, read)
		}
		if !slices.ContainsFunc(g.Evidence, func(e string) bool {
			return strings.HasPrefix(e, "last known state: read from srv-1 at "+read.Format(time.RFC3339))
		}) {
			t.Errorf("%s does not say its evidence is last known state: %q", id, g.Evidence)
		}
	}
	if _, ok := findingIDs(s)["stale/srv-1"]; ok {
		t.Error("a device that answers is not stale")
	}
}
