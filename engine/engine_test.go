package engine

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/audit"
	"github.com/faultline/faultline/collector"
	"github.com/faultline/faultline/collector/snmp"
	"github.com/faultline/faultline/inventory"
	"github.com/faultline/faultline/lab"
)

func freePort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// fixture is a small estate with two SNMP-managed switches, simulated by
// the lab, polled by the real SNMP collector.
type fixture struct {
	eng *Engine
	lab *lab.Lab
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	t.Setenv("FAULTLINE_TEST_COMMUNITY", "engine-test")
	src := fmt.Sprintf(`version: 1
sites: [{id: s1}]
racks: [{id: r1, site: s1}, {id: r2, site: s1}]
power:
  - {id: grid, kind: utility, site: s1}
  - {id: pdu-a, kind: pdu, rack: r1, inputs: [grid]}
  - {id: pdu-b, kind: pdu, rack: r2, inputs: [grid]}
devices:
  - id: sw-1
    kind: switch
    rack: r1
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:FAULTLINE_TEST_COMMUNITY}"}}
  - id: sw-2
    kind: switch
    rack: r2
    psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]
    management: {snmp: {address: "127.0.0.1:%d", community: "${env:FAULTLINE_TEST_COMMUNITY}"}}
  - {id: app-1, kind: server, rack: r1, psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]}
  - {id: app-2, kind: server, rack: r2, psus: [{id: PSU1, pdu: pdu-a}, {id: PSU2, pdu: pdu-b}]}
links:
  - {a: "sw-1:Ethernet48", b: "sw-2:Ethernet48"}
  - {a: "app-1:eno1", b: "sw-1:Ethernet1"}
  - {a: "app-1:eno2", b: "sw-2:Ethernet1"}
  - {a: "app-2:eno1", b: "sw-1:Ethernet2"}
  - {a: "app-2:eno2", b: "sw-2:Ethernet2"}
network:
  roots: [sw-1, sw-2]
services:
  - {id: app, members: [app-1, app-2]}
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
	cfg.InventoryFile = path
	cfg.Pollers = []collector.Poller{snmp.New(snmp.Options{RequestTimeout: 200 * time.Millisecond, Retries: 1})}
	if cfg.Collect.Timeout == 0 {
		cfg.Collect.Timeout = 2 * time.Second
	}
	cfg.WatchInterval = -1
	eng, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &fixture{eng: eng, lab: l}
}

func (f *fixture) collect(t *testing.T) *Snapshot {
	t.Helper()
	j := f.eng.Collect(context.Background())
	if j.State != "done" {
		t.Fatalf("collection %s: %s", j.State, j.Error)
	}
	return f.eng.Snapshot()
}

func findingIDs(s *Snapshot) map[string]audit.Finding {
	m := map[string]audit.Finding{}
	for _, f := range s.Report.Findings {
		m[f.ID] = f
	}
	return m
}

// TestLiveFaults injects each fault the SNMP simulators know, checks the
// finding it must produce, clears it, and checks the finding clears.
func TestLiveFaults(t *testing.T) {
	cases := []struct {
		name   string
		device string
		fault  lab.Fault
		want   []string
	}{
		{"failed PSU", "sw-1", lab.Fault{Kind: "psu-fail", Part: "PSU2"},
			[]string{"component-failed/sw-1/PSU2"}},
		{"link down", "sw-2", lab.Fault{Kind: "port-down", Part: "Ethernet1"},
			[]string{"component-failed/app-1:eno2~sw-2:Ethernet1"}},
		{"moved cable", "sw-1", lab.Fault{Kind: "neighbor-changed", Part: "Ethernet48", Value: "sw-9"},
			[]string{"drift/sw-1:Ethernet48~sw-2:Ethernet48/lldp"}},
	}
	f := newFixture(t, Config{})
	base := findingIDs(f.collect(t))
	for _, id := range []string{"stale/sw-1", "stale/sw-2"} {
		if _, ok := base[id]; ok {
			t.Fatalf("healthy fixture has %s: %v", id, base)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := f.lab.Inject(tc.device, tc.fault); err != nil {
				t.Fatal(err)
			}
			got := findingIDs(f.collect(t))
			for _, id := range tc.want {
				if _, ok := got[id]; !ok {
					t.Errorf("with the fault: no %s; have %v", id, keys(got))
				}
			}
			if err := f.lab.Clear(tc.device); err != nil {
				t.Fatal(err)
			}
			got = findingIDs(f.collect(t))
			for _, id := range tc.want {
				if _, ok := got[id]; ok {
					t.Errorf("after clearing: %s still reported", id)
				}
			}
		})
	}
}

// TestUnreachableIsStale: a device that stops answering keeps its last
// good data until it is older than StaleAfter, then is reported stale
// (unverified), and recovers when it answers again.
func TestUnreachableIsStale(t *testing.T) {
	f := newFixture(t, Config{StaleAfter: 300 * time.Millisecond, Collect: collector.Options{Timeout: 500 * time.Millisecond}})
	f.collect(t)
	if err := f.lab.Inject("sw-2", lab.Fault{Kind: "timeout"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(350 * time.Millisecond)
	s := f.collect(t)
	st, ok := findingIDs(s)["stale/sw-2"]
	if !ok {
		t.Fatalf("no stale/sw-2 while it does not answer: %v", keys(findingIDs(s)))
	}
	if !strings.Contains(st.Message, "unverified") || !strings.Contains(st.Message, "last error") {
		t.Errorf("stale message: %s", st.Message)
	}
	if err := f.lab.Clear("sw-2"); err != nil {
		t.Fatal(err)
	}
	if _, ok := findingIDs(f.collect(t))["stale/sw-2"]; ok {
		t.Error("stale/sw-2 still reported after it answers again")
	}
}

// TestRestartsFlap: uptime resets within the window make a device flap;
// once they age out of the window the finding clears.
func TestRestartsFlap(t *testing.T) {
	f := newFixture(t, Config{HistoryWindow: 2 * time.Second})
	time.Sleep(300 * time.Millisecond) // some uptime to lose
	f.collect(t)
	for i := 0; i < 2; i++ {
		if i > 0 {
			time.Sleep(300 * time.Millisecond)
			f.collect(t)
		}
		if err := f.lab.Inject("sw-1", lab.Fault{Kind: "reboot"}); err != nil {
			t.Fatal(err)
		}
		f.collect(t)
		if err := f.lab.Clear("sw-1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := findingIDs(f.eng.Snapshot())["flapping/sw-1"]; !ok {
		t.Fatalf("no flapping/sw-1 after two restarts: %v", keys(findingIDs(f.eng.Snapshot())))
	}
	time.Sleep(2100 * time.Millisecond)
	if _, ok := findingIDs(f.collect(t))["flapping/sw-1"]; ok {
		t.Error("flapping/sw-1 still reported after its restarts left the window")
	}
}

// TestHistoryRestore: with a data directory, a new engine serves the last
// observations and the findings' first-seen times at once.
func TestHistoryRestore(t *testing.T) {
	dir := t.TempDir()
	f := newFixture(t, Config{DataDir: dir})
	if err := f.lab.Inject("sw-1", lab.Fault{Kind: "psu-fail", Part: "PSU2"}); err != nil {
		t.Fatal(err)
	}
	s := f.collect(t)
	before, ok := findingIDs(s)["component-failed/sw-1/PSU2"]
	if !ok {
		t.Fatalf("no component-failed/sw-1/PSU2: %v", keys(findingIDs(s)))
	}
	if before.FirstSeen == nil {
		t.Fatal("no first_seen with a data directory")
	}
	inv := f.eng.cfg.InventoryFile
	f.eng.Close()
	eng, err := New(context.Background(), Config{InventoryFile: inv, DataDir: dir, WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	after, ok := findingIDs(eng.Snapshot())["component-failed/sw-1/PSU2"]
	if !ok {
		t.Fatal("the restored engine does not serve the failed PSU")
	}
	if !after.FirstSeen.Equal(*before.FirstSeen) {
		t.Errorf("first_seen %v after restart, was %v", after.FirstSeen, before.FirstSeen)
	}
}

func keys(m map[string]audit.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWatchReloads: Run notices the inventory file change; an invalid
// version is rejected (the old inventory keeps serving, with a finding),
// and a valid one replaces it.
func TestWatchReloads(t *testing.T) {
	f := newFixture(t, Config{})
	f.eng.cfg.WatchInterval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	path := f.eng.cfg.InventoryFile
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wait := func(what string, cond func(*Snapshot) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond(f.eng.Snapshot()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	bad := strings.Replace(string(good), "members: [app-1, app-2]", "members: [app-1, app-3]", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	wait("the invalid file to be rejected", func(s *Snapshot) bool { return !s.Reload.OK })
	s := f.eng.Snapshot()
	if _, ok := findingIDs(s)["inventory-invalid/"+path]; !ok {
		t.Errorf("no inventory-invalid finding: %v", keys(findingIDs(s)))
	}
	if s.Inventory.Service("app").Members[1] != "app-2" {
		t.Error("the rejected file replaced the inventory")
	}
	fixed := strings.Replace(string(good), "members: [app-1, app-2]", "members: [app-1, app-2], min_up: 2", 1)
	if err := os.WriteFile(path, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	wait("the fixed file to load", func(s *Snapshot) bool { return s.Reload.OK && s.Inventory.Service("app").MinUp == 2 })
	if _, ok := findingIDs(f.eng.Snapshot())["inventory-invalid/"+path]; ok {
		t.Error("inventory-invalid still reported after the fix")
	}
}

// TestWatchRevertClears: a file edited to invalid and then back to the
// content in force clears the rejection without a SIGHUP (the watcher used
// to skip content it had already loaded).
func TestWatchRevertClears(t *testing.T) {
	f := newFixture(t, Config{})
	f.eng.cfg.WatchInterval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.eng.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	path := f.eng.cfg.InventoryFile
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wait := func(what string, cond func(*Snapshot) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond(f.eng.Snapshot()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for round := range 2 { // twice: the same bad content again is noticed again
		bad := strings.Replace(string(good), "members: [app-1, app-2]", "members: [app-1, app-3]", 1)
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		wait(fmt.Sprintf("round %d: the invalid file to be rejected", round), func(s *Snapshot) bool { return !s.Reload.OK })
		if err := os.WriteFile(path, good, 0o600); err != nil {
			t.Fatal(err)
		}
		wait(fmt.Sprintf("round %d: the reverted file to clear the rejection", round), func(s *Snapshot) bool { return s.Reload.OK })
		s := f.eng.Snapshot()
		if _, ok := findingIDs(s)["inventory-invalid/"+path]; ok {
			t.Errorf("round %d: inventory-invalid still reported after the revert", round)
		}
	}
}
